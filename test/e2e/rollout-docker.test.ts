// A Deployment rollout on real Docker: the engine in-process with the controllers, scheduler, volume
// provisioner and virtual nodes running pods as containers (offline busybox image). Six replicas rolled
// with maxSurge 1 / maxUnavailable 0 are sampled from a watch throughout: never fewer than 6 ready pods,
// never more than 7 pods. Then `kubectl rollout status` and `undo`, and self-healing of a deleted pod.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1';
import type { Deployment } from 'kubernetes-types/apps/v1';
import type { ApiClient, Watch } from '../../engine/api/client.ts';
import { R } from '../../engine/api/resources.ts';
import { Engine } from '../../engine/engine.ts';
import { startControllers } from '../../engine/controllers/index.ts';
import { nodesComponent, provisionerComponent, schedulerComponent } from '../../engine/nodes/component.ts';
import { connectDocker, type DockerRuntime } from '../../engine/runtime/docker.ts';
import { networkNameFor, removeCluster } from '../../bench/pods/engine.ts';
import { dockerSkip } from '../support/docker.ts';
import { uniqueName } from '../support/engine.ts';
import { ensureTestImages, type TestImages } from '../support/images.ts';

const BIN_DIR = '/usr/lib/google-cloud-sdk/bin';
const KUBECTL = ['1.32', '1.31', '1.30'].map((v) => join(BIN_DIR, `kubectl.${v}`)).find((p) => existsSync(p));
const dockerReason = await dockerSkip();
const skip = dockerReason || (KUBECTL ? false : `no kubectl binary in ${BIN_DIR}`);

describe('Deployment rollout on Docker', { skip }, () => {
  const cluster = uniqueName('roll');
  let images: TestImages;
  let rt: DockerRuntime;
  let dataDir: string;
  let home: string;
  let engine: Engine;
  let client: ApiClient;
  let watch: Watch | undefined;
  const live = new Map<string, Pod>();
  let sampling = false;
  let maxPods = 0;
  let minReady = Infinity;

  const isReady = (p: Pod) => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  const sample = () => {
    if (!sampling) return;
    const pods = [...live.values()].filter((p) => !p.metadata?.deletionTimestamp);
    maxPods = Math.max(maxPods, pods.length);
    minReady = Math.min(minReady, pods.filter(isReady).length);
  };

  const kubectl = (args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = execFile(KUBECTL!, ['--cache-dir', join(home, 'cache'), ...args], {
        env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: engine.kubeconfigPath }, timeout: 180_000,
      }, (err, stdout, stderr) => resolve({ code: err ? ((err as unknown as { code?: number }).code ?? 1) : 0, stdout, stderr }));
      if (stdin !== undefined) child.stdin!.end(stdin);
    });
  const ok = async (args: string[], stdin?: string) => {
    const r = await kubectl(args, stdin);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  const versions = async () => (await client.list<Pod>(R.pods, 'default', { labelSelector: 'app=web' })).items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .map((p) => p.spec!.containers[0]!.env?.find((e) => e.name === 'VERSION')?.value).sort();

  before(async () => {
    images = await ensureTestImages();
    rt = await connectDocker();
    dataDir = await mkdtemp(join(tmpdir(), 'wh-rollout-e2e-'));
    home = await mkdtemp(join(tmpdir(), 'wh-rollout-home-'));
    engine = await Engine.start({
      dataDir, port: 0, clusterName: cluster, store: 'memory', connectRuntime: () => connectDocker(),
      components: [
        (ctx) => {
          const c = startControllers(ctx.client, { workers: 2 });
          return { name: 'controllers', stop: () => c.stop() };
        },
        schedulerComponent(),
        provisionerComponent(),
        nodesComponent({ sandboxImage: images.busybox, networkName: networkNameFor(cluster), podsDir: join(dataDir, 'pods'), nodes: [{ name: 'node-a', cpu: '2', memory: '1Gi' }, { name: 'node-b', cpu: '2', memory: '1Gi' }] }),
      ],
    });
    client = engine.client;
    watch = client.watch<Pod>(R.pods, 'default', { labelSelector: 'app=web' }, (ev) => {
      if (ev.type === 'DELETED') live.delete(ev.object.metadata!.name!);
      else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') live.set(ev.object.metadata!.name!, ev.object);
      sample();
    });
  });

  after(async () => {
    watch?.stop();
    await engine?.stop();
    if (rt) await removeCluster(rt, cluster);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (home) await rm(home, { recursive: true, force: true });
  });

  const manifest = (version: string) => JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 6, selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: images.busybox, command: ['sleep', '3600'], env: [{ name: 'VERSION', value: version }], resources: { requests: { cpu: '10m', memory: '8Mi' } } }] },
      },
    },
  });

  it('rolls 6 replicas A→B with maxSurge 1 / maxUnavailable 0: never < 6 ready, never > 7 pods', async () => {
    await ok(['apply', '-f', '-'], manifest('a'));
    await ok(['rollout', 'status', 'deployment/web', '--timeout=150s']);
    assert.deepEqual(await versions(), Array(6).fill('a'));
    sampling = true;
    await ok(['apply', '-f', '-'], manifest('b'));
    await ok(['rollout', 'status', 'deployment/web', '--timeout=150s']);
    sampling = false;
    assert.deepEqual(await versions(), Array(6).fill('b'));
    assert.ok(maxPods <= 7, `saw ${maxPods} pods`);
    assert.ok(minReady >= 6, `saw only ${minReady} ready pods`);
  });

  it('undo returns to A as revision 3', async () => {
    await ok(['rollout', 'undo', 'deployment/web']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=150s']);
    assert.deepEqual(await versions(), Array(6).fill('a'));
    const d = await client.get<Deployment>(R.deployments, 'web', 'default');
    assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
  });

  it('a deleted pod is replaced', async () => {
    const victim = [...live.values()].find((p) => !p.metadata?.deletionTimestamp)!;
    await client.delete(R.pods, victim.metadata!.name!, 'default');
    const end = Date.now() + 60_000;
    for (;;) {
      const pods = (await client.list<Pod>(R.pods, 'default', { labelSelector: 'app=web' })).items.filter((p) => !p.metadata?.deletionTimestamp);
      if (pods.length === 6 && pods.every(isReady) && !pods.some((p) => p.metadata?.uid === victim.metadata?.uid)) break;
      assert.ok(Date.now() < end, 'replacement did not become ready in 60 s');
      await new Promise((r) => setTimeout(r, 250));
    }
  });
});
