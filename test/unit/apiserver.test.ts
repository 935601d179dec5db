import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { route } from '../../engine/apiserver/routes.ts';
import { bracketDepth, parseJson, parseYamlBody, valueDepth } from '../../engine/apiserver/body.ts';
import { aggregatedRequested } from '../../engine/apiserver/discovery.ts';
import { wantsTable } from '../../engine/apiserver/table.ts';
import { ApiError, type KubeObject } from '../../engine/api/client.ts';
import { openMemoryStore } from '../../engine/store/memory.ts';
import { Registry } from '../../engine/registry/registry.ts';
import { LocalClient } from '../../engine/apiserver/local-client.ts';
import { R } from '../../engine/api/resources.ts';
import { serviceRange, allocate, inUse } from '../../engine/registry/allocator.ts';

describe('apiserver routing', () => {
  it('parses resource paths as upstream RequestInfo does', () => {
    assert.deepEqual(route('/api/v1/namespaces/default/pods/web/log'), { kind: 'resource', group: '', version: 'v1', namespace: 'default', resource: 'pods', name: 'web', subresource: 'log' });
    assert.deepEqual(route('/apis/apps/v1/deployments'), { kind: 'resource', group: 'apps', version: 'v1', resource: 'deployments', name: undefined, subresource: undefined });
    assert.deepEqual(route('/api/v1/namespaces/kube-system'), { kind: 'resource', group: '', version: 'v1', resource: 'namespaces', name: 'kube-system', subresource: undefined });
    assert.deepEqual(route('/api/v1/namespaces/x/finalize'), { kind: 'resource', group: '', version: 'v1', resource: 'namespaces', name: 'x', subresource: 'finalize' });
    assert.deepEqual(route('/api/v1/namespaces/x/configmaps'), { kind: 'resource', group: '', version: 'v1', namespace: 'x', resource: 'configmaps', name: undefined, subresource: undefined });
    assert.deepEqual(route('/openapi/v3/apis/apps/v1'), { kind: 'openapiDoc', group: 'apps', version: 'v1' });
    assert.equal(route('/apis/apps/v1/namespaces/a/deployments/b/scale/extra').kind, 'notFound');
    assert.equal(route('/%E0%A4%A').kind, 'notFound');
  });

  it('reads Accept for Tables and aggregated discovery', () => {
    assert.equal(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json'), true);
    assert.equal(wantsTable('application/json'), false);
    assert.equal(aggregatedRequested('application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'), 'v2beta1');
    assert.equal(aggregatedRequested('application/json, */*'), undefined);
  });
});

describe('body decoding guards', () => {
  it('measures nesting without recursion and rejects deep or aliased bodies with 400', () => {
    assert.equal(bracketDepth('{"a":[{"b":"[[[["}]}'), 3);
    assert.equal(valueDepth({ a: [{ b: 1 }] }), 3);
    for (const bad of [() => parseJson('['.repeat(1000)), () => parseYamlBody('a: &a [1,2]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]'), () => parseJson('{bad')]) {
      assert.throws(bad, (e: unknown) => e instanceof ApiError && e.code === 400);
    }
    assert.deepEqual(parseYamlBody('a: 1\nb: [x]\n'), { a: 1, b: ['x'] });
  });
});

describe('service IP ranges', () => {
  it('allocates inside the plan range, never the reserved kubernetes/DNS addresses', () => {
    const range = serviceRange('10.201.128.0/30', '10.201.128.2');
    const svc: Record<string, unknown> = { spec: { ports: [{ port: 80 }] } };
    assert.deepEqual(allocate(svc, undefined, inUse([]), () => 0, range), [{ reason: 'FieldValueInvalid', message: 'Invalid value: "": range is full', field: 'spec.clusterIPs' }]);
    const wide = serviceRange('10.201.128.0/17', '10.201.128.10');
    const s2: { spec: { clusterIP?: string } } = { spec: {} };
    assert.deepEqual(allocate(s2, undefined, inUse([]), () => 0, wide), []);
    assert.match(s2.spec.clusterIP!, /^10\.201\.(12[89]|1[3-9]\d|2[0-5]\d)\.\d+$/);
  });
});

describe('in-process client', () => {
  it('has the HTTP semantics: defaulting, 404, 409, versions converted', async () => {
    const reg = new Registry({ store: openMemoryStore() });
    await reg.start();
    const c = new LocalClient(reg);
    const body: KubeObject & { spec: object } = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } };
    const pod = await c.create(R.pods, body);
    assert.equal((pod.spec as { restartPolicy: string }).restartPolicy, 'Always');
    await assert.rejects(c.get(R.pods, 'nope', 'default'), (e: unknown) => e instanceof ApiError && e.code === 404);
    await assert.rejects(c.update(R.pods, { ...pod, metadata: { ...pod.metadata, resourceVersion: '1' } }), (e: unknown) => e instanceof ApiError && e.code === 409);
    const hpaV1 = { group: 'autoscaling', version: 'v1', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', namespaced: true };
    await c.create(hpaV1, { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'default' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, targetCPUUtilizationPercentage: 70 } } as KubeObject);
    const v2 = await c.get<KubeObject & { spec: { metrics: { resource: { target: { averageUtilization: number } } }[] } }>(R.horizontalpodautoscalers, 'h', 'default');
    assert.equal(v2.spec.metrics[0]!.resource.target.averageUtilization, 70);
    const back = await c.get<KubeObject & { spec: { targetCPUUtilizationPercentage: number } }>(hpaV1, 'h', 'default');
    assert.equal(back.apiVersion, 'autoscaling/v1');
    assert.equal(back.spec.targetCPUUtilizationPercentage, 70);
    const events: string[] = [];
    const w = c.watch(R.pods, 'default', {}, (ev) => events.push(`${ev.type}:${ev.object.metadata?.name}`));
    await new Promise((r) => setTimeout(r, 20));
    w.stop();
    assert.deepEqual(events, ['ADDED:p']);
  });
});
