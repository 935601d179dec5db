/**
 * Protobuf request bodies (`Content-Type: application/vnd.kubernetes.protobuf`), which kubectl ≥ 1.32 sends
 * for its typed-client commands (research/kubectl-compat.md, gotcha 3).
 *
 * `decodeProtobuf(body)` reads the envelope — the 4 magic bytes `k8s\0` and a runtime.Unknown
 * {typeMeta, raw, contentEncoding, contentType} — and decodes `raw` by the message of its typeMeta
 * (messages.ts) into the JSON object the API would have received, with `apiVersion` and `kind` first and
 * zero-valued non-pointer fields left out, as Go's JSON encoding of the decoded struct would.
 * Any problem throws ProtobufError (wire.ts): `code` 400 for a malformed body or a field number this
 * decoder does not know (the message names the message and field: data is never dropped silently), 415 for
 * a kind without a decoder here.
 */
import { KINDS, MESSAGES, qualifiedName } from './messages.ts';
import type { FieldDesc, FieldType, Scalar } from './messages.ts';
import { ProtobufError, Reader, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT, toInt32, toInt64, utf8String } from './wire.ts';

export { ProtobufError } from './wire.ts';

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

/** True for `application/vnd.kubernetes.protobuf` (parameters ignored; not the `;stream=watch` form). */
export function isProtobuf(contentType: string): boolean {
  const [mt, ...params] = contentType.split(';').map((x) => x.trim().toLowerCase());
  if (mt !== 'application/vnd.kubernetes.protobuf') return false;
  return !params.some((p) => p.replace(/\s+/g, '') === 'stream=watch');
}

type Json = Record<string, unknown>;

export function decodeProtobuf(body: Buffer | Uint8Array): object {
  if (body.length < 4 || MAGIC.some((b, i) => body[i] !== b)) {
    throw new ProtobufError('protobuf body does not start with the "k8s\\0" magic prefix');
  }
  const envelope = decodeMessage(body, 4, body.length, 'runtime.Unknown', 0);
  const typeMeta = (envelope.typeMeta ?? {}) as Json;
  const apiVersion = typeof typeMeta.apiVersion === 'string' ? typeMeta.apiVersion : '';
  const kind = typeof typeMeta.kind === 'string' ? typeMeta.kind : '';
  if (!apiVersion || !kind) throw new ProtobufError('protobuf envelope has no apiVersion/kind (runtime.Unknown typeMeta)');
  if (typeof envelope.contentEncoding === 'string' && envelope.contentEncoding !== '') {
    throw new ProtobufError(`unsupported protobuf contentEncoding ${JSON.stringify(envelope.contentEncoding)}`);
  }
  if (typeof envelope.contentType === 'string' && envelope.contentType !== '' && envelope.contentType !== 'application/vnd.kubernetes.protobuf') {
    throw new ProtobufError(`unsupported protobuf contentType ${JSON.stringify(envelope.contentType)}`);
  }
  const msg = KINDS[`${apiVersion}/${kind}`];
  if (!msg) {
    throw new ProtobufError(`this server does not decode protobuf bodies of ${apiVersion}, Kind=${kind}; send application/json`, 415);
  }
  const raw = envelope.raw instanceof Uint8Array ? envelope.raw : new Uint8Array(0);
  const obj = decodeMessage(raw, 0, raw.length, msg, 0);
  return { apiVersion, kind, ...obj };
}

/** Descriptors nest at most this deep (they are acyclic); a guard against a future cyclic descriptor. */
const MAX_NESTING = 64;

function decodeMessage(buf: Uint8Array, start: number, end: number, msg: string, depth: number): Json {
  if (depth > MAX_NESTING) throw new ProtobufError(`protobuf message nesting deeper than ${MAX_NESTING}`);
  const desc = MESSAGES[msg];
  if (!desc) throw new ProtobufError(`no descriptor for protobuf message ${qualifiedName(msg)}`);
  const r = new Reader(buf, start, end);
  const out: Json = {};
  while (!r.done) {
    const { field, wire } = r.tag();
    const fd: FieldDesc | undefined = desc[field];
    if (!fd) {
      throw new ProtobufError(`unknown field number ${field} (wire type ${wire}) in protobuf message ${qualifiedName(msg)}`);
    }
    const value = readValue(r, wire, fd.type, fd, msg, depth);
    if (fd.repeated) {
      const list = (out[fd.name] ?? []) as unknown[];
      if (Array.isArray(value)) list.push(...value);
      else list.push(value);
      out[fd.name] = list;
    } else if (typeof fd.type === 'object' && 'map' in fd.type) {
      const [k, v] = value as [string, unknown];
      const map = (out[fd.name] ?? {}) as Json;
      Object.defineProperty(map, k, { value: v, enumerable: true, configurable: true, writable: true });
      out[fd.name] = map;
    } else if (fd.inline) {
      Object.assign(out, value as Json);
    } else if (typeof fd.type === 'object' && 'msg' in fd.type && isObject(out[fd.name]) && isObject(value)) {
      // A message field repeated on the wire merges (protobuf semantics).
      out[fd.name] = { ...(out[fd.name] as Json), ...value };
    } else {
      out[fd.name] = value;
    }
  }
  // Go's JSON drops zero values of non-pointer fields (`omitempty`); pointer fields set on the wire stay.
  for (const fd of Object.values(desc)) {
    if (!(fd.name in out) || fd.opt || fd.repeated) continue;
    const v = out[fd.name];
    if (v === '' || v === 0 || v === false || v === null) delete out[fd.name];
  }
  return out;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function expectWire(actual: number, expected: number, fd: FieldDesc, msg: string): void {
  if (actual !== expected) {
    throw new ProtobufError(`field ${fd.name} of protobuf message ${qualifiedName(msg)} has wire type ${actual}, expected ${expected}`);
  }
}

function readValue(r: Reader, wire: number, type: FieldType, fd: FieldDesc, msg: string, depth: number): unknown {
  if (typeof type === 'object') {
    expectWire(wire, WIRE_LEN, fd, msg);
    const b = r.bytes();
    if ('msg' in type) return decodeMessage(b, 0, b.length, type.msg, depth + 1);
    return readMapEntry(b, type.map, fd, msg, depth);
  }
  // Packed repeated scalars (proto3 style) arrive length-delimited.
  if (fd.repeated && wire === WIRE_LEN && (type === 'int32' || type === 'int64' || type === 'bool')) {
    const b = r.bytes();
    const inner = new Reader(b);
    const out: unknown[] = [];
    while (!inner.done) out.push(readScalar(inner, WIRE_VARINT, type, fd, msg));
    return out;
  }
  return readScalar(r, wire, type, fd, msg);
}

function readMapEntry(b: Uint8Array, valueType: Scalar | { msg: string }, fd: FieldDesc, msg: string, depth: number): [string, unknown] {
  const r = new Reader(b);
  let key = '';
  let value: unknown;
  const valueDesc: FieldDesc = { name: `${fd.name} value`, type: valueType };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) {
      expectWire(wire, WIRE_LEN, fd, msg);
      key = utf8String(r.bytes());
    } else if (field === 2) {
      value = readValue(r, wire, valueType, valueDesc, msg, depth);
    } else {
      throw new ProtobufError(`unknown field number ${field} in a map entry of ${fd.name} in protobuf message ${qualifiedName(msg)}`);
    }
  }
  if (value === undefined) value = zeroOf(valueType);
  return [key, value];
}

function zeroOf(t: Scalar | { msg: string }): unknown {
  if (typeof t === 'object') return {};
  switch (t) {
    case 'string':
    case 'bytes':
    case 'quantity':
      return '';
    case 'bool':
      return false;
    default:
      return 0;
  }
}

function readScalar(r: Reader, wire: number, type: Scalar, fd: FieldDesc, msg: string): unknown {
  switch (type) {
    case 'string':
      expectWire(wire, WIRE_LEN, fd, msg);
      return utf8String(r.bytes());
    case 'bytes':
      expectWire(wire, WIRE_LEN, fd, msg);
      return fd.name === 'raw' ? r.bytes() : Buffer.from(r.bytes()).toString('base64');
    case 'bool':
      expectWire(wire, WIRE_VARINT, fd, msg);
      return r.varint() !== 0n;
    case 'int32':
      expectWire(wire, WIRE_VARINT, fd, msg);
      return toInt32(r.varint());
    case 'int64':
      expectWire(wire, WIRE_VARINT, fd, msg);
      return toInt64(r.varint());
    case 'double': {
      expectWire(wire, WIRE_FIXED64, fd, msg);
      const b = r.fixed(8);
      return new DataView(b.buffer, b.byteOffset, 8).getFloat64(0, true);
    }
    case 'time':
    case 'microtime':
      expectWire(wire, WIRE_LEN, fd, msg);
      return decodeTime(r.bytes(), type === 'microtime', fd, msg);
    case 'quantity': {
      expectWire(wire, WIRE_LEN, fd, msg);
      const q = decodeSub(r.bytes(), { 1: 'string' }, 'resource.Quantity');
      return typeof q[1] === 'string' ? q[1] : '0';
    }
    case 'intstr': {
      expectWire(wire, WIRE_LEN, fd, msg);
      const v = decodeSub(r.bytes(), { 1: 'int64', 2: 'int32', 3: 'string' }, 'intstr.IntOrString');
      return v[1] === 1 ? (v[3] ?? '') : (v[2] ?? 0);
    }
    case 'fieldsv1': {
      expectWire(wire, WIRE_LEN, fd, msg);
      const v = decodeSub(r.bytes(), { 1: 'bytes' }, 'meta.v1.FieldsV1');
      const raw = v[1] instanceof Uint8Array ? utf8String(v[1]) : '{}';
      try {
        return JSON.parse(raw === '' ? '{}' : raw) as unknown;
      } catch {
        throw new ProtobufError('meta.v1.FieldsV1 Raw is not JSON');
      }
    }
  }
}

/** A tiny fixed message (Quantity, IntOrString, FieldsV1, Time) by field number → scalar kind. */
function decodeSub(b: Uint8Array, fields: Record<number, 'string' | 'bytes' | 'int32' | 'int64'>, name: string): Record<number, unknown> {
  const r = new Reader(b);
  const out: Record<number, unknown> = {};
  while (!r.done) {
    const { field, wire } = r.tag();
    const t = fields[field];
    if (!t) throw new ProtobufError(`unknown field number ${field} in protobuf message ${qualifiedName(name)}`);
    if (t === 'string' || t === 'bytes') {
      if (wire !== WIRE_LEN) throw new ProtobufError(`field ${field} of ${qualifiedName(name)} has wire type ${wire}, expected 2`);
      const v = r.bytes();
      out[field] = t === 'string' ? utf8String(v) : v;
    } else {
      if (wire !== WIRE_VARINT) throw new ProtobufError(`field ${field} of ${qualifiedName(name)} has wire type ${wire}, expected 0`);
      out[field] = t === 'int32' ? toInt32(r.varint()) : toInt64(r.varint());
    }
  }
  return out;
}

/** meta/v1 Time {seconds, nanos} → RFC 3339 (whole seconds; MicroTime with microseconds); zero → null. */
function decodeTime(b: Uint8Array, micro: boolean, fd: FieldDesc, msg: string): string | null {
  const v = decodeSub(b, { 1: 'int64', 2: 'int32' }, 'meta.v1.Time');
  const seconds = (v[1] as number | undefined) ?? 0;
  const nanos = (v[2] as number | undefined) ?? 0;
  if (seconds === 0 && nanos === 0) return null;
  const ms = seconds * 1000;
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new ProtobufError(`field ${fd.name} of ${qualifiedName(msg)}: time out of range`);
  const base = d.toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  return `${base}.${String(Math.trunc(nanos / 1000)).padStart(6, '0')}Z`;
}
