/**
 * The registry: generic storage for every served resource over the Store (upstream's genericregistry.Store
 * plus the per-kind strategies in strategy.ts). The HTTP API server and the in-process ApiClient both call
 * it, so they share one set of semantics: defaulting, validation, conflicts, deletion, watch.
 *
 * Contract: objects passed in are not mutated; objects returned are fresh copies the caller may keep.
 * Errors are ApiError with upstream-shaped Status. resourceVersion is the store's modRevision.
 */
import { randomBytes } from 'node:crypto';
import type { KubeList, KubeObject, Status, WatchEvent } from '../api/client.ts';
import { ApiError } from '../api/client.ts';
import { fromLabelSelector, matches, parseSelector, SelectorParseError, formatSelector } from '../api/labels.ts';
import type { Selector } from '../api/labels.ts';
import type { LabelSelector } from 'kubernetes-types/meta/v1';
import { StoreError, type KeyValue, type ListResult, type Store, type WatchChange } from '../store/types.ts';
import { Catalog, type ResourceInfo } from './catalog.ts';
import { allocate, inUse, ipToString, serviceRange, type ServiceRange } from './allocator.ts';
import { applyStructuralSchema, crdResources, crdVersion, readCrd, readPath, writePath } from './crd.ts';
import {
  alreadyExists, apiError, badRequest, conflict, expired, FieldErr, forbidden, invalid, methodNotAllowed, notFound, STALE,
  status as mkStatus, tooManyRequests, type Cause,
} from './errors.ts';
import { checkBuiltin } from './fieldcheck.ts';
import { matchesFields, parseFieldSelector, pinnedName, type FieldTerm } from './fields.ts';
import {
  blocksDeletion, defaultObject, normalizeMeta, gk, gracePeriodFor, hasStatusSubresource, meta, prepareForCreate, prepareForUpdate, rfc3339, validate,
} from './strategy.ts';
import { applyPatch, PatchError } from '../apiserver/patch/index.ts';
import { conflictStatus, serverSideApply, trackUpdate } from '../apiserver/patch/apply.ts';
import { admit } from '../admission/index.ts';
import type { LimitRange, Namespace, Pod, ResourceQuota } from 'kubernetes-types/core/v1';
import { checkPodSecurity, podSecurityMessage } from '../kubelet/security.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const o = (v: unknown): Obj => (isObj(v) ? v : {});

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOpts {
  dryRun?: boolean;
  /** Internal: the object comes from server-side apply, which already wrote managedFields. */
  applied?: boolean;
  fieldManager?: string;
  fieldValidation?: FieldValidation;
  force?: boolean;
}

export interface WriteResult {
  object: KubeObject;
  warnings: string[];
  /** True when the write created the object (PUT/apply of a missing object). */
  created?: boolean;
}

export interface ListOpts {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface DeleteOpts {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface DeleteResult {
  object: KubeObject;
  /** True when the object is gone from the store; false while finalizers or a grace period hold it. */
  deleted: boolean;
}

export interface WatchOpts {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  /** Interval between bookmarks (ms); default 60 s as upstream's watch cache. */
  bookmarkIntervalMs?: number;
}

export interface RegistryWatch {
  stop(): void;
  readonly done: Promise<void>;
}

export interface RegistryOptions {
  store: Store;
  catalog?: Catalog;
  now?: () => Date;
  /** The Services' ClusterIP range (the cluster network plan's); default 10.96.0.0/16. */
  serviceCIDR?: string;
  /** The cluster DNS address inside that range, never handed to a Service. */
  dnsIP?: string;
}

export type PatchKindAll = 'json' | 'merge' | 'strategic' | 'apply';

const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];
const GENERATE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const MAX_RETRIES = 16;

function generateSuffix(): string {
  const bytes = randomBytes(5);
  let s = '';
  for (const b of bytes) s += GENERATE_ALPHABET[b % GENERATE_ALPHABET.length];
  return s;
}

/** A serial queue: allocations of cluster-wide resources (ClusterIPs, NodePorts) run one at a time. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(() => undefined, () => undefined);
    return result;
  }
}

/**
 * Serial queues per key: read-modify-write loops on one object run one at a time inside this registry, so
 * concurrent writers (a controller writing status while a client patches) do not livelock re-reading and
 * losing the compare-and-swap to each other. Writes that bypass it still meet the store's CAS and retry.
 */
class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(fn);
    const tail = result.then(() => undefined, () => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}

function apiVersionOfInfo(info: ResourceInfo): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** The continue token: where the next page starts, and the revision of the first page. */
function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: lastKey })).toString('base64url');
}
function decodeContinue(token: string): { rv: number; start: string } {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof t.start !== 'string' || typeof t.rv !== 'number') throw new Error('bad');
    return { rv: t.rv, start: t.start };
  } catch {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

export class Registry {
  readonly store: Store;
  readonly catalog: Catalog;
  private readonly now: () => Date;
  private readonly serviceMutex = new Mutex();
  private readonly keyMutex = new KeyedMutex();
  private readonly cleanups = new Set<string>();
  private closed = false;
  private readonly serviceRange: ServiceRange;

  constructor(opts: RegistryOptions) {
    this.serviceRange = serviceRange(opts.serviceCIDR, opts.dnsIP);
    this.store = opts.store;
    this.catalog = opts.catalog ?? new Catalog();
    this.now = opts.now ?? (() => new Date());
  }

  /** Loads CRDs into the catalog, resumes CRD cleanups, and makes sure the system namespaces exist. */
  async start(): Promise<void> {
    const crdInfo = this.catalog.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
    const crds = await this.store.list(Catalog.prefix(crdInfo));
    for (const kv of crds.items) {
      const crd = this.decode(crdInfo, kv);
      this.syncCrd(crd);
      if (crd.metadata?.deletionTimestamp) this.cleanupCrd(crd);
    }
    const nsInfo = this.catalog.lookup('', 'v1', 'namespaces')!;
    for (const name of SYSTEM_NAMESPACES) {
      try {
        await this.create(nsInfo, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: 'kube-apiserver' });
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
      }
    }
    await this.ensureKubernetesService();
  }

  /**
   * The `kubernetes` Service in `default`, as upstream's apiserver keeps it: ClusterIP = the service range's
   * first address, port 443 (https). Created when missing; an existing one is left as it is.
   */
  private async ensureKubernetesService(): Promise<void> {
    const svcInfo = this.catalog.lookup('', 'v1', 'services')!;
    if (await this.store.get(this.key(svcInfo, 'default', 'kubernetes'))) return;
    try {
      await this.create(svcInfo, 'default', {
        apiVersion: 'v1', kind: 'Service',
        metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
        spec: {
          type: 'ClusterIP', clusterIP: ipToString(this.serviceRange.base + 1), sessionAffinity: 'None',
          ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 443 }],
        },
      }, { fieldManager: 'kube-apiserver' });
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
    }
  }

  close(): void {
    this.closed = true;
  }

  // ---- encoding -------------------------------------------------------------------------------------------

  /** The stored JSON (storage version, without resourceVersion) → the object as the given version serves it. */
  decode(info: ResourceInfo, kv: KeyValue, revision = kv.modRevision): KubeObject {
    const obj = JSON.parse(kv.value) as Obj;
    meta(obj).resourceVersion = String(revision);
    return info.convert ? info.convert.fromStorage(obj as KubeObject) : (obj as KubeObject);
  }

  private encode(obj: Obj): string {
    const copy = { ...obj, metadata: { ...meta(obj) } };
    delete (copy.metadata as Obj).resourceVersion;
    return JSON.stringify(copy);
  }

  private out(info: ResourceInfo, stored: Obj, rv: number | string | undefined): KubeObject {
    const c = structuredClone(stored);
    if (rv !== undefined) meta(c).resourceVersion = String(rv);
    return info.convert ? info.convert.fromStorage(c as KubeObject) : (c as KubeObject);
  }

  private key(info: ResourceInfo, namespace: string | undefined, name: string): string {
    return Catalog.key(info, namespace, name);
  }

  private storageInfo(info: ResourceInfo): ResourceInfo {
    if (!info.convert || info.crd) return info;
    for (const i of this.catalog.all()) if (i.group === info.storageGroup && i.resource === info.storageResource && !i.convert) return i;
    return info;
  }

  private checkScope(info: ResourceInfo, namespace: string | undefined): string | undefined {
    if (!info.namespaced) return undefined;
    if (!namespace) throw badRequest(`the namespace of the provided object does not match the namespace sent on the request`);
    return namespace;
  }

  // ---- reads ----------------------------------------------------------------------------------------------

  async get(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    if (info.virtual) throw methodNotAllowed();
    const ns = info.namespaced ? namespace : undefined;
    if (info.namespaced && !ns) throw badRequest('a namespace is required');
    const kv = await this.store.get(this.key(info, ns, name));
    if (!kv) throw notFound(info.group, info.resource, name);
    return this.decode(info, kv);
  }

  private selectors(info: ResourceInfo, labelSelector?: string, fieldSelector?: string): { labels: Selector; fields: FieldTerm[] } {
    let labels: Selector;
    try {
      labels = parseSelector(labelSelector);
    } catch (e) {
      throw badRequest(`unable to parse requirement: ${e instanceof Error ? e.message : String(e)}`);
    }
    const fields = parseFieldSelector(fieldSelector, info.storageGroup, info.kind, info.crd ? [] : []);
    return { labels, fields };
  }

  private static matchObj(sel: { labels: Selector; fields: FieldTerm[] }, obj: KubeObject): boolean {
    return matches(sel.labels, obj.metadata?.labels) && matchesFields(sel.fields, obj);
  }

  async list(info: ResourceInfo, namespace: string | undefined, opts: ListOpts = {}): Promise<KubeList> {
    if (info.virtual) throw methodNotAllowed();
    const ns = info.namespaced ? namespace : undefined;
    const sel = this.selectors(info, opts.labelSelector, opts.fieldSelector);
    const listKind = `${info.kind}List`;
    const apiVersion = apiVersionOfInfo(info);
    const items: KubeObject[] = [];
    const pinned = pinnedName(sel.fields);
    const nsTerm = sel.fields.find((t) => t.field === 'metadata.namespace' && !t.negate)?.value;
    const scopeNs = ns ?? (info.namespaced ? nsTerm : undefined);
    if (pinned !== undefined && (!info.namespaced || scopeNs) && !opts.continue) {
      const kv = await this.store.get(this.key(info, scopeNs, pinned));
      if (kv) {
        const obj = this.decode(info, kv);
        if (Registry.matchObj(sel, obj)) items.push(obj);
      }
      return { apiVersion, kind: listKind, metadata: { resourceVersion: String(this.store.revision()) }, items };
    }
    const prefix = Catalog.prefix(info, scopeNs);
    const limit = opts.limit && opts.limit > 0 ? Math.floor(opts.limit) : undefined;
    let startAfter: string | undefined;
    let listRv: number | undefined;
    // A continued list reads the store as it was at the first page's revision (upstream's consistent chunks).
    let atRevision: number | undefined;
    if (opts.continue) {
      const c = decodeContinue(opts.continue);
      if (!c.start.startsWith(prefix)) throw badRequest('continue key is not valid: the token does not belong to this list');
      startAfter = c.start;
      listRv = c.rv;
      atRevision = c.rv;
      if (c.rv < this.store.compactedRevision()) {
        throw expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      }
    }
    let more = false;
    let lastKey: string | undefined;
    for (;;) {
      const batch = limit ? Math.max(limit - items.length, 1) + (sel.labels.length || sel.fields.length ? 64 : 0) : undefined;
      let res: ListResult;
      try {
        res = await this.store.list(prefix, { limit: batch, startAfter, ...(atRevision !== undefined ? { revision: atRevision } : {}) });
      } catch (e) {
        if (e instanceof StoreError && e.code === 'Expired') {
          throw expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
        }
        if (e instanceof TypeError && atRevision !== undefined) throw badRequest('continue key is not valid: its revision is in the future');
        throw e;
      }
      listRv ??= res.revision;
      for (const kv of res.items) {
        if (limit && items.length >= limit) {
          more = true;
          break;
        }
        lastKey = kv.key;
        const obj = this.decode(info, kv);
        if (Registry.matchObj(sel, obj)) items.push(obj);
      }
      if (limit && items.length >= limit) {
        more = more || res.more;
        break;
      }
      if (!res.more || res.items.length === 0) break;
      startAfter = res.items[res.items.length - 1]!.key;
    }
    const metadata: KubeList['metadata'] = { resourceVersion: String(listRv ?? this.store.revision()) };
    if (more && lastKey) metadata.continue = encodeContinue(listRv ?? this.store.revision(), lastKey);
    return { apiVersion, kind: listKind, metadata, items };
  }

  // ---- create ---------------------------------------------------------------------------------------------

  /** Checks apiVersion/kind and the namespace of a request body; returns a private copy in the served version. */
  private accept(info: ResourceInfo, namespace: string | undefined, body: unknown, name?: string): Obj {
    if (!isObj(body)) throw badRequest('the request body must be a JSON object');
    const obj = structuredClone(body);
    const expected = apiVersionOfInfo(info);
    if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
      throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expected})`);
    }
    if (obj.kind !== undefined && obj.kind !== info.kind) {
      throw badRequest(`${String(obj.kind)} in version "${info.version}" cannot be handled as a ${info.kind}: the kind in the data does not match the expected kind (${info.kind})`);
    }
    obj.apiVersion = expected;
    obj.kind = info.kind;
    if (obj.metadata !== undefined && !isObj(obj.metadata)) throw badRequest(`${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: metadata must be an object`);
    const m = meta(obj);
    if (info.namespaced) {
      if (m.namespace !== undefined && m.namespace !== '' && m.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      m.namespace = namespace;
    } else if (m.namespace === '') delete m.namespace;
    if (name !== undefined) {
      if (m.name !== undefined && m.name !== name) throw badRequest(`the name of the object (${String(m.name)}) does not match the name on the URL (${name})`);
      m.name = name;
    }
    return obj;
  }

  /** Type checks, unknown fields (Strict → 400, Warn → warnings) and pruning, then conversion to storage. */
  private decodeBody(info: ResourceInfo, obj: Obj, fieldValidation: FieldValidation | undefined, warnings: string[]): { stored: Obj; causes: Cause[] } {
    let unknown: string[] = [];
    const causes: Cause[] = [];
    if (info.crd) {
      const crd = this.crds.get(info.crd);
      const schema = crd ? crdVersion(readCrd(crd), info.version)?.schema?.openAPIV3Schema : undefined;
      if (schema) {
        const r = applyStructuralSchema(obj, schema);
        unknown = r.unknown;
        causes.push(...r.causes);
      }
    } else {
      const issues = checkBuiltin(info.group, info.version, info.kind, obj);
      if (issues) {
        if (issues.typeErrors.length) {
          throw badRequest(`${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: ${issues.typeErrors[0]}`);
        }
        unknown = issues.unknown;
      }
    }
    if (unknown.length) {
      if (fieldValidation === 'Strict') throw badRequest(`strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`);
      if (fieldValidation === 'Warn') for (const u of unknown) warnings.push(`unknown field "${u}"`);
    }
    const stored = (info.convert ? info.convert.toStorage(obj as KubeObject) : obj) as Obj;
    return { stored, causes };
  }

  private async checkNamespace(info: ResourceInfo, namespace: string | undefined, name: string): Promise<void> {
    if (!info.namespaced || !namespace) return;
    const nsInfo = this.catalog.lookup('', 'v1', 'namespaces')!;
    const kv = await this.store.get(this.key(nsInfo, undefined, namespace));
    if (!kv) throw notFound('', 'namespaces', namespace);
    const ns = JSON.parse(kv.value) as Obj;
    if (meta(ns).deletionTimestamp || o(ns.status).phase === 'Terminating') {
      throw forbidden(`${info.resource}${info.group ? `.${info.group}` : ''} "${name}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
        name, group: info.group || undefined, kind: info.resource,
        causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
      });
    }
  }

  async create(info: ResourceInfo, namespace: string | undefined, body: unknown, opts: WriteOpts = {}): Promise<WriteResult> {
    if (info.virtual) return { object: this.review(info, body), warnings: [] };
    if (!info.verbs.includes('create')) throw methodNotAllowed();
    const ns = info.namespaced ? this.checkScope(info, namespace) : undefined;
    const warnings: string[] = [];
    const obj = this.accept(info, ns, body);
    const m = meta(obj);
    if ((m.name === undefined || m.name === '') && typeof m.generateName === 'string' && m.generateName) {
      m.name = `${m.generateName}${generateSuffix()}`;
    }
    const { stored, causes } = this.decodeBody(info, obj, opts.fieldValidation, warnings);
    const sinfo = this.storageInfo(info);
    defaultObject(sinfo, stored, true);
    const name = String(meta(stored).name ?? '');
    prepareForCreate(sinfo, stored, this.now());
    causes.push(...validate(sinfo, stored, undefined));
    if (causes.length) throw invalid(info.group, info.kind, name || String(m.generateName ?? ''), causes);
    await this.checkNamespace(info, ns, name);
    await this.checkPodSecurity(sinfo, ns, stored);
    if (info.crd && this.crds.get(info.crd)?.metadata?.deletionTimestamp) {
      throw apiError(405, 'MethodNotAllowed', `create not allowed while custom resource definition is terminating`);
    }
    const run = async (): Promise<WriteResult> => {
      if (gk(sinfo) === '/Service') {
        const services = await this.rawList('', 'services');
        const c = allocate(stored, undefined, inUse(services), Math.random, this.serviceRange);
        if (c.length) throw invalid(info.group, info.kind, name, c);
      }
      const admitted = await this.admitWrite('CREATE', sinfo, ns, stored, undefined, opts.dryRun === true);
      const managed = (opts.applied ? admitted : trackUpdate(undefined, admitted, opts.fieldManager ?? 'unknown', this.now())) as Obj;
      normalizeMeta(managed);
      if (opts.dryRun) return { object: this.out(info, managed, undefined), warnings };
      const key = this.key(info, ns, name);
      let kv: KeyValue;
      try {
        kv = await this.store.create(key, this.encode(managed));
      } catch (e) {
        if (e instanceof StoreError && e.code === 'AlreadyExists') {
          throw alreadyExists(info.group, info.resource, name);
        }
        throw e;
      }
      this.afterWrite(sinfo, managed);
      return { object: this.out(info, managed, kv.modRevision), warnings };
    };
    return gk(sinfo) === '/Service' ? this.serviceMutex.run(run) : run();
  }

  /**
   * Pod Security admission (baseline, engine/kubelet/security.ts): a pod that asks for host namespaces,
   * privileged containers, dangerous host paths… is refused with 403 naming the field, unless its namespace
   * carries `pod-security.kubernetes.io/enforce: privileged`.
   */
  private async checkPodSecurity(sinfo: ResourceInfo, ns: string | undefined, pod: Obj): Promise<void> {
    if (gk(sinfo) !== '/Pod' || !ns) return;
    const nsInfo = this.catalog.lookup('', 'v1', 'namespaces')!;
    const kv = await this.store.get(this.key(nsInfo, undefined, ns));
    const namespace = kv ? (JSON.parse(kv.value) as Namespace) : undefined;
    const violations = checkPodSecurity(pod as Pod, namespace);
    if (violations.length === 0) return;
    const name = String(meta(pod).name ?? meta(pod).generateName ?? '');
    throw forbidden(podSecurityMessage(pod as Pod, violations), {
      name, kind: 'pods',
      causes: violations.map((v) => ({ reason: 'FieldValueForbidden', message: v.message, field: v.field })),
    });
  }

  /**
   * Admission for a create or an update (engine/admission): LimitRange defaults and limits (pod creates),
   * then ResourceQuota usage, charged to each quota's status.used by compare-and-swap before the object is
   * stored (as upstream's quota admission does). A concurrent quota change makes it re-read and re-check, a
   * few times.
   */
  private async admitWrite(op: 'CREATE' | 'UPDATE', sinfo: ResourceInfo, ns: string | undefined, obj: Obj, old: Obj | undefined, dryRun: boolean): Promise<Obj> {
    if (!ns || sinfo.crd) return obj;
    for (let attempt = 0; ; attempt++) {
      const [lrs, rqs] = await Promise.all([
        this.store.list(`/registry/core/limitranges/${ns}/`),
        this.store.list(`/registry/core/resourcequotas/${ns}/`),
      ]);
      if (lrs.items.length === 0 && rqs.items.length === 0) return obj;
      const quotas = rqs.items.map((kv) => ({ kv, obj: JSON.parse(kv.value) as Obj }));
      const result = admit(op, sinfo, structuredClone(obj) as KubeObject, {
        limitRanges: lrs.items.map((kv) => JSON.parse(kv.value) as LimitRange),
        resourceQuotas: quotas.map((q) => q.obj as ResourceQuota),
        old: old as KubeObject | undefined,
        dryRun,
      });
      if (dryRun || result.quotaUpdates.length === 0) return result.object as Obj;
      let conflicted = false;
      for (const u of result.quotaUpdates) {
        const q = quotas.find((x) => meta(x.obj).name === u.name);
        if (!q) continue;
        const next = structuredClone(q.obj);
        next.status = { ...o(next.status), used: u.used };
        try {
          await this.store.update(q.kv.key, JSON.stringify(next), q.kv.modRevision);
        } catch (e) {
          if (e instanceof StoreError && (e.code === 'Conflict' || e.code === 'NotFound')) {
            conflicted = true;
            break;
          }
          throw e;
        }
      }
      if (!conflicted) return result.object as Obj;
      if (attempt >= MAX_RETRIES) throw conflict('', 'resourcequotas', ns, 'the quota was modified concurrently; please try again');
    }
  }

  private async rawList(group: string, resource: string): Promise<Obj[]> {
    const prefix = `/registry/${group || 'core'}/${resource}/`;
    const out: Obj[] = [];
    let startAfter: string | undefined;
    for (;;) {
      const res = await this.store.list(prefix, { limit: 1000, startAfter });
      for (const kv of res.items) out.push(JSON.parse(kv.value) as Obj);
      if (!res.more || res.items.length === 0) return out;
      startAfter = res.items[res.items.length - 1]!.key;
    }
  }

  // ---- update ---------------------------------------------------------------------------------------------

  /**
   * The read-modify-write loop (upstream GuaranteedUpdate). `mutate` turns the stored object (undefined when
   * missing) into the desired next object in storage form; a precondition resourceVersion makes a stale
   * write a 409, otherwise store conflicts re-read and re-run `mutate` (a PATCH without a resourceVersion is
   * re-applied to the newest object, never a 409 because a controller wrote in between). Loops on one key run
   * one at a time (keyMutex), so same-process writers cannot starve each other out of the bounded retries.
   */
  private async guaranteedUpdate(
    info: ResourceInfo,
    namespace: string | undefined,
    name: string,
    opts: WriteOpts & { subresource?: string; allowCreate?: boolean; skipValidation?: boolean; applied?: boolean },
    mutate: (current: Obj | undefined, currentRv: string | undefined) => { next: Obj; precondition?: string; warnings?: string[] },
  ): Promise<WriteResult> {
    const ns = info.namespaced ? this.checkScope(info, namespace) : undefined;
    const sinfo = this.storageInfo(info);
    const key = this.key(info, ns, name);
    return this.keyMutex.run(key, () => this.updateLoop(info, ns, sinfo, key, name, opts, mutate));
  }

  private async updateLoop(
    info: ResourceInfo, ns: string | undefined, sinfo: ResourceInfo, key: string, name: string,
    opts: WriteOpts & { subresource?: string; allowCreate?: boolean; skipValidation?: boolean; applied?: boolean },
    mutate: (current: Obj | undefined, currentRv: string | undefined) => { next: Obj; precondition?: string; warnings?: string[] },
  ): Promise<WriteResult> {
    for (let attempt = 0; ; attempt++) {
      const kv = await this.store.get(key);
      const current = kv ? (JSON.parse(kv.value) as Obj) : undefined;
      const currentRv = kv ? String(kv.modRevision) : undefined;
      if (current) meta(current).resourceVersion = currentRv;
      const { next, precondition, warnings = [] } = mutate(current, currentRv);
      if (!current || !kv) {
        if (!opts.allowCreate) throw notFound(info.group, info.resource, name);
        const body = info.convert ? info.convert.fromStorage(next as KubeObject) : next;
        const r = await this.create(info, ns, body, { ...opts, applied: opts.applied });
        return { ...r, warnings: [...warnings, ...r.warnings], created: true };
      }
      if (precondition !== undefined && precondition !== '' && precondition !== currentRv) {
        throw conflict(info.group, info.resource, name, STALE);
      }
      const causes = prepareForUpdate(sinfo, next, current, opts.subresource, this.now());
      if (opts.subresource !== 'status' && opts.subresource !== 'finalize') defaultObject(sinfo, next, false);
      if (!opts.skipValidation) causes.push(...validate(sinfo, next, current));
      if (causes.length) throw invalid(info.group, info.kind, name, causes);
      let admitted = next;
      if (opts.subresource === undefined && !meta(next).deletionTimestamp) {
        await this.checkPodSecurity(sinfo, ns, next);
        admitted = await this.admitWrite('UPDATE', sinfo, ns, next, current, opts.dryRun === true);
      }
      const doWrite = async (): Promise<WriteResult | 'retry'> => {
        if (gk(sinfo) === '/Service' && opts.subresource === undefined) {
          const services = await this.rawList('', 'services');
          const c = allocate(next, current, inUse(services, { namespace: ns, name }), Math.random, this.serviceRange);
          if (c.length) throw invalid(info.group, info.kind, name, c);
        }
        // Server-side apply computed managedFields itself; every other write records an Update entry.
        const written = (opts.applied ? structuredClone(admitted) : trackUpdate(current, admitted, opts.fieldManager ?? 'unknown', this.now())) as Obj;
        meta(written).resourceVersion = currentRv;
        normalizeMeta(written);
        if (JSON.stringify(written) === JSON.stringify(current)) {
          return { object: this.out(info, current, currentRv), warnings };
        }
        const finalize = meta(written).deletionTimestamp !== undefined && !blocksDeletion(sinfo, written)
          && meta(current).deletionGracePeriodSeconds === 0;
        if (opts.dryRun) return { object: this.out(info, written, currentRv), warnings };
        try {
          if (finalize) {
            const r = await this.store.delete(key, kv.modRevision);
            this.afterDelete(sinfo, written);
            return { object: this.out(info, written, r.revision), warnings };
          }
          const nkv = await this.store.update(key, this.encode(written), kv.modRevision);
          this.afterWrite(sinfo, written);
          return { object: this.out(info, written, nkv.modRevision), warnings };
        } catch (e) {
          if (e instanceof StoreError && (e.code === 'Conflict' || e.code === 'NotFound')) {
            if (precondition) throw conflict(info.group, info.resource, name, STALE);
            return 'retry';
          }
          throw e;
        }
      };
      const r = gk(sinfo) === '/Service' ? await this.serviceMutex.run(doWrite) : await doWrite();
      if (r !== 'retry') return r;
      if (attempt >= MAX_RETRIES) throw conflict(info.group, info.resource, name, STALE);
    }
  }

  private allowCreateOnUpdate(info: ResourceInfo): boolean {
    return ['/Endpoints', '/Event', 'coordination.k8s.io/Lease', 'discovery.k8s.io/EndpointSlice'].includes(gk(info));
  }

  /** PUT: replace the object (or its status/finalize subresource). 409 when the body's resourceVersion is stale. */
  async update(info: ResourceInfo, namespace: string | undefined, name: string, body: unknown, opts: WriteOpts & { subresource?: string } = {}): Promise<WriteResult> {
    if (info.virtual || !info.verbs.includes('update')) throw methodNotAllowed();
    const ns = info.namespaced ? this.checkScope(info, namespace) : undefined;
    const warnings: string[] = [];
    const obj = this.accept(info, ns, body, name);
    const precondition = typeof meta(obj).resourceVersion === 'string' ? (meta(obj).resourceVersion as string) : undefined;
    const { stored, causes } = this.decodeBody(info, obj, opts.fieldValidation, warnings);
    if (causes.length) throw invalid(info.group, info.kind, name, causes);
    return this.guaranteedUpdate(info, ns, name, { ...opts, allowCreate: !opts.subresource && this.allowCreateOnUpdate(info) }, () => ({
      next: structuredClone(stored), precondition, warnings,
    }));
  }

  /** PATCH: json, merge, strategic (via the patch module) or server-side apply; retried on store conflicts. */
  async patch(
    info: ResourceInfo, namespace: string | undefined, name: string, patchType: PatchKindAll, patch: unknown,
    opts: WriteOpts & { subresource?: string } = {},
  ): Promise<WriteResult> {
    if (info.virtual || !info.verbs.includes('patch')) throw methodNotAllowed();
    const ns = info.namespaced ? this.checkScope(info, namespace) : undefined;
    const gvk = { group: info.group, version: info.version, kind: info.kind };
    const warnings: string[] = [];
    const manager = opts.fieldManager ?? 'unknown';
    return this.guaranteedUpdate(info, ns, name, { ...opts, allowCreate: patchType === 'apply' && !opts.subresource, applied: patchType === 'apply' }, (current) => {
      const served = current ? (info.convert ? info.convert.fromStorage(structuredClone(current) as KubeObject) : structuredClone(current)) as Obj : undefined;
      let patched: object;
      try {
        if (patchType === 'apply') {
          const applied = this.accept(info, ns, patch, name);
          const r = serverSideApply(served, applied, { manager, force: opts.force === true, gvk, now: this.now() });
          if (r.conflicts.length && opts.force !== true) {
            const s = conflictStatus(r.conflicts, gvk, name);
            throw apiError(409, 'Conflict', s.message, { ...s.details, group: s.details.group || undefined, causes: s.causes });
          }
          patched = r.object;
        } else {
          if (!served) throw notFound(info.group, info.resource, name);
          patched = applyPatch(served, patchType, patch, gvk);
        }
      } catch (e) {
        if (e instanceof PatchError) throw apiError(e.code, e.code === 422 ? 'Invalid' : e.code === 415 ? 'UnsupportedMediaType' : e.code === 409 ? 'Conflict' : 'BadRequest', e.message);
        throw e;
      }
      const pobj = this.accept(info, ns, patched, name);
      const precondition = served && meta(pobj).resourceVersion !== meta(served).resourceVersion ? String(meta(pobj).resourceVersion ?? '') : undefined;
      const { stored, causes } = this.decodeBody(info, pobj, opts.fieldValidation, warnings);
      if (causes.length) throw invalid(info.group, info.kind, name, causes);
      if (precondition === '') delete meta(stored).resourceVersion;
      return { next: stored, precondition, warnings };
    });
  }

  // ---- scale ----------------------------------------------------------------------------------------------

  private scalePaths(info: ResourceInfo): { spec: string; status: string; selector?: string } {
    if (info.crd) {
      const crd = this.crds.get(info.crd);
      const sc = crd ? crdVersion(readCrd(crd), info.version)?.subresources?.scale : undefined;
      if (!sc) throw notFound(info.group, `${info.resource}/scale`, '');
      return { spec: sc.specReplicasPath, status: sc.statusReplicasPath, selector: sc.labelSelectorPath };
    }
    return { spec: '.spec.replicas', status: '.status.replicas' };
  }

  toScale(info: ResourceInfo, obj: KubeObject): KubeObject {
    const paths = this.scalePaths(info);
    const m = obj.metadata ?? {};
    let selector = '';
    if (paths.selector) selector = String(readPath(obj, paths.selector) ?? '');
    else {
      try {
        const sel = fromLabelSelector(o((obj as Obj).spec).selector as LabelSelector);
        selector = sel ? formatSelector(sel) : '';
      } catch (e) {
        if (!(e instanceof SelectorParseError)) throw e;
      }
    }
    return {
      kind: 'Scale', apiVersion: 'autoscaling/v1',
      metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
      spec: { replicas: Number(readPath(obj, paths.spec) ?? 0) },
      status: { replicas: Number(readPath(obj, paths.status) ?? 0), selector },
    } as KubeObject;
  }

  async getScale(info: ResourceInfo, namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.toScale(info, await this.get(info, namespace, name));
  }

  /** PUT/PATCH of …/scale: `scaleFn` maps the current Scale to the desired one; only spec.replicas is written. */
  async updateScale(
    info: ResourceInfo, namespace: string | undefined, name: string, scaleFn: (current: KubeObject) => unknown, opts: WriteOpts = {},
  ): Promise<KubeObject> {
    const paths = this.scalePaths(info);
    const r = await this.guaranteedUpdate(info, namespace, name, { ...opts, subresource: 'scale' }, (current) => {
      if (!current) throw notFound(info.group, info.resource, name);
      const served = (info.convert ? info.convert.fromStorage(structuredClone(current) as KubeObject) : structuredClone(current)) as Obj;
      const desired = scaleFn(this.toScale(info, served as KubeObject));
      if (!isObj(desired)) throw badRequest('the body must be a Scale object');
      const replicas = o(desired.spec).replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw invalid('autoscaling', 'Scale', name, [FieldErr.invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
      }
      const dm = o(desired.metadata);
      if (dm.name !== undefined && dm.name !== name) throw badRequest(`the name of the object (${String(dm.name)}) does not match the name on the URL (${name})`);
      const next = structuredClone(current);
      writePath(next, paths.spec, replicas);
      const stored = (info.convert ? info.convert.toStorage(next as KubeObject) : next) as Obj;
      const pre = typeof dm.resourceVersion === 'string' ? dm.resourceVersion : undefined;
      return { next: stored, precondition: pre };
    });
    return this.toScale(info, r.object);
  }

  // ---- delete ---------------------------------------------------------------------------------------------

  async delete(info: ResourceInfo, namespace: string | undefined, name: string, opts: DeleteOpts = {}): Promise<DeleteResult> {
    if (info.virtual || !info.verbs.includes('delete')) throw methodNotAllowed();
    const ns = info.namespaced ? this.checkScope(info, namespace) : undefined;
    const sinfo = this.storageInfo(info);
    const key = this.key(info, ns, name);
    for (let attempt = 0; attempt <= MAX_RETRIES; attempt++) {
      const kv = await this.store.get(key);
      if (!kv) throw notFound(info.group, info.resource, name);
      const current = JSON.parse(kv.value) as Obj;
      const cm = meta(current);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== cm.uid) {
        throw conflict(info.group, info.resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${String(cm.uid)}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== String(kv.modRevision)) {
        throw conflict(info.group, info.resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${kv.modRevision}`);
      }
      const next = structuredClone(current);
      const nm = meta(next);
      const finalizers = new Set(Array.isArray(nm.finalizers) ? (nm.finalizers as string[]) : []);
      if (opts.propagationPolicy === 'Foreground') {
        finalizers.delete('orphan');
        finalizers.add('foregroundDeletion');
      } else if (opts.propagationPolicy === 'Orphan') {
        finalizers.delete('foregroundDeletion');
        finalizers.add('orphan');
      } else if (opts.propagationPolicy === 'Background' && cm.deletionTimestamp === undefined) {
        finalizers.delete('orphan');
        finalizers.delete('foregroundDeletion');
      }
      if (finalizers.size) nm.finalizers = [...finalizers];
      else delete nm.finalizers;
      const grace = gracePeriodFor(sinfo, current, opts.gracePeriodSeconds);
      const now = this.now();
      const held = blocksDeletion(sinfo, next);
      if (!held && grace === 0) {
        if (opts.dryRun) return { object: this.out(info, current, kv.modRevision), deleted: true };
        try {
          const r = await this.store.delete(key, kv.modRevision);
          this.afterDelete(sinfo, current);
          return { object: this.out(info, current, r.revision), deleted: true };
        } catch (e) {
          if (e instanceof StoreError && (e.code === 'Conflict' || e.code === 'NotFound')) continue;
          throw e;
        }
      }
      // Graceful or finalized deletion: mark, and let the kubelet / finalizers finish it.
      if (cm.deletionTimestamp === undefined) {
        nm.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
        nm.deletionGracePeriodSeconds = grace;
        nm.generation = (typeof nm.generation === 'number' ? nm.generation : 0) + 1;
        if (gk(sinfo) === '/Namespace') next.status = { ...o(next.status), phase: 'Terminating' };
      } else if (typeof cm.deletionGracePeriodSeconds === 'number' && grace < cm.deletionGracePeriodSeconds) {
        nm.deletionTimestamp = rfc3339(new Date(now.getTime() + grace * 1000));
        nm.deletionGracePeriodSeconds = grace;
      }
      if (JSON.stringify(next) === JSON.stringify(current)) return { object: this.out(info, current, kv.modRevision), deleted: false };
      if (opts.dryRun) return { object: this.out(info, next, kv.modRevision), deleted: false };
      try {
        const nkv = await this.store.update(key, this.encode(next), kv.modRevision);
        this.afterWrite(sinfo, next);
        return { object: this.out(info, next, nkv.modRevision), deleted: false };
      } catch (e) {
        if (e instanceof StoreError && (e.code === 'Conflict' || e.code === 'NotFound')) continue;
        throw e;
      }
    }
    throw conflict(info.group, info.resource, name, STALE);
  }

  async deleteCollection(info: ResourceInfo, namespace: string | undefined, listOpts: ListOpts, opts: DeleteOpts = {}): Promise<KubeList> {
    if (info.virtual || !info.verbs.includes('deletecollection')) throw methodNotAllowed();
    const list = await this.list(info, namespace, { labelSelector: listOpts.labelSelector, fieldSelector: listOpts.fieldSelector });
    const items: KubeObject[] = [];
    for (const item of list.items) {
      try {
        const r = await this.delete(info, item.metadata?.namespace, String(item.metadata?.name), opts);
        items.push(r.object);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
    return { ...list, items };
  }

  // ---- pods/binding, pods/eviction, reviews --------------------------------------------------------------

  /** POST pods/binding: sets spec.nodeName once (409 if already bound), and the PodScheduled condition. */
  async bind(namespace: string, name: string, binding: unknown, opts: WriteOpts = {}): Promise<Status> {
    const info = this.catalog.lookup('', 'v1', 'pods')!;
    const b = o(binding);
    const target = o(b.target);
    if (typeof target.name !== 'string' || !target.name) {
      throw invalid('', 'Binding', name, [FieldErr.required('target.name')]);
    }
    const bm = o(b.metadata);
    if (bm.name !== undefined && bm.name !== name) throw badRequest(`the name of the object (${String(bm.name)}) does not match the name on the URL (${name})`);
    await this.guaranteedUpdate(info, namespace, name, { ...opts, subresource: 'binding', skipValidation: true }, (current) => {
      if (!current) throw notFound('', 'pods', name);
      const cm = meta(current);
      if (cm.deletionTimestamp) throw conflict('', 'pods', name, 'pod is being deleted, cannot be assigned to a host');
      const spec = o(current.spec);
      if (spec.nodeName) throw conflict('', 'pods', name, `pod ${name} is already assigned to node "${String(spec.nodeName)}"`);
      if (bm.uid && bm.uid !== cm.uid) throw conflict('', 'pods', name, `Precondition failed: UID in precondition: ${String(bm.uid)}, UID in object meta: ${String(cm.uid)}`);
      const next = structuredClone(current);
      o(next.spec).nodeName = target.name;
      const st = o(next.status);
      next.status = st;
      const conds = (Array.isArray(st.conditions) ? st.conditions : []).filter((c) => o(c).type !== 'PodScheduled');
      conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: rfc3339(this.now()) });
      st.conditions = conds;
      return { next, precondition: typeof bm.resourceVersion === 'string' ? bm.resourceVersion : undefined };
    });
    return { ...mkStatus(201, '', ''), status: 'Success', code: 201, message: '', reason: '' } as Status;
  }

  /** POST pods/eviction: deletes the pod unless a PodDisruptionBudget forbids it (429). */
  async evict(namespace: string, name: string, eviction: unknown): Promise<Status> {
    const pods = this.catalog.lookup('', 'v1', 'pods')!;
    const pdbs = this.catalog.lookup('policy', 'v1', 'poddisruptionbudgets')!;
    const ev = o(eviction);
    const delOpts = o(ev.deleteOptions) as DeleteOpts;
    const pod = (await this.get(pods, namespace, name)) as Obj;
    const phase = o(pod.status).phase;
    const terminal = phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || meta(pod).deletionTimestamp !== undefined;
    if (!terminal) {
      const all = await this.list(pdbs, namespace);
      const labels = o(meta(pod).labels) as Record<string, string>;
      const matching = all.items.filter((p) => {
        try {
          const sel = fromLabelSelector(o((p as Obj).spec).selector as LabelSelector);
          return sel !== null && sel.length > 0 && matches(sel, labels);
        } catch {
          return false;
        }
      });
      if (matching.length > 1) throw tooManyRequests('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', 10);
      const pdb = matching[0] as Obj | undefined;
      if (pdb) {
        const pdbName = String(meta(pdb).name);
        await this.guaranteedUpdate(pdbs, namespace, pdbName, { subresource: 'status', skipValidation: true, fieldManager: 'kube-apiserver' }, (current) => {
          if (!current) throw notFound('policy', 'poddisruptionbudgets', pdbName);
          const st = o(current.status);
          const allowed = typeof st.disruptionsAllowed === 'number' ? st.disruptionsAllowed : 0;
          if (o(current.status).observedGeneration === undefined || allowed <= 0) {
            throw apiError(429, 'TooManyRequests', 'Cannot evict pod as it would violate the pod\'s disruption budget.', {
              retryAfterSeconds: 10,
              causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdbName} needs ${String(st.desiredHealthy ?? 0)} healthy pods and has ${String(st.currentHealthy ?? 0)} currently`, field: '' }],
            });
          }
          const next = structuredClone(current);
          const nst = o(next.status);
          next.status = nst;
          nst.disruptionsAllowed = allowed - 1;
          nst.disruptedPods = { ...o(nst.disruptedPods), [name]: rfc3339(this.now()) };
          return { next };
        });
      }
    }
    await this.delete(pods, namespace, name, delOpts);
    return { ...mkStatus(201, '', ''), status: 'Success', code: 201, message: '', reason: '' } as Status;
  }

  /** The local user may do everything: access reviews answer allowed, rules reviews list `*`. */
  private review(info: ResourceInfo, body: unknown): KubeObject {
    const obj = this.accept(info, undefined, body);
    const m = meta(obj);
    m.creationTimestamp ??= null;
    if (info.kind === 'SelfSubjectAccessReview') {
      obj.status = { allowed: true, reason: 'the local user of this Wheelhouse engine may do everything' };
    } else if (info.kind === 'SelfSubjectRulesReview') {
      obj.status = {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      };
    } else {
      obj.status = { userInfo: { username: 'wheelhouse-admin', groups: ['system:masters', 'system:authenticated'] } };
    }
    return obj as KubeObject;
  }

  // ---- watch ----------------------------------------------------------------------------------------------

  /**
   * Streams events for a resource. Without a resourceVersion (or "0") it starts with a synthetic ADDED per
   * current object; with one it replays every change after it (410 Expired when compacted). Objects moving
   * in or out of the selectors become ADDED / DELETED, as upstream's watch cache does.
   */
  watch(info: ResourceInfo, namespace: string | undefined, opts: WatchOpts, onEvent: (ev: WatchEvent) => void): RegistryWatch {
    if (info.virtual) throw methodNotAllowed();
    const ns = info.namespaced ? namespace : undefined;
    const sel = this.selectors(info, opts.labelSelector, opts.fieldSelector);
    const prefix = Catalog.prefix(info, ns);
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => (resolveDone = r));
    let stopped = false;
    let storeWatch: { stop(): void } | undefined;
    let timer: NodeJS.Timeout | undefined;
    let lastRev = 0;
    const apiVersion = apiVersionOfInfo(info);
    const stop = (): void => {
      if (stopped) return;
      stopped = true;
      storeWatch?.stop();
      if (timer) clearInterval(timer);
      resolveDone();
    };
    const emit = (ev: WatchEvent): void => {
      if (stopped) return;
      try {
        onEvent(ev);
      } catch {
        stop();
      }
    };
    const fail = (s: Status): void => {
      emit({ type: 'ERROR', object: s as unknown as KubeObject });
      stop();
    };
    const bookmark = (annotations?: Record<string, string>): void => {
      emit({ type: 'BOOKMARK', object: { kind: info.kind, apiVersion, metadata: { resourceVersion: String(lastRev), ...(annotations ? { annotations } : {}) } } });
    };
    const onChange = (c: WatchChange): void => {
      if (stopped) return;
      lastRev = c.revision;
      const cur = c.type === 'put' ? this.decode(info, c.kv) : undefined;
      const prev = c.prev ? this.decode(info, c.prev, c.revision) : undefined;
      const curMatch = cur !== undefined && Registry.matchObj(sel, cur);
      const prevMatch = prev !== undefined && Registry.matchObj(sel, prev);
      if (c.type === 'delete') {
        if (prevMatch) emit({ type: 'DELETED', object: prev });
        return;
      }
      if (curMatch && prevMatch) emit({ type: 'MODIFIED', object: cur });
      else if (curMatch) emit({ type: 'ADDED', object: cur });
      else if (prevMatch) emit({ type: 'DELETED', object: cur! });
    };
    const begin = (from: number): void => {
      try {
        storeWatch = this.store.watch(prefix, from, onChange, (e) => {
          if (e.code === 'Expired') fail(mkStatus(410, 'Expired', `too old resource version: ${from} (${this.store.compactedRevision()})`));
          else stop();
        });
      } catch (e) {
        if (e instanceof StoreError && e.code === 'Expired') {
          fail(mkStatus(410, 'Expired', `too old resource version: ${from} (${e.revision ?? this.store.compactedRevision()})`));
          return;
        }
        fail(mkStatus(500, 'InternalError', e instanceof Error ? e.message : String(e)));
        return;
      }
      if (opts.allowWatchBookmarks) {
        timer = setInterval(() => bookmark(), opts.bookmarkIntervalMs ?? 60_000);
        timer.unref();
      }
    };
    const rv = opts.resourceVersion;
    const initial = opts.sendInitialEvents === true || rv === undefined || rv === '' || (rv === '0' && opts.sendInitialEvents !== false);
    if (!initial) {
      const from = Number(rv);
      if (!Number.isSafeInteger(from) || from < 0) {
        queueMicrotask(() => fail(mkStatus(400, 'BadRequest', `invalid resource version: ${String(rv)}`)));
        return { stop, done };
      }
      lastRev = from;
      begin(from);
      return { stop, done };
    }
    // Initial state: a consistent list, then changes after its revision.
    (async () => {
      let startAfter: string | undefined;
      let revision: number | undefined;
      const initialItems: KubeObject[] = [];
      for (;;) {
        const res = await this.store.list(prefix, { limit: 1000, startAfter });
        revision ??= res.revision;
        for (const kv of res.items) {
          if (kv.modRevision > revision) continue;
          const obj = this.decode(info, kv);
          if (Registry.matchObj(sel, obj)) initialItems.push(obj);
        }
        if (!res.more || res.items.length === 0) break;
        startAfter = res.items[res.items.length - 1]!.key;
      }
      if (stopped) return;
      lastRev = revision;
      for (const obj of initialItems) emit({ type: 'ADDED', object: obj });
      if (opts.sendInitialEvents === true && opts.allowWatchBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
      begin(revision);
    })().catch((e: unknown) => fail(mkStatus(500, 'InternalError', e instanceof Error ? e.message : String(e))));
    return { stop, done };
  }

  // ---- CRDs -----------------------------------------------------------------------------------------------

  private readonly crds = new Map<string, KubeObject>();

  private syncCrd(crd: KubeObject): void {
    const name = String(crd.metadata?.name);
    this.catalog.removeCrd(name);
    this.crds.set(name, crd);
    for (const info of crdResources(crd)) this.catalog.add(info);
  }

  /** The CRD that serves a custom resource (for printer columns and schemas). */
  crdFor(info: ResourceInfo): KubeObject | undefined {
    return info.crd ? this.crds.get(info.crd) : undefined;
  }

  private afterWrite(info: ResourceInfo, obj: Obj): void {
    if (gk(info) !== 'apiextensions.k8s.io/CustomResourceDefinition') return;
    this.syncCrd(obj as KubeObject);
    if (meta(obj).deletionTimestamp) this.cleanupCrd(obj as KubeObject);
  }

  private afterDelete(info: ResourceInfo, obj: Obj): void {
    if (gk(info) !== 'apiextensions.k8s.io/CustomResourceDefinition') return;
    const name = String(meta(obj).name);
    this.catalog.removeCrd(name);
    this.crds.delete(name);
  }

  /** The apiextensions finalizer: delete every custom object, then release the CRD. */
  private cleanupCrd(crd: KubeObject): void {
    const name = String(crd.metadata?.name);
    if (this.cleanups.has(name)) return;
    this.cleanups.add(name);
    const c = readCrd(crd);
    const info = crdResources(crd).find((i) => i.version === c.storageVersion) ?? crdResources(crd)[0];
    const crdInfo = this.catalog.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
    void (async () => {
      try {
        if (info) {
          const prefix = Catalog.prefix(info);
          for (;;) {
            if (this.closed) return;
            const res = await this.store.list(prefix, { limit: 500 });
            if (res.items.length === 0) break;
            for (const kv of res.items) {
              const m = meta(JSON.parse(kv.value) as Obj);
              try {
                await this.delete(info, m.namespace as string | undefined, String(m.name), {});
              } catch (e) {
                if (!(e instanceof ApiError && e.code === 404)) throw e;
              }
            }
            if (res.items.every((kv) => (JSON.parse(kv.value) as Obj).metadata && meta(JSON.parse(kv.value) as Obj).finalizers)) {
              await new Promise((r) => setTimeout(r, 1000));
            }
          }
        }
        await this.guaranteedUpdate(crdInfo, undefined, name, { fieldManager: 'kube-apiserver', skipValidation: true }, (current) => {
          if (!current) throw notFound('apiextensions.k8s.io', 'customresourcedefinitions', name);
          const next = structuredClone(current);
          const nm = meta(next);
          const f = (Array.isArray(nm.finalizers) ? (nm.finalizers as string[]) : []).filter((x) => x !== 'customresourcecleanup.apiextensions.k8s.io');
          if (f.length) nm.finalizers = f;
          else delete nm.finalizers;
          return { next };
        });
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404) && !(e instanceof StoreError && e.code === 'Closed')) {
          process.emitWarning(`wheelhouse: cleanup of CustomResourceDefinition ${name} failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      } finally {
        this.cleanups.delete(name);
      }
    })();
  }

  /** Is `validate` of storage-form objects reachable for a kind (used by tests). */
  static hasStatus(info: ResourceInfo): boolean {
    return hasStatusSubresource(info);
  }
}
