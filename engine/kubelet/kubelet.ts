/**
 * One node's kubelet: watches the pods bound to its node (fieldSelector spec.nodeName), keeps one PodWorker
 * per pod, wakes workers on runtime events (a container died or was removed) and on a periodic resync, and
 * at start adopts what already runs. Containers carrying this cluster's and node's labels whose pod no
 * longer exists are removed; containers without our labels are never touched.
 */
import type { ConfigMap, Node, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Service } from 'kubernetes-types/core/v1';
import type { ApiClient, KubeObject } from '../api/client.ts';
import { isNotFound } from '../api/client.ts';
import { R } from '../api/resources.ts';
import { fromDockerLabels, labelFilter } from '../runtime/labels.ts';
import type { Runtime } from '../runtime/types.ts';
import { createRecorder } from '../scheduler/events.ts';
import { startInformer, type Informer } from '../scheduler/informer.ts';
import { milliCpu, bytes } from '../scheduler/quantity.ts';
import { Backoff, CRASH_LOOP_BACKOFF } from './backoff.ts';
import { realClock, type Clock } from './clock.ts';
import type { KubeletContext } from './context.ts';
import { ImageManager } from './images.ts';
import { PodWorker } from './pod-worker.ts';

export const DEFAULT_SANDBOX_IMAGE = 'busybox:1.36';

export interface KubeletOptions {
  nodeName: string;
  clusterName: string;
  networkName: string;
  sandboxImage?: string;
  /** Host directory for per-pod files (volumes, termination logs); Docker must be able to bind-mount it. */
  podsDir: string;
  /** The node's InternalIP as shown in status.hostIP. */
  hostIP?: string;
  clusterDNS?: string[];
  clusterDomain?: string;
  clock?: Clock;
  /** Periodic resync of every pod (ms); runtime events wake pods in between. */
  resyncMs?: number;
  log?: (msg: string) => void;
}

export interface Kubelet {
  readonly nodeName: string;
  /** Resolves once the pods of the node were listed and adoption/orphan cleanup ran. */
  readonly synced: Promise<void>;
  /** The pod worker's view for streaming calls (logs, exec, port-forward). */
  worker(uid: string): PodWorker | undefined;
  /** Resolves when no pod sync is running (tests). */
  settled(): Promise<void>;
  /** Wakes every pod worker. */
  resyncAll(): void;
  /** Whether the last runtime ping answered. */
  runtimeHealthy(): boolean;
  /** Stops watching; containers keep running (a restarted engine adopts them). */
  stop(): Promise<void>;
  /** Stops the node: kills every pod container of this node (the node's pods are then evicted by the node controller). */
  killAll(): Promise<void>;
}

export function startKubelet(client: ApiClient, runtime: Runtime, opts: KubeletOptions): Kubelet {
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? (() => {});
  let allocatable = { milliCpu: 0, memory: 0 };
  const cache = <T extends KubeObject>(type: typeof R[keyof typeof R]) => async (ns: string | undefined, name: string): Promise<T | undefined> => {
    try {
      return await client.get<T>(type, name, ns);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  };
  const getCm = cache<ConfigMap>(R.configmaps);
  const getSecret = cache<Secret>(R.secrets);
  const getPvc = cache<PersistentVolumeClaim>(R.persistentvolumeclaims);
  const getPv = cache<PersistentVolume>(R.persistentvolumes);
  const ctx: KubeletContext = {
    client, runtime, clock,
    nodeName: opts.nodeName,
    clusterName: opts.clusterName,
    networkName: opts.networkName,
    sandboxImage: opts.sandboxImage ?? DEFAULT_SANDBOX_IMAGE,
    podsDir: opts.podsDir,
    hostIP: opts.hostIP ?? '127.0.0.1',
    clusterDNS: opts.clusterDNS ?? [],
    clusterDomain: opts.clusterDomain ?? 'cluster.local',
    recorder: createRecorder(client, { component: 'kubelet', host: opts.nodeName }, () => new Date(clock.now())),
    crashBackoff: new Backoff(CRASH_LOOP_BACKOFF),
    images: new ImageManager(runtime, clock),
    sources: {
      configMap: (ns, name) => getCm(ns, name),
      secret: (ns, name) => getSecret(ns, name),
      pvc: (ns, name) => getPvc(ns, name),
      pv: (name) => getPv(undefined, name),
      services: async (ns) => {
        const own = (await client.list<Service>(R.services, ns)).items;
        if (ns === 'default') return own;
        const k = await client.get<Service>(R.services, 'kubernetes', 'default').catch(() => undefined);
        return k ? [...own, k] : own;
      },
      token: async (ns, sa, audience, expirationSeconds) => {
        try {
          const tr = await client.createSubresource<KubeObject & { status?: { token?: string } }>(R.serviceaccounts, sa, ns, 'token', {
            apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
            spec: { audiences: audience ? [audience] : [], expirationSeconds },
          } as KubeObject);
          return tr.status?.token;
        } catch {
          return undefined;
        }
      },
    },
    nodeAllocatable: () => allocatable,
    log,
  };

  const workers = new Map<string, PodWorker>();
  let stopped = false;
  let healthy = true;

  const onFinished = (w: PodWorker): void => {
    if (workers.get(w.uid) === w) workers.delete(w.uid);
  };

  const pods: Informer<Pod> = startInformer<Pod>(client, R.pods, { fieldSelector: `spec.nodeName=${opts.nodeName}`, onError: (e) => log(`kubelet ${opts.nodeName}: pods: ${(e as Error).message}`) }, (ev, pod) => {
    if (stopped) return;
    const uid = pod.metadata?.uid;
    if (!uid || pod.spec?.nodeName !== opts.nodeName) return;
    const w = workers.get(uid);
    if (ev === 'delete') {
      // Gone from the API without our graceful path (force delete): stop what runs.
      if (w && !w.finished) {
        w.pod = pod;
        // No sync may start any more: one woken by a container dying under terminate() would see the pod
        // as it was and restart that container into a sandbox being stopped (a leftover until the next
        // orphan collection).
        w.close();
        void w.settled().then(() => w.terminate(undefined, false)).catch((err: unknown) => log(`kubelet ${opts.nodeName}: ${(err as Error).message}`));
      }
      return;
    }
    if (w) w.update(pod);
    else if (ready) {
      const nw = new PodWorker(ctx, pod, onFinished);
      workers.set(uid, nw);
      nw.kick();
    }
  });

  const nodeInformer = startInformer<Node>(client, R.nodes, { fieldSelector: `metadata.name=${opts.nodeName}` }, (_ev, node) => {
    const a = node.status?.allocatable ?? {};
    allocatable = { milliCpu: milliCpu(a.cpu), memory: bytes(a.memory) };
  });

  let ready = false;
  let events: { stop(): void } | undefined;
  let subscriptions = 0;

  const subscribe = async (): Promise<void> => {
    events?.stop();
    const generation = ++subscriptions;
    const mine = await runtime.events((ev) => {
      const l = fromDockerLabels(ev.labels);
      if (!l || l.cluster !== opts.clusterName || l.node !== opts.nodeName || !l.podUid) return;
      if (ev.action === 'die' || ev.action === 'destroy' || ev.action === 'oom' || ev.action === 'stop') workers.get(l.podUid)?.kick();
    }, {
      labels: labelFilter({ cluster: opts.clusterName, node: opts.nodeName }),
      // The stream ends when the daemon goes away: the next resync pings, re-subscribes and re-checks pods.
      onEnd: () => {
        if (!stopped && generation === subscriptions) {
          healthy = false;
          if (resyncTimer !== undefined) clock.clearTimeout(resyncTimer);
          resyncTimer = clock.setTimeout(() => void resync(), 1000);
        }
      },
    });
    events = mine;
  };

  /**
   * Removes containers of this node whose pod is not ours any more (deleted while the engine was down).
   * Labels are all it needs, so it lists without inspecting: this runs every resync, and one inspect per
   * container of the node would compete with the pod starts it runs beside.
   */
  const collectOrphans = async (): Promise<void> => {
    const list = await runtime.listContainers(labelFilter({ cluster: opts.clusterName, node: opts.nodeName }), { all: true, inspect: false });
    for (const c of list) {
      const l = fromDockerLabels(c.labels);
      if (!l?.podUid || l.role === 'infra') continue;
      if (workers.has(l.podUid)) continue;
      log(`kubelet ${opts.nodeName}: removing orphaned container ${c.name}`);
      await runtime.removeContainer(c.id, { force: true }).catch(() => undefined);
    }
  };

  const synced = (async () => {
    await Promise.all([pods.synced, nodeInformer.synced]);
    ready = true;
    for (const pod of pods.list()) {
      const uid = pod.metadata!.uid!;
      if (!workers.has(uid)) workers.set(uid, new PodWorker(ctx, pod, onFinished));
    }
    await subscribe().catch((err: unknown) => {
      healthy = false;
      log(`kubelet ${opts.nodeName}: runtime events: ${(err as Error).message}`);
    });
    await collectOrphans().catch((err: unknown) => log(`kubelet ${opts.nodeName}: orphan cleanup: ${(err as Error).message}`));
    for (const w of workers.values()) w.kick();
  })();

  const resyncMs = opts.resyncMs ?? 10_000;
  let resyncTimer: unknown;
  const resync = async (): Promise<void> => {
    if (stopped) return;
    try {
      await runtime.ping();
      let back = false;
      if (!healthy) {
        // Docker came back: events must be re-subscribed, and every pod re-checked at once.
        log(`kubelet ${opts.nodeName}: container runtime is back`);
        healthy = true;
        back = true;
        await subscribe();
      }
      // Otherwise a worker in the middle of a sync is left alone: the periodic resync is a safety net, not
      // news, and queueing a second full sync behind the running one doubles its Docker calls while pods start.
      for (const w of workers.values()) {
        if (back) w.kick();
        else w.resync();
      }
      await collectOrphans();
    } catch (err) {
      if (healthy) log(`kubelet ${opts.nodeName}: container runtime is down: ${(err as Error).message}`);
      healthy = false;
    }
    if (!stopped) resyncTimer = clock.setTimeout(() => void resync(), healthy ? resyncMs : Math.min(resyncMs, 2000));
  };
  void synced.then(() => {
    if (!stopped) resyncTimer = clock.setTimeout(() => void resync(), resyncMs);
  });

  const settled = async (): Promise<void> => {
    await synced;
    // A sync can wake another (a terminal pod stops its sandbox next): settle a few rounds.
    for (let i = 0; i < 3; i++) await Promise.all([...workers.values()].map((w) => w.settled()));
  };

  return {
    nodeName: opts.nodeName,
    synced,
    worker: (uid) => workers.get(uid),
    settled,
    resyncAll: () => {
      for (const w of workers.values()) w.kick();
    },
    runtimeHealthy: () => healthy,
    stop: async () => {
      stopped = true;
      if (resyncTimer !== undefined) clock.clearTimeout(resyncTimer);
      pods.stop();
      nodeInformer.stop();
      events?.stop();
      const ws = [...workers.values()];
      for (const w of ws) w.close();
      await Promise.allSettled(ws.map((w) => w.settled()));
    },
    killAll: async () => {
      const list = await runtime.listContainers(labelFilter({ cluster: opts.clusterName, node: opts.nodeName }), { all: true, inspect: false });
      await Promise.all(list.filter((c) => c.state === 'running').map((c) => runtime.killContainer(c.id, 'SIGKILL').catch(() => undefined)));
    },
  };
}
