/**
 * ClusterCache: one per cluster connection. Starts one informer (list + watch, client-node `makeInformer`)
 * per watched kind on first use and feeds an ObjectStore that every view reads. No polling: a watch that
 * drops is resumed by the informer; a 410 Gone relists (client-node's ListWatch); other errors restart the
 * informer with capped backoff. Kinds the server does not serve or the user may not list (404/403) are
 * marked synced-and-empty, with the reason kept for tooltips.
 */
import { makeInformer, type Informer, type KubeConfig, type KubernetesObject, type KubernetesListObject } from '@kubernetes/client-node';
import { ObjectStore } from '../model/store.ts';
import { Relations } from '../model/relations.ts';
import { watchedKinds, collectionPath, type WatchedKind } from '../model/kinds.ts';
import type { KObject } from '../model/objects.ts';
import { kubeRequest, KubeError } from './rest.ts';

export class ClusterCache {
  readonly store = new ObjectStore();
  readonly relations = new Relations(this.store);
  readonly unavailable = new Map<string, string>();
  private readonly informers = new Map<string, Informer<KubernetesObject>>();
  private readonly retry = new Map<string, ReturnType<typeof setTimeout>>();
  private stopped = false;
  private onError: (kind: string, err: unknown) => void = () => {};

  constructor(private readonly kc: KubeConfig) {}

  setErrorHandler(fn: (kind: string, err: unknown) => void): void {
    this.onError = fn;
  }

  /** Starts the informers for these kinds (all watched kinds by default); idempotent. */
  ensure(kinds: readonly string[] = watchedKinds.map((k) => k.kind)): void {
    if (this.stopped) return;
    for (const name of kinds) {
      if (this.informers.has(name)) continue;
      const k = watchedKinds.find((w) => w.kind === name);
      if (k) this.startInformer(k, 0);
    }
  }

  private startInformer(k: WatchedKind, attempt: number): void {
    const path = collectionPath(k);
    const list = async (): Promise<KubernetesListObject<KubernetesObject>> => {
      const l = await kubeRequest<KubernetesListObject<KubernetesObject>>(this.kc, path, { timeoutMs: 60_000 });
      // An empty list still means "synced": the informer adds nothing, so say so here.
      queueMicrotask(() => this.store.markSynced(k.kind));
      attempt = 0;
      return l;
    };
    const inf = makeInformer<KubernetesObject>(this.kc, path, list);
    const upsert = (o: KubernetesObject): void => this.store.upsert(k.kind, o as KObject);
    inf.on('add', upsert);
    inf.on('update', upsert);
    inf.on('delete', (o) => this.store.remove(k.kind, o as KObject));
    inf.on('error', (err: unknown) => {
      if (this.stopped) return;
      const code = err instanceof KubeError ? err.code : (err as { statusCode?: number })?.statusCode;
      if (code === 404 || code === 403) {
        this.unavailable.set(k.kind, code === 403 ? 'forbidden' : 'not served by this cluster');
        this.store.markSynced(k.kind);
        return;
      }
      this.onError(k.kind, err);
      const delay = Math.min(30_000, 500 * 2 ** Math.min(attempt, 6));
      this.retry.set(k.kind, setTimeout(() => {
        this.retry.delete(k.kind);
        if (!this.stopped) void inf.start().catch(() => { /* reported through 'error' */ });
      }, delay));
      attempt++;
    });
    this.informers.set(k.kind, inf);
    void inf.start().catch(() => { /* reported through the 'error' handler */ });
  }

  dispose(): void {
    this.stopped = true;
    for (const t of this.retry.values()) clearTimeout(t);
    for (const inf of this.informers.values()) void inf.stop().catch(() => {});
    this.informers.clear();
    this.store.clear();
  }
}
