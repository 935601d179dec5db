// HttpApiClient against the in-process engine over HTTPS: the same expectations as the in-process client
// (CRUD, 409 on a stale resourceVersion, 404, patches, status, subresources, delete, watch with a 410 as an
// ERROR event to relist).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod } from 'kubernetes-types/core/v1';
import { startInProcessEngine, type InProcessHandle } from '../support/engine.ts';
import { HttpApiClient } from '../../engine/api/http-client.ts';
import { ApiError, type KubeObject, type WatchEvent } from '../../engine/api/client.ts';
import { R } from '../../engine/api/resources.ts';
import { waitFor } from '../support/wait.ts';

const code = (c: number) => (e: unknown): boolean => e instanceof ApiError && e.code === c;

describe('HttpApiClient', () => {
  let h: InProcessHandle;
  let c: HttpApiClient;
  before(async () => {
    h = await startInProcessEngine({ storeHistory: { minHistoryRevisions: 5, minHistoryMs: 0 } });
    c = new HttpApiClient({ server: h.url, token: h.token, ca: h.ca, fieldManager: 'http-client-test' });
  });
  after(async () => {
    c?.close();
    await h?.stop();
  });

  it('creates, gets, lists, updates (409 when stale), patches and deletes', async () => {
    const cm = await c.create<ConfigMap>(R.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default', labels: { t: 'x' } }, data: { k: '1' } });
    assert.ok(cm.metadata?.resourceVersion);
    await assert.rejects(c.create(R.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default' } }), code(409));
    assert.equal((await c.get<ConfigMap>(R.configmaps, 'a', 'default')).data?.k, '1');
    await assert.rejects(c.get(R.configmaps, 'nope', 'default'), code(404));
    const list = await c.list<ConfigMap>(R.configmaps, 'default', { labelSelector: 't=x' });
    assert.deepEqual(list.items.map((i) => i.metadata?.name), ['a']);
    const up = await c.update<ConfigMap>(R.configmaps, { ...cm, data: { k: '2' } });
    assert.equal(up.data?.k, '2');
    await assert.rejects(c.update(R.configmaps, { ...cm, data: { k: '3' } }), code(409));
    assert.equal((await c.patch<ConfigMap>(R.configmaps, 'a', 'default', 'merge', { data: { m: 'y' } })).data?.m, 'y');
    assert.equal((await c.patch<ConfigMap>(R.configmaps, 'a', 'default', 'json', [{ op: 'add', path: '/data/j', value: 'z' }])).data?.j, 'z');
    assert.equal((await c.patch<ConfigMap>(R.configmaps, 'a', 'default', 'strategic', { data: { s: 'w' } })).data?.s, 'w');
    const applied = await c.patch<ConfigMap>(R.configmaps, 'b', 'default', 'apply', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'default' }, data: { a: '1' } });
    assert.equal(applied.data?.a, '1');
    await c.delete(R.configmaps, 'a', 'default');
    await assert.rejects(c.get(R.configmaps, 'a', 'default'), code(404));
    await assert.rejects(c.delete(R.configmaps, 'a', 'default'), code(404));
  });

  it('writes status through the status subresource and POSTs subresources (binding)', async () => {
    const pod = await c.create<Pod>(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
    const st = await c.updateStatus<Pod>(R.pods, { ...pod, spec: { ...pod.spec!, nodeName: 'ignored' } as Pod['spec'], status: { phase: 'Pending', message: 'hi' } });
    assert.equal(st.status?.message, 'hi');
    assert.equal(st.spec?.nodeName, undefined, 'status writes leave spec alone');
    await c.createSubresource(R.pods, 'p', 'default', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } } as KubeObject);
    assert.equal((await c.get<Pod>(R.pods, 'p', 'default')).spec?.nodeName, 'n1');
  });

  it('watches: events in order, then stop', async () => {
    const start = await c.list(R.configmaps, 'default');
    const seen: string[] = [];
    const w = c.watch<ConfigMap>(R.configmaps, 'default', { resourceVersion: start.metadata.resourceVersion }, (ev) => seen.push(`${ev.type} ${ev.object.metadata?.name}`));
    await c.create(R.configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w', namespace: 'default' } });
    await c.patch(R.configmaps, 'w', 'default', 'merge', { data: { x: '1' } });
    await c.delete(R.configmaps, 'w', 'default');
    await waitFor('three events', async () => seen.length >= 3, 10_000, 20);
    assert.deepEqual(seen, ['ADDED w', 'MODIFIED w', 'DELETED w']);
    w.stop();
    await w.done;
  });

  it('a watch from a compacted revision gets one ERROR event with a 410 Status', async () => {
    for (let i = 0; i < 30; i++) await c.patch(R.configmaps, 'b', 'default', 'merge', { data: { n: String(i) } });
    const events: WatchEvent[] = [];
    const w = c.watch(R.configmaps, 'default', { resourceVersion: '2' }, (ev) => events.push(ev));
    await w.done;
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type, 'ERROR');
    assert.equal((events[0]!.object as unknown as { code: number }).code, 410);
  });

  it('an unreachable server is a 503 ApiError naming it', async () => {
    const bad = new HttpApiClient({ server: 'https://127.0.0.1:1', token: 'x', ca: h.ca });
    await assert.rejects(bad.get(R.configmaps, 'a', 'default'), (e: unknown) => e instanceof ApiError && e.code === 503 && /127\.0\.0\.1:1/.test(e.message));
    bad.close();
  });
});
