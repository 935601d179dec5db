/**
 * Informers (client-go tools/cache, reduced to what the engine needs): list, then watch from the list's
 * resourceVersion; a watch ERROR 410 (Expired) or a lost watch means relist, diffing the fresh list
 * against the cache so handlers see the adds, updates and deletes they missed.
 *
 * The cache hands out deep-frozen objects: a controller that wants to change one must clone it first
 * (`structuredClone`); an accidental write throws instead of silently corrupting the cache.
 */
import type { ApiClient, KubeObject, WatchEvent } from '../../api/client.ts';
import { type ResourceType } from '../../api/resources.ts';
import { matches, type Selector } from '../../api/labels.ts';
import type { Clock } from './clock.ts';

export interface EventHandlers<T extends KubeObject> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  /** For deletes noticed on relist, obj is the last state the cache saw. */
  delete?(obj: T): void;
}

export type IndexFunc<T extends KubeObject> = (obj: T) => string[];

export type Logger = (level: 'info' | 'warn' | 'error', msg: string) => void;

/** `namespace/name`, or `name` for cluster-scoped objects, as client-go's MetaNamespaceKeyFunc. */
export function keyOf(obj: KubeObject): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : `${m.name}`;
}

export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as object)) deepFreeze(v);
  }
  return o;
}

/** Read-only view of an informer's cache. */
export interface Lister<T extends KubeObject> {
  get(namespace: string | undefined, name: string): T | undefined;
  /** Every cached object (in one namespace when given) whose labels match the selector (all when absent). */
  list(namespace?: string, selector?: Selector | null): T[];
  byIndex(index: string, value: string): T[];
}

export interface InformerOptions {
  clock: Clock;
  log?: Logger;
  /** Delay before relisting after a failed list (doubles up to 30 s). */
  relistBackoffMs?: number;
}

export class Informer<T extends KubeObject> implements Lister<T> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly handlers: EventHandlers<T>[] = [];
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private stopped = true;
  private currentWatch: { stop(): void } | undefined;
  private cancelRetry: (() => void) | undefined;
  private lastRV: string | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly client: ApiClient,
    readonly type: ResourceType,
    private readonly opts: InformerOptions,
  ) {
    this.addIndexer('namespace', (o) => [o.metadata?.namespace ?? '']);
  }

  addEventHandler(h: EventHandlers<T>): void {
    this.handlers.push(h);
    // Late registrants see the current contents as adds, as client-go does.
    if (this.synced) for (const o of this.items.values()) h.add?.(o);
  }

  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) return;
    this.indexers.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.indices.set(name, idx);
    for (const [k, o] of this.items) for (const v of fn(o)) addTo(idx, v, k);
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((r) => this.syncWaiters.push(r));
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.items.get(this.type.namespaced ? `${namespace}/${name}` : name);
  }

  list(namespace?: string, selector?: Selector | null): T[] {
    const src = namespace !== undefined && this.type.namespaced ? this.byIndex('namespace', namespace) : [...this.items.values()];
    return selector === undefined ? src : src.filter((o) => matches(selector, o.metadata?.labels));
  }

  byIndex(index: string, value: string): T[] {
    const keys = this.indices.get(index)?.get(value);
    if (!keys) return [];
    return [...keys].map((k) => this.items.get(k)!).filter(Boolean);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelRetry?.();
    this.currentWatch?.stop();
    await this.loop;
  }

  private log(level: 'info' | 'warn' | 'error', msg: string): void {
    this.opts.log?.(level, `informer ${this.type.resource}: ${msg}`);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      const cancel = this.opts.clock.after(ms, () => {
        this.cancelRetry = undefined;
        r();
      });
      this.cancelRetry = () => {
        cancel();
        r();
      };
    });
  }

  private async run(): Promise<void> {
    let backoff = this.opts.relistBackoffMs ?? 200;
    let needList = true;
    while (!this.stopped) {
      if (needList) {
        try {
          const l = await this.client.list<T>(this.type);
          if (this.stopped) return;
          this.replace(l.items, l.metadata.resourceVersion);
          backoff = this.opts.relistBackoffMs ?? 200;
        } catch (err) {
          this.log('warn', `list failed: ${(err as Error).message}`);
          await this.sleep(backoff);
          backoff = Math.min(backoff * 2, 30_000);
          continue;
        }
      }
      const outcome = await this.watchOnce();
      if (this.stopped) return;
      // 410 Expired or an ERROR event: the revision we hold is gone, relist. A plain close: resume from the last revision.
      needList = outcome !== 'closed';
      if (outcome === 'failed') {
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  private watchOnce(): Promise<'closed' | 'expired' | 'failed'> {
    return new Promise((resolve) => {
      let outcome: 'closed' | 'expired' | 'failed' = 'closed';
      let w: { stop(): void; done: Promise<void> };
      let stopRequested = false;
      const onEvent = (ev: WatchEvent<T>): void => {
        if (outcome !== 'closed') return;
        if (ev.type === 'ERROR') {
          const st = ev.object as unknown as { code?: number; message?: string };
          outcome = st.code === 410 ? 'expired' : 'failed';
          if (st.code !== 410) this.log('warn', `watch error: ${st.message ?? 'unknown'}`);
          if (w) w.stop();
          else stopRequested = true;
          return;
        }
        const rv = ev.object.metadata?.resourceVersion;
        if (rv) this.lastRV = rv;
        if (ev.type === 'BOOKMARK') return;
        if (ev.type === 'DELETED') this.remove(ev.object);
        else this.upsert(ev.object);
      };
      try {
        w = this.client.watch<T>(this.type, undefined, { resourceVersion: this.lastRV, allowWatchBookmarks: true }, onEvent);
      } catch (err) {
        this.log('warn', `watch failed: ${(err as Error).message}`);
        resolve('failed');
        return;
      }
      this.currentWatch = w;
      if (stopRequested || this.stopped) w.stop();
      w.done.then(
        () => resolve(outcome),
        (err: unknown) => {
          this.log('warn', `watch ended: ${(err as Error)?.message ?? err}`);
          resolve(outcome === 'closed' ? 'failed' : outcome);
        },
      );
    });
  }

  /** Replaces the cache with a fresh list, emitting the differences. Exposed for tests that seed a cache. */
  replace(objs: T[], resourceVersion?: string): void {
    const seen = new Set<string>();
    for (const o of objs) {
      seen.add(keyOf(o));
      this.upsert(o);
    }
    for (const [k, o] of [...this.items]) if (!seen.has(k)) this.remove(o);
    if (resourceVersion) this.lastRV = resourceVersion;
    if (!this.synced) {
      this.synced = true;
      const ws = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of ws) w();
    }
  }

  private upsert(raw: T): void {
    const obj = deepFreeze(structuredClone(raw));
    const k = keyOf(obj);
    const old = this.items.get(k);
    if (old && old.metadata?.resourceVersion === obj.metadata?.resourceVersion && old.metadata?.uid === obj.metadata?.uid) return;
    if (old) this.unindex(k, old);
    this.items.set(k, obj);
    this.index(k, obj);
    for (const h of this.handlers) {
      try {
        if (old) h.update?.(old, obj);
        else h.add?.(obj);
      } catch (err) {
        this.log('error', `handler failed: ${(err as Error).stack ?? err}`);
      }
    }
  }

  private remove(raw: KubeObject): void {
    const k = keyOf(raw);
    const old = this.items.get(k);
    if (!old) return;
    this.items.delete(k);
    this.unindex(k, old);
    for (const h of this.handlers) {
      try {
        h.delete?.(old);
      } catch (err) {
        this.log('error', `handler failed: ${(err as Error).stack ?? err}`);
      }
    }
  }

  private index(k: string, o: T): void {
    for (const [name, fn] of this.indexers) for (const v of fn(o)) addTo(this.indices.get(name)!, v, k);
  }

  private unindex(k: string, o: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name)!;
      for (const v of fn(o)) {
        const s = idx.get(v);
        s?.delete(k);
        if (s && s.size === 0) idx.delete(v);
      }
    }
  }
}

function addTo(idx: Map<string, Set<string>>, v: string, k: string): void {
  let s = idx.get(v);
  if (!s) idx.set(v, (s = new Set()));
  s.add(k);
}

/** One informer per resource type, shared by every controller (as SharedInformerFactory). */
export class InformerFactory {
  private readonly informers = new Map<string, Informer<KubeObject>>();
  constructor(
    private readonly client: ApiClient,
    private readonly opts: InformerOptions,
  ) {}

  for<T extends KubeObject>(type: ResourceType): Informer<T> {
    const k = `${type.group}/${type.resource}`;
    let inf = this.informers.get(k);
    if (!inf) this.informers.set(k, (inf = new Informer<KubeObject>(this.client, type, this.opts)));
    return inf as unknown as Informer<T>;
  }

  start(): void {
    for (const i of this.informers.values()) i.start();
  }

  async waitForSync(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.waitForSync()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}
