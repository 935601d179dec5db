import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import { R } from '../../../engine/api/resources.ts';
import { ReplicaSetController, slowStartBatch } from '../../../engine/controllers/replicaset/controller.ts';
import { podsToDelete } from '../../../engine/controllers/replicaset/rank.ts';
import { harness, NOW } from './harness.ts';
import { ownerRef, pod, rs } from './fixtures.ts';

const web = ownerRef('ReplicaSet', 'web');

test('ReplicaSet: creates the missing pods with a controllerRef and records SuccessfulCreate', async () => {
  const h = harness([{ type: R.replicasets, objects: [rs('web', 3)] }]);
  const c = new ReplicaSetController(h.ctx);
  await h.start();
  await c.sync('default/web');
  assert.deepEqual(h.writes(), ['create pods web-', 'create pods web-', 'create pods web-', 'update replicasets/status web']);
  const created = h.client.writes()[0]!.object as Pod;
  assert.equal(created.metadata?.generateName, 'web-');
  assert.deepEqual(created.metadata?.ownerReferences, [web]);
  assert.deepEqual(created.metadata?.labels, { app: 'web' });
  assert.equal(h.events.events.filter((e) => e.startsWith('Normal SuccessfulCreate Created pod: web-')).length, 3);
  const st = (h.client.writes()[3]!.object as ReplicaSet).status;
  // Status reflects the pods seen before this pass's creates, as upstream.
  assert.equal(st?.replicas, 0);
  assert.equal(st?.observedGeneration, 1);
  // The informer saw the three creates: a second pass only reports them, a third is a no-op.
  h.reset();
  await c.sync('default/web');
  assert.deepEqual(h.writes(), ['update replicasets/status web']);
  assert.equal((h.client.writes()[0]!.object as ReplicaSet).status?.replicas, 3);
  h.reset();
  await c.sync('default/web');
  assert.deepEqual(h.writes(), []);
  await h.stop();
});

test('ReplicaSet: does not create while expectations are unmet', async () => {
  const h = harness([{ type: R.replicasets, objects: [rs('web', 2)] }]);
  const c = new ReplicaSetController(h.ctx);
  await h.start();
  c.expectations.expectCreations('default/web', 2);
  await c.sync('default/web');
  assert.deepEqual(h.writes(), ['update replicasets/status web']);
  await h.stop();
});

test('ReplicaSet: scales down unassigned, then pending, then not-ready pods first', async () => {
  const pods = [
    pod('ready-old', { owner: web, node: 'n1', ready: true, created: NOW - 9000_000 }),
    pod('unassigned', { owner: web }),
    pod('notready', { owner: web, node: 'n1', ready: false }),
    pod('pending', { owner: web, node: 'n2', phase: 'Pending' }),
  ];
  const h = harness([{ type: R.replicasets, objects: [rs('web', 1, { status: { replicas: 4 } })] }, { type: R.pods, objects: pods }]);
  const c = new ReplicaSetController(h.ctx);
  await h.start();
  await c.sync('default/web');
  assert.deepEqual(h.writes(), ['delete pods unassigned', 'delete pods pending', 'delete pods notready', 'update replicasets/status web']);
  assert.deepEqual(h.events.events, ['Normal SuccessfulDelete Deleted pod: unassigned', 'Normal SuccessfulDelete Deleted pod: pending', 'Normal SuccessfulDelete Deleted pod: notready']);
  await h.stop();
});

test('deletion rank: more restarts, then newer, then doubled-up nodes go first', () => {
  const a = pod('a', { node: 'n1', ready: true, restarts: 0, created: NOW - 100_000_000 });
  const b = pod('b', { node: 'n2', ready: true, restarts: 5, created: NOW - 100_000_000 });
  const c = pod('c', { node: 'n3', ready: true, readySince: NOW - 1000, created: NOW - 2000 });
  assert.deepEqual(podsToDelete([a, b, c], [a, b, c], 2, NOW).map((p) => p.metadata?.name), ['c', 'b']);
  const d = pod('d', { node: 'n1', ready: true, restarts: 0, created: NOW - 100_000_000 });
  // a and d share n1: one of them goes before b? No — restarts rank after co-location: co-located first.
  assert.deepEqual(podsToDelete([b, a, d], [a, b, d], 1, NOW).map((p) => p.metadata?.name)[0] !== 'b', true);
  const cost = pod('e', { node: 'n4', ready: true });
  cost.metadata!.annotations = { 'controller.kubernetes.io/pod-deletion-cost': '-10' };
  assert.equal(podsToDelete([a, cost], [a, cost], 1, NOW)[0]!.metadata?.name, 'e');
});

test('ReplicaSet: adopts matching orphans and releases owned pods whose labels changed', async () => {
  const orphan = pod('orphan', { node: 'n1', ready: true });
  const moved = pod('moved', { owner: web, node: 'n1', ready: true, labels: { app: 'other' } });
  const h = harness([{ type: R.replicasets, objects: [rs('web', 1)] }, { type: R.pods, objects: [orphan, moved] }]);
  const c = new ReplicaSetController(h.ctx);
  await h.start();
  await c.sync('default/web');
  assert.deepEqual(h.writes(), ['patch pods orphan', 'patch pods moved', 'update replicasets/status web']);
  const adoptPatch = h.client.writes()[0]!.patch as { metadata: { ownerReferences: unknown[] } };
  assert.deepEqual(adoptPatch.metadata.ownerReferences, [web]);
  await h.stop();
  // Released: moved is not ours any more (its labels do not match); it is not claimed.
  const h2 = harness([{ type: R.replicasets, objects: [rs('web', 0)] }, { type: R.pods, objects: [pod('moved', { owner: web, labels: { app: 'other' } })] }]);
  const c2 = new ReplicaSetController(h2.ctx);
  await h2.start();
  await c2.sync('default/web');
  assert.deepEqual(h2.writes(), ['patch pods moved', 'update replicasets/status web']);
  assert.deepEqual((h2.client.writes()[0]!.patch as { metadata: { ownerReferences: unknown } }).metadata.ownerReferences, null);
  await h2.stop();
});

test('ReplicaSet: availability honours minReadySeconds and asks to be requeued', async () => {
  const pods = [pod('p1', { owner: web, node: 'n1', ready: true, readySince: NOW - 5000 }), pod('p2', { owner: web, node: 'n1', ready: true, readySince: NOW - 60_000 })];
  const h = harness([{ type: R.replicasets, objects: [rs('web', 2, { minReadySeconds: 10 })] }, { type: R.pods, objects: pods }]);
  const c = new ReplicaSetController(h.ctx);
  await h.start();
  const res = await c.sync('default/web');
  const st = (h.client.writes()[0]!.object as ReplicaSet).status!;
  assert.deepEqual([st.replicas, st.readyReplicas, st.availableReplicas, st.fullyLabeledReplicas], [2, 2, 1, 2]);
  assert.deepEqual(res, { requeueAfterMs: 10_000 });
  await h.stop();
});

test('ReplicaSet: a failing create stops the slow-start batch and sets ReplicaFailure', async () => {
  const h = harness([{ type: R.replicasets, objects: [rs('web', 5)] }]);
  const c = new ReplicaSetController(h.ctx);
  await h.start();
  const { ApiError } = await import('../../../engine/api/client.ts');
  h.client.failNext.push({ verb: 'create', resource: 'pods', error: new ApiError({ apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code: 403, reason: 'Forbidden', message: 'pods "web-x" is forbidden: exceeded quota: q' }) });
  await assert.rejects(c.sync('default/web'), /exceeded quota/);
  assert.deepEqual(h.writes(), ['create pods web-', 'update replicasets/status web']);
  assert.deepEqual(h.events.events, ['Warning FailedCreate Error creating: pods "web-x" is forbidden: exceeded quota: q']);
  const st = (h.client.writes()[1]!.object as ReplicaSet).status!;
  assert.equal(st.conditions?.[0]?.reason, 'FailedCreate');
  assert.ok(c.expectations.satisfied('default/web'));
  await h.stop();
});

test('slowStartBatch: 1, 2, 4, … and stops at the first failing batch', async () => {
  let calls = 0;
  const r = await slowStartBatch(10, 1, async () => {
    calls++;
    if (calls === 5) throw new Error('boom');
  });
  // batches 1, 2, 4: the 4-batch contains call 5.
  assert.equal(calls, 7);
  assert.equal(r.successes, 6);
  assert.equal(r.error?.message, 'boom');
});
