import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore } from '../../engine/store/file.ts';
import { StoreLockedError } from '../../engine/store/lock.ts';
import { StoreError } from '../../engine/store/types.ts';
import { collect, storeContract } from '../support/store-contract.ts';

const root = mkdtempSync(join(tmpdir(), 'wh-store-unit-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `s${n++}`);

storeContract('file', async (opts) => openStore(freshDir(), opts));

describe('file store', () => {
  it('keeps data, revisions and the revision counter across close and reopen', async () => {
    const dir = freshDir();
    let s = await openStore(dir);
    const a = await s.create('/a', '1');
    const b = await s.create('/b', '2');
    await s.update('/a', '3', a.modRevision);
    await s.delete('/b', b.modRevision);
    const rev = s.revision();
    await s.close();
    s = await openStore(dir);
    assert.equal(s.revision(), rev);
    assert.deepEqual({ ...(await s.get('/a')) }, { key: '/a', value: '3', createRevision: a.createRevision, modRevision: rev - 1 });
    assert.equal(await s.get('/b'), undefined);
    assert.equal((await s.create('/c', 'x')).modRevision, rev + 1);
    // History since the last snapshot (here: all of it) survives the restart.
    assert.equal(s.compactedRevision(), 0);
    const w = collect(s, '/', 0, rev + 1);
    assert.deepEqual((await w.done).map((e) => e.revision), Array.from({ length: rev + 1 }, (_, i) => i + 1));
    w.stop();
    await s.close();
  });

  it('compacts into a snapshot and recovers from snapshot + log; history then starts at the snapshot', async () => {
    const dir = freshDir();
    let s = await openStore(dir, { compactMinBytes: 4096, minHistoryRevisions: 10, minHistoryMs: 0 });
    const mods = new Map<string, number>();
    for (let i = 0; i < 20; i++) mods.set(`/k/${i}`, (await s.create(`/k/${i}`, 'v'.repeat(100))).modRevision);
    for (let round = 0; round < 30; round++) {
      for (let i = 0; i < 20; i++) mods.set(`/k/${i}`, (await s.update(`/k/${i}`, `${round}:${'w'.repeat(100)}`, mods.get(`/k/${i}`) as number)).modRevision);
    }
    const rev = s.revision();
    await s.close();
    const files = readdirSync(dir).sort();
    assert.ok(files.some((f) => f.startsWith('snap-')), files.join(' '));
    assert.equal(files.filter((f) => f.startsWith('snap-')).length, 1);
    s = await openStore(dir);
    assert.equal(s.revision(), rev);
    const all = await s.list('/k/');
    assert.equal(all.items.length, 20);
    for (const kv of all.items) {
      assert.equal(kv.modRevision, mods.get(kv.key));
      assert.ok(kv.value.startsWith('29:'));
    }
    const snapRev = Number(/snap-(\d+)/.exec(files.find((f) => f.startsWith('snap-')) as string)?.[1]);
    assert.equal(s.compactedRevision(), snapRev);
    assert.throws(() => s.watch('/', snapRev - 1, () => undefined), (e: unknown) => e instanceof StoreError && e.code === 'Expired');
    await s.close();
  });

  it('creates the directory 0700 and its files 0600', { skip: process.platform === 'win32' ? 'POSIX modes' : false }, async () => {
    const dir = freshDir();
    const s = await openStore(dir, { compactMinBytes: 1 });
    await s.create('/a', '1');
    await s.create('/b', '2');
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const f of readdirSync(dir)) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
    await s.close();
  });

  it('one process per directory: a live owner is refused, a dead owner\'s lock is taken over', async () => {
    const dir = freshDir();
    const s = await openStore(dir);
    await assert.rejects(openStore(dir), (e: unknown) => e instanceof StoreLockedError && e.pid === process.pid && e.message.includes('LOCK'));
    await s.close();
    // A lock left by a process that has exited.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'LOCK'), `${dead.stdout}\n${(await import('node:os')).hostname()}\n`, { mode: 0o600 });
    const t = await openStore(dir);
    await t.close();
    assert.equal(readdirSync(dir).includes('LOCK'), false);
  });
});
