// Admission over HTTPS on the in-process engine: LimitRange defaults and ResourceQuota on pod create and
// update (usage charged to status.used), and Pod Security (baseline) refusing privileged pods with 403
// naming the field unless the namespace is labelled pod-security.kubernetes.io/enforce=privileged.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcessEngine, request, type InProcessHandle } from '../support/engine.ts';

const pod = (name: string, extra: Record<string, unknown> = {}, container: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36', ...container }], ...extra },
});

describe('apiserver admission', () => {
  let h: InProcessHandle;
  before(async () => {
    h = await startInProcessEngine();
  });
  after(async () => {
    await h?.stop();
  });

  it('applies LimitRange defaults and charges ResourceQuota usage on create; refuses beyond quota', async () => {
    assert.equal((await request(h, 'POST', '/api/v1/namespaces', { metadata: { name: 'adm' } })).status, 201);
    assert.equal((await request(h, 'POST', '/api/v1/namespaces/adm/limitranges', {
      metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', default: { cpu: '200m', memory: '64Mi' }, defaultRequest: { cpu: '100m', memory: '32Mi' } }] },
    })).status, 201);
    assert.equal((await request(h, 'POST', '/api/v1/namespaces/adm/resourcequotas', {
      metadata: { name: 'rq' }, spec: { hard: { pods: '2', 'requests.cpu': '1' } },
    })).status, 201);
    const r = await request(h, 'POST', '/api/v1/namespaces/adm/pods', pod('a'));
    assert.equal(r.status, 201, r.text);
    assert.deepEqual(r.body.spec.containers[0].resources, { limits: { cpu: '200m', memory: '64Mi' }, requests: { cpu: '100m', memory: '32Mi' } });
    const q = await request(h, 'GET', '/api/v1/namespaces/adm/resourcequotas/rq');
    assert.equal(q.body.status.used.pods, '1');
    assert.equal((await request(h, 'POST', '/api/v1/namespaces/adm/pods', pod('b'))).status, 201);
    const over = await request(h, 'POST', '/api/v1/namespaces/adm/pods', pod('c'));
    assert.equal(over.status, 403, over.text);
    assert.match(over.body.message, /exceeded quota: rq/);
  });

  it('runs pod updates through admission: an image change is admitted and leaves quota usage unchanged', async () => {
    assert.equal((await request(h, 'POST', '/api/v1/namespaces', { metadata: { name: 'adm2' } })).status, 201);
    assert.equal((await request(h, 'POST', '/api/v1/namespaces/adm2/resourcequotas', {
      metadata: { name: 'rq' }, spec: { hard: { 'requests.cpu': '1', 'limits.cpu': '1' } },
    })).status, 201);
    const created = await request(h, 'POST', '/api/v1/namespaces/adm2/pods', pod('p', {}, { resources: { requests: { cpu: '500m' }, limits: { cpu: '500m' } } }));
    assert.equal(created.status, 201, created.text);
    // Changing the image is allowed and does not change usage.
    const ok = await request(h, 'PATCH', '/api/v1/namespaces/adm2/pods/p', { spec: { containers: [{ name: 'c', image: 'busybox:1.37' }] } },
      { 'Content-Type': 'application/strategic-merge-patch+json' });
    assert.equal(ok.status, 200, ok.text);
    const q = await request(h, 'GET', '/api/v1/namespaces/adm2/resourcequotas/rq');
    assert.equal(q.body.status.used['requests.cpu'], '500m');
  });

  it('refuses a privileged pod with 403 naming the field, unless the namespace is privileged', async () => {
    const bad = await request(h, 'POST', '/api/v1/namespaces/default/pods', pod('priv', { hostNetwork: true }, { securityContext: { privileged: true } }));
    assert.equal(bad.status, 403, bad.text);
    assert.equal(bad.body.reason, 'Forbidden');
    assert.match(bad.body.message, /violates PodSecurity "baseline:latest"/);
    assert.match(bad.body.message, /hostNetwork=true/);
    const fields = (bad.body.details.causes as Array<{ field: string }>).map((c) => c.field);
    assert.ok(fields.includes('spec.hostNetwork'), JSON.stringify(fields));
    assert.ok(fields.some((f) => f.includes('privileged')), JSON.stringify(fields));

    assert.equal((await request(h, 'POST', '/api/v1/namespaces', {
      metadata: { name: 'privns', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } },
    })).status, 201);
    const good = await request(h, 'POST', '/api/v1/namespaces/privns/pods', pod('priv', { hostNetwork: true }, { securityContext: { privileged: true } }));
    assert.equal(good.status, 201, good.text);
  });
});
