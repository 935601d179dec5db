/**
 * ObjectStore: the in-memory state of one cluster, kind → key → object, fed by informers (kube/cache.ts)
 * and read by every view model. Pure: no vscode, no network, so view models are tested against it directly.
 *
 * Contract: objects are replaced whole (never mutated in place); every change bumps the kind's version and
 * schedules ONE batched notification listing the changed kinds (`flush()` delivers it at once, for tests).
 * A stored object older than the one held (smaller numeric resourceVersion) is ignored, so a late list
 * response cannot roll back a watch event.
 */
import type { KObject } from './objects.ts';
import { objectKey } from './objects.ts';

export type ChangeListener = (kinds: ReadonlySet<string>) => void;
export type Scheduler = (fn: () => void) => void;

export class ObjectStore {
  private readonly byKind = new Map<string, Map<string, KObject>>();
  private readonly versions = new Map<string, number>();
  private readonly synced = new Set<string>();
  private readonly listeners = new Set<ChangeListener>();
  private pending = new Set<string>();
  private scheduled = false;

  /** `schedule` batches notifications; the default coalesces everything within 50 ms (1,000 pod events → one redraw). */
  constructor(private readonly schedule: Scheduler = (fn) => void setTimeout(fn, 50)) {}

  upsert(kind: string, obj: KObject): void {
    const map = this.mapOf(kind);
    const key = objectKey(obj);
    const held = map.get(key);
    if (held && isOlder(obj, held)) return;
    map.set(key, obj);
    this.changed(kind);
  }

  remove(kind: string, obj: KObject): void {
    if (this.mapOf(kind).delete(objectKey(obj))) this.changed(kind);
  }

  /** Replaces a kind's whole content (a relist); reports a change only when something differs. */
  replaceAll(kind: string, objects: readonly KObject[]): void {
    const next = new Map<string, KObject>();
    for (const o of objects) next.set(objectKey(o), o);
    this.byKind.set(kind, next);
    this.synced.add(kind);
    this.changed(kind);
  }

  markSynced(kind: string): void {
    if (!this.synced.has(kind)) {
      this.synced.add(kind);
      this.changed(kind);
    }
  }

  isSynced(kind: string): boolean {
    return this.synced.has(kind);
  }

  list<T extends KObject = KObject>(kind: string, namespace?: string): T[] {
    const out: T[] = [];
    for (const o of this.mapOf(kind).values()) {
      if (namespace === undefined || o.metadata?.namespace === namespace) out.push(o as T);
    }
    return out;
  }

  get<T extends KObject = KObject>(kind: string, namespace: string, name: string): T | undefined {
    return this.mapOf(kind).get(namespace ? `${namespace}/${name}` : name) as T | undefined;
  }

  count(kind: string): number {
    return this.mapOf(kind).size;
  }

  version(kind: string): number {
    return this.versions.get(kind) ?? 0;
  }

  onDidChange(listener: ChangeListener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  clear(): void {
    const kinds = [...this.byKind.keys()];
    this.byKind.clear();
    this.synced.clear();
    for (const k of kinds) this.changed(k);
  }

  /** Delivers the pending notification now. */
  flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const kinds = this.pending;
    this.pending = new Set();
    for (const l of [...this.listeners]) l(kinds);
  }

  private changed(kind: string): void {
    this.versions.set(kind, this.version(kind) + 1);
    this.pending.add(kind);
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(() => this.flush());
    }
  }

  private mapOf(kind: string): Map<string, KObject> {
    let m = this.byKind.get(kind);
    if (!m) this.byKind.set(kind, (m = new Map()));
    return m;
  }
}

function isOlder(candidate: KObject, held: KObject): boolean {
  const a = Number(candidate.metadata?.resourceVersion);
  const b = Number(held.metadata?.resourceVersion);
  // resourceVersions are opaque in general; compare only when both are plain integers (etcd and this engine).
  return Number.isSafeInteger(a) && Number.isSafeInteger(b) && a < b;
}
