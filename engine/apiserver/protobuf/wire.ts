/**
 * A minimal protocol-buffers wire reader: varint, 64-bit, length-delimited and 32-bit fields (groups are
 * refused; Kubernetes never uses them). Every read is bounds-checked and throws ProtobufError on truncated
 * or malformed input, so garbage can neither crash nor hang a decoder built on it: each call consumes at
 * least one byte or throws.
 */

export class ProtobufError extends Error {
  /** 400: a malformed or unknown-field body; 415: a kind this server has no protobuf decoder for. */
  readonly code: 400 | 415;
  constructor(message: string, code: 400 | 415 = 400) {
    super(message);
    this.name = 'ProtobufError';
    this.code = code;
  }
}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export interface FieldHeader {
  field: number;
  wire: number;
}

export class Reader {
  private pos: number;
  private readonly end: number;

  constructor(private readonly buf: Uint8Array, start = 0, end = buf.length) {
    this.pos = start;
    this.end = end;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** A varint as an unsigned 64-bit BigInt (at most 10 bytes). */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('unexpected end of input inside a varint');
      const b = this.buf[this.pos++];
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    throw new ProtobufError('varint longer than 10 bytes');
  }

  tag(): FieldHeader {
    const v = this.varint();
    const field = Number(v >> 3n);
    const wire = Number(v & 7n);
    if (field < 1 || field > 0x1fffffff) throw new ProtobufError(`invalid field number ${field}`);
    return { field, wire };
  }

  /** The bytes of a length-delimited field (a view, not a copy). */
  bytes(): Uint8Array {
    const len = this.varint();
    if (len > BigInt(this.end - this.pos)) {
      throw new ProtobufError(`length-delimited field of ${len} bytes overruns the input (${this.end - this.pos} left)`);
    }
    const n = Number(len);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  fixed(size: 4 | 8): Uint8Array {
    if (this.end - this.pos < size) throw new ProtobufError(`unexpected end of input inside a ${size * 8}-bit field`);
    const out = this.buf.subarray(this.pos, this.pos + size);
    this.pos += size;
    return out;
  }

  /** Skips a field's value of the given wire type. */
  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        this.fixed(8);
        return;
      case WIRE_LEN:
        this.bytes();
        return;
      case WIRE_FIXED32:
        this.fixed(4);
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${wire}`);
    }
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 strictly (Go's proto decoding of `string` fields requires valid UTF-8 too). */
export function utf8String(b: Uint8Array): string {
  try {
    return utf8.decode(b);
  } catch {
    throw new ProtobufError('string field is not valid UTF-8');
  }
}

/** int64 from a varint, as a JS number (two's complement). */
export function toInt64(v: bigint): number {
  const n = BigInt.asIntN(64, v);
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new ProtobufError(`integer ${n} is outside the range this server represents exactly`);
  }
  return Number(n);
}

/** int32 from a varint (negative int32 values are sign-extended to 10-byte varints on the wire). */
export function toInt32(v: bigint): number {
  return Number(BigInt.asIntN(32, v));
}
