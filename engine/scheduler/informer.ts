/**
 * A small reflector (client-go's ListAndWatch): lists, then watches from the list's resourceVersion, keeping
 * a local cache keyed by namespace/name. When the watch ends or answers 410 Expired, it relists and reports
 * the difference (objects gone meanwhile are delivered as deleted). Handlers only see copies they may keep.
 * Used by the scheduler, the kubelets and the nodes.
 */
import type { ApiClient, KubeObject, Watch } from '../api/client.ts';
import type { ResourceType } from '../api/resources.ts';

export type InformerEvent = 'add' | 'update' | 'delete';

export interface Informer<T extends KubeObject> {
  /** Resolves once the first list has been delivered. */
  readonly synced: Promise<void>;
  get(namespace: string | undefined, name: string): T | undefined;
  list(): T[];
  stop(): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Delay before relisting after an error (ms). */
  retryMs?: number;
  onError?: (err: unknown) => void;
}

const keyOf = (o: KubeObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

export function startInformer<T extends KubeObject>(
  client: ApiClient, type: ResourceType, opts: InformerOptions, handler: (ev: InformerEvent, obj: T, old?: T) => void,
): Informer<T> {
  const cache = new Map<string, T>();
  let watch: Watch | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveSynced!: () => void;
  const synced = new Promise<void>((r) => (resolveSynced = r));

  const deliver = (ev: InformerEvent, obj: T, old?: T): void => {
    try {
      handler(ev, obj, old);
    } catch (err) {
      opts.onError?.(err);
    }
  };

  const retry = (err?: unknown): void => {
    if (err) opts.onError?.(err);
    if (stopped) return;
    timer = setTimeout(() => void run(), opts.retryMs ?? 1000);
  };

  const run = async (): Promise<void> => {
    if (stopped) return;
    let rv: string | undefined;
    try {
      const list = await client.list<T>(type, opts.namespace, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
      if (stopped) return;
      rv = list.metadata.resourceVersion;
      const seen = new Set<string>();
      for (const item of list.items) {
        const k = keyOf(item);
        seen.add(k);
        const old = cache.get(k);
        cache.set(k, item);
        if (!old) deliver('add', item);
        else if (old.metadata?.resourceVersion !== item.metadata?.resourceVersion) deliver('update', item, old);
      }
      for (const [k, old] of [...cache]) {
        if (!seen.has(k)) {
          cache.delete(k);
          deliver('delete', old);
        }
      }
    } catch (err) {
      retry(err);
      return;
    }
    resolveSynced();
    let expired = false;
    const w = client.watch<T>(type, opts.namespace, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, resourceVersion: rv }, (ev) => {
      if (stopped) return;
      const obj = ev.object;
      if (ev.type === 'ERROR') {
        expired = true;
        w.stop();
        return;
      }
      if (ev.type === 'BOOKMARK') return;
      const k = keyOf(obj);
      const old = cache.get(k);
      if (ev.type === 'DELETED') {
        cache.delete(k);
        deliver('delete', obj);
      } else {
        cache.set(k, obj);
        deliver(old ? 'update' : 'add', obj, old);
      }
    });
    watch = w;
    // A 410 Expired relists at once; any other end of the watch relists after the retry delay.
    void w.done.then(() => {
      if (stopped) return;
      if (expired) void run();
      else retry();
    });
  };

  void run();
  return {
    synced,
    get: (namespace, name) => cache.get(`${namespace ?? ''}/${name}`),
    list: () => [...cache.values()],
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      watch?.stop();
    },
  };
}
