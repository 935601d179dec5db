import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Namespace } from 'kubernetes-types/core/v1';
import { R } from '../../../engine/api/resources.ts';
import { NamespaceController } from '../../../engine/controllers/namespace/controller.ts';
import { ServiceAccountController } from '../../../engine/controllers/serviceaccount/controller.ts';
import { harness, iso, NOW } from './harness.ts';
import { pod } from './fixtures.ts';

const ns = (name: string, terminating = false): Namespace => ({
  apiVersion: 'v1', kind: 'Namespace',
  metadata: { name, uid: `uid-${name}`, ...(terminating ? { deletionTimestamp: iso(NOW) } : {}) },
  spec: { finalizers: ['kubernetes'] },
  status: { phase: terminating ? 'Terminating' : 'Active' },
});

test('Namespace: deletes the content of a terminating namespace, reports it, then finalizes', async () => {
  const inside = { ...pod('p1'), metadata: { ...pod('p1').metadata, namespace: 'shop' } };
  const held = { ...pod('p2'), metadata: { ...pod('p2').metadata, namespace: 'shop', finalizers: ['example.com/hold'] } };
  const h = harness([{ type: R.namespaces, objects: [ns('shop', true), ns('other')] }, { type: R.pods, objects: [inside, held, pod('elsewhere')] }]);
  const c = new NamespaceController(h.ctx, [R.pods, R.configmaps]);
  await h.start();
  const res = await c.sync('shop');
  assert.deepEqual(h.writes(), ['delete pods p1', 'delete pods p2', 'update namespaces/status shop']);
  assert.deepEqual(res, { requeueAfterMs: 2000 });
  const st = (h.client.writes()[2]!.object as Namespace).status!;
  const remaining = st.conditions!.find((x) => x.type === 'NamespaceContentRemaining')!;
  assert.equal(remaining.message, 'Some resources are remaining: pods. has 2 resource instances');
  assert.equal(st.conditions!.find((x) => x.type === 'NamespaceFinalizersRemaining')!.message, 'Some content in the namespace has finalizers remaining: example.com/hold has 1 resource instances');
  // The held pod lets go; the next pass finalizes.
  const p2 = await h.client.get(R.pods, 'p2', 'shop');
  await h.client.update(R.pods, { ...p2, metadata: { ...p2.metadata, finalizers: [] } });
  h.reset();
  await c.sync('shop');
  assert.deepEqual(h.writes(), ['update namespaces/status shop', 'patch namespaces/finalize shop']);
  const fin = h.client.writes()[1]!.patch as { spec: { finalizers: string[] } };
  assert.deepEqual(fin.spec.finalizers, []);
  // With no finalizer left the API removes the namespace.
  await assert.rejects(h.client.get<Namespace>(R.namespaces, 'shop'), /not found/);
  // An active namespace is left alone.
  h.reset();
  await c.sync('other');
  assert.deepEqual(h.writes(), []);
  await h.stop();
});

test('ServiceAccount: every active namespace gets a default ServiceAccount, re-created when deleted', async () => {
  const h = harness([{ type: R.namespaces, objects: [ns('a'), ns('b', true)] }]);
  const c = new ServiceAccountController(h.ctx);
  await h.start();
  await c.sync('a');
  await c.sync('b');
  assert.deepEqual(h.writes(), ['create serviceaccounts default']);
  await c.sync('a');
  assert.deepEqual(h.writes(), ['create serviceaccounts default']);
  await c.controller.drain();
  await h.client.delete(R.serviceaccounts, 'default', 'a');
  assert.equal(c.controller.queue.length, 1);
  h.reset();
  await c.controller.drain();
  assert.deepEqual(h.writes(), ['create serviceaccounts default']);
  await h.stop();
});
