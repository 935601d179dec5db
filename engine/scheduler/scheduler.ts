/**
 * The scheduler loop (kube-scheduler's scheduling queue + cycle): pending pods that name this scheduler are
 * taken one at a time, placed by the pure core, assumed onto the node at once and bound through the `binding`
 * subresource in the background. A pod that fits nowhere gets a `FailedScheduling` Event and PodScheduled=False
 * (reason Unschedulable), and waits until something that could make it fit changes: a node added or changed
 * in labels, taints, cordon or allocatable, or a pod that held resources going away.
 */
import type { Node, Pod, PodCondition } from 'kubernetes-types/core/v1';
import type { ApiClient, Writable } from '../api/client.ts';
import { isConflict, isNotFound } from '../api/client.ts';
import { R } from '../api/resources.ts';
import { ClusterState, podHoldsResources, podKey } from './cache.ts';
import { schedulePod, type ScoringStrategy } from './core.ts';
import { createRecorder } from './events.ts';
import { startInformer } from './informer.ts';

export interface SchedulerOptions {
  /** Pods whose spec.schedulerName is this are ours (default `default-scheduler`). */
  schedulerName?: string;
  scoring?: ScoringStrategy;
  /** Binds in flight at once (upstream binds asynchronously too). */
  bindConcurrency?: number;
  /** Unschedulable pods are retried at least this often even when nothing relevant changed (upstream: 5 min). */
  unschedulableRetryMs?: number;
  now?: () => Date;
  log?: (msg: string) => void;
}

export interface Scheduler {
  /** Resolves once nodes and pods have been listed. */
  readonly synced: Promise<void>;
  /** Resolves when no pod is waiting in the active queue and no bind is in flight. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const DEFAULT_SCHEDULER = 'default-scheduler';

function nodeRelevant(n: Node): string {
  return JSON.stringify([n.metadata?.labels, n.spec?.taints, n.spec?.unschedulable, n.status?.allocatable]);
}
function podSpecRelevant(p: Pod): string {
  return JSON.stringify([p.metadata?.labels, p.spec]);
}

export function startScheduler(client: ApiClient, opts: SchedulerOptions = {}): Scheduler {
  const name = opts.schedulerName ?? DEFAULT_SCHEDULER;
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? (() => {});
  const recorder = createRecorder(client, { component: DEFAULT_SCHEDULER }, now);
  const state = new ClusterState();
  const active = new Map<string, Pod>();
  const unschedulable = new Map<string, Pod>();
  const inFlight = new Set<Promise<void>>();
  const concurrency = opts.bindConcurrency ?? 16;
  let stopped = false;
  let pumping = false;
  let idleWaiters: (() => void)[] = [];

  const ours = (p: Pod): boolean =>
    !p.spec?.nodeName && !p.metadata?.deletionTimestamp && (p.spec?.schedulerName ?? DEFAULT_SCHEDULER) === name
    && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

  const flushUnschedulable = (): void => {
    if (unschedulable.size === 0) return;
    for (const [k, p] of unschedulable) active.set(k, p);
    unschedulable.clear();
    kick();
  };

  const settleIdle = (): void => {
    if (active.size === 0 && inFlight.size === 0 && !pumping) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const r of w) r();
    }
  };

  const markUnschedulable = async (pod: Pod, message: string): Promise<void> => {
    void recorder.event(pod, 'Warning', 'FailedScheduling', message);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const cur = await client.get<Pod>(R.pods, pod.metadata!.name!, pod.metadata!.namespace);
        if (cur.spec?.nodeName || cur.metadata?.uid !== pod.metadata?.uid) return;
        const conds = [...(cur.status?.conditions ?? [])] as Writable<PodCondition>[];
        const i = conds.findIndex((c) => c.type === 'PodScheduled');
        const prev = i >= 0 ? conds[i] : undefined;
        if (prev && prev.status === 'False' && prev.reason === 'Unschedulable' && prev.message === message) return;
        const cond: Writable<PodCondition> = {
          type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message,
          lastProbeTime: null as unknown as string,
          lastTransitionTime: prev?.status === 'False' ? prev.lastTransitionTime : now().toISOString(),
        };
        if (i >= 0) conds[i] = cond;
        else conds.push(cond);
        await client.updateStatus(R.pods, { ...cur, status: { ...cur.status, phase: cur.status?.phase ?? 'Pending', conditions: conds } });
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) {
          log(`scheduler: cannot update status of pod ${podKey(pod)}: ${(err as Error).message}`);
          return;
        }
      }
    }
  };

  const bind = async (pod: Pod, node: string): Promise<void> => {
    const key = podKey(pod);
    const podName = pod.metadata!.name!;
    try {
      await client.createSubresource(R.pods, podName, pod.metadata!.namespace, 'binding', {
        apiVersion: 'v1', kind: 'Binding',
        metadata: { name: podName, namespace: pod.metadata!.namespace, uid: pod.metadata!.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      } as never);
      void recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${key} to ${node}`);
    } catch (err) {
      // Forget the assumption; the watch tells us the truth (bound elsewhere, deleted, or still pending).
      if (state.getPod(key)?.metadata?.resourceVersion?.startsWith('assumed')) state.removePod(key);
      if (isNotFound(err) || isConflict(err)) return;
      log(`scheduler: binding ${key} to ${node} failed: ${(err as Error).message}`);
      if (!stopped) setTimeout(() => {
        if (!stopped && !state.nodeOf(key)) {
          active.set(key, pod);
          kick();
        }
      }, 1000);
    }
  };

  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      while (!stopped && active.size > 0) {
        if (inFlight.size >= concurrency) {
          await Promise.race(inFlight);
          continue;
        }
        const [key, pod] = active.entries().next().value as [string, Pod];
        active.delete(key);
        const result = schedulePod(pod, state, { scoring: opts.scoring });
        if (result.ok) {
          // Assume: count the pod on its node now; "assumed" marks it until the watch confirms.
          const assumed: Pod = { ...pod, metadata: { ...pod.metadata, resourceVersion: `assumed-${pod.metadata?.resourceVersion}` }, spec: { ...pod.spec!, nodeName: result.node } };
          state.setPod(assumed);
          const p = bind(pod, result.node).finally(() => {
            inFlight.delete(p);
            settleIdle();
          });
          inFlight.add(p);
        } else {
          unschedulable.set(key, pod);
          void markUnschedulable(pod, result.message);
        }
      }
    } finally {
      pumping = false;
      settleIdle();
    }
  };

  // Like upstream, decide nothing before both caches have synced (else every pod would see 0 nodes).
  let ready = false;
  const kick = (): void => {
    if (ready && !pumping && !stopped) void pump();
  };

  const pods = startInformer<Pod>(client, R.pods, { onError: (e) => log(`scheduler: pods: ${(e as Error).message}`) }, (ev, pod, old) => {
    const key = podKey(pod);
    if (ev === 'delete') {
      const held = state.nodeOf(key) !== undefined;
      state.removePod(key);
      active.delete(key);
      unschedulable.delete(key);
      if (held) flushUnschedulable();
      return;
    }
    if (pod.spec?.nodeName) {
      const wasHolding = old ? podHoldsResources(old) : false;
      state.setPod(pod);
      active.delete(key);
      unschedulable.delete(key);
      if (wasHolding && !podHoldsResources(pod)) flushUnschedulable();
      return;
    }
    if (!ours(pod)) {
      active.delete(key);
      unschedulable.delete(key);
      return;
    }
    if (state.nodeOf(key)) return; // assumed, bind in flight
    if (unschedulable.has(key)) {
      // Our own status writes must not retry the pod; a change to what it asks for does.
      if (old && podSpecRelevant(old) === podSpecRelevant(pod)) {
        unschedulable.set(key, pod);
        return;
      }
      unschedulable.delete(key);
    }
    active.set(key, pod);
    kick();
  });

  const nodes = startInformer<Node>(client, R.nodes, { onError: (e) => log(`scheduler: nodes: ${(e as Error).message}`) }, (ev, node, old) => {
    if (ev === 'delete') {
      state.removeNode(node.metadata!.name!);
      return;
    }
    state.setNode(node);
    if (!old || nodeRelevant(old) !== nodeRelevant(node)) flushUnschedulable();
  });

  const retryTimer = setInterval(flushUnschedulable, opts.unschedulableRetryMs ?? 5 * 60_000);
  retryTimer.unref();

  const synced = Promise.all([pods.synced, nodes.synced]).then(() => {
    ready = true;
    kick();
  });

  return {
    synced,
    idle: () => synced.then(() => new Promise<void>((resolve) => {
      idleWaiters.push(resolve);
      settleIdle();
    })),
    stop: async () => {
      stopped = true;
      clearInterval(retryTimer);
      pods.stop();
      nodes.stop();
      await Promise.allSettled([...inFlight]);
      const w = idleWaiters;
      idleWaiters = [];
      for (const r of w) r();
    },
  };
}
