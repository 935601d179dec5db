/**
 * A tiny protobuf writer for tests and fuzzing: builds `k8s\0` envelopes and messages field by field,
 * independently of the decoder under test.
 */
export function varint(v: number | bigint): Buffer {
  let n = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) b |= 0x80;
    out.push(b);
  } while (n > 0n);
  return Buffer.from(out);
}

export function tag(field: number, wire: number): Buffer {
  return varint((BigInt(field) << 3n) | BigInt(wire));
}

export function lenField(field: number, bytes: Buffer | string): Buffer {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return Buffer.concat([tag(field, 2), varint(b.length), b]);
}

export function varintField(field: number, v: number | bigint | boolean): Buffer {
  return Buffer.concat([tag(field, 0), varint(typeof v === 'boolean' ? (v ? 1 : 0) : v)]);
}

export function mapEntry(field: number, key: string, value: Buffer | string): Buffer {
  return lenField(field, Buffer.concat([lenField(1, key), lenField(2, value)]));
}

/** The envelope: magic + runtime.Unknown {typeMeta{apiVersion, kind}, raw, contentEncoding, contentType}. */
export function envelope(apiVersion: string, kind: string, raw: Buffer, extra: Buffer = Buffer.alloc(0)): Buffer {
  const typeMeta = Buffer.concat([lenField(1, apiVersion), lenField(2, kind)]);
  return Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), lenField(1, typeMeta), lenField(2, raw), extra]);
}
