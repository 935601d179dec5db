import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LimitRange, Pod, ResourceQuota } from 'kubernetes-types/core/v1';
import { ApiError } from '../../../engine/api/client.ts';
import { R } from '../../../engine/api/resources.ts';
import { admit } from '../../../engine/admission/index.ts';
import { formatQuantity, parseQuantity } from '../../../engine/admission/quantity.ts';
import { ResourceQuotaController } from '../../../engine/controllers/resourcequota/controller.ts';
import { harness } from './harness.ts';

const pod = (resources?: NonNullable<Pod['spec']>['containers'][number]['resources']): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'app', image: 'busybox', ...(resources ? { resources } : {}) }] },
});
const lr = (limits: NonNullable<LimitRange['spec']>['limits']): LimitRange => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'default' }, spec: { limits } });
const quota = (hard: Record<string, string>, used?: Record<string, string>, scopes?: string[]): ResourceQuota => ({
  apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'default' }, spec: { hard, scopes }, status: { hard, used: used ?? {} },
});

function forbiddenMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError);
    assert.equal(err.code, 403);
    assert.equal(err.reason, 'Forbidden');
    return err.message;
  }
  assert.fail('expected a Forbidden error');
}

test('quantities parse and print canonically', () => {
  assert.equal(parseQuantity('100m').value, 0.1);
  assert.equal(parseQuantity('128Mi').value, 128 * 2 ** 20);
  assert.equal(parseQuantity('1e3').value, 1000);
  assert.equal(formatQuantity(1.5), '1500m');
  assert.equal(formatQuantity(2), '2');
  assert.equal(formatQuantity(2 ** 30, true), '1Gi');
  assert.equal(formatQuantity(1_000_000), '1M');
  assert.throws(() => parseQuantity('12 apples'));
});

test('LimitRange: defaults fill missing requests and limits and are annotated', () => {
  const ranges = [lr([{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m' } }])];
  const { object } = admit('CREATE', R.pods, pod(), { limitRanges: ranges, resourceQuotas: [] });
  assert.deepEqual(object.spec?.containers[0]?.resources, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '256Mi' } });
  assert.equal(object.metadata?.annotations?.['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app');
  // What the container states is kept.
  const own = admit('CREATE', R.pods, pod({ limits: { cpu: '1' } }), { limitRanges: ranges, resourceQuotas: [] }).object;
  assert.equal(own.spec?.containers[0]?.resources?.limits?.cpu, '1');
});

test('LimitRange: min/max/ratio violations are refused in upstream words', () => {
  const ranges = [lr([{ type: 'Container', max: { memory: '1Gi' }, min: { cpu: '100m' }, maxLimitRequestRatio: { cpu: '2' } }])];
  const msg = forbiddenMessage(() => admit('CREATE', R.pods, pod({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '2Gi' } }), { limitRanges: ranges, resourceQuotas: [] }));
  assert.equal(msg, 'pods "p" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, maximum memory usage per Container is 1Gi, but limit is 2Gi, cpu max limit to request ratio per Container is 2, but provided ratio is 10.000000]');
});

test('ResourceQuota: over the hard limit is refused; within it the new usage is returned', () => {
  const full = quota({ pods: '2' }, { pods: '2' });
  assert.equal(forbiddenMessage(() => admit('CREATE', R.pods, pod(), { limitRanges: [], resourceQuotas: [full] })),
    'pods "p" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
  const room = quota({ pods: '3', 'requests.cpu': '1' }, { pods: '1', 'requests.cpu': '500m' });
  const r = admit('CREATE', R.pods, pod({ requests: { cpu: '250m' }, limits: { cpu: '250m' } }), { limitRanges: [], resourceQuotas: [room] });
  assert.deepEqual(r.quotaUpdates, [{ name: 'q', used: { pods: '2', 'requests.cpu': '750m' } }]);
  assert.equal(forbiddenMessage(() => admit('CREATE', R.pods, pod({ requests: { cpu: '600m' } }), { limitRanges: [], resourceQuotas: [room] })),
    'pods "p" is forbidden: exceeded quota: q, requested: requests.cpu=600m, used: requests.cpu=500m, limited: requests.cpu=1');
  assert.equal(forbiddenMessage(() => admit('CREATE', R.pods, pod(), { limitRanges: [], resourceQuotas: [quota({ 'limits.memory': '1Gi' })] })),
    'pods "p" is forbidden: failed quota: q: must specify limits.memory for: app');
  // Scopes: a BestEffort quota does not count a Burstable pod.
  assert.deepEqual(admit('CREATE', R.pods, pod({ requests: { cpu: '1' } }), { limitRanges: [], resourceQuotas: [quota({ pods: '0' }, {}, ['BestEffort'])] }).quotaUpdates, []);
  // Other kinds count too.
  assert.match(forbiddenMessage(() => admit('CREATE', R.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } }, { limitRanges: [], resourceQuotas: [quota({ 'count/configmaps': '0' })] })),
    /configmaps "c" is forbidden: exceeded quota: q, requested: count\/configmaps=1/);
});

test('ResourceQuota controller: status.used is recomputed from what exists', async () => {
  const q = quota({ pods: '5', 'requests.memory': '1Gi' });
  delete (q as { status?: unknown }).status;
  const p1 = { ...pod({ requests: { memory: '256Mi' } }), metadata: { name: 'a', namespace: 'default' } };
  const p2 = { ...pod({ requests: { memory: '128Mi' } }), metadata: { name: 'b', namespace: 'default' } };
  const done = { ...pod({ requests: { memory: '512Mi' } }), metadata: { name: 'c', namespace: 'default' }, status: { phase: 'Succeeded' } };
  const h = harness([{ type: R.resourcequotas, objects: [q] }, { type: R.pods, objects: [p1, p2, done] }]);
  const c = new ResourceQuotaController(h.ctx);
  await h.start();
  await c.sync('default/q');
  const st = (h.client.writes()[0]!.object as ResourceQuota).status;
  assert.deepEqual(st, { hard: { pods: '5', 'requests.memory': '1Gi' }, used: { pods: '2', 'requests.memory': '384Mi' } });
  await h.stop();
});
