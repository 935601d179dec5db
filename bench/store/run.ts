/**
 * Store benchmark: open time, write latency at 20 ops/s with 1,000 objects, throughput with 32 concurrent
 * writers, and disk size after many updates — for the file store with fsync on, against the peer that
 * bounds it: one raw append + fdatasync on the same disk (what a single durable write costs here).
 *   npm run bench:store [-- UPDATES [SECONDS]]     defaults: 1,000,000 updates, 15 s latency run
 * Figures print as a table; targets from issue 3: mutating p99 ≤ 25 ms at 20 ops/s (API level, so the
 * store must stay well under), disk < 2× live data after 1 M updates to 1,000 keys.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../engine/store/file.ts';
import { openMemoryStore } from '../../engine/store/memory.ts';
import type { Store } from '../../engine/store/types.ts';
import { churn, diskBytes, key, liveDataBytes, value } from '../../test/support/store-load.ts';

const UPDATES = Number(process.argv[2] ?? 1_000_000);
const SECONDS = Number(process.argv[3] ?? 15);
const root = mkdtempSync(join(tmpdir(), 'wh-bench-store-'));
let dirs = 0;
const fresh = () => join(root, `d${dirs++}`);
const rows: [string, string, string][] = [];
const row = (what: string, figure: string, note = '') => {
  rows.push([what, figure, note]);
  console.log(`  ${what}: ${figure}${note ? `  (${note})` : ''}`);
};

function pct(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const ms = (x: number) => `${x.toFixed(2)} ms`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/** Peer: one durable append (write + fdatasync of a 2 KB record) on this disk. */
async function rawFsync(n: number): Promise<number[]> {
  const fh = await open(join(root, 'raw.log'), 'w', 0o600);
  const buf = Buffer.alloc(2048, 0x61);
  const out: number[] = [];
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fh.write(buf, 0, buf.length, pos);
    await fh.datasync();
    out.push(performance.now() - t);
    pos += buf.length;
  }
  await fh.close();
  return out;
}

async function populate(dir: string, objects: number, bytes: number): Promise<void> {
  const s = await openStore(dir);
  for (let i = 0; i < objects; i += 100) {
    await Promise.all(Array.from({ length: Math.min(100, objects - i) }, (_, j) => s.create(key(i + j), value(i + j, 0, bytes))));
  }
  await s.close();
}

async function openTime(dir: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const s = await openStore(dir);
    times.push(performance.now() - t);
    await s.close();
  }
  return pct(times, 50);
}

async function throughput(s: Store, writers: number, seconds: number, keysPerWriter = 4): Promise<number> {
  const mods = new Map<string, number>();
  for (let w = 0; w < writers; w++) {
    for (let k = 0; k < keysPerWriter; k++) {
      const name = `/tp/${w}/${k}`;
      const cur = await s.get(name);
      mods.set(name, cur ? cur.modRevision : (await s.create(name, value(k, 0, 1024))).modRevision);
    }
  }
  let ops = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        const name = `/tp/${w}/${i % keysPerWriter}`;
        mods.set(name, (await s.update(name, value(i, i, 1024), mods.get(name) as number)).modRevision);
        ops++;
      }
    }),
  );
  return ops / seconds;
}

try {
  console.log(`store benchmark (Node ${process.version}, ${process.platform}); data in ${root}`);

  const raw = await rawFsync(300);
  const rawP50 = pct(raw, 50);
  row('peer: raw append+fdatasync 2 KB, p50 / p99', `${ms(rawP50)} / ${ms(pct(raw, 99))}`, `${(1000 / rawP50).toFixed(0)} durable appends/s single-threaded`);

  for (const [objects, bytes] of [[1000, 2048], [10_000, 2048]] as const) {
    const dir = fresh();
    await populate(dir, objects, bytes);
    row(`open time, ${objects.toLocaleString('en')} objects × ${bytes} B (${(diskBytes(dir) / 2 ** 20).toFixed(1)} MiB on disk)`, ms(await openTime(dir)), 'median of 5');
  }

  {
    const dir = fresh();
    await populate(dir, 1000, 2048);
    const s = await openStore(dir);
    const lat: number[] = [];
    const mods = new Map<number, number>();
    for (const kv of (await s.list('')).items) mods.set(Number(kv.key.slice(-5)), kv.modRevision);
    const n = SECONDS * 20;
    const start = performance.now();
    const inflight: Promise<void>[] = [];
    // The peer runs interleaved on the same schedule (25 ms later), so both see the same disk weather.
    const fh = await open(join(root, 'raw-paced.log'), 'w', 0o600);
    const rawLat: number[] = [];
    const rawBuf = Buffer.alloc(2048 + 40, 0x61);
    let rawPos = 0;
    for (let i = 0; i < n; i++) {
      // Open loop: one write every 50 ms whether or not the previous one finished.
      const wait = start + i * 50 - performance.now();
      if (wait > 0) await sleep(wait);
      const k = i % 1000;
      const t = performance.now();
      inflight.push(
        s.update(key(k), value(k, i + 1, 2048), mods.get(k) as number).then((kv) => {
          mods.set(k, kv.modRevision);
          lat.push(performance.now() - t);
        }),
      );
      const rawWait = start + i * 50 + 25 - performance.now();
      if (rawWait > 0) await sleep(rawWait);
      const r = performance.now();
      await fh.write(rawBuf, 0, rawBuf.length, rawPos);
      await fh.datasync();
      rawPos += rawBuf.length;
      rawLat.push(performance.now() - r);
    }
    await Promise.all(inflight);
    await fh.close();
    await s.close();
    const p50 = pct(lat, 50);
    const p99 = pct(lat, 99);
    row(`write latency at 20 ops/s, 1,000 objects × 2 KB, ${n} writes: p50 / p99 / max`, `${ms(p50)} / ${ms(p99)} / ${ms(Math.max(...lat))}`, 'target well under the API p99 ≤ 25 ms');
    row('  peer, raw append+fdatasync on the same schedule: p50 / p99', `${ms(pct(rawLat, 50))} / ${ms(pct(rawLat, 99))}`, `store/peer: p50 ${(p50 / pct(rawLat, 50)).toFixed(2)}×, p99 ${(p99 / pct(rawLat, 99)).toFixed(2)}×`);
  }

  {
    const s = await openStore(fresh());
    // One writer, interleaved with the peer (one raw append+fdatasync after each store write), so both
    // see the same disk; each side's rate is writes per second of its own time.
    const fh = await open(join(root, 'raw-seq.log'), 'w', 0o600);
    const rawBuf = Buffer.alloc(1024 + 80, 0x61);
    let storeMs = 0;
    let rawMs = 0;
    let count = 0;
    await s.create('/seq', value(0, 0, 1024));
    let mod = (await s.get('/seq'))?.modRevision as number;
    for (const end = performance.now() + 3000; performance.now() < end; count++) {
      const a = performance.now();
      mod = (await s.update('/seq', value(0, count, 1024), mod)).modRevision;
      const b = performance.now();
      await fh.write(rawBuf, 0, rawBuf.length, count * rawBuf.length);
      await fh.datasync();
      rawMs += performance.now() - b;
      storeMs += b - a;
    }
    await fh.close();
    const one = (count * 1000) / storeMs;
    const rawRate = (count * 1000) / rawMs;
    const many = await throughput(s, 32, 5);
    await s.close();
    row('  peer: raw append+fdatasync, interleaved with the 1-writer run', `${rawRate.toFixed(0)} appends/s`);
    row('throughput, 1 writer (fsync per write)', `${one.toFixed(0)} writes/s`, `${(one / rawRate).toFixed(2)}× the raw rate`);
    row('throughput, 32 concurrent writers (group commit)', `${many.toFixed(0)} writes/s`, `${(many / one).toFixed(1)}× one writer; ${(many / rawRate).toFixed(1)}× the raw rate`);
    const m = openMemoryStore({ minHistoryMs: 0 });
    row('throughput, 32 writers, memory store (no disk)', `${(await throughput(m, 32, 3)).toFixed(0)} writes/s`, 'ceiling set by the MVCC core');
    await m.close();
  }

  {
    const dir = fresh();
    const s = await openStore(dir, { minHistoryMs: 0 });
    let peak = 0;
    const t = performance.now();
    await churn(s, { keys: 1000, updates: UPDATES, valueBytes: 500, concurrency: 64, every: 20_000, onProgress: () => void (peak = Math.max(peak, diskBytes(dir))) });
    const secs = (performance.now() - t) / 1000;
    const live = await liveDataBytes(s);
    const rss = process.memoryUsage().rss;
    await s.close();
    const rest = diskBytes(dir);
    row(`${UPDATES.toLocaleString('en')} updates to 1,000 keys × 500 B (fsync on, 64 writers)`, `${secs.toFixed(1)} s`, `${(UPDATES / secs).toFixed(0)} updates/s; RSS ${(rss / 2 ** 20).toFixed(0)} MiB`);
    row('  disk at rest / live data', `${(rest / 2 ** 10).toFixed(0)} KiB / ${(live / 2 ** 10).toFixed(0)} KiB = ${(rest / live).toFixed(2)}×`, 'target < 2×');
    row('  peak sampled while writing', `${(peak / 2 ** 10).toFixed(0)} KiB = ${(peak / live).toFixed(2)}×`, 'old and new snapshot coexist during compaction');
    const t2 = performance.now();
    const again = await openStore(dir);
    row('  open time after the churn', ms(performance.now() - t2));
    await again.close();
  }

  console.log('\n| figure | value | note |\n|---|---|---|');
  for (const [a, b, c] of rows) console.log(`| ${a} | ${b} | ${c} |`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
