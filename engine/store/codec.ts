/**
 * On-disk encoding of the file store: file headers, checksummed record frames, and record payloads.
 *
 * Every file starts with a 28-byte header:
 *   magic (8 bytes: "WHWAL\0\0\0" or "WHSNAP\0\0") | u32 format version | u32 reserved (0)
 *   | f64 base revision | u32 CRC-32 of the previous 24 bytes
 * followed by frames:
 *   u32 payload length | u32 CRC-32 of the payload | u32 CRC-32 of the previous 8 bytes | payload
 * All integers little-endian; revisions and times are f64 (exact up to 2^53).
 *
 * The frame header has its own checksum so that a damaged length can never be mistaken for a torn tail
 * (which would silently drop the records after it). A torn tail — the file ends inside a frame, or the rest
 * of the file is zero bytes — is what a crash during an append leaves; anything else that fails a checksum
 * is corruption.
 */
import { crc32 } from './crc32.ts';
import { StoreError } from './types.ts';

export const FORMAT_VERSION = 1;
export const FILE_HEADER_BYTES = 28;
export const FRAME_HEADER_BYTES = 12;
export const WAL_MAGIC = Buffer.from('WHWAL\0\0\0', 'latin1');
export const SNAP_MAGIC = Buffer.from('WHSNAP\0\0', 'latin1');

/** WAL payload kinds. */
export const OP_PUT = 1;
export const OP_DELETE = 2;
/** Snapshot payload kinds. */
export const SNAP_META = 0x10;
export const SNAP_KV = 0x11;
export const SNAP_END = 0x12;

/** A change as journaled: one per revision. */
export interface JournalChange {
  op: 'put' | 'delete';
  key: string;
  /** Empty for a delete. */
  value: string;
  revision: number;
  /** Wall-clock ms when the write was accepted (drives the history time window after a restart). */
  time: number;
}

export function corruptError(file: string, dataDir: string, offset: number, what: string): StoreError {
  return new StoreError(
    'Corrupt',
    `store file ${file} is corrupt at byte offset ${offset}: ${what}. ` +
      'The store refuses to open rather than misread it. To recover: stop the engine, move the data directory ' +
      `aside (mv "${dataDir}" "${dataDir}.corrupt") and restore it from a backup, or start with an empty data ` +
      'directory (the objects it held are then lost).',
  );
}

export function encodeFileHeader(magic: Buffer, baseRevision: number): Buffer {
  const b = Buffer.alloc(FILE_HEADER_BYTES);
  magic.copy(b, 0);
  b.writeUInt32LE(FORMAT_VERSION, 8);
  b.writeUInt32LE(0, 12);
  b.writeDoubleLE(baseRevision, 16);
  b.writeUInt32LE(crc32(b.subarray(0, 24)), 24);
  return b;
}

/** Checks a file header; returns its base revision or throws Corrupt. */
export function decodeFileHeader(buf: Buffer, magic: Buffer, file: string, dataDir: string): number {
  if (buf.length < FILE_HEADER_BYTES) throw corruptError(file, dataDir, 0, `file is ${buf.length} bytes, shorter than its ${FILE_HEADER_BYTES}-byte header`);
  if (!buf.subarray(0, 8).equals(magic)) throw corruptError(file, dataDir, 0, 'not a Wheelhouse store file of the expected kind (bad magic)');
  if (buf.readUInt32LE(24) !== crc32(buf.subarray(0, 24))) throw corruptError(file, dataDir, 0, 'file header checksum mismatch');
  const version = buf.readUInt32LE(8);
  if (version !== FORMAT_VERSION) {
    throw corruptError(file, dataDir, 8, `format version ${version}; this build reads version ${FORMAT_VERSION} (was it written by a newer Wheelhouse?)`);
  }
  return buf.readDoubleLE(16);
}

/** Writes one frame around a payload already placed at buf[at + 12, at + 12 + len). */
function sealFrame(buf: Buffer, at: number, len: number): void {
  buf.writeUInt32LE(len, at);
  buf.writeUInt32LE(crc32(buf.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + len)), at + 4);
  buf.writeUInt32LE(crc32(buf.subarray(at, at + 8)), at + 8);
}

const WAL_FIXED = 1 + 8 + 8 + 4;

/** Encodes a batch of journal changes as consecutive frames in one buffer. */
export function encodeChanges(changes: readonly JournalChange[]): Buffer {
  const sizes = new Array<number>(changes.length * 2);
  let total = 0;
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i];
    const k = Buffer.byteLength(c.key);
    const v = c.op === 'put' ? Buffer.byteLength(c.value) : 0;
    sizes[2 * i] = k;
    sizes[2 * i + 1] = v;
    total += FRAME_HEADER_BYTES + WAL_FIXED + k + v;
  }
  const buf = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i];
    const k = sizes[2 * i];
    const v = sizes[2 * i + 1];
    let p = at + FRAME_HEADER_BYTES;
    buf[p] = c.op === 'put' ? OP_PUT : OP_DELETE;
    buf.writeDoubleLE(c.revision, p + 1);
    buf.writeDoubleLE(c.time, p + 9);
    buf.writeUInt32LE(k, p + 17);
    p += WAL_FIXED;
    buf.write(c.key, p, k, 'utf8');
    if (v) buf.write(c.value, p + k, v, 'utf8');
    sealFrame(buf, at, WAL_FIXED + k + v);
    at += FRAME_HEADER_BYTES + WAL_FIXED + k + v;
  }
  return buf;
}

/** Decodes a WAL payload; undefined when it is malformed (the caller reports Corrupt). */
export function decodeChange(p: Buffer): JournalChange | undefined {
  if (p.length < WAL_FIXED) return undefined;
  const op = p[0];
  if (op !== OP_PUT && op !== OP_DELETE) return undefined;
  const keyLen = p.readUInt32LE(17);
  if (WAL_FIXED + keyLen > p.length) return undefined;
  if (op === OP_DELETE && WAL_FIXED + keyLen !== p.length) return undefined;
  return {
    op: op === OP_PUT ? 'put' : 'delete',
    revision: p.readDoubleLE(1),
    time: p.readDoubleLE(9),
    key: p.toString('utf8', WAL_FIXED, WAL_FIXED + keyLen),
    value: op === OP_PUT ? p.toString('utf8', WAL_FIXED + keyLen) : '',
  };
}

/** Snapshot frames: meta, one per live key (in key order), end. */
export function encodeSnapshotMeta(revision: number, count: number): Buffer {
  const len = 17;
  const b = Buffer.allocUnsafe(FRAME_HEADER_BYTES + len);
  b[FRAME_HEADER_BYTES] = SNAP_META;
  b.writeDoubleLE(revision, FRAME_HEADER_BYTES + 1);
  b.writeDoubleLE(count, FRAME_HEADER_BYTES + 9);
  sealFrame(b, 0, len);
  return b;
}

export function encodeSnapshotEnd(count: number): Buffer {
  const len = 9;
  const b = Buffer.allocUnsafe(FRAME_HEADER_BYTES + len);
  b[FRAME_HEADER_BYTES] = SNAP_END;
  b.writeDoubleLE(count, FRAME_HEADER_BYTES + 1);
  sealFrame(b, 0, len);
  return b;
}

const KV_FIXED = 1 + 8 + 8 + 4;

export interface SnapshotKv {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
}

export function encodeSnapshotKvs(kvs: readonly SnapshotKv[]): Buffer {
  let total = 0;
  const sizes = new Array<number>(kvs.length * 2);
  for (let i = 0; i < kvs.length; i++) {
    sizes[2 * i] = Buffer.byteLength(kvs[i].key);
    sizes[2 * i + 1] = Buffer.byteLength(kvs[i].value);
    total += FRAME_HEADER_BYTES + KV_FIXED + sizes[2 * i] + sizes[2 * i + 1];
  }
  const buf = Buffer.allocUnsafe(total);
  let at = 0;
  for (let i = 0; i < kvs.length; i++) {
    const kv = kvs[i];
    const k = sizes[2 * i];
    const v = sizes[2 * i + 1];
    const p = at + FRAME_HEADER_BYTES;
    buf[p] = SNAP_KV;
    buf.writeDoubleLE(kv.createRevision, p + 1);
    buf.writeDoubleLE(kv.modRevision, p + 9);
    buf.writeUInt32LE(k, p + 17);
    buf.write(kv.key, p + KV_FIXED, k, 'utf8');
    buf.write(kv.value, p + KV_FIXED + k, v, 'utf8');
    sealFrame(buf, at, KV_FIXED + k + v);
    at += FRAME_HEADER_BYTES + KV_FIXED + k + v;
  }
  return buf;
}

export type SnapshotRecord =
  | { kind: 'meta'; revision: number; count: number }
  | { kind: 'kv'; kv: SnapshotKv }
  | { kind: 'end'; count: number };

export function decodeSnapshotRecord(p: Buffer): SnapshotRecord | undefined {
  if (p.length < 1) return undefined;
  switch (p[0]) {
    case SNAP_META:
      return p.length === 17 ? { kind: 'meta', revision: p.readDoubleLE(1), count: p.readDoubleLE(9) } : undefined;
    case SNAP_END:
      return p.length === 9 ? { kind: 'end', count: p.readDoubleLE(1) } : undefined;
    case SNAP_KV: {
      if (p.length < KV_FIXED) return undefined;
      const k = p.readUInt32LE(17);
      if (KV_FIXED + k > p.length) return undefined;
      return {
        kind: 'kv',
        kv: {
          createRevision: p.readDoubleLE(1),
          modRevision: p.readDoubleLE(9),
          key: p.toString('utf8', KV_FIXED, KV_FIXED + k),
          value: p.toString('utf8', KV_FIXED + k),
        },
      };
    }
    default:
      return undefined;
  }
}

export interface Frame {
  offset: number;
  payload: Buffer;
}

export interface ScanResult {
  frames: Frame[];
  /** Offset just after the last complete frame. */
  end: number;
  /** True when bytes after `end` are a torn tail (only possible when allowed). */
  torn: boolean;
}

function allZero(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/**
 * Reads the frames of a file body from `start`. A torn tail is reported (not thrown) when `allowTornTail`;
 * every other defect throws Corrupt naming the file and offset.
 */
export function scanFrames(buf: Buffer, start: number, file: string, dataDir: string, allowTornTail: boolean): ScanResult {
  const frames: Frame[] = [];
  let at = start;
  const torn = (what: string): ScanResult => {
    if (!allowTornTail) throw corruptError(file, dataDir, at, `${what} (the file ends inside a record)`);
    return { frames, end: at, torn: true };
  };
  while (at < buf.length) {
    if (buf.length - at < FRAME_HEADER_BYTES) {
      return torn('incomplete record header');
    }
    const len = buf.readUInt32LE(at);
    if (buf.readUInt32LE(at + 8) !== crc32(buf.subarray(at, at + 8))) {
      if (allZero(buf, at)) return torn('zero-filled tail');
      throw corruptError(file, dataDir, at, 'record header checksum mismatch');
    }
    if (at + FRAME_HEADER_BYTES + len > buf.length) return torn(`record of ${len} bytes is cut short`);
    const payload = buf.subarray(at + FRAME_HEADER_BYTES, at + FRAME_HEADER_BYTES + len);
    if (buf.readUInt32LE(at + 4) !== crc32(payload)) throw corruptError(file, dataDir, at, 'record checksum mismatch');
    frames.push({ offset: at, payload });
    at += FRAME_HEADER_BYTES + len;
  }
  return { frames, end: at, torn: false };
}
