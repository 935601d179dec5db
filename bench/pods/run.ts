/**
 * Apply → Running: create 10 pods through the API and time until all are Running (scheduler, kubelets,
 * sandbox + app container each, status written), against 10 parallel `docker run -d` of the same app
 * container on the same network, and against 10 parallel sandbox + joined app pairs (what a pod is made
 * of), all measured in the same run, alternating, median of ROUNDS rounds; plus, for reference, Docker's
 * own floor for those pairs through its API (no CLI, no engine).
 * Target: ≤ 1.2× the raw docker time. Needs Docker and the offline test images.
 *   npm run bench:pods [-- ROUNDS]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Pod } from 'kubernetes-types/core/v1';
import { R } from '../../engine/api/resources.ts';
import { connectDocker } from '../../engine/runtime/docker.ts';
import { SANDBOX_COMMAND } from '../../engine/kubelet/pod-worker.ts';
import { labelFilter, LABELS } from '../../engine/runtime/labels.ts';
import { ensureTestImages } from '../../test/support/images.ts';
import { networkNameFor, removeCluster, startDataPlaneEngine } from './engine.ts';

const run = promisify(execFile);
const ROUNDS = Number(process.argv[2] ?? 3);
const N = 10;
const cluster = `bench-pods-${process.pid}`;
const images = await ensureTestImages();
const rt = await connectDocker();
const dataDir = await mkdtemp(join(tmpdir(), 'wh-bench-pods-'));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const { engine } = await startDataPlaneEngine({ dataDir, clusterName: cluster, sandboxImage: images.busybox, store: 'memory' });
const client = engine.client;
const net = networkNameFor(cluster);

async function ours(round: number): Promise<number> {
  const names = Array.from({ length: N }, (_, i) => `bench-${round}-${i}`);
  const running = new Set<string>();
  let done!: () => void;
  const all = new Promise<void>((r) => (done = r));
  const w = client.watch<Pod>(R.pods, 'default', {}, (ev) => {
    const p = ev.object;
    if (p.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.state?.running)) running.add(p.metadata!.name!);
    if (names.every((n) => running.has(n))) done();
  });
  const t0 = performance.now();
  await Promise.all(names.map((name) => client.create<Pod>(R.pods, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: images.busybox, command: ['sleep', '3600'] }] },
  })));
  await all;
  const ms = performance.now() - t0;
  w.stop();
  await Promise.all(names.map((n) => client.delete(R.pods, n, 'default', { gracePeriodSeconds: 0 }).catch(() => undefined)));
  for (let i = 0; i < 200; i++) {
    const left = (await rt.listContainers(labelFilter({ cluster }), { all: true })).filter((c) => c.labels[LABELS.podName]?.startsWith(`bench-${round}-`));
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return ms;
}

async function raw(round: number): Promise<number> {
  const names = Array.from({ length: N }, (_, i) => `${cluster}-raw-${round}-${i}`);
  const t0 = performance.now();
  await Promise.all(names.map((name) => run('docker', ['run', '-d', '--name', name, '--network', net, '--label', `${LABELS.cluster}=${cluster}`, images.busybox, 'sleep', '3600'])));
  const ms = performance.now() - t0;
  await run('docker', ['rm', '-f', ...names]);
  return ms;
}

/** The like-for-like peer: per pod a sandbox on the network and the app joined to it, as the kubelet does. */
async function rawPairs(round: number): Promise<number> {
  const names = Array.from({ length: N }, (_, i) => `${cluster}-pair-${round}-${i}`);
  const t0 = performance.now();
  await Promise.all(names.map(async (name) => {
    await run('docker', ['run', '-d', '--name', `${name}-sb`, '--network', net, '--label', `${LABELS.cluster}=${cluster}`, images.busybox, 'sh', '-c', 'trap "exit 0" TERM; while :; do sleep 3600 & wait $!; done']);
    await run('docker', ['run', '-d', '--name', name, '--network', `container:${name}-sb`, '--label', `${LABELS.cluster}=${cluster}`, images.busybox, 'sleep', '3600']);
  }));
  const ms = performance.now() - t0;
  await run('docker', ['rm', '-f', ...names, ...names.map((n) => `${n}-sb`)]);
  return ms;
}

/**
 * Docker's own floor for the pairs, informational (not the target's peer): the same sandbox + joined app
 * per pod through the Docker API with the four calls a pod cannot do without (create, start, create, start)
 * — no CLI processes, no API server, no status. What the engine could reach if it cost nothing itself.
 */
async function apiPairs(round: number): Promise<number> {
  const names = Array.from({ length: N }, (_, i) => `${cluster}-api-${round}-${i}`);
  const t0 = performance.now();
  await Promise.all(names.map(async (name) => {
    const sb = await rt.createContainer({ name: `${name}-sb`, image: images.busybox, labels: { cluster }, command: SANDBOX_COMMAND, args: [], network: net, stopSignal: 'SIGTERM' });
    await rt.startContainer(sb);
    const app = await rt.createContainer({ name, image: images.busybox, labels: { cluster }, command: ['sleep', '3600'], network: `container:${sb}` });
    await rt.startContainer(app);
  }));
  const ms = performance.now() - t0;
  await run('docker', ['rm', '-f', ...names, ...names.map((n) => `${n}-sb`)]);
  return ms;
}

const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(', ');

try {
  const a: number[] = [];
  const b: number[] = [];
  const c: number[] = [];
  const d: number[] = [];
  await raw(-1); // warm up Docker's caches for both sides
  for (let i = 0; i < ROUNDS; i++) {
    b.push(await raw(i));
    c.push(await rawPairs(i));
    d.push(await apiPairs(i));
    a.push(await ours(i));
  }
  const oursMs = median(a);
  const rawMs = median(b);
  const pairMs = median(c);
  const floorMs = median(d);
  console.log(`pods: ${N} pods applied → all Running: median ${oursMs.toFixed(0)} ms (rounds: ${fmt(a)})`);
  console.log(`peer: ${N} parallel \`docker run -d\` of the app container: median ${rawMs.toFixed(0)} ms (rounds: ${fmt(b)})`);
  console.log(`peer: ${N} parallel \`docker run -d\` of sandbox + joined app (what a pod is): median ${pairMs.toFixed(0)} ms (rounds: ${fmt(c)})`);
  console.log(`floor: the same pairs through the Docker API, 4 calls a pod: median ${floorMs.toFixed(0)} ms (rounds: ${fmt(d)}) = ${(floorMs / rawMs).toFixed(2)}× the raw app-container time`);
  console.log(`ratio: ${(oursMs / rawMs).toFixed(2)}× the raw app-container time (target ≤ 1.2×); ${(oursMs / pairMs).toFixed(2)}× the sandbox+app pairs; ${(oursMs / floorMs).toFixed(2)}× Docker's API floor`);
} finally {
  await engine.stop();
  await removeCluster(rt, cluster);
  await rm(dataDir, { recursive: true, force: true });
}
