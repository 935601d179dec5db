import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Node, Pod, Toleration } from 'kubernetes-types/core/v1';
import type { Writable } from '../../../engine/api/client.ts';
import { R } from '../../../engine/api/resources.ts';
import { EventTTLController } from '../../../engine/controllers/eventttl/controller.ts';
import { evictionTime, NodeLifecycleController, tolerates } from '../../../engine/controllers/nodelifecycle/controller.ts';
import { harness, iso, NOW } from './harness.ts';
import { pod } from './fixtures.ts';

const defaultTolerations: Toleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

function node(name: string, heartbeat: number): Node {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}` }, spec: {},
    status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: iso(heartbeat), lastTransitionTime: iso(heartbeat - 3600_000) }] },
  };
}

function podOn(name: string, nodeName: string, tolerations: Toleration[] = defaultTolerations): Pod {
  const p = pod(name, { node: nodeName, ready: true }) as Writable<Pod>;
  p.spec = { ...p.spec!, tolerations };
  return p;
}

test('tolerations and eviction times follow upstream', () => {
  const taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(NOW) };
  assert.ok(tolerates({ operator: 'Exists' }, taint));
  assert.ok(tolerates({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }, taint));
  assert.ok(!tolerates({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }, taint));
  assert.ok(tolerates({ key: 'k', value: 'v' }, { key: 'k', value: 'v', effect: 'NoExecute' }));
  const p = podOn('p', 'n1');
  assert.equal(evictionTime(p, [taint], NOW), NOW + 300_000);
  assert.equal(evictionTime(p, [taint], NOW, 30), NOW + 30_000);
  assert.equal(evictionTime(podOn('q', 'n1', []), [taint], NOW), 0);
  assert.equal(evictionTime(podOn('r', 'n1', [{ operator: 'Exists' }]), [taint], NOW), Infinity);
  assert.equal(evictionTime(p, [{ key: 'x', effect: 'NoSchedule' }], NOW), Infinity);
});

test('node lifecycle: a lapsed heartbeat → Unknown, unreachable taints, pods not ready, then evicted after the toleration', async () => {
  const h = harness([{ type: R.nodes, objects: [node('n1', NOW - 10_000), node('n2', NOW)] }, { type: R.pods, objects: [podOn('a', 'n1'), podOn('b', 'n2')] }]);
  const c = new NodeLifecycleController(h.ctx, { nodeMonitorGracePeriodMs: 40_000, podEvictionTimeoutSeconds: 30 });
  await h.start();
  // First look: heartbeats are fresh as far as the controller knows.
  const first = await c.sync('n1');
  assert.deepEqual(h.writes(), []);
  assert.deepEqual(first, { requeueAfterMs: 40_001 });
  await h.clock.step(40_001);
  await c.sync('n1');
  assert.deepEqual(h.writes(), ['update nodes/status n1', 'update pods/status a', 'update nodes n1']);
  const n1 = await h.client.get<Node>(R.nodes, 'n1');
  const ready = n1.status!.conditions!.find((x) => x.type === 'Ready')!;
  assert.deepEqual([ready.status, ready.reason, ready.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
  assert.deepEqual(n1.spec?.taints?.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
  const a = await h.client.get<Pod>(R.pods, 'a', 'default');
  assert.equal(a.status?.conditions?.find((x) => x.type === 'Ready')?.status, 'False');
  assert.ok(h.events.events.includes('Normal NodeNotReady Node n1 status is now: NodeNotReady'));
  // 30 s later (the configured eviction timeout) the pod goes.
  h.reset();
  const r = await c.sync('n1');
  // timeAdded has second precision: the taint dates from NOW+40 s.
  assert.deepEqual(r, { requeueAfterMs: 29_999 });
  await h.clock.step(29_999);
  await c.sync('n1');
  assert.deepEqual(h.writes(), ['delete pods a']);
  assert.deepEqual(h.events.events, ['Normal TaintManagerEviction Marking for deletion Pod default/a']);
  // The kubelet comes back: Ready True again removes the taints.
  const back = structuredClone(await h.client.get<Node>(R.nodes, 'n1')) as Writable<Node>;
  back.status = { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: iso(h.clock.now()) }] };
  await h.client.updateStatus(R.nodes, back);
  h.reset();
  await c.sync('n1');
  assert.deepEqual(h.writes(), ['update nodes n1']);
  assert.equal((await h.client.get<Node>(R.nodes, 'n1')).spec?.taints, undefined);
  await h.stop();
});

test('cordon: spec.unschedulable gets the unschedulable taint', async () => {
  const n = node('n3', NOW) as Writable<Node>;
  n.spec = { unschedulable: true };
  const h = harness([{ type: R.nodes, objects: [n] }]);
  const c = new NodeLifecycleController(h.ctx);
  await h.start();
  await c.sync('n3');
  assert.deepEqual((await h.client.get<Node>(R.nodes, 'n3')).spec?.taints?.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unschedulable:NoSchedule']);
  await h.stop();
});

test('events expire an hour after they were last seen', async () => {
  const ev = (name: string, last: number): Event => ({
    apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'p' }, lastTimestamp: iso(last),
  });
  const h = harness([{ type: R.events, objects: [ev('old', NOW - 3601_000), ev('new', NOW - 60_000)] }]);
  const c = new EventTTLController(h.ctx);
  await h.start();
  await c.controller.drain();
  assert.deepEqual(h.writes(), ['delete events old']);
  await h.clock.step(3540_000);
  await c.controller.drain();
  assert.deepEqual(h.writes(), ['delete events old', 'delete events new']);
  await h.stop();
});
