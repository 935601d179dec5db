// namespaces/finalize over HTTPS: the namespace controller releases a Terminating namespace by emptying
// spec.finalizers there, with a merge patch (or a PUT as upstream's namespace controller does).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcessEngine, request, type InProcessHandle } from '../support/engine.ts';

describe('apiserver namespaces/finalize', () => {
  let h: InProcessHandle;
  before(async () => {
    h = await startInProcessEngine();
  });
  after(async () => {
    await h?.stop();
  });

  async function terminating(name: string): Promise<void> {
    assert.equal((await request(h, 'POST', '/api/v1/namespaces', { metadata: { name } })).status, 201);
    const d = await request(h, 'DELETE', `/api/v1/namespaces/${name}`);
    assert.equal(d.status, 200, d.text);
    const ns = await request(h, 'GET', `/api/v1/namespaces/${name}`);
    assert.equal(ns.status, 200, 'held by spec.finalizers (no namespace controller runs here)');
    assert.equal(ns.body.status.phase, 'Terminating');
    assert.deepEqual(ns.body.spec.finalizers, ['kubernetes']);
  }

  it('a merge patch on finalize releases the namespace', async () => {
    await terminating('fin-patch');
    const p = await request(h, 'PATCH', '/api/v1/namespaces/fin-patch/finalize', { spec: { finalizers: [] } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(p.status, 200, p.text);
    assert.equal((await request(h, 'GET', '/api/v1/namespaces/fin-patch')).status, 404);
  });

  it('a PUT on finalize releases the namespace', async () => {
    await terminating('fin-put');
    const cur = await request(h, 'GET', '/api/v1/namespaces/fin-put');
    const p = await request(h, 'PUT', '/api/v1/namespaces/fin-put/finalize', { ...cur.body, spec: { finalizers: [] } });
    assert.equal(p.status, 200, p.text);
    assert.equal((await request(h, 'GET', '/api/v1/namespaces/fin-put')).status, 404);
  });

  it('finalize changes only spec.finalizers', async () => {
    assert.equal((await request(h, 'POST', '/api/v1/namespaces', { metadata: { name: 'fin-only' } })).status, 201);
    const p = await request(h, 'PATCH', '/api/v1/namespaces/fin-only/finalize', { metadata: { labels: { x: 'y' } }, spec: { finalizers: ['example.com/x'] } },
      { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(p.status, 200, p.text);
    assert.deepEqual(p.body.spec.finalizers, ['example.com/x']);
    assert.equal(p.body.metadata.labels?.x, undefined);
  });

  it('discovery lists patch and update on namespaces/finalize', async () => {
    const d = await request(h, 'GET', '/api/v1');
    const f = (d.body.resources as Array<{ name: string; verbs: string[] }>).find((r) => r.name === 'namespaces/finalize');
    assert.deepEqual(f?.verbs.slice().sort(), ['patch', 'update']);
  });
});
