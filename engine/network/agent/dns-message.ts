/**
 * DNS wire format (RFC 1035, SRV from RFC 2782): just enough to answer cluster names and relay the rest.
 * Contract: decodeQuery never throws on hostile input except with DnsFormatError (the server answers
 * FORMERR or drops it); name decompression follows pointers backwards only, so it always terminates.
 */
export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, TXT: 16, AAAA: 28, SRV: 33, ANY: 255 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
const CLASS_IN = 1;

export class DnsFormatError extends Error {}

export interface Question {
  name: string;
  type: number;
  class: number;
}

export interface Query {
  id: number;
  flags: number;
  question: Question;
  /** Byte length of header + question, so a reply can echo the question verbatim. */
  questionEnd: number;
}

export type RecordData =
  | { type: typeof TYPE.A; address: string }
  | { type: typeof TYPE.AAAA; address: string }
  | { type: typeof TYPE.CNAME; target: string }
  | { type: typeof TYPE.PTR; target: string }
  | { type: typeof TYPE.SRV; priority: number; weight: number; port: number; target: string }
  | { type: typeof TYPE.SOA; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number };

export type ResourceRecord = RecordData & { name: string; ttl: number };

function readName(buf: Buffer, offset: number): { name: string; next: number } {
  const labels: string[] = [];
  let pos = offset;
  let next = -1;
  let length = 0;
  for (;;) {
    if (pos >= buf.length) throw new DnsFormatError('name runs past the message');
    const len = buf[pos]!;
    if (len === 0) {
      pos += 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= buf.length) throw new DnsFormatError('truncated compression pointer');
      const ptr = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (ptr >= pos) throw new DnsFormatError('compression pointer does not point backwards');
      if (next < 0) next = pos + 2;
      pos = ptr;
      continue;
    }
    if (len & 0xc0) throw new DnsFormatError('unsupported label type');
    if (pos + 1 + len > buf.length) throw new DnsFormatError('label runs past the message');
    labels.push(buf.toString('latin1', pos + 1, pos + 1 + len));
    length += len + 1;
    if (length > 255) throw new DnsFormatError('name longer than 255 bytes');
    pos += 1 + len;
  }
  return { name: labels.join('.').toLowerCase(), next: next >= 0 ? next : pos };
}

export function decodeQuery(buf: Buffer): Query {
  if (buf.length < 12) throw new DnsFormatError('message shorter than a header');
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  if (flags & 0x8000) throw new DnsFormatError('not a query');
  const qdcount = buf.readUInt16BE(4);
  if (qdcount !== 1) throw new DnsFormatError(`expected one question, got ${qdcount}`);
  const { name, next } = readName(buf, 12);
  if (next + 4 > buf.length) throw new DnsFormatError('truncated question');
  return { id, flags, question: { name, type: buf.readUInt16BE(next), class: buf.readUInt16BE(next + 2) }, questionEnd: next + 4 };
}

function encodeName(name: string): Buffer {
  const parts = name.replace(/\.$/, '').split('.').filter((p) => p.length > 0);
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const b = Buffer.from(p, 'latin1');
    if (b.length > 63) throw new DnsFormatError(`label "${p}" longer than 63 bytes`);
    chunks.push(Buffer.from([b.length]), b);
  }
  chunks.push(Buffer.from([0]));
  return Buffer.concat(chunks);
}

function ipv4(address: string): Buffer {
  const parts = address.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new DnsFormatError(`bad IPv4 address ${address}`);
  return Buffer.from(parts);
}

function ipv6(address: string): Buffer {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (groups.length !== 8) throw new DnsFormatError(`bad IPv6 address ${address}`);
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function encodeRecord(rr: ResourceRecord): Buffer {
  let rdata: Buffer;
  switch (rr.type) {
    case TYPE.A:
      rdata = ipv4(rr.address);
      break;
    case TYPE.AAAA:
      rdata = ipv6(rr.address);
      break;
    case TYPE.CNAME:
    case TYPE.PTR:
      rdata = encodeName(rr.target);
      break;
    case TYPE.SRV: {
      const head = Buffer.alloc(6);
      head.writeUInt16BE(rr.priority, 0);
      head.writeUInt16BE(rr.weight, 2);
      head.writeUInt16BE(rr.port, 4);
      rdata = Buffer.concat([head, encodeName(rr.target)]);
      break;
    }
    case TYPE.SOA: {
      const nums = Buffer.alloc(20);
      [rr.serial, rr.refresh, rr.retry, rr.expire, rr.minimum].forEach((n, i) => nums.writeUInt32BE(n >>> 0, i * 4));
      rdata = Buffer.concat([encodeName(rr.mname), encodeName(rr.rname), nums]);
      break;
    }
  }
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(rr.type, 0);
  fixed.writeUInt16BE(CLASS_IN, 2);
  fixed.writeUInt32BE(rr.ttl >>> 0, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(rr.name), fixed, rdata]);
}

/**
 * Builds a response to `query` from the original message bytes (the question is echoed as sent).
 * When `maxSize` is given (UDP: 512) and the answer does not fit, the TC bit is set and records dropped.
 */
export function encodeResponse(
  raw: Buffer,
  query: Query,
  rcode: number,
  answers: ResourceRecord[],
  authority: ResourceRecord[] = [],
  maxSize = Infinity,
): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(query.id, 0);
  // QR=1, opcode copied, AA=1, RD copied, RA=1.
  const flags = 0x8000 | (query.flags & 0x7800) | 0x0400 | (query.flags & 0x0100) | 0x0080 | (rcode & 0xf);
  const question = raw.subarray(12, query.questionEnd);
  let ans = answers.map(encodeRecord);
  const auth = authority.map(encodeRecord);
  let truncated = false;
  const size = () => 12 + question.length + [...ans, ...auth].reduce((n, b) => n + b.length, 0);
  while (ans.length > 0 && size() > maxSize) {
    ans = ans.slice(0, -1);
    truncated = true;
  }
  header.writeUInt16BE(flags | (truncated ? 0x0200 : 0), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(ans.length, 6);
  header.writeUInt16BE(truncated ? 0 : auth.length, 8);
  header.writeUInt16BE(0, 10);
  return Buffer.concat([header, question, ...ans, ...(truncated ? [] : auth)]);
}

/** A minimal query message (used by tests and by the engine's own health checks of the DNS agent). */
export function encodeQuery(id: number, name: string, type: number): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(0x0100, 2); // RD
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(CLASS_IN, 2);
  return Buffer.concat([header, encodeName(name), tail]);
}

/** Decodes a response's answer section (for tests and clients); supports compression pointers. */
export function decodeResponse(buf: Buffer): { id: number; rcode: number; truncated: boolean; answers: ResourceRecord[] } {
  if (buf.length < 12) throw new DnsFormatError('message shorter than a header');
  const flags = buf.readUInt16BE(2);
  const qd = buf.readUInt16BE(4);
  const an = buf.readUInt16BE(6);
  let pos = 12;
  for (let i = 0; i < qd; i++) pos = readName(buf, pos).next + 4;
  const answers: ResourceRecord[] = [];
  for (let i = 0; i < an; i++) {
    const { name, next } = readName(buf, pos);
    const type = buf.readUInt16BE(next);
    const ttl = buf.readUInt32BE(next + 4);
    const len = buf.readUInt16BE(next + 8);
    const at = next + 10;
    if (type === TYPE.A) answers.push({ name, ttl, type, address: [...buf.subarray(at, at + 4)].join('.') });
    else if (type === TYPE.CNAME || type === TYPE.PTR) answers.push({ name, ttl, type, target: readName(buf, at).name });
    else if (type === TYPE.SRV) {
      answers.push({ name, ttl, type, priority: buf.readUInt16BE(at), weight: buf.readUInt16BE(at + 2), port: buf.readUInt16BE(at + 4), target: readName(buf, at + 6).name });
    } else if (type === TYPE.AAAA) {
      const groups: string[] = [];
      for (let g = 0; g < 8; g++) groups.push(buf.readUInt16BE(at + g * 2).toString(16));
      answers.push({ name, ttl, type, address: groups.join(':') });
    }
    pos = at + len;
  }
  return { id: buf.readUInt16BE(0), rcode: flags & 0xf, truncated: (flags & 0x0200) !== 0, answers };
}
