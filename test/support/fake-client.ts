/**
 * An in-memory ApiClient for unit tests (controllers, scheduler, kubelet, network), in the style of
 * client-go's fake clientset: it keeps objects, bumps resourceVersion, answers 404/409 like the API, and
 * records every call as an Action so a test can assert the exact list of writes a reconcile made.
 * It does no defaulting or schema validation; integration tests cover those against the real API server.
 */
import { randomUUID } from 'node:crypto';
import type {
  ApiClient, DeleteOptions, KubeList, KubeObject, ListOptions, PatchType, Status, Watch, WatchEvent, WatchOptions, WriteOptions,
} from '../../engine/api/client.ts';
import { ApiError } from '../../engine/api/client.ts';
import { matches, parseSelector } from '../../engine/api/labels.ts';
import { apiVersionOf, type ResourceType } from '../../engine/api/resources.ts';

export interface Action {
  verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete' | 'watch';
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  object?: KubeObject;
  patchType?: PatchType;
  patch?: unknown;
}

function status(code: number, reason: string, message: string): Status {
  return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code, reason, message };
}

const clone = <T>(o: T): T => structuredClone(o);

function fieldValue(obj: KubeObject, path: string): string | undefined {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined ? undefined : String(cur);
}

/** Supports `a=b`, `a==b`, `a!=b` terms joined by commas, as the API's field selectors. */
function fieldMatches(obj: KubeObject, sel: string | undefined): boolean {
  if (!sel) return true;
  return sel.split(',').every((term) => {
    const m = term.match(/^([^=!]+)(==|=|!=)(.*)$/);
    if (!m) throw new ApiError(status(400, 'BadRequest', `invalid field selector: ${term}`));
    const v = fieldValue(obj, m[1]!.trim()) ?? '';
    return m[2] === '!=' ? v !== m[3] : v === m[3];
  });
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return clone(patch);
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface Watcher {
  type: ResourceType;
  namespace?: string;
  opts: WatchOptions;
  onEvent: (ev: WatchEvent) => void;
}

export class FakeClient implements ApiClient {
  readonly actions: Action[] = [];
  private readonly objects = new Map<string, KubeObject>();
  private readonly watchers = new Set<Watcher>();
  private rv = 0;
  /** Queue failures: the next matching call throws this error instead. */
  readonly failNext: { verb: Action['verb']; resource: string; error: ApiError }[] = [];

  constructor(seed: { type: ResourceType; objects: KubeObject[] }[] = []) {
    for (const s of seed) for (const o of s.objects) this.put(s.type, o);
  }

  private key(type: ResourceType, namespace: string | undefined, name: string): string {
    return `${type.group}/${type.resource}/${type.namespaced ? namespace ?? 'default' : ''}/${name}`;
  }

  /** Seeds an object without recording an action (a lister's cache). */
  put<T extends KubeObject>(type: ResourceType, obj: T): T {
    const o = clone(obj);
    o.apiVersion ??= apiVersionOf(type);
    o.kind ??= type.kind;
    o.metadata ??= {};
    if (type.namespaced) o.metadata.namespace ??= 'default';
    o.metadata.uid ??= randomUUID();
    o.metadata.resourceVersion = String(++this.rv);
    o.metadata.creationTimestamp ??= new Date().toISOString();
    this.objects.set(this.key(type, o.metadata.namespace, o.metadata.name!), o);
    return clone(o) as T;
  }

  /** Writes-only view of the actions, which is what reconcile tests usually assert. */
  writes(): Action[] {
    return this.actions.filter((a) => a.verb !== 'get' && a.verb !== 'list' && a.verb !== 'watch');
  }

  private record(a: Action): void {
    this.actions.push(a);
    const i = this.failNext.findIndex((f) => f.verb === a.verb && f.resource === a.resource);
    if (i >= 0) {
      const [f] = this.failNext.splice(i, 1);
      throw f!.error;
    }
  }

  private notify(type: ResourceType, evType: WatchEvent['type'], obj: KubeObject): void {
    for (const w of this.watchers) {
      if (w.type !== type) continue;
      if (type.namespaced && w.namespace && w.namespace !== obj.metadata?.namespace) continue;
      if (!matches(parseSelector(w.opts.labelSelector), obj.metadata?.labels)) continue;
      if (!fieldMatches(obj, w.opts.fieldSelector)) continue;
      w.onEvent({ type: evType, object: clone(obj) });
    }
  }

  async get<T extends KubeObject>(type: ResourceType, name: string, namespace?: string): Promise<T> {
    this.record({ verb: 'get', resource: type.resource, namespace, name });
    const o = this.objects.get(this.key(type, namespace, name));
    if (!o) throw new ApiError(status(404, 'NotFound', `${type.resource} "${name}" not found`));
    return clone(o) as T;
  }

  async list<T extends KubeObject>(type: ResourceType, namespace?: string, opts: ListOptions = {}): Promise<KubeList<T>> {
    this.record({ verb: 'list', resource: type.resource, namespace });
    const sel = parseSelector(opts.labelSelector);
    const prefix = `${type.group}/${type.resource}/`;
    const items = [...this.objects.entries()]
      .filter(([k, o]) => k.startsWith(prefix) && (!type.namespaced || !namespace || o.metadata?.namespace === namespace))
      .map(([, o]) => o)
      .filter((o) => matches(sel, o.metadata?.labels) && fieldMatches(o, opts.fieldSelector))
      .map((o) => clone(o) as T);
    return { apiVersion: apiVersionOf(type), kind: `${type.kind}List`, metadata: { resourceVersion: String(this.rv) }, items };
  }

  async create<T extends KubeObject>(type: ResourceType, obj: T, opts: WriteOptions = {}): Promise<T> {
    const o = clone(obj);
    o.metadata ??= {};
    if (!o.metadata.name && o.metadata.generateName) o.metadata.name = o.metadata.generateName + randomUUID().slice(0, 5);
    const ns = type.namespaced ? o.metadata.namespace ?? 'default' : undefined;
    this.record({ verb: 'create', resource: type.resource, namespace: ns, name: o.metadata.name, object: clone(o) });
    if (!o.metadata.name) throw new ApiError(status(422, 'Invalid', 'metadata.name: Required value'));
    if (this.objects.has(this.key(type, ns, o.metadata.name))) {
      throw new ApiError(status(409, 'AlreadyExists', `${type.resource} "${o.metadata.name}" already exists`));
    }
    if (opts.dryRun) return o;
    o.metadata.generation = 1;
    const stored = this.put(type, o);
    this.notify(type, 'ADDED', stored);
    return stored;
  }

  private replace<T extends KubeObject>(type: ResourceType, obj: T, sub: string | undefined): T {
    const ns = type.namespaced ? obj.metadata?.namespace ?? 'default' : undefined;
    const key = this.key(type, ns, obj.metadata?.name ?? '');
    const cur = this.objects.get(key);
    if (!cur) throw new ApiError(status(404, 'NotFound', `${type.resource} "${obj.metadata?.name}" not found`));
    const rv = obj.metadata?.resourceVersion;
    if (rv && rv !== cur.metadata?.resourceVersion) {
      throw new ApiError(status(409, 'Conflict', `Operation cannot be fulfilled on ${type.resource} "${obj.metadata?.name}": the object has been modified; please apply your changes to the latest version and try again`));
    }
    const next = clone(obj) as T & { spec?: unknown; status?: unknown };
    const prev = cur as KubeObject & { spec?: unknown; status?: unknown };
    if (sub === 'status') {
      // Only status changes through the status subresource.
      const merged = { ...clone(prev), status: next.status } as unknown as T;
      merged.metadata = { ...prev.metadata };
      return this.store(type, key, merged, prev);
    }
    next.status = prev.status;
    next.metadata = { ...next.metadata, uid: prev.metadata?.uid, creationTimestamp: prev.metadata?.creationTimestamp };
    const specChanged = JSON.stringify(next.spec) !== JSON.stringify(prev.spec);
    next.metadata.generation = (prev.metadata?.generation ?? 1) + (specChanged ? 1 : 0);
    return this.store(type, key, next, prev);
  }

  private store<T extends KubeObject>(type: ResourceType, key: string, obj: T, _prev: KubeObject): T {
    obj.metadata!.resourceVersion = String(++this.rv);
    // An object being deleted whose finalizers are all gone disappears, as upstream. A Namespace is also
    // held by its spec.finalizers (`kubernetes`), which only the finalize subresource removes.
    const nsFinalizers = type.kind === 'Namespace' ? (obj as { spec?: { finalizers?: string[] } }).spec?.finalizers?.length : 0;
    if (obj.metadata!.deletionTimestamp && !(obj.metadata!.finalizers?.length) && !nsFinalizers) {
      this.objects.delete(key);
      this.notify(type, 'DELETED', obj);
      return clone(obj);
    }
    this.objects.set(key, clone(obj));
    this.notify(type, 'MODIFIED', obj);
    return clone(obj);
  }

  async update<T extends KubeObject>(type: ResourceType, obj: T, _opts?: WriteOptions): Promise<T> {
    this.record({ verb: 'update', resource: type.resource, namespace: obj.metadata?.namespace, name: obj.metadata?.name, object: clone(obj) });
    return this.replace(type, obj, undefined);
  }

  async updateStatus<T extends KubeObject>(type: ResourceType, obj: T, _opts?: WriteOptions): Promise<T> {
    this.record({ verb: 'update', resource: type.resource, namespace: obj.metadata?.namespace, name: obj.metadata?.name, subresource: 'status', object: clone(obj) });
    return this.replace(type, obj, 'status');
  }

  async patch<T extends KubeObject>(
    type: ResourceType, name: string, namespace: string | undefined, patchType: PatchType, patch: unknown,
    opts: WriteOptions & { subresource?: string } = {},
  ): Promise<T> {
    this.record({ verb: 'patch', resource: type.resource, namespace, name, subresource: opts.subresource, patchType, patch: clone(patch) });
    const cur = this.objects.get(this.key(type, namespace, name));
    if (!cur) throw new ApiError(status(404, 'NotFound', `${type.resource} "${name}" not found`));
    if (patchType !== 'merge' && patchType !== 'strategic') {
      throw new Error(`FakeClient supports merge and strategic (as merge) patches only, not ${patchType}`);
    }
    const next = mergePatch(clone(cur), patch) as T;
    next.metadata!.resourceVersion = cur.metadata?.resourceVersion;
    return this.replace(type, next, opts.subresource);
  }

  async delete(type: ResourceType, name: string, namespace?: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    this.record({ verb: 'delete', resource: type.resource, namespace, name });
    const key = this.key(type, namespace, name);
    const cur = this.objects.get(key);
    if (!cur) throw new ApiError(status(404, 'NotFound', `${type.resource} "${name}" not found`));
    if (opts.preconditions?.uid && opts.preconditions.uid !== cur.metadata?.uid) {
      throw new ApiError(status(409, 'Conflict', `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${cur.metadata?.uid}`));
    }
    if (opts.dryRun) return clone(cur);
    if (cur.metadata?.finalizers?.length) {
      const next = clone(cur);
      next.metadata!.deletionTimestamp ??= new Date().toISOString();
      return this.store(type, key, next, cur);
    }
    this.objects.delete(key);
    this.rv++;
    this.notify(type, 'DELETED', cur);
    return clone(cur);
  }

  async createSubresource<T extends KubeObject>(type: ResourceType, name: string, namespace: string | undefined, subresource: string, body: KubeObject): Promise<T> {
    this.record({ verb: 'create', resource: type.resource, namespace, name, subresource, object: clone(body) });
    const key = this.key(type, namespace, name);
    const cur = this.objects.get(key) as (KubeObject & { spec?: { nodeName?: string } }) | undefined;
    if (!cur) throw new ApiError(status(404, 'NotFound', `${type.resource} "${name}" not found`));
    if (subresource === 'binding') {
      const target = (body as { target?: { name?: string } }).target?.name;
      if (cur.spec?.nodeName) throw new ApiError(status(409, 'Conflict', `pod ${name} is already assigned to node "${cur.spec.nodeName}"`));
      const next = clone(cur);
      next.spec = { ...next.spec, nodeName: target };
      this.store(type, key, next, cur);
      return body as T;
    }
    if (subresource === 'eviction') {
      await this.delete(type, name, namespace);
      return body as T;
    }
    throw new Error(`FakeClient: subresource ${subresource} is not supported`);
  }

  watch<T extends KubeObject>(type: ResourceType, namespace: string | undefined, opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void): Watch {
    this.actions.push({ verb: 'watch', resource: type.resource, namespace });
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    const w: Watcher = { type, namespace, opts, onEvent: onEvent as (ev: WatchEvent) => void };
    this.watchers.add(w);
    return {
      stop: () => {
        this.watchers.delete(w);
        resolveDone();
      },
      done,
    };
  }
}
