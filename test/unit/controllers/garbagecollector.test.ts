import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../../../engine/api/client.ts';
import { R } from '../../../engine/api/resources.ts';
import { settle } from '../../../engine/controllers/framework/clock.ts';
import { GarbageCollector } from '../../../engine/controllers/garbagecollector/controller.ts';
import { harness, iso, NOW } from './harness.ts';
import { deployment, ownerRef, pod, rs } from './fixtures.ts';

async function runToQuiet(gc: GarbageCollector): Promise<void> {
  for (let i = 0; i < 50; i++) {
    await settle();
    if ((await gc.controller.drain()) === 0) return;
  }
}

const types = [R.deployments, R.replicasets, R.pods];
const deleting = (o: KubeObject, finalizer: string): KubeObject => ({ ...o, metadata: { ...o.metadata, deletionTimestamp: iso(NOW), finalizers: [finalizer] } });

test('GC Background: a pod whose ReplicaSet is gone is deleted', async () => {
  const h = harness([{ type: R.pods, objects: [pod('p1', { owner: ownerRef('ReplicaSet', 'gone') }), pod('free')] }]);
  const gc = new GarbageCollector(h.ctx, types);
  await h.start();
  await runToQuiet(gc);
  assert.deepEqual(h.writes(), ['delete pods p1']);
  await h.stop();
});

test('GC: a live owner keeps its dependent; a dangling second owner reference is dropped', async () => {
  const p = pod('p1', { owner: ownerRef('ReplicaSet', 'web') });
  p.metadata!.ownerReferences!.push({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'gone', uid: 'uid-gone' });
  const h = harness([{ type: R.replicasets, objects: [rs('web', 1)] }, { type: R.pods, objects: [p] }]);
  const gc = new GarbageCollector(h.ctx, types);
  await h.start();
  await runToQuiet(gc);
  assert.deepEqual(h.writes(), ['update pods p1']);
  const live = await h.client.get<Pod>(R.pods, 'p1', 'default');
  assert.deepEqual(live.metadata?.ownerReferences?.map((r) => r.name), ['web']);
  await h.stop();
});

test('GC Foreground: dependents go first, then the owner loses its foregroundDeletion finalizer', async () => {
  const d = deleting(deployment('web', 1), 'foregroundDeletion');
  const r = rs('web-abc', 1, { owner: ownerRef('Deployment', 'web') });
  const p = pod('web-abc-1', { owner: ownerRef('ReplicaSet', 'web-abc') });
  const h = harness([{ type: R.deployments, objects: [d] }, { type: R.replicasets, objects: [r] }, { type: R.pods, objects: [p] }]);
  const gc = new GarbageCollector(h.ctx, types);
  await h.start();
  await runToQuiet(gc);
  // The RS has a dependent of its own, so it is deleted in the foreground after unblocking its owner;
  // the fake API deletes at once, which orphans the pod, which the collector then removes.
  const w = h.writes();
  assert.deepEqual(w, ['update replicasets web-abc', 'delete replicasets web-abc', 'delete pods web-abc-1', 'update deployments web']);
  await assert.rejects(h.client.get(R.deployments, 'web', 'default'), /not found/);
  await h.stop();
});

test('GC Orphan: dependents lose the owner reference, then the owner its orphan finalizer', async () => {
  const owner = deleting(rs('web', 2), 'orphan');
  const h = harness([{ type: R.replicasets, objects: [owner] }, { type: R.pods, objects: [pod('a', { owner: ownerRef('ReplicaSet', 'web') }), pod('b', { owner: ownerRef('ReplicaSet', 'web') })] }]);
  const gc = new GarbageCollector(h.ctx, types);
  await h.start();
  await runToQuiet(gc);
  assert.deepEqual(h.writes().sort(), ['update pods a', 'update pods b', 'update replicasets web']);
  const a = await h.client.get<Pod>(R.pods, 'a', 'default');
  assert.equal(a.metadata?.ownerReferences, undefined);
  await assert.rejects(h.client.get(R.replicasets, 'web', 'default'), /not found/);
  await h.stop();
});

test('GC: an owner of a kind the engine does not serve is treated as alive', async () => {
  const p = pod('p', { owner: { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'uid-w', controller: true } });
  const h = harness([{ type: R.pods, objects: [p] }]);
  const gc = new GarbageCollector(h.ctx, types);
  await h.start();
  await runToQuiet(gc);
  assert.deepEqual(h.writes(), []);
  await h.stop();
});
