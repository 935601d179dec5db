/**
 * Field sets as server-side apply keeps them in `metadata.managedFields[].fieldsV1` (FieldsV1), after
 * sigs.k8s.io/structured-merge-diff: a set of paths, each path a list of path elements
 *   `f:<field>`      a field of a struct or a key of a map,
 *   `k:<json>`       an element of an associative list, named by its list map keys (`k:{"name":"nginx"}`),
 *   `v:<json>`       an element of a set list (`v:"example.com/finalizer"`),
 *   `i:<n>`          an element of an atomic list by index (only read, never produced here).
 * A set member is a path the manager owns. FieldsV1 renders the set as a tree where every member is a
 * node; a member that also has members below it carries `".": {}`.
 *
 * Paths are held flat (a Set of encoded paths): ownership of a node never implies ownership of what is
 * below it, so set algebra is plain string-set algebra.
 */
import { badRequest, brief, hasKey, isObject, jsonEqual, setKey } from './errors.ts';
import type { JsonObject } from './errors.ts';
import { fieldStrategy, listMapKeys } from './strategy.ts';
import type { FieldStrategy } from './strategy.ts';

const SEP = '\u0000';

export type Path = readonly string[];

export class FieldSet {
  private readonly members = new Set<string>();

  static of(paths: Iterable<Path>): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    this.members.add(path.join(SEP));
  }
  has(path: Path): boolean {
    return this.members.has(path.join(SEP));
  }
  get size(): number {
    return this.members.size;
  }
  isEmpty(): boolean {
    return this.members.size === 0;
  }
  paths(): Path[] {
    return [...this.members].map((m) => m.split(SEP));
  }
  union(other: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const m of this.members) s.members.add(m);
    for (const m of other.members) s.members.add(m);
    return s;
  }
  intersection(other: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const m of this.members) if (other.members.has(m)) s.members.add(m);
    return s;
  }
  difference(other: FieldSet): FieldSet {
    const s = new FieldSet();
    for (const m of this.members) if (!other.members.has(m)) s.members.add(m);
    return s;
  }

  /** The FieldsV1 tree (keys sorted, as upstream serializes it). */
  toFieldsV1(): JsonObject {
    interface Node { self: boolean; children: Map<string, Node> }
    const root: Node = { self: false, children: new Map() };
    for (const p of this.paths()) {
      let n = root;
      for (const pe of p) {
        let c = n.children.get(pe);
        if (!c) {
          c = { self: false, children: new Map() };
          n.children.set(pe, c);
        }
        n = c;
      }
      n.self = true;
    }
    const render = (n: Node): JsonObject => {
      const out: JsonObject = {};
      if (n.self && n.children.size > 0) out['.'] = {};
      for (const k of [...n.children.keys()].sort()) out[k] = render(n.children.get(k) as Node);
      return out;
    };
    return render(root);
  }

  /** Parses FieldsV1; a malformed tree is a 400 (it can arrive in a client's managedFields). */
  static fromFieldsV1(v: unknown): FieldSet {
    const s = new FieldSet();
    const walk = (node: unknown, prefix: string[]): void => {
      if (!isObject(node)) throw badRequest(`invalid FieldsV1 at ${brief(prefix)}: not an object`);
      const keys = Object.keys(node);
      if (prefix.length > 0 && (keys.length === 0 || hasKey(node, '.'))) s.insert(prefix);
      for (const k of keys) {
        if (k === '.') continue;
        if (!/^[fkvi]:/.test(k)) throw badRequest(`invalid FieldsV1 path element ${brief(k)}`);
        walk(node[k], [...prefix, k]);
      }
    };
    walk(v, []);
    return s;
  }
}

/**
 * Path element of an associative list item: its list map keys (defaulted where upstream defaults them),
 * JSON with sorted keys.
 */
export function itemKey(item: JsonObject, fs: FieldStrategy): string {
  const k: JsonObject = {};
  for (const name of [...listMapKeys(fs)].sort()) {
    if (hasKey(item, name)) k[name] = item[name];
    else if (fs.keyDefaults && hasKey(fs.keyDefaults as JsonObject, name)) k[name] = fs.keyDefaults[name];
  }
  return `k:${JSON.stringify(k)}`;
}

/**
 * The set of fields a value sets, as structured-merge-diff's ToFieldSet: every scalar leaf, every atomic
 * list, every empty map, every associative or set list element.
 */
export function fieldSetOf(value: JsonObject, type: string | undefined, prefix: Path = []): FieldSet {
  const s = new FieldSet();
  walkFields(value, type, [...prefix], s);
  return s;
}

function walkFields(obj: JsonObject, type: string | undefined, prefix: string[], s: FieldSet): void {
  for (const [k, v] of Object.entries(obj)) {
    const path = [...prefix, `f:${k}`];
    const fs = fieldStrategy(type, k);
    if (isObject(v)) {
      if (Object.keys(v).length === 0) s.insert(path);
      else walkFields(v, fs?.type, path, s);
    } else if (Array.isArray(v) && fs?.list === 'map' && !fs.ssaAtomic && v.every(isObject) && v.length > 0) {
      for (const item of v as JsonObject[]) {
        const ip = [...path, itemKey(item, fs)];
        s.insert(ip);
        walkFields(item, fs.type, ip, s);
      }
    } else if (Array.isArray(v) && fs?.list === 'set' && v.length > 0) {
      for (const item of v) s.insert([...path, `v:${JSON.stringify(item)}`]);
    } else {
      s.insert(path);
    }
  }
}

/** Paths whose value differs between two objects: changed leaves, added and removed fields and items. */
export interface Comparison {
  modified: FieldSet;
  added: FieldSet;
  removed: FieldSet;
}

export function compare(a: JsonObject, b: JsonObject, type: string | undefined): Comparison {
  const c: Comparison = { modified: new FieldSet(), added: new FieldSet(), removed: new FieldSet() };
  compareMaps(a, b, type, [], c);
  return c;
}

function compareMaps(a: JsonObject, b: JsonObject, type: string | undefined, prefix: string[], c: Comparison): void {
  for (const [k, bv] of Object.entries(b)) {
    const path = [...prefix, `f:${k}`];
    const fs = fieldStrategy(type, k);
    if (!hasKey(a, k)) {
      c.added.insert(path);
      addAll(k, bv, type, prefix, c.added);
      continue;
    }
    const av = a[k];
    if (isObject(av) && isObject(bv) && !(Object.keys(av).length === 0 && Object.keys(bv).length === 0)) {
      compareMaps(av, bv, fs?.type, path, c);
    } else if (Array.isArray(av) && Array.isArray(bv) && fs?.list === 'map' && !fs.ssaAtomic && av.every(isObject) && bv.every(isObject)) {
      const ak = new Map((av as JsonObject[]).map((x) => [itemKey(x, fs), x]));
      const bk = new Map((bv as JsonObject[]).map((x) => [itemKey(x, fs), x]));
      for (const [key, bi] of bk) {
        const ip = [...path, key];
        const ai = ak.get(key);
        if (ai === undefined) {
          c.added.insert(ip);
          for (const p of fieldSetOf(bi, fs.type, ip).paths()) c.added.insert(p);
        } else compareMaps(ai, bi, fs.type, ip, c);
      }
      for (const key of ak.keys()) if (!bk.has(key)) c.removed.insert([...path, key]);
    } else if (Array.isArray(av) && Array.isArray(bv) && fs?.list === 'set') {
      for (const x of bv) if (!av.some((y) => jsonEqual(x, y))) c.added.insert([...path, `v:${JSON.stringify(x)}`]);
      for (const x of av) if (!bv.some((y) => jsonEqual(x, y))) c.removed.insert([...path, `v:${JSON.stringify(x)}`]);
    } else if (!jsonEqual(av, bv)) {
      c.modified.insert(path);
      // The members below the new value are new too (e.g. a map that replaced a scalar).
      if (isObject(bv) || Array.isArray(bv)) addAll(k, bv, type, prefix, c.added);
    }
  }
  for (const k of Object.keys(a)) if (!hasKey(b, k)) c.removed.insert([...prefix, `f:${k}`]);
}

/** Inserts into `s` the fields that `value`, as field `k` of a value of type `parentType` at `prefix`, sets. */
function addAll(k: string, value: unknown, parentType: string | undefined, prefix: string[], s: FieldSet): void {
  const wrapper: JsonObject = {};
  setKey(wrapper, k, value);
  for (const p of fieldSetOf(wrapper, parentType, prefix).paths()) s.insert(p);
}

/** Upstream's rendering of a path in conflict messages: `.spec.template.spec.containers[name="nginx"].image`. */
export function pathString(path: Path): string {
  let out = '';
  for (const pe of path) {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f':
        out += `.${body}`;
        break;
      case 'k': {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          parsed = body;
        }
        out += isObject(parsed)
          ? `[${Object.entries(parsed).map(([n, v]) => `${n}=${JSON.stringify(v)}`).join(',')}]`
          : `[${body}]`;
        break;
      }
      case 'v':
        out += `[=${body}]`;
        break;
      default:
        out += `[${body}]`;
    }
  }
  return out;
}

/**
 * Removes the value at `path` from `obj` (in place), `rootType` naming the object's type (strategy.ts) so
 * associative list items are found by their defaulted keys. Answers false when nothing is there. With
 * `pruneEmpty`, maps and lists that the removal leaves empty are removed too, as structured-merge-diff's
 * RemoveItems does (an apply that stops setting the last label leaves no `labels: {}` behind).
 */
export function removePath(obj: JsonObject, path: Path, pruneEmpty = false, rootType?: string): boolean {
  const removed = removeAt(obj, path, rootType);
  if (removed && pruneEmpty) {
    for (let n = path.length - 1; n > 0; n--) {
      const parent = path.slice(0, n);
      if (!parent[parent.length - 1].startsWith('f:')) break;
      const v = valueAt(obj, parent, rootType);
      const empty = (isObject(v) && Object.keys(v).length === 0) || (Array.isArray(v) && v.length === 0);
      if (!empty) break;
      removeAt(obj, parent, rootType);
    }
  }
  return removed;
}

/** One step of a path: the container holding it, the index or key, and the type context below it. */
interface Step {
  container: JsonObject | unknown[];
  at: string | number;
  type: string | undefined;
  fs: FieldStrategy | undefined;
}

/** Resolves every step of `path`, or undefined when some element is not there. */
function resolve(obj: JsonObject, path: Path, rootType: string | undefined): Step[] | undefined {
  const steps: Step[] = [];
  let cur: unknown = obj;
  let type = rootType;
  let fs: FieldStrategy | undefined;
  for (const pe of path) {
    if (pe.startsWith('f:')) {
      const key = pe.slice(2);
      if (!isObject(cur) || !hasKey(cur, key)) return undefined;
      fs = fieldStrategy(type, key);
      steps.push({ container: cur, at: key, type, fs });
      cur = cur[key];
      type = fs?.type;
      continue;
    }
    if (!Array.isArray(cur)) return undefined;
    const idx = findItem(cur, pe, fs);
    if (idx < 0) return undefined;
    steps.push({ container: cur, at: idx, type, fs });
    cur = cur[idx];
    fs = undefined;
  }
  return steps;
}

/** The value at `path`, or undefined. */
export function valueAt(obj: JsonObject, path: Path, rootType?: string): unknown {
  const steps = resolve(obj, path, rootType);
  if (!steps) return undefined;
  if (steps.length === 0) return obj;
  const last = steps[steps.length - 1];
  return Array.isArray(last.container) ? last.container[last.at as number] : last.container[last.at as string];
}

function findItem(arr: unknown[], pe: string, fs: FieldStrategy | undefined): number {
  const body = pe.slice(2);
  if (pe.startsWith('i:')) return /^\d+$/.test(body) && Number(body) < arr.length ? Number(body) : -1;
  if (pe.startsWith('k:') && fs?.list === 'map') {
    const f = fs;
    return arr.findIndex((x) => isObject(x) && itemKey(x, f) === pe);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return -1;
  }
  if (pe.startsWith('v:')) return arr.findIndex((x) => jsonEqual(x, parsed));
  if (!pe.startsWith('k:') || !isObject(parsed)) return -1;
  const kk = parsed;
  return arr.findIndex((x) => isObject(x) && Object.keys(kk).every((n) => jsonEqual(x[n], kk[n])));
}

function removeAt(obj: JsonObject, path: Path, rootType: string | undefined): boolean {
  const steps = resolve(obj, path, rootType);
  if (!steps || steps.length === 0) return false;
  const last = steps[steps.length - 1];
  if (Array.isArray(last.container)) last.container.splice(last.at as number, 1);
  else delete last.container[last.at as string];
  return true;
}
