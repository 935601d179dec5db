/**
 * The file-backed Store (`openStore`): a write-ahead log of checksummed records plus periodic snapshots,
 * replayed into the in-memory MVCC core (mvcc.ts) on open.
 *
 * Directory layout (dir 0700, files 0600):
 *   LOCK                       pid + host of the owning process (lock.ts)
 *   snap-<R>.db                every live key-value at revision R (R zero-padded to 16 digits)
 *   wal-<R>.log                log segment holding the changes with revisions R+1, R+2, … in order
 * Formats: codec.ts. A new file is always written as `<name>.tmp`, fsynced, renamed into place and the
 * directory fsynced, so a file under its final name is complete; `.tmp` files are crash debris, removed on open.
 *
 * Writes: each batch from the core is appended to the current segment with one write and one fdatasync
 * before any writer in it is acknowledged (group commit).
 * Compaction: when the current segment holds more than max(compactMinBytes, compactRatio × live data), the
 * log is rotated at the current revision R (new segment wal-<R>) and a snapshot of the state at R is
 * written in the background; once it is durable, older snapshots and segments are deleted. At rest the files
 * hold about (1 + compactRatio) × live data (at least compactMinBytes of log); while a snapshot is being
 * written the old snapshot and segment coexist with the new ones, so the peak is about twice that. When
 * writes outrun the snapshot, commits wait once the new segment reaches twice its threshold (back-pressure).
 * Recovery: load the newest snapshot, replay the segments from its revision on (they must be contiguous).
 * The last segment may end in a torn record, which is cut off (it was never acknowledged); any other
 * damage — a checksum mismatch, a gap, a bad header — refuses the open with StoreError('Corrupt') naming
 * the file, the offset and how to recover.
 * History after a restart starts at the snapshot revision: watches from before it get Expired (410) and
 * clients re-list, as they do after a kube-apiserver restart.
 */
import { dirname, join, resolve } from 'node:path';
import type { JournalChange } from './codec.ts';
import {
  FILE_HEADER_BYTES,
  SNAP_MAGIC,
  WAL_MAGIC,
  corruptError,
  decodeChange,
  decodeFileHeader,
  decodeSnapshotRecord,
  encodeChanges,
  encodeFileHeader,
  encodeSnapshotEnd,
  encodeSnapshotKvs,
  encodeSnapshotMeta,
  scanFrames,
} from './codec.ts';
import { failpoint } from './failpoint.ts';
import type { StoreFile, StoreFs } from './fsutil.ts';
import { nodeFs, writeAll } from './fsutil.ts';
import type { DirLock } from './lock.ts';
import { acquireLock } from './lock.ts';
import type { CommittedView, HistoryOptions, Journal } from './mvcc.ts';
import { MvccStore } from './mvcc.ts';
import type { KeyValue, Store } from './types.ts';

export interface FileStoreOptions extends HistoryOptions {
  /** A segment is never compacted before it holds this many bytes (default 256 KiB). */
  compactMinBytes?: number;
  /** Compact once the current segment exceeds this fraction of the live data (default 0.5). */
  compactRatio?: number;
  /**
   * TESTS AND BENCHMARKS ONLY: skip every fsync. Acknowledged writes then survive a process crash (they are
   * in the OS page cache) but not an OS crash or power loss. Never set this in the engine.
   */
  unsafeNoFsync?: boolean;
  /** TESTS ONLY: the file system to use (crash tests run on one that simulates power loss). */
  fs?: StoreFs;
}

const DEFAULT_COMPACT_MIN_BYTES = 256 * 1024;
const DEFAULT_COMPACT_RATIO = 0.5;
/** After a failed snapshot, wait this long before trying again (the log keeps everything meanwhile). */
const SNAPSHOT_RETRY_MS = 30_000;
const SNAPSHOT_CHUNK = 1024;

const pad = (r: number): string => String(r).padStart(16, '0');
export const snapName = (r: number): string => `snap-${pad(r)}.db`;
export const walName = (r: number): string => `wal-${pad(r)}.log`;
const SNAP_RE = /^snap-(\d{16})\.db$/;
const WAL_RE = /^wal-(\d{16})\.log$/;

/** Opens (creating if needed) the store in `dir`. Throws StoreError('Corrupt') or StoreLockedError. */
export async function openStore(dir: string, opts: FileStoreOptions = {}): Promise<Store> {
  dir = resolve(dir);
  const fs = opts.fs ?? nodeFs;
  const created = await fs.mkdir(dir, 0o700);
  if (created !== undefined && !opts.unsafeNoFsync) {
    // A new directory's own entry must be durable too, or a power loss can take the whole store with it.
    for (let d = dir; ; d = dirname(d)) {
      await fs.syncDir(dirname(d));
      if (d === created || dirname(d) === d) break;
    }
  }
  if (process.platform !== 'win32') await fs.chmod(dir, 0o700);
  const lock = await acquireLock(dir, fs);
  try {
    const store = new MvccStore(opts);
    const journal = await recover(fs, dir, store, lock, opts);
    store.start(journal);
    return store;
  } catch (e) {
    await lock.release();
    throw e;
  }
}

async function loadSnapshot(fs: StoreFs, dir: string, file: string, revision: number, store: MvccStore): Promise<void> {
  const path = join(dir, file);
  const buf = await fs.readFile(path);
  const base = decodeFileHeader(buf, SNAP_MAGIC, path, dir);
  if (base !== revision) throw corruptError(path, dir, 16, `header says revision ${base}, file name says ${revision}`);
  const { frames } = scanFrames(buf, FILE_HEADER_BYTES, path, dir, false);
  const bad = (offset: number, what: string) => corruptError(path, dir, offset, what);
  const first = frames.length ? decodeSnapshotRecord(frames[0].payload) : undefined;
  if (!first || first.kind !== 'meta') throw bad(FILE_HEADER_BYTES, 'snapshot does not start with its header record');
  if (first.revision !== revision) throw bad(frames[0].offset, `snapshot record says revision ${first.revision}, expected ${revision}`);
  if (frames.length !== first.count + 2) throw bad(buf.length, `snapshot should hold ${first.count} keys but has ${frames.length - 2} records (incomplete)`);
  const kvs: KeyValue[] = [];
  let lastKey: string | undefined;
  for (let i = 1; i <= first.count; i++) {
    const r = decodeSnapshotRecord(frames[i].payload);
    if (!r || r.kind !== 'kv') throw bad(frames[i].offset, 'expected a key-value record');
    const kv = r.kv;
    if (lastKey !== undefined && !(kv.key > lastKey)) throw bad(frames[i].offset, 'keys out of order');
    if (!(kv.modRevision <= revision && kv.createRevision <= kv.modRevision && kv.createRevision >= 1)) {
      throw bad(frames[i].offset, `impossible revisions for key ${JSON.stringify(kv.key)}`);
    }
    lastKey = kv.key;
    kvs.push(kv);
  }
  const end = decodeSnapshotRecord(frames[frames.length - 1].payload);
  if (!end || end.kind !== 'end' || end.count !== first.count) throw bad(frames[frames.length - 1].offset, 'snapshot end record missing or wrong');
  store.loadSnapshot(kvs, revision);
}

async function recover(fs: StoreFs, dir: string, store: MvccStore, lock: DirLock, opts: FileStoreOptions): Promise<FileJournal> {
  const sync = !opts.unsafeNoFsync;
  const names = await fs.readdir(dir);
  let removed = false;
  const snaps: number[] = [];
  const wals: number[] = [];
  for (const n of names) {
    let m: RegExpExecArray | null;
    if (n.endsWith('.tmp')) {
      await fs.unlink(join(dir, n));
      removed = true;
    } else if ((m = SNAP_RE.exec(n))) snaps.push(Number(m[1]));
    else if ((m = WAL_RE.exec(n))) wals.push(Number(m[1]));
  }
  snaps.sort((a, b) => a - b);
  wals.sort((a, b) => a - b);
  const base = snaps.length ? snaps[snaps.length - 1] : 0;
  if (snaps.length) await loadSnapshot(fs, dir, snapName(base), base, store);
  // Older snapshots and the segments the snapshot covers are debris of a crash during compaction.
  for (const r of snaps) if (r < base) await fs.unlink(join(dir, snapName(r)));
  for (const r of wals) if (r < base) await fs.unlink(join(dir, walName(r)));
  if (snaps.length > 1 || wals.some((r) => r < base)) removed = true;
  const segments = wals.filter((r) => r >= base);
  // A snapshot at R is only ever written after wal-<R> exists (rotation comes first), so its absence means
  // a lost file, not a crash.
  if (snaps.length && segments[0] !== base) {
    throw corruptError(
      join(dir, segments.length ? walName(segments[0]) : snapName(base)),
      dir,
      0,
      `log segment ${walName(base)}, which must follow snapshot ${snapName(base)}, is missing`,
    );
  }
  if (!snaps.length && segments.length && segments[0] !== 0) {
    throw corruptError(join(dir, walName(segments[0])), dir, 0, `log segment ${walName(0)} is missing and there is no snapshot`);
  }
  let fh: StoreFile | undefined;
  let pos = 0;
  for (let i = 0; i < segments.length; i++) {
    const path = join(dir, walName(segments[i]));
    const buf = await fs.readFile(path);
    const start = decodeFileHeader(buf, WAL_MAGIC, path, dir);
    if (start !== segments[i]) throw corruptError(path, dir, 16, `header says revision ${start}, file name says ${segments[i]}`);
    if (start !== store.revision()) {
      throw corruptError(path, dir, 0, `segment starts after revision ${start} but the log before it ends at revision ${store.revision()}`);
    }
    const last = i === segments.length - 1;
    const scan = scanFrames(buf, FILE_HEADER_BYTES, path, dir, last);
    for (const f of scan.frames) {
      const c = decodeChange(f.payload);
      if (!c) throw corruptError(path, dir, f.offset, 'record cannot be decoded');
      const why = store.replay(c);
      if (why) throw corruptError(path, dir, f.offset, why);
    }
    if (last) {
      fh = await fs.open(path, 'r+');
      if (scan.torn) {
        // The tail was never acknowledged (a crash during its append): cut it off.
        await fh.truncate(scan.end);
        if (sync) await fh.sync();
        failpoint('recover-after-truncate');
      }
      pos = scan.end;
    }
  }
  if (!fh) {
    fh = await createSegment(fs, dir, store.revision(), sync);
    pos = FILE_HEADER_BYTES;
    segments.push(store.revision());
  } else if (removed && sync) await fs.syncDir(dir);
  return new FileJournal(fs, dir, lock, fh, pos, opts);
}

/** Creates wal-<r>.log durably (tmp, fsync, rename, fsync dir) and opens it for appending. */
async function createSegment(fs: StoreFs, dir: string, r: number, sync: boolean): Promise<StoreFile> {
  const path = join(dir, walName(r));
  const tmp = `${path}.tmp`;
  const t = await fs.open(tmp, 'w', 0o600);
  try {
    await writeAll(t, encodeFileHeader(WAL_MAGIC, r), 0);
    if (sync) await t.sync();
  } finally {
    await t.close();
  }
  failpoint('rotate-before-rename');
  await fs.rename(tmp, path);
  failpoint('rotate-after-rename');
  if (sync) await fs.syncDir(dir);
  return fs.open(path, 'r+');
}

class FileJournal implements Journal {
  private readonly sync: boolean;
  private readonly minBytes: number;
  private readonly ratio: number;
  private segmentBytes: number;
  private snapshotting: Promise<void> | undefined;
  private retryAfter = 0;

  constructor(
    private readonly fs: StoreFs,
    private readonly dir: string,
    private readonly lock: DirLock,
    private fh: StoreFile,
    private pos: number,
    opts: FileStoreOptions,
  ) {
    this.sync = !opts.unsafeNoFsync;
    this.minBytes = opts.compactMinBytes ?? DEFAULT_COMPACT_MIN_BYTES;
    this.ratio = opts.compactRatio ?? DEFAULT_COMPACT_RATIO;
    this.segmentBytes = pos - FILE_HEADER_BYTES;
  }

  async commit(changes: readonly JournalChange[]): Promise<void> {
    const buf = encodeChanges(changes);
    failpoint('wal-before-write');
    await writeAll(this.fh, buf, this.pos);
    this.pos += buf.length;
    this.segmentBytes += buf.length;
    failpoint('wal-before-sync');
    if (this.sync) await this.fh.datasync();
    failpoint('wal-after-sync');
  }

  async afterCommit(view: CommittedView): Promise<void> {
    const threshold = Math.max(this.minBytes, this.ratio * view.liveBytes());
    // Back-pressure: when writes outrun the snapshot, hold the next batch until it is done rather than let
    // the log grow without bound.
    if (this.snapshotting && this.segmentBytes >= 2 * threshold) await this.snapshotting;
    if (this.snapshotting || Date.now() < this.retryAfter) return;
    if (this.segmentBytes < threshold) return;
    const r = view.revision();
    // Rotate first: everything after r goes to the new segment, so the snapshot at r plus the segments from
    // r on describe the store, and everything older can go once the snapshot is durable.
    const next = await createSegment(this.fs, this.dir, r, this.sync);
    await this.fh.close();
    this.fh = next;
    this.pos = FILE_HEADER_BYTES;
    this.segmentBytes = 0;
    const entries = view.entries();
    this.snapshotting = this.writeSnapshot(r, entries)
      .catch(() => {
        // The log still holds everything; try again later (e.g. after the disk has room again).
        this.retryAfter = Date.now() + SNAPSHOT_RETRY_MS;
      })
      .finally(() => {
        this.snapshotting = undefined;
      });
  }

  private async writeSnapshot(r: number, entries: readonly KeyValue[]): Promise<void> {
    const path = join(this.dir, snapName(r));
    const tmp = `${path}.tmp`;
    const fh = await this.fs.open(tmp, 'w', 0o600);
    try {
      let pos = 0;
      const put = async (b: Buffer) => {
        await writeAll(fh, b, pos);
        pos += b.length;
      };
      await put(Buffer.concat([encodeFileHeader(SNAP_MAGIC, r), encodeSnapshotMeta(r, entries.length)]));
      failpoint('snapshot-mid-write');
      for (let i = 0; i < entries.length; i += SNAPSHOT_CHUNK) await put(encodeSnapshotKvs(entries.slice(i, i + SNAPSHOT_CHUNK)));
      await put(encodeSnapshotEnd(entries.length));
      if (this.sync) await fh.sync();
    } catch (e) {
      await fh.close().catch(() => undefined);
      await this.fs.unlink(tmp).catch(() => undefined);
      throw e;
    }
    await fh.close();
    failpoint('snapshot-before-rename');
    await this.fs.rename(tmp, path);
    if (this.sync) await this.fs.syncDir(this.dir);
    failpoint('snapshot-after-rename');
    for (const n of await this.fs.readdir(this.dir)) {
      const m = SNAP_RE.exec(n) ?? WAL_RE.exec(n);
      if (m && Number(m[1]) < r) {
        await this.fs.unlink(join(this.dir, n));
        failpoint('snapshot-mid-cleanup');
      }
    }
    if (this.sync) await this.fs.syncDir(this.dir);
  }

  async close(): Promise<void> {
    try {
      while (this.snapshotting) await this.snapshotting;
      await this.fh.close();
    } finally {
      // Even after an I/O failure the directory is ours to give back.
      await this.lock.release().catch(() => undefined);
    }
  }
}
