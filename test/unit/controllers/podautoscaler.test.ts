import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import type { Deployment } from 'kubernetes-types/apps/v1';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2';
import type { Writable } from '../../../engine/api/client.ts';
import { R } from '../../../engine/api/resources.ts';
import { HorizontalController } from '../../../engine/controllers/podautoscaler/controller.ts';
import type { MetricsSource, PodUsage } from '../../../engine/controllers/podautoscaler/metrics.ts';
import { applyBehavior, calcReplicas, DefaultScaleDown, DefaultScaleUp } from '../../../engine/controllers/podautoscaler/replicas.ts';
import { harness, NOW } from './harness.ts';
import { deployment, pod } from './fixtures.ts';

const s = (name: string, usage: number | undefined, ready = true) => ({ name, ready, request: 100, usage });

test('replica calculation: tolerance, scale up and down, missing samples', () => {
  // 3 pods at 54 % of a 50 % target: inside the 10 % tolerance. (55 % is not: 1 − 1.1 is just over 0.1 in
  // floating point, in Go as here.)
  assert.equal(calcReplicas(3, [s('a', 54), s('b', 54), s('c', 54)], { utilization: 50 }).replicas, 3);
  assert.equal(calcReplicas(3, [s('a', 55), s('b', 55), s('c', 55)], { utilization: 50 }).replicas, 4);
  // 200 % of 50 % → 4× the ready pods.
  assert.equal(calcReplicas(2, [s('a', 200), s('b', 200)], { utilization: 50 }).replicas, 8);
  assert.equal(calcReplicas(4, [s('a', 10), s('b', 10), s('c', 10), s('d', 10)], { utilization: 50 }).replicas, 1);
  // Scale-down with one pod unsampled: it counts as 100 % of target, damping the step.
  assert.equal(calcReplicas(4, [s('a', 10), s('b', 10), s('c', 10), s('d', undefined)], { utilization: 50 }).replicas, 2);
  // Scale-up where an unready pod counts as 0 and pulls the ratio inside the tolerance: no change.
  assert.equal(calcReplicas(2, [s('a', 55), s('b', 0, false)], { utilization: 50 }).replicas, 2);
  assert.equal(calcReplicas(2, [s('a', 200), s('b', 200)], { utilization: 50 }).utilization, 200);
  assert.throws(() => calcReplicas(2, [s('a', undefined)], { utilization: 50 }), /did not receive metrics/);
});

test('behavior: scale-up rate limits and the 300 s scale-down stabilization window', () => {
  assert.deepEqual(applyBehavior(2, 20, NOW, [], [], DefaultScaleUp, DefaultScaleDown, 1, 50), { replicas: 6, limitedBy: 'ScaleUpLimit' });
  assert.deepEqual(applyBehavior(10, 50, NOW, [], [], DefaultScaleUp, DefaultScaleDown, 1, 50), { replicas: 20, limitedBy: 'ScaleUpLimit' });
  // A recommendation of 8 two minutes ago keeps a drop to 3 at 8.
  assert.deepEqual(applyBehavior(8, 3, NOW, [{ at: NOW - 120_000, replicas: 8 }], [], DefaultScaleUp, DefaultScaleDown, 1, 50), { replicas: 8 });
  assert.deepEqual(applyBehavior(8, 3, NOW, [{ at: NOW - 301_000, replicas: 8 }], [], DefaultScaleUp, DefaultScaleDown, 1, 50), { replicas: 3 });
});

class StaticMetrics implements MetricsSource {
  constructor(public cpuMilli: number) {}
  async podUsage(namespace: string, names: readonly string[]): Promise<PodUsage[]> {
    return names.map((name) => ({ namespace, name, timestamp: NOW, windowMs: 15_000, containers: [{ name: 'app', cpuMilli: this.cpuMilli, memoryBytes: 1 << 20 }] }));
  }
}

function hpa(): HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default', uid: 'uid-hpa', generation: 1 },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 10,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
    },
  };
}

function withRequests(p: Pod): Pod {
  const w = structuredClone(p) as Writable<Pod>;
  w.spec = { ...w.spec!, containers: [{ name: 'app', image: 'app:v1', resources: { requests: { cpu: '100m' } } }] };
  return w;
}

test('HPA: scales the Deployment through the scale subresource, with status, conditions and event', async () => {
  const d: Deployment = deployment('web', 2);
  const pods = [withRequests(pod('w1', { node: 'n1', ready: true })), withRequests(pod('w2', { node: 'n1', ready: true }))];
  const h = harness([{ type: R.deployments, objects: [d] }, { type: R.pods, objects: pods }, { type: R.horizontalpodautoscalers, objects: [hpa()] }]);
  const metrics = new StaticMetrics(200);
  const c = new HorizontalController(h.ctx, { metrics });
  await h.start();
  const r = await c.sync('default/web');
  assert.deepEqual(r, { requeueAfterMs: 15_000 });
  assert.deepEqual(h.writes(), ['patch deployments/scale web', 'update horizontalpodautoscalers/status web']);
  assert.deepEqual(h.client.writes()[0]!.patch, { spec: { replicas: 6 } });
  assert.deepEqual(h.events.events, ['Normal SuccessfulRescale New size: 6; reason: cpu resource utilization (percentage of request) above target']);
  const st = (h.client.writes()[1]!.object as HorizontalPodAutoscaler).status!;
  assert.equal(st.desiredReplicas, 6);
  assert.equal(st.currentMetrics?.[0]?.resource?.current.averageUtilization, 200);
  assert.equal(st.conditions?.find((x) => x.type === 'ScalingLimited')?.reason, 'ScaleUpLimit');
  assert.equal(st.conditions?.find((x) => x.type === 'AbleToScale')?.reason, 'SucceededRescale');
  await h.stop();
});

test('HPA: idle pods (0 % usage) scale down to minReplicas after the stabilization window', async () => {
  const d: Deployment = deployment('web', 3);
  const pods = ['w1', 'w2', 'w3'].map((n) => withRequests(pod(n, { node: 'n1', ready: true })));
  const spec = hpa();
  const h = harness([{ type: R.deployments, objects: [d] }, { type: R.pods, objects: pods }, { type: R.horizontalpodautoscalers, objects: [spec] }]);
  const c = new HorizontalController(h.ctx, { metrics: new StaticMetrics(0) });
  await h.start();
  await c.sync('default/web');
  // The default 300 s scale-down window holds the first recommendation (there is no older one: scale now).
  assert.deepEqual(h.client.writes()[0]!.patch, { spec: { replicas: 1 } });
  assert.deepEqual(h.events.events, ['Normal SuccessfulRescale New size: 1; reason: All metrics below target']);
  await h.stop();
});

test('HPA: without metrics it reports FailedGetResourceMetric and does not scale', async () => {
  const h = harness([{ type: R.deployments, objects: [deployment('web', 2)] }, { type: R.pods, objects: [withRequests(pod('w1', { node: 'n1', ready: true }))] }, { type: R.horizontalpodautoscalers, objects: [hpa()] }]);
  const c = new HorizontalController(h.ctx);
  await h.start();
  await c.sync('default/web');
  assert.deepEqual(h.writes(), ['update horizontalpodautoscalers/status web']);
  assert.deepEqual(h.events.events, ['Warning FailedGetResourceMetric unable to get metrics for resource cpu: no metrics returned from resource metrics API']);
  await h.stop();
});
