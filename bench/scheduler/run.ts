/**
 * Scheduler bind rate: 100 nodes, 10,000 pending pods in an in-memory API (FakeClient), the real scheduler
 * loop (filter, score, assume, bind through the binding subresource, Scheduled events). Prints pods/s against
 * the target (≥ 1,000 pods/s) and upstream kube-scheduler's published CI threshold (90 pods/s, k/k#93217).
 *   npm run bench:scheduler [-- NODES PODS]
 */
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { R } from '../../engine/api/resources.ts';
import { startScheduler } from '../../engine/scheduler/scheduler.ts';
import { FakeClient } from '../../test/support/fake-client.ts';

const nodes = Number(process.argv[2] ?? 100);
const pods = Number(process.argv[3] ?? 10_000);

// Deterministic pseudo-random sizes, so runs compare.
let seed = 42;
const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

const nodeObjs: Node[] = Array.from({ length: nodes }, (_, i) => ({
  metadata: { name: `node-${String(i).padStart(3, '0')}`, labels: { 'kubernetes.io/hostname': `node-${i}`, zone: `z${i % 3}` } },
  spec: i % 10 === 0 ? { taints: [{ key: 'dedicated', value: 'infra', effect: 'NoSchedule' }] } : {},
  status: { allocatable: { cpu: '16', memory: '64Gi', pods: '150' } },
}));
const podObjs: Pod[] = Array.from({ length: pods }, (_, i) => ({
  metadata: {
    name: `pod-${i}`, namespace: 'default', labels: { app: `app-${i % 50}` },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${i % 50}`, uid: `rs-${i % 50}`, controller: true }],
  },
  spec: {
    containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: `${10 + Math.floor(rand() * 90)}m`, memory: `${16 + Math.floor(rand() * 112)}Mi` } } }],
    ...(i % 7 === 0 ? { nodeSelector: { zone: 'z1' } } : {}),
  },
}));

const client = new FakeClient([{ type: R.nodes, objects: nodeObjs }, { type: R.pods, objects: podObjs }]);
const t0 = performance.now();
const sched = startScheduler(client);
await sched.idle();
const seconds = (performance.now() - t0) / 1000;
await sched.stop();
const bound = (await client.list<Pod>(R.pods, 'default')).items.filter((p) => p.spec?.nodeName).length;
const rate = bound / seconds;
console.log(`scheduler: ${bound}/${pods} pods bound on ${nodes} nodes in ${seconds.toFixed(2)} s = ${Math.round(rate)} pods/s`);
console.log(`  target ≥ 1000 pods/s: ${rate >= 1000 ? 'met' : 'NOT met'}; ratio to upstream CI threshold (90 pods/s): ${(rate / 90).toFixed(1)}×`);
if (bound !== pods) {
  console.error(`only ${bound} of ${pods} pods were bound`);
  process.exitCode = 1;
}
