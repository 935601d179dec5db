/**
 * Node lifecycle (pkg/controller/nodelifecycle + the taint eviction controller):
 * - a node whose kubelet stops heartbeating (neither its Ready condition's lastHeartbeatTime nor its
 *   kube-node-lease Lease renewTime changes) for nodeMonitorGracePeriod gets every condition set to
 *   Unknown ("Kubelet stopped posting node status."), its pods marked not Ready, and a NodeNotReady event;
 * - taints follow the Ready condition: False → node.kubernetes.io/not-ready, Unknown →
 *   node.kubernetes.io/unreachable (NoExecute with timeAdded, and NoSchedule), `spec.unschedulable` →
 *   node.kubernetes.io/unschedulable:NoSchedule;
 * - pods on a node with NoExecute taints they do not tolerate are deleted at once; pods that tolerate them
 *   for tolerationSeconds are deleted that long after the taint was added (TaintManagerEviction).
 * `podEvictionTimeoutSeconds` replaces the 300 s of the default not-ready/unreachable tolerations the API
 * adds to every pod (DefaultTolerationSeconds), so a local cluster can reschedule in, say, 30 s.
 */
import type { Node, NodeCondition, Pod, Taint, Toleration } from 'kubernetes-types/core/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { ApiClient, Writable } from '../../api/client.ts';
import { isNotFound } from '../../api/client.ts';
import { R } from '../../api/resources.ts';
import { parseTime, rfc3339 } from '../framework/clock.ts';
import { Controller, type ReconcileResult } from '../framework/controller.ts';
import type { ControllerContext } from '../framework/context.ts';
import type { EventRecorder } from '../framework/events.ts';
import type { Informer } from '../framework/informer.ts';

export const TaintNotReady = 'node.kubernetes.io/not-ready';
export const TaintUnreachable = 'node.kubernetes.io/unreachable';
export const TaintUnschedulable = 'node.kubernetes.io/unschedulable';
const MANAGED = new Set([TaintNotReady, TaintUnreachable, TaintUnschedulable]);
const DEFAULT_TOLERATION_SECONDS = 300;
const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface NodeLifecycleOptions {
  /** How long without a heartbeat before a node is Unknown (upstream default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** How often nodes are checked (upstream 5 s). */
  nodeMonitorPeriodMs?: number;
  /** Replaces the default tolerations' 300 s; undefined keeps what the pods say. */
  podEvictionTimeoutSeconds?: number;
}

/** Whether a toleration tolerates a taint (v1helper.TolerationsTolerateTaint). */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if ((t.operator ?? 'Equal') === 'Exists') return !t.key || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/**
 * When a pod on a node with these NoExecute taints must go: 0 = now, Infinity = never; otherwise the
 * epoch ms (earliest taint timeAdded + the smallest tolerationSeconds among the tolerations used).
 */
export function evictionTime(pod: Pod, taints: readonly Taint[], now: number, defaultSeconds?: number): number {
  const noExec = taints.filter((t) => t.effect === 'NoExecute');
  if (!noExec.length) return Infinity;
  let minSeconds = Infinity;
  let start = Infinity;
  for (const taint of noExec) {
    const used = (pod.spec?.tolerations ?? []).filter((t) => tolerates(t, taint));
    if (!used.length) return 0;
    start = Math.min(start, parseTime(taint.timeAdded) ?? now);
    for (const t of used) {
      if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
      let secs = Math.max(0, t.tolerationSeconds);
      const isDefault = (t.key === TaintNotReady || t.key === TaintUnreachable) && t.operator === 'Exists' && secs === DEFAULT_TOLERATION_SECONDS;
      if (isDefault && defaultSeconds !== undefined) secs = defaultSeconds;
      minSeconds = Math.min(minSeconds, secs);
    }
  }
  if (minSeconds === Infinity) return Infinity;
  return start + minSeconds * 1000;
}

interface Observed {
  heartbeat: string;
  at: number;
}

export class NodeLifecycleController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly nodes: Informer<Node>;
  private readonly leases: Informer<Lease>;
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly observed = new Map<string, Observed>();
  private readonly grace: number;
  private readonly period: number;
  private cancelTick: (() => void) | undefined;

  constructor(private readonly ctx: ControllerContext, private readonly opts: NodeLifecycleOptions = {}) {
    this.client = ctx.client;
    this.grace = opts.nodeMonitorGracePeriodMs ?? 40_000;
    this.period = opts.nodeMonitorPeriodMs ?? 5_000;
    this.recorder = ctx.recorder('node-controller');
    this.nodes = ctx.informers.for<Node>(R.nodes);
    this.leases = ctx.informers.for<Lease>(R.leases);
    this.pods = ctx.informers.for<Pod>(R.pods);
    this.pods.addIndexer('nodeName', (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []));
    this.controller = new Controller(
      { name: 'nodelifecycle', clock: ctx.clock, recorder: this.recorder, workers: 1, log: ctx.log },
      (key) => this.sync(key),
    );
    this.nodes.addEventHandler({
      add: (n) => this.controller.enqueue(n.metadata!.name!),
      update: (_o, n) => this.controller.enqueue(n.metadata!.name!),
      delete: (n) => this.observed.delete(n.metadata!.name!),
    });
    this.leases.addEventHandler({
      update: (_o, l) => l.metadata?.namespace === NODE_LEASE_NAMESPACE && this.nodes.get(undefined, l.metadata!.name!) && this.controller.enqueue(l.metadata!.name!),
    });
    this.pods.addEventHandler({
      add: (p) => p.spec?.nodeName && this.controller.enqueue(p.spec.nodeName),
      update: (o, p) => p.spec?.nodeName && p.spec.nodeName !== o.spec?.nodeName && this.controller.enqueue(p.spec.nodeName),
    });
  }

  /** Starts the periodic monitor (the heartbeat check needs the clock to move, not just events). */
  startMonitor(): void {
    const tick = () => {
      for (const n of this.nodes.list()) this.controller.enqueue(n.metadata!.name!);
      this.cancelTick = this.ctx.clock.after(this.period, tick);
    };
    this.cancelTick = this.ctx.clock.after(this.period, tick);
  }

  stopMonitor(): void {
    this.cancelTick?.();
  }

  async sync(name: string): Promise<ReconcileResult | void> {
    const cached = this.nodes.get(undefined, name);
    if (!cached) return;
    const now = this.ctx.clock.now();
    let node = structuredClone(cached) as Writable<Node>;
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    const lease = this.leases.get(NODE_LEASE_NAMESPACE, name);
    const hb = `${ready?.lastHeartbeatTime ?? ''}|${lease?.spec?.renewTime ?? ''}`;
    const seen = this.observed.get(name);
    if (!seen || seen.heartbeat !== hb) this.observed.set(name, { heartbeat: hb, at: now });
    const since = this.observed.get(name)!.at;

    // 1. Heartbeat lapse → conditions Unknown.
    if (now - since > this.grace && ready?.status !== 'Unknown') {
      node = await this.markUnknown(node, ready, now);
      await this.markPodsNotReady(name);
    }

    // 2. Taints from the Ready condition and spec.unschedulable.
    node = await this.reconcileTaints(node, now);

    // 3. NoExecute evictions.
    const taints = node.spec?.taints ?? [];
    let next = Infinity;
    for (const p of this.pods.byIndex('nodeName', name)) {
      if (p.metadata?.deletionTimestamp || p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
      const at = evictionTime(p, taints, now, this.opts.podEvictionTimeoutSeconds);
      if (at <= now) await this.evict(p);
      else next = Math.min(next, at);
    }
    const untilLapse = since + this.grace - now + 1;
    const wait = Math.min(next === Infinity ? Infinity : next - now, ready?.status !== 'Unknown' && untilLapse > 0 ? untilLapse : Infinity);
    return wait === Infinity ? undefined : { requeueAfterMs: Math.max(0, wait) };
  }

  private async markUnknown(node: Writable<Node>, ready: NodeCondition | undefined, now: number): Promise<Writable<Node>> {
    const ts = rfc3339(now);
    const never = !ready;
    const reason = never ? 'NodeStatusNeverUpdated' : 'NodeStatusUnknown';
    const message = never ? 'Kubelet never posted node status.' : 'Kubelet stopped posting node status.';
    const types = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
    const conditions: NodeCondition[] = [...(node.status?.conditions ?? [])];
    for (const type of types) {
      const i = conditions.findIndex((c) => c.type === type);
      const old = i >= 0 ? conditions[i] : undefined;
      if (old?.status === 'Unknown') continue;
      const c: NodeCondition = { type, status: 'Unknown', reason, message, lastHeartbeatTime: old?.lastHeartbeatTime ?? ts, lastTransitionTime: ts };
      if (i >= 0) conditions[i] = c;
      else conditions.push(c);
    }
    node.status = { ...node.status, conditions };
    const out = await this.client.updateStatus<Node>(R.nodes, node);
    this.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${node.metadata!.name} status is now: NodeNotReady`);
    return structuredClone(out) as Writable<Node>;
  }

  private async markPodsNotReady(nodeName: string): Promise<void> {
    for (const p of this.pods.byIndex('nodeName', nodeName)) {
      const conds = p.status?.conditions ?? [];
      if (!conds.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
      const next = structuredClone(p) as Writable<Pod>;
      const ts = rfc3339(this.ctx.clock.now());
      next.status = { ...next.status, conditions: conds.map((c) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: ts } : c)) };
      try {
        await this.client.updateStatus(R.pods, next);
        this.recorder.event(p, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private async reconcileTaints(node: Writable<Node>, now: number): Promise<Writable<Node>> {
    const status = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    const want: Taint[] = [];
    const ts = rfc3339(now);
    if (status === 'False') want.push({ key: TaintNotReady, effect: 'NoSchedule' }, { key: TaintNotReady, effect: 'NoExecute', timeAdded: ts });
    if (status === 'Unknown') want.push({ key: TaintUnreachable, effect: 'NoSchedule' }, { key: TaintUnreachable, effect: 'NoExecute', timeAdded: ts });
    if (node.spec?.unschedulable) want.push({ key: TaintUnschedulable, effect: 'NoSchedule', timeAdded: ts });
    const cur = node.spec?.taints ?? [];
    const managed = cur.filter((t) => MANAGED.has(t.key));
    const same = (a: Taint, b: Taint) => a.key === b.key && a.effect === b.effect;
    const keep = managed.filter((t) => want.some((w) => same(w, t)));
    const add = want.filter((w) => !managed.some((t) => same(w, t)));
    if (keep.length === managed.length && add.length === 0) return node;
    node.spec = { ...node.spec, taints: [...cur.filter((t) => !MANAGED.has(t.key)), ...keep, ...add] };
    if (!node.spec.taints!.length) delete node.spec.taints;
    return structuredClone(await this.client.update<Node>(R.nodes, node)) as Writable<Node>;
  }

  private async evict(p: Pod): Promise<void> {
    this.recorder.event(p, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${p.metadata?.namespace}/${p.metadata?.name}`);
    try {
      await this.client.delete(R.pods, p.metadata!.name!, p.metadata?.namespace, { preconditions: { uid: p.metadata?.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
