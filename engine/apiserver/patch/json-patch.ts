/**
 * JSON Patch (RFC 6902) with JSON Pointers (RFC 6901), as `application/json-patch+json` PATCH bodies.
 * Semantics follow the evanphx/json-patch library the upstream apiserver uses: operations apply in order to
 * a copy, `-` appends to an array, negative indexes count from the end, `~1`/`~0` unescape to `/`/`~`,
 * `test` compares deeply.
 * A malformed document → PatchError 400; a well-formed operation that cannot apply → 422.
 */
import { PatchError, badRequest, brief, clone, hasKey, isObject, jsonEqual, setKey, unprocessable } from './errors.ts';
import type { JsonObject } from './errors.ts';

/** Upper bound on operations, so a hostile body cannot keep the server busy (the body is ≤ 3 MiB anyway). */
const MAX_OPERATIONS = 10_000;

export interface JsonPatchOperation {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  from?: string;
  value?: unknown;
}

/** Validates the shape of a JSON Patch document (400 on anything malformed). */
export function decodeJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) {
    throw badRequest(`json: cannot unmarshal ${jsonTypeName(patch)} into Go value of type jsonpatch.Patch`);
  }
  if (patch.length > MAX_OPERATIONS) throw badRequest(`json patch has ${patch.length} operations, more than the limit of ${MAX_OPERATIONS}`);
  return patch.map((raw, i) => {
    if (!isObject(raw)) throw badRequest(`json patch operation ${i} is not an object: ${brief(raw)}`);
    const op = raw.op;
    if (typeof op !== 'string') throw badRequest(`json patch operation ${i}: "op" is missing or not a string`);
    if (!['add', 'remove', 'replace', 'move', 'copy', 'test'].includes(op)) {
      throw badRequest(`Unexpected kind: ${op}`);
    }
    if (typeof raw.path !== 'string') throw badRequest(`json patch operation ${i} (${op}): "path" is missing or not a string`);
    parsePointer(raw.path);
    if ((op === 'add' || op === 'replace' || op === 'test') && !hasKey(raw, 'value')) {
      throw badRequest(`json patch operation ${i} (${op}): "value" is missing`);
    }
    if (op === 'move' || op === 'copy') {
      if (typeof raw.from !== 'string') throw badRequest(`json patch operation ${i} (${op}): "from" is missing or not a string`);
      parsePointer(raw.from);
    }
    const out: JsonPatchOperation = { op: op as JsonPatchOperation['op'], path: raw.path };
    if (typeof raw.from === 'string') out.from = raw.from;
    if (hasKey(raw, 'value')) out.value = raw.value;
    return out;
  });
}

/** RFC 6901: '' is the whole document; otherwise '/'-separated reference tokens with ~1 → '/', ~0 → '~'. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequest(`JSON pointer must be empty or start with a "/": ${brief(pointer)}`);
  return pointer.slice(1).split('/').map((t) => {
    if (/~[^01]|~$/.test(t)) throw badRequest(`invalid JSON pointer escape in ${brief(pointer)}`);
    return t.replace(/~1/g, '/').replace(/~0/g, '~');
  });
}

/** Applies the patch to a copy of `doc`; the input is not mutated. */
export function applyJsonPatch(doc: unknown, patch: unknown): unknown {
  const ops = decodeJsonPatch(patch);
  let root: unknown = clone(doc);
  for (const op of ops) root = applyOne(root, op);
  return root;
}

function applyOne(root: unknown, op: JsonPatchOperation): unknown {
  switch (op.op) {
    case 'add':
      return add(root, op.path, clone(op.value), 'add');
    case 'remove':
      return remove(root, op.path).root;
    case 'replace': {
      const tokens = parsePointer(op.path);
      if (tokens.length === 0) return clone(op.value);
      const { parent, key } = resolveParent(root, tokens, op.path, 'replace');
      if (Array.isArray(parent)) {
        const idx = arrayIndex(key, parent.length, false, op.path, 'replace');
        parent[idx] = clone(op.value);
      } else {
        if (!hasKey(parent, key)) throw unprocessable(`replace operation does not apply: doc is missing key: ${op.path}: missing value`);
        setKey(parent, key, clone(op.value));
      }
      return root;
    }
    case 'move': {
      const from = op.from as string;
      if (op.path !== from && (op.path.startsWith(`${from}/`))) {
        throw unprocessable(`move operation does not apply: "from" ${from} is a prefix of "path" ${op.path}`);
      }
      const removed = remove(root, from);
      return add(removed.root, op.path, removed.value, 'move');
    }
    case 'copy': {
      const value = get(root, op.from as string, 'copy');
      return add(root, op.path, clone(value), 'copy');
    }
    case 'test': {
      let actual: unknown;
      try {
        actual = get(root, op.path, 'test');
      } catch (err) {
        if (err instanceof PatchError) throw unprocessable(`testing value ${op.path} failed: test failed`);
        throw err;
      }
      if (!jsonEqual(actual, op.value)) throw unprocessable(`testing value ${op.path} failed: test failed`);
      return root;
    }
  }
}

function jsonTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

type Container = JsonObject | unknown[];

function resolveParent(root: unknown, tokens: string[], path: string, opName: string): { parent: Container; key: string } {
  let cur: unknown = root;
  for (let i = 0; i < tokens.length - 1; i++) cur = child(cur, tokens[i], path, opName);
  if (!isObject(cur) && !Array.isArray(cur)) {
    throw unprocessable(`${opName} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function child(cur: unknown, token: string, path: string, opName: string): unknown {
  if (Array.isArray(cur)) {
    const idx = arrayIndex(token, cur.length, false, path, opName);
    return cur[idx];
  }
  if (isObject(cur) && hasKey(cur, token)) return cur[token];
  throw unprocessable(`${opName} operation does not apply: doc is missing path: "${path}": missing value`);
}

/**
 * An array index as evanphx/json-patch (the upstream apiserver's library) reads it: a decimal integer
 * (Go's strconv.Atoi, so `01` and `+1` are accepted), negative counting from the end, and `-` meaning
 * "after the last element" where appending is allowed.
 */
function arrayIndex(token: string, length: number, forInsert: boolean, path: string, opName: string): number {
  if (token === '-' && forInsert) return length;
  if (!/^[+-]?[0-9]{1,15}$/.test(token)) {
    throw unprocessable(`${opName} operation does not apply: invalid array index ${brief(token)} in ${path}`);
  }
  let idx = Number(token);
  if (idx < 0) {
    if (idx < -length) throw unprocessable(`${opName} operation does not apply: index out of range: ${idx} in ${path}`);
    idx += length;
  }
  const max = forInsert ? length : length - 1;
  if (idx > max) throw unprocessable(`${opName} operation does not apply: index out of range: ${idx} in ${path}`);
  return idx;
}

function get(root: unknown, path: string, opName: string): unknown {
  let cur = root;
  for (const t of parsePointer(path)) cur = child(cur, t, path, opName);
  return cur;
}

function add(root: unknown, path: string, value: unknown, opName: string): unknown {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, key } = resolveParent(root, tokens, path, opName);
  if (Array.isArray(parent)) {
    const idx = arrayIndex(key, parent.length, true, path, opName);
    parent.splice(idx, 0, value);
  } else {
    setKey(parent, key, value);
  }
  return root;
}

function remove(root: unknown, path: string): { root: unknown; value: unknown } {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return { root: null, value: root };
  const { parent, key } = resolveParent(root, tokens, path, 'remove');
  if (Array.isArray(parent)) {
    const idx = arrayIndex(key, parent.length, false, path, 'remove');
    const [value] = parent.splice(idx, 1);
    return { root, value };
  }
  if (!hasKey(parent, key)) throw unprocessable(`unable to remove nonexistent key: ${key}: missing value`);
  const value = parent[key];
  delete parent[key];
  return { root, value };
}
