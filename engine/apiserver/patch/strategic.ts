/**
 * Strategic merge patch (`application/strategic-merge-patch+json`), the server half of upstream's
 * k8s.io/apimachinery/pkg/util/strategicpatch: a JSON merge patch in which lists named in strategy.ts
 * merge element-wise by their merge key (or as sets of scalars), plus the directives
 *   `$patch: replace | delete | merge`  (in a map or a list element),
 *   `$retainKeys: [...]`               (clear the members of a union the patch does not keep),
 *   `$deleteFromPrimitiveList/<field>` (remove scalars from a merged primitive list),
 *   `$setElementOrder/<field>`         (the order of a merged list after patching).
 * Lists without a strategy are replaced whole. Inputs are not mutated.
 */
import { badRequest, brief, clone, hasKey, isObject, jsonEqual, setKey, unprocessable } from './errors.ts';
import type { JsonObject } from './errors.ts';
import { fieldStrategy } from './strategy.ts';
import type { FieldStrategy } from './strategy.ts';

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE = '$deleteFromPrimitiveList/';
const SET_ELEMENT_ORDER = '$setElementOrder/';

/** Applies `patch` to `original` knowing the root type name (strategy.ts), or none for plain merging. */
export function applyStrategicMergePatch(original: JsonObject, patch: unknown, rootType: string | undefined): JsonObject {
  if (!isObject(patch)) {
    throw badRequest(`json: cannot unmarshal ${Array.isArray(patch) ? 'array' : typeof patch} into Go value of type map[string]interface {}`);
  }
  const merged = mergeMap(clone(original), patch, rootType);
  return merged ?? {};
}

/**
 * Merges `patch` into `original` (which it may modify: callers pass copies). Answers undefined when the
 * patch deletes the map itself (`$patch: delete`).
 */
function mergeMap(original: JsonObject, patch: JsonObject, type: string | undefined): JsonObject {
  if (hasKey(patch, DIRECTIVE)) {
    const d = patch[DIRECTIVE];
    if (d === 'replace') {
      const rest: JsonObject = {};
      for (const [k, v] of Object.entries(patch)) if (k !== DIRECTIVE) setKey(rest, k, v);
      return mergeMap({}, rest, type);
    }
    if (d === 'delete') return {};
    if (d !== 'merge') throw badRequest(`unknown patch type: ${brief(d)} in map: ${brief(patch)}`);
  }

  if (hasKey(patch, RETAIN_KEYS)) {
    const keep = patch[RETAIN_KEYS];
    if (!Array.isArray(keep) || !keep.every((k) => typeof k === 'string')) {
      throw badRequest('invalid patch: the value of $retainKeys must be a list of strings');
    }
    // A field the patch deletes (null) need not be kept: kubectl sends {"$retainKeys":["type"],"rollingUpdate":null,…}.
    for (const [k, v] of Object.entries(patch)) {
      if (!k.startsWith('$') && v !== null && !keep.includes(k)) {
        throw unprocessable(`the patch has field "${k}" that is not in $retainKeys: ${brief(keep)}`);
      }
    }
    for (const k of Object.keys(original)) if (!keep.includes(k)) delete original[k];
  }

  // $deleteFromPrimitiveList/<field>: drop those scalars from the original list before merging.
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith(DELETE_FROM_PRIMITIVE)) continue;
    const field = k.slice(DELETE_FROM_PRIMITIVE.length);
    if (!Array.isArray(v)) throw badRequest(`invalid patch: the value of ${k} must be a list, got ${brief(v)}`);
    const cur = original[field];
    if (!Array.isArray(cur)) continue;
    const kept = cur.filter((x) => !v.some((d) => jsonEqual(d, x)));
    setKey(original, field, kept);
  }

  const orders = new Map<string, unknown[]>();
  for (const [k, v] of Object.entries(patch)) {
    if (!k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!Array.isArray(v)) throw badRequest(`invalid patch: the value of ${k} must be a list, got ${brief(v)}`);
    orders.set(k.slice(SET_ELEMENT_ORDER.length), v);
  }

  for (const [k, pv] of Object.entries(patch)) {
    if (k === DIRECTIVE || k === RETAIN_KEYS || k.startsWith(DELETE_FROM_PRIMITIVE) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (k.startsWith('$')) throw badRequest(`unknown patch directive ${brief(k)}`);
    if (pv === null) {
      delete original[k];
      continue;
    }
    const fs = fieldStrategy(type, k);
    const ov = hasKey(original, k) ? original[k] : undefined;
    if (isObject(pv)) {
      if (pv[DIRECTIVE] === 'delete' && Object.keys(pv).length === 1) {
        delete original[k];
        continue;
      }
      setKey(original, k, mergeMap(isObject(ov) ? ov : {}, pv, fs?.type));
    } else if (Array.isArray(pv)) {
      const serverOrder = Array.isArray(ov) ? ov : [];
      setKey(original, k, mergeList(serverOrder, pv, fs, k, orders.get(k)));
      orders.delete(k);
    } else {
      setKey(original, k, pv);
    }
  }

  // $setElementOrder for a list the patch did not otherwise touch: reorder what the server has.
  for (const [field, order] of orders) {
    const cur = original[field];
    if (!Array.isArray(cur)) continue;
    const fs = fieldStrategy(type, field);
    if (!fs?.list || fs.smp === false) continue;
    setKey(original, field, normalizeOrder(cur, cur, order, fs, field));
  }
  return original;
}

function isMergeList(fs: FieldStrategy | undefined): fs is FieldStrategy & { list: 'map' | 'set' } {
  return fs?.list !== undefined && fs.smp !== false;
}

function mergeList(
  original: unknown[],
  patch: unknown[],
  fs: FieldStrategy | undefined,
  field: string,
  order: unknown[] | undefined,
): unknown[] {
  if (!isMergeList(fs)) return patch.map(fresh);

  if (fs.list === 'set') {
    const out = original.slice();
    for (const v of patch) {
      if (isObject(v) || Array.isArray(v)) {
        throw badRequest(`invalid patch: list ${field} is a list of primitives, got ${brief(v)}`);
      }
      if (!out.some((x) => jsonEqual(x, v))) out.push(v);
    }
    // Upstream deduplicates original + patch and orders only when told to ($setElementOrder).
    return order ? normalizeOrder(out, original, order, fs, field) : out;
  }

  const mergeKey = fs.mergeKey as string;
  // A `$patch: replace` element replaces the whole list with the other patch elements.
  if (patch.some((e) => isObject(e) && e[DIRECTIVE] === 'replace')) {
    return patch.filter((e) => !(isObject(e) && hasKey(e, DIRECTIVE))).map(fresh);
  }
  let out = original.slice();
  const patchKeys: unknown[] = [];
  for (const e of patch) {
    if (!isObject(e)) {
      throw badRequest(`invalid patch: list ${field} is merged by ${mergeKey}; element ${brief(e)} is not a map`);
    }
    if (hasKey(e, DIRECTIVE)) {
      const d = e[DIRECTIVE];
      if (d === 'delete') {
        if (!hasKey(e, mergeKey)) throw unprocessable(`map: ${brief(e)} does not contain declared merge key: ${mergeKey}`);
        out = out.filter((x) => !(isObject(x) && jsonEqual(x[mergeKey], e[mergeKey])));
        continue;
      }
      if (d !== 'merge') throw badRequest(`unknown patch type: ${brief(d)} in map: ${brief(e)}`);
    }
    if (!hasKey(e, mergeKey)) throw unprocessable(`map: ${brief(e)} does not contain declared merge key: ${mergeKey}`);
    patchKeys.push(e[mergeKey]);
    const idx = out.findIndex((x) => isObject(x) && jsonEqual(x[mergeKey], e[mergeKey]));
    if (idx >= 0) out[idx] = mergeMap(clone(out[idx] as JsonObject), e, fs.type);
    else out.push(mergeMap({}, e, fs.type));
  }
  const patchOrder = order ?? patchKeys.map((v) => ({ [mergeKey]: v }));
  return normalizeOrder(out, original, patchOrder, fs, field);
}

/** A patch value placed where the original had nothing: directives are resolved against an empty value. */
function fresh(v: unknown): unknown {
  if (isObject(v)) return mergeMap({}, v, undefined);
  return clone(v);
}

/**
 * Orders a merged list as upstream's normalizeElementOrder + mergeSortedSlice do: the elements named by the
 * patch (its `$setElementOrder`, or else the patch list itself) in the patch's order; the elements only the
 * server has in their server order; the server-only ones are then inserted among the patch ones where the
 * server order puts them before a patch element. So an element new to the server lands before the
 * server-only elements that follow it — `kubectl patch` adding a container puts it first, as upstream.
 */
function normalizeOrder(merged: unknown[], serverOrder: unknown[], patchOrder: unknown[], fs: FieldStrategy, field: string): unknown[] {
  const keyOf = (v: unknown): unknown => {
    if (fs.list === 'set') return v;
    return isObject(v) ? v[fs.mergeKey as string] : undefined;
  };
  for (const o of patchOrder) {
    if (fs.list === 'map' && (!isObject(o) || !hasKey(o, fs.mergeKey as string))) {
      throw badRequest(`invalid patch: $setElementOrder/${field} element ${brief(o)} lacks merge key ${fs.mergeKey}`);
    }
  }
  const orderKeys = patchOrder.map(keyOf);
  const indexIn = (keys: unknown[], v: unknown): number => {
    const k = keyOf(v);
    return keys.findIndex((x) => jsonEqual(x, k));
  };
  const serverKeys = serverOrder.map(keyOf);
  const fromPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of merged) (indexIn(orderKeys, v) >= 0 ? fromPatch : serverOnly).push(v);
  fromPatch.sort((a, b) => indexIn(orderKeys, a) - indexIn(orderKeys, b));
  serverOnly.sort((a, b) => indexIn(serverKeys, a) - indexIn(serverKeys, b));
  // mergeSortedSlice(left = server-only, right = patch elements, by server order).
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < fromPatch.length) {
    if (i >= serverOnly.length) out.push(fromPatch[j++]);
    else if (j >= fromPatch.length) out.push(serverOnly[i++]);
    else {
      const li = indexIn(serverKeys, serverOnly[i]);
      const ri = indexIn(serverKeys, fromPatch[j]);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(fromPatch[j++]);
    }
  }
  return out;
}
