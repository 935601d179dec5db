/**
 * SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 with the 3.1 session flow control): an incremental
 * frame parser, frame encoders, and the name/value header block format (before compression). Pure and
 * synchronous; compression and stream state live in spdy-session.ts.
 *
 * Contract: the parser never throws anything but SpdyProtocolError, whatever bytes it is fed, and never
 * buffers more than one frame (at most 8 + 2^24 - 1 bytes, and less with `maxFrameBytes`).
 */

export const SPDY_VERSION = 3;

export const FrameType = {
  SYN_STREAM: 1,
  SYN_REPLY: 2,
  RST_STREAM: 3,
  SETTINGS: 4,
  PING: 6,
  GOAWAY: 7,
  HEADERS: 8,
  WINDOW_UPDATE: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RstStatus = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  UNSUPPORTED_VERSION: 4,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7,
  STREAM_IN_USE: 8,
  STREAM_ALREADY_CLOSED: 9,
} as const;

/** SETTINGS ids used here. */
export const SETTINGS_INITIAL_WINDOW_SIZE = 7;

export type Frame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedId: number; priority: number; flags: number; headerBlock: Buffer }
  | { type: 'syn_reply'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'headers'; streamId: number; flags: number; headerBlock: Buffer }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; flags: number; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'window_update'; streamId: number; delta: number }
  | { type: 'unknown'; frameType: number };

export class SpdyProtocolError extends Error {}

const MAX_LENGTH = 0xffffff;

/** Incremental parser: feed bytes as they arrive, get whole frames back. */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly maxFrameBytes = MAX_LENGTH) {}

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    while (this.buf.length >= 8) {
      const length = this.buf.readUIntBE(5, 3);
      if (length > this.maxFrameBytes) throw new SpdyProtocolError(`frame of ${length} bytes exceeds the limit of ${this.maxFrameBytes}`);
      if (this.buf.length < 8 + length) break;
      const head = this.buf.subarray(0, 8);
      const payload = this.buf.subarray(8, 8 + length);
      this.buf = this.buf.subarray(8 + length);
      out.push(parseFrame(head, payload));
    }
    return out;
  }
}

function parseFrame(head: Buffer, p: Buffer): Frame {
  const flags = head[4]!;
  if ((head[0]! & 0x80) === 0) {
    return { type: 'data', streamId: head.readUInt32BE(0) & 0x7fffffff, flags, data: Buffer.from(p) };
  }
  const version = head.readUInt16BE(0) & 0x7fff;
  if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
  const type = head.readUInt16BE(2);
  const need = (n: number): void => {
    if (p.length < n) throw new SpdyProtocolError(`control frame type ${type} is too short (${p.length} bytes)`);
  };
  switch (type) {
    case FrameType.SYN_STREAM:
      need(10);
      return {
        type: 'syn_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, associatedId: p.readUInt32BE(4) & 0x7fffffff,
        priority: p[8]! >> 5, flags, headerBlock: Buffer.from(p.subarray(10)),
      };
    case FrameType.SYN_REPLY:
      need(4);
      return { type: 'syn_reply', streamId: p.readUInt32BE(0) & 0x7fffffff, flags, headerBlock: Buffer.from(p.subarray(4)) };
    case FrameType.HEADERS:
      need(4);
      return { type: 'headers', streamId: p.readUInt32BE(0) & 0x7fffffff, flags, headerBlock: Buffer.from(p.subarray(4)) };
    case FrameType.RST_STREAM:
      need(8);
      return { type: 'rst_stream', streamId: p.readUInt32BE(0) & 0x7fffffff, status: p.readUInt32BE(4) };
    case FrameType.SETTINGS: {
      need(4);
      const n = p.readUInt32BE(0);
      if (p.length !== 4 + n * 8) throw new SpdyProtocolError(`SETTINGS frame announces ${n} entries in ${p.length} bytes`);
      const entries = [];
      for (let i = 0; i < n; i++) {
        const o = 4 + i * 8;
        entries.push({ flags: p[o]!, id: p.readUIntBE(o + 1, 3), value: p.readUInt32BE(o + 4) });
      }
      return { type: 'settings', flags, entries };
    }
    case FrameType.PING:
      need(4);
      return { type: 'ping', id: p.readUInt32BE(0) };
    case FrameType.GOAWAY:
      need(4);
      return { type: 'goaway', lastGoodStreamId: p.readUInt32BE(0) & 0x7fffffff, status: p.length >= 8 ? p.readUInt32BE(4) : 0 };
    case FrameType.WINDOW_UPDATE:
      need(8);
      return { type: 'window_update', streamId: p.readUInt32BE(0) & 0x7fffffff, delta: p.readUInt32BE(4) & 0x7fffffff };
    default:
      // Unknown control frames must be ignored (spec §2.2.1).
      return { type: 'unknown', frameType: type };
  }
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  if (payload.length > MAX_LENGTH) throw new RangeError(`control frame payload of ${payload.length} bytes is too long`);
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  h.writeUInt16BE(type, 2);
  h[4] = flags;
  h.writeUIntBE(payload.length, 5, 3);
  return Buffer.concat([h, payload]);
}

function u32s(...values: number[]): Buffer {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

export function encodeData(streamId: number, data: Buffer, fin = false): Buffer {
  if (data.length > MAX_LENGTH) throw new RangeError(`data frame of ${data.length} bytes is too long`);
  const h = Buffer.alloc(8);
  h.writeUInt32BE(streamId & 0x7fffffff, 0);
  h[4] = fin ? FLAG_FIN : 0;
  h.writeUIntBE(data.length, 5, 3);
  return Buffer.concat([h, data]);
}

export function encodeSynStream(streamId: number, headerBlock: Buffer, flags = 0, associatedId = 0, priority = 0): Buffer {
  const p = Buffer.alloc(10);
  p.writeUInt32BE(streamId & 0x7fffffff, 0);
  p.writeUInt32BE(associatedId & 0x7fffffff, 4);
  p[8] = (priority & 7) << 5;
  return control(FrameType.SYN_STREAM, flags, Buffer.concat([p, headerBlock]));
}

export function encodeSynReply(streamId: number, headerBlock: Buffer, flags = 0): Buffer {
  return control(FrameType.SYN_REPLY, flags, Buffer.concat([u32s(streamId & 0x7fffffff), headerBlock]));
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  return control(FrameType.RST_STREAM, 0, u32s(streamId & 0x7fffffff, status));
}

export function encodeSettings(entries: { id: number; value: number; flags?: number }[], flags = 0): Buffer {
  const p = Buffer.alloc(4 + entries.length * 8);
  p.writeUInt32BE(entries.length, 0);
  entries.forEach((e, i) => {
    p[4 + i * 8] = e.flags ?? 0;
    p.writeUIntBE(e.id, 5 + i * 8, 3);
    p.writeUInt32BE(e.value >>> 0, 8 + i * 8);
  });
  return control(FrameType.SETTINGS, flags, p);
}

export function encodePing(id: number): Buffer {
  return control(FrameType.PING, 0, u32s(id));
}

export function encodeGoaway(lastGoodStreamId: number, status = 0): Buffer {
  return control(FrameType.GOAWAY, 0, u32s(lastGoodStreamId & 0x7fffffff, status));
}

export function encodeWindowUpdate(streamId: number, delta: number): Buffer {
  return control(FrameType.WINDOW_UPDATE, 0, u32s(streamId & 0x7fffffff, delta & 0x7fffffff));
}

/** The uncompressed name/value block: a 32-bit count, then length-prefixed names and values. */
export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const parts: Buffer[] = [u32s(Object.keys(headers).length)];
  for (const [k, v] of Object.entries(headers)) {
    const name = Buffer.from(k.toLowerCase(), 'utf8');
    const value = Buffer.from(v, 'utf8');
    parts.push(u32s(name.length), name, u32s(value.length), value);
  }
  return Buffer.concat(parts);
}

/**
 * Parses an uncompressed name/value block. Names are lower-cased; a value holding several values
 * (NUL-separated) is kept joined with ", ", as HTTP does for repeated headers.
 */
export function decodeHeaderBlock(b: Buffer): Record<string, string> {
  if (b.length < 4) throw new SpdyProtocolError('header block is too short');
  const n = b.readUInt32BE(0);
  // Each pair needs at least 8 bytes: a larger count is a lie that must not drive a loop.
  if (n > (b.length - 4) / 8) throw new SpdyProtocolError(`header block announces ${n} pairs in ${b.length} bytes`);
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  let o = 4;
  const str = (): string => {
    if (o + 4 > b.length) throw new SpdyProtocolError('header block is truncated');
    const len = b.readUInt32BE(o);
    o += 4;
    if (len > b.length - o) throw new SpdyProtocolError('header block is truncated');
    const s = b.toString('utf8', o, o + len);
    o += len;
    return s;
  };
  for (let i = 0; i < n; i++) {
    const name = str();
    const value = str();
    if (!name) throw new SpdyProtocolError('header block has an empty name');
    const k = name.toLowerCase();
    out[k] = value.split('\0').join(', ');
  }
  return out;
}
