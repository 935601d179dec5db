// Continue tokens read the list at the first page's revision (upstream's consistent chunked lists): objects
// created, changed or deleted after the first page do not show in, or vanish from, the next pages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openMemoryStore } from '../../engine/store/memory.ts';
import { Registry } from '../../engine/registry/registry.ts';
import { ApiError } from '../../engine/api/client.ts';

describe('registry: continue tokens at a revision', () => {
  it('later pages show the store as of the first page', async () => {
    const reg = new Registry({ store: openMemoryStore() });
    await reg.start();
    const cms = reg.catalog.lookup('', 'v1', 'configmaps')!;
    for (const n of ['a', 'b', 'c', 'd']) await reg.create(cms, 'default', { metadata: { name: n }, data: { v: '1' } });
    const p1 = await reg.list(cms, 'default', { limit: 2 });
    assert.deepEqual(p1.items.map((i) => i.metadata?.name), ['a', 'b']);
    assert.ok(p1.metadata.continue);
    await reg.create(cms, 'default', { metadata: { name: 'e' } });
    await reg.delete(cms, 'default', 'c', {});
    await reg.patch(cms, 'default', 'd', 'merge', { data: { v: '2' } });
    const p2 = await reg.list(cms, 'default', { limit: 10, continue: p1.metadata.continue });
    assert.deepEqual(p2.items.map((i) => i.metadata?.name), ['c', 'd']);
    assert.equal((p2.items[1] as { data: { v: string } }).data.v, '1');
    assert.equal(p2.metadata.resourceVersion, p1.metadata.resourceVersion);
    assert.equal(p2.metadata.continue, undefined);
    // A fresh list sees the changes.
    const now = await reg.list(cms, 'default', {});
    assert.deepEqual(now.items.map((i) => i.metadata?.name), ['a', 'b', 'd', 'e']);
  });

  it('a token from a future revision is a 400', async () => {
    const reg = new Registry({ store: openMemoryStore() });
    await reg.start();
    const cms = reg.catalog.lookup('', 'v1', 'configmaps')!;
    const token = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 1e9, start: '/registry/core/configmaps/default/a' })).toString('base64url');
    await assert.rejects(reg.list(cms, 'default', { limit: 1, continue: token }), (e: unknown) => e instanceof ApiError && e.code === 400);
  });
});
