/**
 * `kubectl top pods|nodes` (kubectl 1.32) against the engine on real Docker: the metrics.k8s.io API served
 * from Docker stats shows a running pod with non-zero memory, and its node.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Pod } from 'kubernetes-types/core/v1';
import { R } from '../../engine/api/resources.ts';
import { dockerSkip } from '../support/docker.ts';
import { uniqueName } from '../support/engine.ts';
import { ensureTestImages } from '../support/images.ts';
import { startFullEngine, type FullEngine } from '../support/full-engine.ts';
import { waitFor } from '../support/wait.ts';
import { freePort } from '../support/ports.ts';

const run = promisify(execFile);

const KUBECTL = '/usr/lib/google-cloud-sdk/bin/kubectl.1.32';
const skip = (await dockerSkip()) || (existsSync(KUBECTL) ? false : `kubectl 1.32 is not installed at ${KUBECTL}`);

describe('kubectl top on Docker', { skip }, () => {
  const cluster = uniqueName('top');
  let dataDir: string;
  let cacheDir: string;
  let full: FullEngine | undefined;
  const kubectl = async (...args: string[]): Promise<string> =>
    (await run(KUBECTL, ['--kubeconfig', full!.engine.kubeconfigPath, '--cache-dir', cacheDir, ...args], { timeout: 30_000 })).stdout;

  before(async () => {
    const images = await ensureTestImages();
    dataDir = await mkdtemp(join(tmpdir(), 'wh-top-e2e-'));
    cacheDir = await mkdtemp(join(tmpdir(), 'wh-top-kube-'));
    full = await startFullEngine({ dataDir, clusterName: cluster, sandboxImage: images.busybox, infraImage: images.node, nodeCount: 1, ingressHttpPort: await freePort(), ingressHttpsPort: await freePort() });
    await full.engine.client.create<Pod>(R.pods, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'busy', namespace: 'default' },
      spec: { containers: [{ name: 'app', image: images.busybox, command: ['sh', '-c', 'sleep 3600'] }] },
    });
    await waitFor('pod busy running', async () => (await full!.engine.client.get<Pod>(R.pods, 'busy', 'default')).status?.phase === 'Running', 90_000, 250);
  });
  after(async () => {
    await full?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('kubectl top pods lists the running pod with non-zero memory', async () => {
    const line = await waitFor('busy in kubectl top pods', async () => {
      const out = await kubectl('top', 'pods', '-n', 'default', '--no-headers');
      return out.split('\n').find((l) => l.startsWith('busy '));
    }, 60_000, 500);
    const [, cpu, mem] = line.trim().split(/\s+/);
    assert.match(cpu!, /^\d+m$/);
    assert.match(mem!, /^\d+Mi$/);
    // kubectl rounds to Mi; the raw PodMetrics (same API, through kubectl) shows the exact, non-zero usage.
    const raw = JSON.parse(await kubectl('get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/busy')) as { containers: Array<{ name: string; usage: { memory: string } }> };
    assert.equal(raw.containers[0]?.name, 'app');
    assert.ok(Number.parseInt(raw.containers[0]!.usage.memory, 10) > 0, JSON.stringify(raw));
    const containers = await kubectl('top', 'pods', 'busy', '-n', 'default', '--containers', '--no-headers');
    assert.match(containers, /^busy\s+app\s+\d+m\s+\d+Mi/m);
  });

  it('kubectl top nodes lists the node', async () => {
    const out = await kubectl('top', 'nodes', '--no-headers');
    assert.match(out, /^\S+\s+\d+m\s+\S+\s+\d+Mi\s+\S+/m, out);
  });
});
