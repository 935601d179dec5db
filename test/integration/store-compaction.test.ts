/**
 * Compaction keeps the disk bounded: 1,000,000 updates to 1,000 keys leave the files under 2× the live data,
 * history beyond the window is dropped, and everything reads back after a reopen.
 * Runs with `unsafeNoFsync` (test-only option) to fit in npm test; `npm run bench:store` runs the same
 * churn with fsync and prints the figures.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore } from '../../engine/store/file.ts';
import { churn, diskBytes, key, liveDataBytes } from '../support/store-load.ts';

const root = mkdtempSync(join(tmpdir(), 'wh-store-compaction-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('file store compaction', () => {
  it('1,000,000 updates to 1,000 keys: files < 2× live data at rest, bounded while compacting, history window kept', async (t) => {
    const dir = join(root, 'data');
    const KEYS = 1000;
    const UPDATES = 1_000_000;
    const VALUE = 500;
    let s = await openStore(dir, { unsafeNoFsync: true, minHistoryMs: 0 });
    let maxDisk = 0;
    const last = await churn(s, {
      keys: KEYS,
      updates: UPDATES,
      valueBytes: VALUE,
      concurrency: 64,
      every: 25_000,
      onProgress: () => {
        maxDisk = Math.max(maxDisk, diskBytes(dir));
      },
    });
    const live = await liveDataBytes(s);
    assert.equal(s.revision(), KEYS + UPDATES);
    // History: exactly the last 1,000 revisions are kept (minHistoryMs is 0 here).
    assert.equal(s.compactedRevision(), s.revision() - 1000);
    await s.close();
    const disk = diskBytes(dir);
    t.diagnostic(`live ${live} B, disk at rest ${disk} B (${(disk / live).toFixed(2)}×), peak sampled while writing ${maxDisk} B (${(maxDisk / live).toFixed(2)}×)`);
    assert.ok(disk < 2 * live, `disk ${disk} B is not under 2× live ${live} B`);
    // While a snapshot is written the old snapshot and segment coexist with the new ones: at most
    // 2 snapshots + the old segment and the new one (each ≤ 2 × the compaction threshold, back-pressure).
    const threshold = Math.max(256 * 1024, 0.5 * live);
    assert.ok(maxDisk < 2 * live + 4 * threshold + 64 * 1024, `peak disk ${maxDisk} B for live ${live} B`);
    s = await openStore(dir);
    const items = (await s.list('')).items;
    assert.deepEqual(items.map((kv) => kv.key), last.map((_, i) => key(i)));
    assert.deepEqual(items.map((kv) => kv.value), last);
    assert.equal(s.revision(), KEYS + UPDATES);
    await s.close();
  });
});
