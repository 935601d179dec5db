/**
 * PATCH bodies for the API server: `applyPatch(original, patchType, patch, gvk)` answers the patched object
 * or throws PatchError (errors.ts) whose `code` is the HTTP status to answer:
 *   'json'      application/json-patch+json        RFC 6902 (json-patch.ts)
 *   'merge'     application/merge-patch+json       RFC 7386 (merge-patch.ts)
 *   'strategic' application/strategic-merge-patch+json  (strategic.ts + the strategy table strategy.ts)
 * A strategic merge patch on a kind outside the built-in API groups (a custom resource) throws
 * PatchError 415, as upstream refuses it with UnsupportedMediaType.
 * `patch` is the decoded JSON body. Neither input is mutated.
 */
import { PatchError, badRequest, checkDepth, isObject } from './errors.ts';
import { applyJsonPatch } from './json-patch.ts';
import { applyMergePatch } from './merge-patch.ts';
import { applyStrategicMergePatch } from './strategic.ts';
import { rootTypeOf } from './strategy.ts';
import type { GroupVersionKind } from './strategy.ts';

export { PatchError } from './errors.ts';
export { decodeApplyBody } from './apply-body.ts';
export { serverSideApply, trackUpdate, conflictStatus, managerFromUserAgent } from './apply.ts';
export type { PatchErrorCode } from './errors.ts';
export type { GroupVersionKind } from './strategy.ts';

export type PatchKind = 'json' | 'merge' | 'strategic';

/** The PATCH Content-Type for each patch type, and back. */
export const PATCH_CONTENT_TYPES: Readonly<Record<PatchKind | 'apply', string>> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** Maps a request Content-Type (parameters ignored) to its patch type; undefined → answer 415. */
export function patchTypeOf(contentType: string): PatchKind | 'apply' | undefined {
  const mt = contentType.split(';')[0].trim().toLowerCase();
  for (const [k, v] of Object.entries(PATCH_CONTENT_TYPES)) if (v === mt) return k as PatchKind | 'apply';
  return undefined;
}

export function applyPatch(original: object, patchType: PatchKind, patch: unknown, gvk: GroupVersionKind): object {
  checkDepth(original, 'the object');
  checkDepth(patch, 'the patch');
  let result: unknown;
  switch (patchType) {
    case 'json':
      result = applyJsonPatch(original, patch);
      break;
    case 'merge':
      result = applyMergePatch(original, patch);
      break;
    case 'strategic': {
      const root = rootTypeOf(gvk);
      if (root === undefined) {
        throw new PatchError(415, 'the body of the request was in an unknown format - accepted media types include: '
          + 'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
      }
      if (!isObject(original)) throw badRequest('the object to patch is not a JSON object');
      result = applyStrategicMergePatch(original, patch, root);
      break;
    }
    default:
      throw new PatchError(415, `unsupported patch type ${String(patchType)}`);
  }
  if (!isObject(result)) {
    throw badRequest(`the patched object must be a JSON object, not ${result === null ? 'null' : Array.isArray(result) ? 'an array' : typeof result}`);
  }
  return result;
}
