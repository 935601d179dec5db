import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import type { KubeObject, WatchEvent } from '../../../engine/api/client.ts';
import { ApiError } from '../../../engine/api/client.ts';
import { R } from '../../../engine/api/resources.ts';
import { FakeClock, settle } from '../../../engine/controllers/framework/clock.ts';
import { Controller, InvalidSpecError } from '../../../engine/controllers/framework/controller.ts';
import { ApiEventRecorder, MemoryRecorder } from '../../../engine/controllers/framework/events.ts';
import { computeHash, safeEncodeString } from '../../../engine/controllers/framework/hash.ts';
import { Informer } from '../../../engine/controllers/framework/informer.ts';
import { getScaledValueFromIntOrPercent } from '../../../engine/controllers/framework/intstr.ts';
import { isPodAvailable } from '../../../engine/controllers/framework/pods.ts';
import { WorkQueue } from '../../../engine/controllers/framework/workqueue.ts';
import { FakeClient } from '../../support/fake-client.ts';
import { pod } from './fixtures.ts';
import { NOW } from './harness.ts';

const status = (code: number, reason: string, message = reason) =>
  new ApiError({ apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code, reason, message });

test('FakeClock fires timers in due order as it steps', async () => {
  const c = new FakeClock(0);
  const seen: string[] = [];
  c.after(300, () => seen.push(`b@${c.now()}`));
  c.after(100, () => seen.push(`a@${c.now()}`));
  const cancel = c.after(200, () => seen.push('cancelled'));
  cancel();
  await c.step(250);
  assert.deepEqual(seen, ['a@100']);
  await c.step(100);
  assert.deepEqual(seen, ['a@100', 'b@300']);
  assert.equal(c.now(), 350);
});

test('WorkQueue: dedups, never hands a key to two workers, requeues keys added while processing', async () => {
  const q = new WorkQueue(new FakeClock(0));
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.length, 2);
  const k = await q.get();
  assert.equal(k, 'a');
  q.add('a'); // while processing: parked, not queued
  assert.equal(q.length, 1);
  assert.equal(await q.get(), 'b');
  assert.equal(q.tryGet(), undefined);
  q.done('a');
  assert.equal(q.tryGet(), 'a');
  q.shutDown();
  assert.equal(await q.get(), undefined);
});

test('WorkQueue: per-key exponential backoff until forget, addAfter keeps the earliest time', async () => {
  const clock = new FakeClock(0);
  const q = new WorkQueue(clock, { baseDelayMs: 10, maxDelayMs: 50 });
  assert.deepEqual([q.limiter.when('x'), q.limiter.when('x'), q.limiter.when('x'), q.limiter.when('x'), q.limiter.when('x')], [10, 20, 40, 50, 50]);
  q.forget('x');
  q.addRateLimited('x');
  await clock.step(9);
  assert.equal(q.length, 0);
  await clock.step(1);
  assert.equal(q.tryGet(), 'x');
  q.done('x');
  q.addAfter('y', 100);
  q.addAfter('y', 30);
  q.addAfter('y', 60);
  await clock.step(30);
  assert.equal(q.tryGet(), 'y');
  q.done('y');
  await clock.step(200);
  assert.equal(q.length, 0);
});

test('Controller: conflicts requeue, NotFound stops, invalid specs become a Warning event', async () => {
  const clock = new FakeClock(0);
  const rec = new MemoryRecorder();
  const errors: Record<string, Error> = {
    conflict: status(409, 'Conflict'),
    gone: status(404, 'NotFound'),
    bad: new InvalidSpecError({ kind: 'Deployment', metadata: { name: 'bad' } }, 'InvalidSelector', 'selector is empty'),
  };
  const calls: string[] = [];
  const c = new Controller({ name: 't', clock, recorder: rec }, async (key) => {
    calls.push(key);
    throw errors[key];
  });
  for (const k of Object.keys(errors)) c.enqueue(k);
  await c.drain();
  assert.deepEqual(calls, ['conflict', 'gone', 'bad']);
  assert.deepEqual(rec.events, ['Warning InvalidSelector selector is empty']);
  await clock.step(10);
  await c.drain();
  assert.deepEqual(calls, ['conflict', 'gone', 'bad', 'conflict']);
});

test('Informer: caches frozen objects, relists after 410 Expired and reports what it missed', async () => {
  const client = new FakeClient([{ type: R.pods, objects: [pod('a'), pod('b')] }]);
  let deliver: ((ev: WatchEvent) => void) | undefined;
  let drop = false;
  const orig = client.watch.bind(client);
  client.watch = ((t, ns, o, cb) => {
    deliver = cb as (ev: WatchEvent) => void;
    return orig(t, ns, o, (ev) => {
      if (!drop) (cb as (e: WatchEvent) => void)(ev);
    });
  }) as FakeClient['watch'];
  const inf = new Informer<Pod>(client, R.pods, { clock: new FakeClock(0) });
  const seen: string[] = [];
  inf.addEventHandler({
    add: (p) => seen.push(`add ${p.metadata?.name}`),
    update: (_o, p) => seen.push(`update ${p.metadata?.name}`),
    delete: (p) => seen.push(`delete ${p.metadata?.name}`),
  });
  inf.start();
  await inf.waitForSync();
  await settle();
  assert.deepEqual(seen.sort(), ['add a', 'add b']);
  const cached = inf.get('default', 'a')!;
  assert.throws(() => {
    (cached.metadata as { name?: string }).name = 'x';
  }, TypeError);
  await client.create(R.pods, pod('c'));
  assert.ok(inf.get('default', 'c'));
  // Changes the watch never delivered, then the server says the revision expired.
  drop = true;
  seen.length = 0;
  await client.delete(R.pods, 'b');
  client.put(R.pods, { ...pod('a'), metadata: { ...pod('a').metadata, labels: { app: 'changed' } } } as KubeObject);
  client.put(R.pods, { ...pod('d') } as KubeObject);
  drop = false;
  const before = deliver;
  before!({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', code: 410, reason: 'Expired' } as unknown as KubeObject });
  await settle(20);
  assert.deepEqual(seen.sort(), ['add d', 'delete b', 'update a']);
  assert.equal(inf.get('default', 'a')?.metadata?.labels?.app, 'changed');
  assert.ok(deliver !== before, 'a new watch was opened');
  await inf.stop();
});

test('ApiEventRecorder: repeated events bump count and lastTimestamp on one Event', async () => {
  const client = new FakeClient();
  const clock = new FakeClock(NOW);
  const r = new ApiEventRecorder(client, 'deployment-controller', clock);
  const d = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', uid: 'u1' } };
  r.event(d, 'Normal', 'ScalingReplicaSet', 'Scaled up replica set web-abc from 0 to 3');
  await clock.step(5000);
  r.event(d, 'Normal', 'ScalingReplicaSet', 'Scaled up replica set web-abc from 0 to 3');
  await r.flush();
  const evs = (await client.list(R.events, 'default')).items as unknown as { count: number; firstTimestamp: string; lastTimestamp: string; source: { component: string }; involvedObject: { kind: string; uid: string } }[];
  assert.equal(evs.length, 1);
  assert.equal(evs[0]!.count, 2);
  assert.equal(evs[0]!.firstTimestamp, '2026-01-01T12:00:00Z');
  assert.equal(evs[0]!.lastTimestamp, '2026-01-01T12:00:05Z');
  assert.equal(evs[0]!.source.component, 'deployment-controller');
  assert.deepEqual([evs[0]!.involvedObject.kind, evs[0]!.involvedObject.uid], ['Deployment', 'u1']);
  // Eleven different messages for the same reason: the tail collapses into one combined Event.
  for (let i = 0; i < 12; i++) r.event(d, 'Warning', 'FailedCreate', `error ${i}`);
  await r.flush();
  const all = (await client.list(R.events, 'default')).items as unknown as { message: string; count: number }[];
  const combined = all.filter((e) => e.message.startsWith('(combined from similar events): '));
  assert.equal(combined.length, 1);
  assert.equal(combined[0]!.count, 3);
  assert.equal(all.length, 1 + 9 + 1);
});

test('pod-template-hash: stable, safe alphabet, changes with template and collisionCount', () => {
  const t = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'x:1' }] } };
  const reordered = { spec: { containers: [{ image: 'x:1', name: 'a' }] }, metadata: { labels: { app: 'web' } } };
  const h = computeHash(t);
  assert.match(h, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.equal(computeHash(reordered), h);
  assert.notEqual(computeHash({ ...t, spec: { containers: [{ name: 'a', image: 'x:2' }] } }), h);
  assert.notEqual(computeHash(t, 1), h);
  assert.equal(safeEncodeString('0123456789'), '456789bcdf');
  // What `kubectl rollout undo` sends back (creationTimestamp: null, empty lists) hashes the same.
  assert.equal(computeHash({ ...t, metadata: { ...t.metadata, creationTimestamp: null, annotations: {} }, spec: { ...t.spec, volumes: [] } }), h);
});

test('IntOrString percentages round as upstream', () => {
  assert.equal(getScaledValueFromIntOrPercent('25%', 10, true), 3);
  assert.equal(getScaledValueFromIntOrPercent('25%', 10, false), 2);
  assert.equal(getScaledValueFromIntOrPercent(4, 10, false), 4);
  assert.throws(() => getScaledValueFromIntOrPercent('abc', 10, true), /invalid value/);
});

test('availability needs Ready for strictly more than minReadySeconds', () => {
  const p = pod('p', { node: 'n', ready: true, readySince: NOW - 10_000 });
  assert.equal(isPodAvailable(p, 0, NOW), true);
  assert.equal(isPodAvailable(p, 10, NOW), false);
  assert.equal(isPodAvailable(p, 10, NOW + 1), true);
  assert.equal(isPodAvailable(pod('q', { node: 'n', ready: false }), 0, NOW), false);
});
