/**
 * kill -9 of the engine with 10 pods running, then a restart on the same data dir: the kubelets adopt the
 * running containers (0 restarts, 0 duplicates), remove a container labelled as ours whose pod does not
 * exist (0 orphans), and never touch a container without our labels. kubectl is the client.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Pod } from 'kubernetes-types/core/v1';
import { connectDocker, type DockerRuntime } from '../../engine/runtime/docker.ts';
import { fromDockerLabels, labelFilter } from '../../engine/runtime/labels.ts';
import { removeCluster } from '../../bench/pods/engine.ts';
import { dockerSkip } from '../support/docker.ts';
import { uniqueName } from '../support/engine.ts';
import { ensureTestImages } from '../support/images.ts';
import { waitFor as waitUntil } from '../support/wait.ts';

const run = promisify(execFile);

const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> => waitUntil(what, fn, timeoutMs, 300);

function startChild(dataDir: string, cluster: string, image: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/pods/engine.ts', dataDir, cluster, image], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`engine did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^ready /m.test(out)) {
        clearTimeout(t);
        resolve(child);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`engine exited with ${code}:\n${out}`));
    });
  });
}

describe('engine restart adopts running pods', { skip: await dockerSkip() }, () => {
  const cluster = uniqueName('adopt');
  let child: ChildProcess | undefined;
  let dataDir: string | undefined;
  let rt: DockerRuntime | undefined;
  let stranger: string | undefined;

  after(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    if (rt) {
      await removeCluster(rt, cluster);
      if (stranger) await rt.removeContainer(stranger, { force: true }).catch(() => undefined);
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('kill -9 with 10 pods running, restart: 0 restarts, 0 duplicates, 0 orphans', async () => {
    const images = await ensureTestImages();
    rt = await connectDocker();
    dataDir = await mkdtemp(join(tmpdir(), 'wh-adopt-e2e-'));
    child = await startChild(dataDir, cluster, images.busybox);
    const kubeconfig = join(dataDir, 'kubeconfig');
    const kubectl = (...args: string[]) => run('kubectl', ['--kubeconfig', kubeconfig, ...args], { maxBuffer: 16 * 1024 * 1024 });
    const manifest = Array.from({ length: 10 }, (_, i) => `apiVersion: v1
kind: Pod
metadata:
  name: p${i}
  labels: {app: adopt}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: app
    image: ${images.busybox}
    command: [sleep, "3600"]
    readinessProbe: {exec: {command: ["true"]}, periodSeconds: 2}
`).join('---\n');
    const apply = spawn('kubectl', ['--kubeconfig', kubeconfig, 'apply', '-f', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
    apply.stdin.end(manifest);
    assert.equal(await new Promise((r) => apply.on('exit', r)), 0);
    const allReady = async (): Promise<Pod[] | undefined> => {
      const pods = JSON.parse((await kubectl('get', 'pods', '-l', 'app=adopt', '-o', 'json')).stdout).items as Pod[];
      return pods.length === 10 && pods.every((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready) ? pods : undefined;
    };
    await waitFor('10 pods ready', allReady);
    const containers = async () => (await rt!.listContainers(labelFilter({ cluster }), { all: true })).filter((c) => fromDockerLabels(c.labels)?.role !== 'infra');
    const before = (await containers()).map((c) => `${c.id} ${c.state}`).sort();
    assert.equal(before.length, 20, 'a sandbox and an app container per pod');

    child.kill('SIGKILL');
    await new Promise((r) => child!.once('exit', r));
    // While the engine is down: a container labelled as ours whose pod is gone, and a stranger's container.
    const node = fromDockerLabels((await containers())[0]!.labels)!.node!;
    const orphan = await rt.createContainer({ name: `${cluster}-orphan`, image: images.busybox, command: ['sleep', '3600'], labels: { cluster, node, podUid: 'no-such-pod', podName: 'gone', namespace: 'default', container: 'app', attempt: 0, role: 'container' } });
    await rt.startContainer(orphan);
    stranger = await rt.createContainer({ name: `${cluster}-stranger`, image: images.busybox, command: ['sleep', '3600'], labels: { cluster: `${cluster}-not-ours` } });
    await rt.startContainer(stranger);

    child = await startChild(dataDir, cluster, images.busybox);
    const pods = await waitFor('10 pods ready after restart', allReady);
    await waitFor('orphan removed', async () => !(await containers()).some((c) => c.id === orphan));
    const after = (await containers()).map((c) => `${c.id} ${c.state}`).sort();
    assert.deepEqual(after, before, 'the same containers, still running: nothing restarted or duplicated');
    assert.deepEqual(pods.map((p) => p.status!.containerStatuses![0]!.restartCount), Array(10).fill(0));
    assert.equal((await rt.inspectContainer(stranger)).state, 'running', 'containers without our labels are never touched');
  });
});
