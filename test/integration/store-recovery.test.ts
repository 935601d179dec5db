/**
 * Recovery from damaged files: a torn tail (truncation at every byte offset of the last records, or a
 * zero-filled tail) recovers to the last complete record; a flipped bit anywhere in a record, a file header
 * or a snapshot, or a missing segment, is refused with StoreError('Corrupt') naming the file, the offset and
 * how to recover — never a silent misread.
 */
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FILE_HEADER_BYTES, scanFrames } from '../../engine/store/codec.ts';
import { openStore } from '../../engine/store/file.ts';
import type { Store } from '../../engine/store/types.ts';
import { StoreError } from '../../engine/store/types.ts';

const root = mkdtempSync(join(tmpdir(), 'wh-store-recovery-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** Model: the live key → value map after each revision. */
type Model = Map<string, string>[];

async function populate(dir: string, writes: number, compactMinBytes: number): Promise<Model> {
  const s = await openStore(dir, { compactMinBytes, compactRatio: 0 });
  const model: Model = [new Map()];
  const cur = new Map<string, { value: string; mod: number }>();
  for (let i = 0; model.length <= writes; i++) {
    const key = `/r/${i % 7}`;
    const value = `${i}:${'abcdefgh'.repeat(i % 5)}`;
    const c = cur.get(key);
    if (!c) cur.set(key, { value, mod: (await s.create(key, value)).modRevision });
    else if (i % 4 === 3) {
      await s.delete(key, c.mod);
      cur.delete(key);
    } else cur.set(key, { value, mod: (await s.update(key, value, c.mod)).modRevision });
    model.push(new Map([...cur].map(([k, v]) => [k, v.value])));
  }
  await s.close();
  return model;
}

function copy(src: string): string {
  const dst = join(root, `c${n++}`);
  cpSync(src, dst, { recursive: true });
  return dst;
}

async function assertState(s: Store, model: Model, rev: number, ctx: string): Promise<void> {
  assert.equal(s.revision(), rev, ctx);
  const got = new Map((await s.list('/')).items.map((kv) => [kv.key, kv.value]));
  assert.deepEqual(got, model[rev], ctx);
}

async function assertCorrupt(dir: string, file: string, offset: number | undefined, ctx: string): Promise<void> {
  let s: Store | undefined;
  try {
    s = await openStore(dir);
  } catch (e) {
    assert.ok(e instanceof StoreError && e.code === 'Corrupt', `${ctx}: expected Corrupt, got ${String(e)}`);
    assert.ok(e.message.includes(join(dir, file)), `${ctx}: message does not name ${file}: ${e.message}`);
    if (offset !== undefined) assert.ok(e.message.includes(`at byte offset ${offset}:`), `${ctx}: message does not name offset ${offset}: ${e.message}`);
    assert.ok(e.message.includes('move the data directory aside'), `${ctx}: message does not say how to recover`);
    // The refused open released the directory again.
    assert.equal(readdirSync(dir).includes('LOCK'), false, ctx);
    return;
  }
  await s.close();
  assert.fail(`${ctx}: the damaged store opened (silent misread)`);
}

function frameBounds(path: string): { offset: number; end: number }[] {
  const buf = readFileSync(path);
  return scanFrames(buf, FILE_HEADER_BYTES, path, '', false).frames.map((f) => ({ offset: f.offset, end: f.offset + 12 + f.payload.length }));
}

describe('file store recovery', () => {
  const walOnly = join(root, 'wal-only');
  const withSnap = join(root, 'with-snap');
  let model: Model;
  let snapModel: Model;
  const WAL = 'wal-0000000000000000.log';

  before(async () => {
    model = await populate(walOnly, 40, 1 << 30);
    snapModel = await populate(withSnap, 60, 1024);
  });

  it('truncation at every byte of the last 3 records recovers to the last complete record, which stays usable', async () => {
    const frames = frameBounds(join(walOnly, WAL));
    assert.equal(frames.length, 40);
    const size = statSync(join(walOnly, WAL)).size;
    let cases = 0;
    for (let off = frames[frames.length - 3].offset; off < size; off++) {
      const dir = copy(walOnly);
      truncateSync(join(dir, WAL), off);
      const complete = frames.filter((f) => f.end <= off).length;
      const ctx = `truncated at ${off}`;
      let s = await openStore(dir);
      await assertState(s, model, complete, ctx);
      assert.equal(statSync(join(dir, WAL)).size, complete ? frames[complete - 1].end : FILE_HEADER_BYTES, ctx);
      const kv = await s.create('/after', 'crash');
      assert.equal(kv.modRevision, complete + 1, ctx);
      await s.close();
      s = await openStore(dir);
      assert.equal(s.revision(), complete + 1, ctx);
      assert.equal((await s.get('/after'))?.value, 'crash', ctx);
      await s.close();
      rmSync(dir, { recursive: true });
      cases++;
    }
    assert.ok(cases > 100);
  });

  it('a zero-filled tail (preallocated, never written) is cut off', async () => {
    const dir = copy(walOnly);
    appendFileSync(join(dir, WAL), Buffer.alloc(5000));
    const s = await openStore(dir);
    await assertState(s, model, 40, 'zero tail');
    await s.close();
  });

  it('a flipped bit in any record is refused as Corrupt at that record (every byte of 3 records, one random bit in each other)', async () => {
    const path = join(walOnly, WAL);
    const frames = frameBounds(path);
    const original = readFileSync(path);
    const exhaustive = new Set([0, 20, frames.length - 1]);
    let cases = 0;
    const dir = copy(walOnly);
    for (let i = 0; i < frames.length; i++) {
      const { offset, end } = frames[i];
      const positions = exhaustive.has(i) ? Array.from({ length: end - offset }, (_, k) => offset + k) : [offset + Math.floor(Math.random() * (end - offset))];
      for (const pos of positions) {
        const bit = exhaustive.has(i) ? pos % 8 : Math.floor(Math.random() * 8);
        const damaged = Buffer.from(original);
        damaged[pos] ^= 1 << bit;
        writeFileSync(join(dir, WAL), damaged);
        await assertCorrupt(dir, WAL, offset, `record ${i}, byte ${pos}, bit ${bit}`);
        cases++;
      }
    }
    assert.ok(cases > 150);
  });

  it('a damaged file header is refused', async () => {
    for (const pos of [0, 7, 8, 12, 16, 23, 24, 27]) {
      const dir = copy(walOnly);
      const buf = readFileSync(join(dir, WAL));
      buf[pos] ^= 0x10;
      writeFileSync(join(dir, WAL), buf);
      await assertCorrupt(dir, WAL, undefined, `header byte ${pos}`);
    }
    const dir = copy(walOnly);
    truncateSync(join(dir, WAL), 10);
    await assertCorrupt(dir, WAL, 0, 'header cut short');
  });

  it('with a snapshot: recovers from snapshot + log; a flipped bit or truncation in the snapshot is refused', async () => {
    const names = readdirSync(withSnap);
    const snap = names.find((f) => f.startsWith('snap-')) as string;
    assert.ok(snap, names.join(' '));
    let s = await openStore(copy(withSnap));
    await assertState(s, snapModel, 60, 'snapshot + log');
    await s.close();
    const original = readFileSync(join(withSnap, snap));
    for (let k = 0; k < 60; k++) {
      const dir = copy(withSnap);
      const pos = Math.floor(Math.random() * original.length);
      const damaged = Buffer.from(original);
      damaged[pos] ^= 1 << Math.floor(Math.random() * 8);
      writeFileSync(join(dir, snap), damaged);
      await assertCorrupt(dir, snap, undefined, `snapshot byte ${pos}`);
      rmSync(dir, { recursive: true });
    }
    for (const len of [0, 20, FILE_HEADER_BYTES + 5, original.length - 1, original.length - 30]) {
      const dir = copy(withSnap);
      truncateSync(join(dir, snap), Math.max(0, len));
      await assertCorrupt(dir, snap, undefined, `snapshot truncated to ${len}`);
    }
    // A missing log segment after the snapshot.
    const dir = copy(withSnap);
    unlinkSync(join(dir, snap.replace('snap-', 'wal-').replace('.db', '.log')));
    await assertCorrupt(dir, snap, 0, 'missing segment');
    s = await openStore(withSnap);
    await assertState(s, snapModel, 60, 'original untouched');
    await s.close();
  });

  it('crash debris from a compaction (.tmp files, an older snapshot and its segments) is cleaned up on open', async () => {
    const dir = copy(withSnap);
    writeFileSync(join(dir, 'snap-0000000000999999.db.tmp'), 'half a snapshot');
    writeFileSync(join(dir, 'wal-0000000000999999.log.tmp'), 'half a segment');
    const names = readdirSync(dir);
    const snap = names.find((f) => f.startsWith('snap-')) as string;
    // An older snapshot left behind (the crash came between the rename and the clean-up).
    writeFileSync(join(dir, 'snap-0000000000000001.db'), 'stale, never read');
    const s = await openStore(dir);
    await assertState(s, snapModel, 60, 'debris');
    await s.close();
    const after = readdirSync(dir);
    assert.deepEqual(after.filter((f) => f.endsWith('.tmp') || f === 'snap-0000000000000001.db'), []);
    assert.ok(after.includes(snap));
  });
});
