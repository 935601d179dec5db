/**
 * The one error type the patch and apply modules throw. `code` is the HTTP status the API server answers
 * with, chosen as upstream's apiserver does (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go):
 * - 400 BadRequest: the patch document itself is malformed (not JSON, not a JSON Patch array, a bad
 *   directive, a bad JSON Pointer);
 * - 409 Conflict: server-side apply found fields owned by other managers (see apply.ts);
 * - 415 UnsupportedMediaType: strategic merge patch on a kind without Go struct tags (custom resources);
 * - 422 Invalid/Unprocessable: a well-formed patch that cannot apply (a failed `test`, a missing path,
 *   a list element without its merge key).
 */
export type PatchErrorCode = 400 | 409 | 415 | 422;

export class PatchError extends Error {
  readonly code: PatchErrorCode;
  constructor(code: PatchErrorCode, message: string) {
    super(message);
    this.name = 'PatchError';
    this.code = code;
  }
}

export function badRequest(message: string): PatchError {
  return new PatchError(400, message);
}

export function unprocessable(message: string): PatchError {
  return new PatchError(422, message);
}

/** Plain JSON object (not an array, not null). */
export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep copy of a JSON value; patches never mutate their inputs. */
export function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

/** Deep equality over JSON values (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  for (const k of ak) {
    if (!Object.prototype.hasOwnProperty.call(bo, k) || !jsonEqual(ao[k], bo[k])) return false;
  }
  return true;
}

/** Short JSON rendering of a value for error messages (bounded, so huge inputs never blow up a message). */
export function brief(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}

/**
 * Sets an own property, also for the key `__proto__` (which plain assignment would turn into a prototype
 * change). Patches come from the network; every write of a patch-supplied key goes through here.
 */
export function setKey(obj: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
  else obj[key] = value;
}

export function hasKey(obj: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** Deepest nesting accepted in objects and patches; deeper input is refused, never recursed into. */
export const MAX_DEPTH = 200;

/**
 * Throws PatchError 400 when a JSON value nests deeper than `max` (arrays and objects both count).
 * Iterative, so hostile input cannot exhaust the stack here; every recursive routine in these modules
 * runs only after this check.
 */
export function checkDepth(value: unknown, what: string, max = MAX_DEPTH): void {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (d > max) throw badRequest(`${what} nests deeper than ${max} levels`);
    const children = Array.isArray(v) ? v : Object.values(v);
    for (const c of children) if (typeof c === 'object' && c !== null) stack.push([c, d + 1]);
  }
}
