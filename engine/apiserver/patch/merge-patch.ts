/**
 * JSON Merge Patch (RFC 7386), as `application/merge-patch+json` PATCH bodies: objects merge recursively,
 * `null` deletes a key, anything else (arrays included) replaces. The inputs are not mutated.
 */
import { clone, isObject, setKey } from './errors.ts';
import type { JsonObject } from './errors.ts';

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else setKey(out, k, applyMergePatch(out[k], v));
  }
  return out;
}

/** Removes null members recursively, as a merge patch applied to nothing does (RFC 7386 §2). */
export function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) setKey(out, k, stripNulls(x));
  return out;
}
