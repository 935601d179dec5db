/**
 * Server-side apply (`application/apply-patch+yaml`) and field ownership (`metadata.managedFields`),
 * after upstream's fieldmanager + structured-merge-diff:
 *
 * - `serverSideApply(live, applied, opts)`: merges the applied configuration into the live object
 *   (associative lists by their list map keys, set lists as sets, other lists atomic; strategy.ts), records
 *   that `opts.manager` (operation Apply) owns exactly the fields the configuration sets, removes the
 *   fields it applied before and no longer applies unless another manager owns them, and reports a
 *   conflict for every field another manager owns whose value the apply would change. With conflicts and
 *   no `force`, the live object is answered unchanged with the conflicts (the API answers 409; see
 *   `conflictStatus`); with `force`, ownership of those fields moves to the applier.
 * - `trackUpdate(old, next, manager, now)`: for ordinary writes (create, update, patch): the manager
 *   (operation Update) takes ownership of the fields the write changed; removed fields leave every
 *   manager's set. The manager name is `?fieldManager=` or, as upstream, the user agent's program name
 *   (`kubectl-client-side-apply`, `kubectl-edit`, …; see `managerFromUserAgent`).
 *
 * Identity and bookkeeping fields (apiVersion, kind, metadata.name/namespace/uid/resourceVersion/
 * generation/creationTimestamp/deletion*, managedFields) are never owned, as upstream strips them; for
 * kinds with a status subresource `status` is neither applied nor owned through the main resource.
 * Inputs are never mutated.
 */
import { PatchError, badRequest, checkDepth, clone, hasKey, isObject, jsonEqual, setKey } from './errors.ts';
import type { JsonObject } from './errors.ts';
import { FieldSet, compare, fieldSetOf, itemKey, pathString, removePath } from './fieldset.ts';
import { fieldStrategy, hasStatusSubresource, rootTypeOf } from './strategy.ts';
import type { GroupVersionKind } from './strategy.ts';

export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
  subresource?: string;
}

export interface ApplyConflict {
  /** The field as upstream renders it, e.g. `.spec.replicas`. */
  field: string;
  manager: string;
}

export interface ApplyOptions {
  manager: string;
  force: boolean;
  gvk: GroupVersionKind;
  now: Date;
}

const IGNORED_METADATA = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'managedFields'];

interface Manager {
  entry: ManagedFieldsEntry;
  set: FieldSet;
}

export function serverSideApply(
  live: object | undefined,
  applied: object,
  opts: ApplyOptions,
): { object: object; conflicts: ApplyConflict[] } {
  if (!isObject(applied)) throw badRequest('the applied configuration must be an object');
  checkDepth(applied, 'the applied configuration');
  if (live !== undefined) checkDepth(live, 'the object');
  if (!opts.manager) throw badRequest('PATCH requests with apply-patch content type require fieldManager to be set');
  const appliedMeta = applied.metadata;
  if (isObject(appliedMeta) && appliedMeta.managedFields !== undefined && appliedMeta.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const type = rootTypeOf(opts.gvk);
  const apiVersion = opts.gvk.group ? `${opts.gvk.group}/${opts.gvk.version}` : opts.gvk.version;
  const config = clone(applied) as JsonObject;
  if (hasStatusSubresource(opts.gvk)) delete config.status;

  const liveObj: JsonObject = live !== undefined && isObject(live) ? clone(live) : {};
  const managers = readManagers(liveObj);
  const configSet = fieldSetOf(ownable(config), type);

  const merged = mergeApplied(clone(liveObj), config, type);
  const cmp = compare(ownable(liveObj, true), ownable(merged, true), type);
  const changed = cmp.modified.union(cmp.added);

  const conflicts: ApplyConflict[] = [];
  const conflictSets = new Map<Manager, FieldSet>();
  for (const m of managers) {
    if (isSelf(m, opts.manager, 'Apply')) continue;
    const c = m.set.intersection(changed);
    if (c.isEmpty()) continue;
    conflictSets.set(m, c);
    for (const p of c.paths()) conflicts.push({ field: pathString(p), manager: m.entry.manager });
  }
  if (conflicts.length > 0 && !opts.force) {
    conflicts.sort((a, b) => a.manager.localeCompare(b.manager) || a.field.localeCompare(b.field));
    return { object: live !== undefined ? clone(live) : {}, conflicts };
  }
  for (const [m, c] of conflictSets) m.set = m.set.difference(c);

  // Fields this manager applied before and no longer applies go, unless someone else owns them too.
  const self = managers.find((m) => isSelf(m, opts.manager, 'Apply'));
  if (self) {
    // Shortest first: a list item goes whole, before its own fields would be removed one by one.
    const dropped = self.set.difference(configSet).paths().sort((a, b) => a.length - b.length);
    for (const p of dropped) {
      if (managers.some((m) => m !== self && m.set.has(p))) continue;
      if (IGNORED_TOP.has(p[0])) continue;
      removePath(merged, p, true, type);
    }
  }
  // Whatever is gone from the object is owned by no one any more.
  const gone = compare(ownable(liveObj, true), ownable(merged, true), type).removed;
  for (const m of managers) m.set = dropGone(m.set, gone);

  const entry: ManagedFieldsEntry = {
    manager: opts.manager,
    operation: 'Apply',
    apiVersion,
    time: rfc3339(opts.now),
    fieldsType: 'FieldsV1',
    fieldsV1: {},
  };
  if (self) self.set = configSet;
  const all = self ? managers : [...managers, { entry, set: configSet }];
  if (self) self.entry = { ...self.entry, apiVersion, time: rfc3339(opts.now) };
  writeManagers(merged, all);
  return { object: merged, conflicts: opts.force ? conflicts : [] };
}

/**
 * `subresource` (optional, additive): the subresource the write went through. For `status` only the
 * status is compared and the entry carries `subresource: status`, as upstream records kubelet and
 * controller status writes; for others (`scale`) the main fields are compared and the entry names it.
 */
export function trackUpdate(old: object | undefined, next: object, manager: string, now: Date, subresource?: string): object {
  if (!isObject(next)) throw badRequest('the object must be a JSON object');
  checkDepth(next, 'the object');
  if (old !== undefined) checkDepth(old, 'the object');
  const out = clone(next) as JsonObject;
  const oldObj: JsonObject = old !== undefined && isObject(old) ? old : {};
  const apiVersion = typeof out.apiVersion === 'string' ? out.apiVersion : 'v1';
  const gvk = gvkOf(apiVersion, typeof out.kind === 'string' ? out.kind : '');
  const type = rootTypeOf(gvk);

  // Base ownership: the stored object's, unless the writer deliberately set other managedFields
  // (upstream lets a client replace them; an empty list resets ownership).
  const oldMF = metaOf(oldObj)?.managedFields;
  const nextMF = metaOf(out)?.managedFields;
  let managers: Manager[];
  if (nextMF === undefined || nextMF === null || jsonEqual(nextMF, oldMF)) managers = readManagers(oldObj);
  else if (Array.isArray(nextMF) && nextMF.length === 0) managers = [];
  else managers = readManagers(out);

  const statusOnly = subresource === 'status' && hasStatusSubresource(gvk);
  const oldView = statusOnly ? onlyStatus(oldObj) : ownable(statusless(oldObj, gvk), true);
  const nextView = statusOnly ? onlyStatus(out) : ownable(statusless(out, gvk), true);
  const cmp = compare(oldView, nextView, type);
  // A create owns the fields it sets (as ToFieldSet), not the structs around them.
  const changed = old === undefined ? fieldSetOf(nextView, type) : cmp.modified.union(cmp.added);
  for (const m of managers) m.set = dropGone(m.set.difference(cmp.modified), cmp.removed);
  let self = managers.find((m) => isSelf(m, manager, 'Update', subresource));
  if (!changed.isEmpty() || self) {
    if (!self) {
      const entry: ManagedFieldsEntry = { manager, operation: 'Update', apiVersion, time: rfc3339(now), fieldsType: 'FieldsV1', fieldsV1: {} };
      if (subresource) entry.subresource = subresource;
      self = { entry, set: new FieldSet() };
      managers.push(self);
    }
    if (!changed.isEmpty()) self.entry = { ...self.entry, apiVersion, time: rfc3339(now) };
    self.set = self.set.union(changed);
  }
  writeManagers(out, managers);
  return out;
}

/**
 * The manager name upstream derives from a User-Agent when `fieldManager` is absent: the program name
 * before the first '/' (`kubectl/v1.32.0 (linux/amd64) …` → `kubectl`), capped at 128 characters.
 * kubectl itself always sends ?fieldManager= (kubectl-client-side-apply, kubectl-edit, kubectl-create, …).
 */
export function managerFromUserAgent(userAgent: string | undefined): string {
  const name = (userAgent ?? '').split('/')[0].trim();
  return (name || 'unknown').slice(0, 128);
}

/** The 409 Status upstream answers for apply conflicts (kubectl prints message and field list). */
export function conflictStatus(conflicts: ApplyConflict[], gvk: GroupVersionKind, name: string): {
  message: string;
  causes: { reason: string; message: string; field: string }[];
  details: { name: string; group: string; kind: string };
} {
  const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
  const n = conflicts.length;
  const head = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: `;
  const parts = conflicts.map((c) => `conflict with "${c.manager}" using ${apiVersion}: ${c.field}`);
  return {
    message: head + parts.join('\n'),
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}" using ${apiVersion}`, field: c.field })),
    details: { name, group: gvk.group, kind: gvk.kind },
  };
}

const IGNORED_TOP = new Set(['f:apiVersion', 'f:kind']);

function isSelf(m: Manager, manager: string, operation: 'Apply' | 'Update', subresource?: string): boolean {
  return m.entry.manager === manager && m.entry.operation === operation && (m.entry.subresource ?? '') === (subresource ?? '');
}

/** The status alone; an absent status counts as an empty one (Go always has the struct). */
function onlyStatus(o: JsonObject): JsonObject {
  return { status: hasKey(o, 'status') && isObject(o.status) ? o.status : {} };
}

function metaOf(o: JsonObject): JsonObject | undefined {
  return isObject(o.metadata) ? o.metadata : undefined;
}

function gvkOf(apiVersion: string, kind: string): GroupVersionKind {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion, kind } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1), kind };
}

/** The object without the fields nobody owns. */
function ownable(o: JsonObject, keepEmptyMeta = false): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) {
    if (k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata' && isObject(v)) {
      const m: JsonObject = {};
      for (const [mk, mv] of Object.entries(v)) if (!IGNORED_METADATA.includes(mk)) setKey(m, mk, mv);
      // An emptied metadata still exists for comparisons (so adding annotations does not "add" metadata),
      // but owns nothing by itself.
      if (keepEmptyMeta || Object.keys(m).length > 0) out.metadata = m;
      continue;
    }
    setKey(out, k, v);
  }
  return out;
}

function statusless(o: JsonObject, gvk: GroupVersionKind): JsonObject {
  if (!hasStatusSubresource(gvk) || !hasKey(o, 'status')) return o;
  const { status: _status, ...rest } = o;
  return rest;
}

/** Removes from a set every path at or below a removed path. */
function dropGone(set: FieldSet, gone: FieldSet): FieldSet {
  if (gone.isEmpty()) return set;
  const goneKeys = gone.paths().map((p) => p.join('\u0000'));
  return FieldSet.of(set.paths().filter((p) => {
    const k = p.join('\u0000');
    return !goneKeys.some((g) => k === g || k.startsWith(`${g}\u0000`));
  }));
}

function readManagers(o: JsonObject): Manager[] {
  const mf = metaOf(o)?.managedFields;
  if (!Array.isArray(mf)) return [];
  const out: Manager[] = [];
  for (const e of mf) {
    if (!isObject(e) || typeof e.manager !== 'string') continue;
    if (e.operation !== 'Apply' && e.operation !== 'Update') continue;
    let set: FieldSet;
    try {
      set = FieldSet.fromFieldsV1(e.fieldsV1 ?? {});
    } catch (err) {
      if (err instanceof PatchError) continue;
      throw err;
    }
    const entry: ManagedFieldsEntry = {
      manager: e.manager,
      operation: e.operation,
      apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
      time: typeof e.time === 'string' ? e.time : '',
      fieldsType: 'FieldsV1',
      fieldsV1: {},
    };
    if (typeof e.subresource === 'string' && e.subresource) entry.subresource = e.subresource;
    out.push({ entry, set });
  }
  return out;
}

function writeManagers(o: JsonObject, managers: Manager[]): void {
  const entries = managers.filter((m) => !m.set.isEmpty()).map((m) => {
    const e: ManagedFieldsEntry = { ...m.entry, fieldsV1: m.set.toFieldsV1() };
    if (!e.time) delete (e as Partial<ManagedFieldsEntry>).time;
    return e;
  });
  const meta: JsonObject = isObject(o.metadata) ? o.metadata : {};
  if (entries.length > 0) meta.managedFields = entries;
  else delete meta.managedFields;
  o.metadata = meta;
}

/** Upstream's metav1.Time: RFC 3339 in UTC, whole seconds. */
export function rfc3339(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/**
 * Merges an applied configuration into the live object: maps key by key, associative lists item by item
 * (new items appended), set lists as sets, atomic lists and scalars replaced; an explicit null removes.
 */
function mergeApplied(live: JsonObject, config: JsonObject, type: string | undefined): JsonObject {
  const out = live;
  for (const [k, cv] of Object.entries(config)) {
    if (cv === null) {
      delete out[k];
      continue;
    }
    const fs = fieldStrategy(type, k);
    const lv = hasKey(out, k) ? out[k] : undefined;
    if (isObject(cv)) {
      setKey(out, k, mergeApplied(isObject(lv) ? lv : {}, cv, fs?.type));
    } else if (Array.isArray(cv) && fs?.list === 'map' && !fs.ssaAtomic && cv.every(isObject) && Array.isArray(lv) && lv.every(isObject)) {
      const result = (lv as JsonObject[]).slice();
      for (const item of cv as JsonObject[]) {
        const key = itemKey(item, fs);
        const idx = result.findIndex((x) => itemKey(x, fs) === key);
        if (idx >= 0) result[idx] = mergeApplied(result[idx], item, fs.type);
        else result.push(mergeApplied({}, item, fs.type));
      }
      setKey(out, k, result);
    } else if (Array.isArray(cv) && fs?.list === 'set' && Array.isArray(lv)) {
      const result = lv.slice();
      for (const x of cv) if (!result.some((y) => jsonEqual(x, y))) result.push(x);
      setKey(out, k, result);
    } else {
      setKey(out, k, clone(cv));
    }
  }
  return out;
}
