/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial) of a byte range.
 * Uses Node's `zlib.crc32` when present (Node ≥ 20.15); VS Code builds on older Node 20 get the table
 * implementation below, which gives identical results.
 */
import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array) => number;

let table: Uint32Array | undefined;

function makeTable(): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}

/** The portable implementation (exported so tests can compare it with zlib's). */
export function crc32Portable(data: Uint8Array): number {
  const t = (table ??= makeTable());
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = t[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const native = (zlib as unknown as { crc32?: (data: Uint8Array) => number }).crc32;

export const crc32: Crc32 = typeof native === 'function' ? (data) => native(data) >>> 0 : crc32Portable;
