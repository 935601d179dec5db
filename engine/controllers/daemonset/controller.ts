/**
 * The DaemonSet controller (pkg/controller/daemon): one pod per eligible node — the node matches the
 * template's nodeSelector and required node affinity and the pod tolerates the node's NoSchedule/NoExecute
 * taints (with the tolerations upstream adds to every daemon pod) — RollingUpdate with maxUnavailable and
 * maxSurge, OnDelete, ControllerRevisions (`kubectl rollout history|undo daemonset`) and status.
 * Pods are bound by setting spec.nodeName (and carry upstream's required node affinity on
 * metadata.name for the record), so they do not depend on the scheduler.
 */
import type { Node, NodeSelectorRequirement, Pod, Taint, Toleration } from 'kubernetes-types/core/v1';
import type { ControllerRevision, DaemonSet, DaemonSetStatus } from 'kubernetes-types/apps/v1';
import type { ApiClient, Writable } from '../../api/client.ts';
import { isNotFound } from '../../api/client.ts';
import { fromLabelSelector, SelectorParseError } from '../../api/labels.ts';
import { R } from '../../api/resources.ts';
import { Controller, InvalidSpecError, type ReconcileResult } from '../framework/controller.ts';
import type { ControllerContext } from '../framework/context.ts';
import type { EventRecorder } from '../framework/events.ts';
import { canonicalJSON } from '../framework/hash.ts';
import { ControllerRevisionHashLabel, ensureRevision, HashCollisionError, PodRevisionHashLabel, truncateHistory } from '../framework/history.ts';
import { keyOf, splitKey, type Informer } from '../framework/informer.ts';
import { getScaledValueFromIntOrPercent } from '../framework/intstr.ts';
import { claimObjects, getControllerOf, newControllerRef, recheckOwner } from '../framework/owner.ts';
import { isPodAvailable, isPodReady } from '../framework/pods.ts';
import { tolerates } from '../nodelifecycle/controller.ts';

/** Tolerations upstream adds to every daemon pod (util.AddOrUpdateDaemonPodTolerations). */
export function daemonTolerations(hostNetwork: boolean): Toleration[] {
  const t: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return t;
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const vals = r.values ?? [];
  switch (r.operator) {
    case 'In': return value !== undefined && vals.includes(value);
    case 'NotIn': return value === undefined || !vals.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': return value !== undefined && Number(value) > Number(vals[0]);
    case 'Lt': return value !== undefined && Number(value) < Number(vals[0]);
    default: return false;
  }
}

/** Whether the daemon pod should run on the node, and whether one already there may stay. */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean } {
  const spec = ds.spec?.template?.spec;
  const labels = node.metadata?.labels ?? {};
  const selectorOk = Object.entries(spec?.nodeSelector ?? {}).every(([k, v]) => labels[k] === v);
  const terms = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const affinityOk = !terms?.length || terms.some((t) =>
    (t.matchExpressions ?? []).every((r) => requirementMatches(r, labels[r.key])) &&
    (t.matchFields ?? []).every((r) => requirementMatches(r, r.key === 'metadata.name' ? node.metadata?.name : undefined)));
  if (!selectorOk || !affinityOk) return { shouldRun: false, shouldContinueRunning: false };
  const tol = [...(spec?.tolerations ?? []), ...daemonTolerations(!!spec?.hostNetwork)];
  const ok = (t: Taint) => tol.some((x) => tolerates(x, t));
  const taints = node.spec?.taints ?? [];
  const noExecOk = taints.filter((t) => t.effect === 'NoExecute').every(ok);
  const noSchedOk = taints.filter((t) => t.effect === 'NoSchedule').every(ok);
  return { shouldRun: noExecOk && noSchedOk, shouldContinueRunning: noExecOk };
}

export class DaemonSetController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly sets: Informer<DaemonSet>;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.client = ctx.client;
    this.recorder = ctx.recorder('daemonset-controller');
    this.sets = ctx.informers.for<DaemonSet>(R.daemonsets);
    this.pods = ctx.informers.for<Pod>(R.pods);
    this.nodes = ctx.informers.for<Node>(R.nodes);
    this.revisions = ctx.informers.for<ControllerRevision>(R.controllerrevisions);
    for (const inf of [this.pods, this.revisions] as Informer<Pod | ControllerRevision>[]) {
      inf.addIndexer('controllerUID', (o) => {
        const ref = getControllerOf(o);
        return ref ? [ref.uid] : [];
      });
    }
    this.controller = new Controller(
      { name: 'daemonset', clock: ctx.clock, recorder: this.recorder, workers: ctx.workers, log: ctx.log },
      (key) => this.sync(key),
    );
    this.sets.addEventHandler({ add: (s) => this.controller.enqueue(keyOf(s)), update: (_o, s) => this.controller.enqueue(keyOf(s)) });
    const forPod = (p: Pod) => {
      const ref = getControllerOf(p);
      if (ref?.kind === 'DaemonSet') this.controller.enqueue(`${p.metadata?.namespace}/${ref.name}`);
    };
    this.pods.addEventHandler({ add: forPod, update: (_o, p) => forPod(p), delete: forPod });
    const all = () => {
      for (const s of this.sets.list()) this.controller.enqueue(keyOf(s));
    };
    this.nodes.addEventHandler({ add: all, update: (o, n) => {
      if (canonicalJSON([o.metadata?.labels, o.spec?.taints]) !== canonicalJSON([n.metadata?.labels, n.spec?.taints])) all();
    }, delete: all });
  }

  async sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.sets.get(namespace, name);
    if (!cached) return;
    const ds = structuredClone(cached) as Writable<DaemonSet>;
    let selector;
    try {
      selector = fromLabelSelector(ds.spec?.selector);
    } catch (err) {
      if (err instanceof SelectorParseError) throw new InvalidSpecError(ds, 'InvalidSelector', err.message);
      throw err;
    }
    const pods = await claimObjects<Pod>({
      client: this.client, type: R.pods, owner: ds, ownerApiVersion: 'apps/v1', ownerKind: 'DaemonSet', selector,
      objects: this.pods.list(namespace), canAdopt: recheckOwner(this.client, R.daemonsets, ds),
    });
    let rev: ControllerRevision;
    try {
      rev = (await ensureRevision(this.client, ds, 'DaemonSet', this.revisions.byIndex('controllerUID', ds.metadata!.uid!), ds.status?.collisionCount ?? 0)).revision;
    } catch (err) {
      if (err instanceof HashCollisionError) {
        ds.status = { ...(ds.status ?? { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 }), collisionCount: (ds.status?.collisionCount ?? 0) + 1 };
        await this.client.updateStatus(R.daemonsets, ds);
      }
      throw err;
    }
    const hash = rev.metadata?.labels?.[ControllerRevisionHashLabel] ?? '';
    if (ds.metadata?.deletionTimestamp) return;
    const byNode = new Map<string, Pod[]>();
    for (const p of pods) {
      const n = p.spec?.nodeName ?? '';
      byNode.set(n, [...(byNode.get(n) ?? []), p]);
    }
    const now = this.ctx.clock.now();
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const isNew = (p: Pod) => p.metadata?.labels?.[PodRevisionHashLabel] === hash;
    const available = (p: Pod) => isPodAvailable(p, minReady, now);
    const toCreate: string[] = [];
    const toDelete: Pod[] = [];
    const eligible: { node: string; pods: Pod[] }[] = [];
    for (const node of this.nodes.list()) {
      const n = node.metadata!.name!;
      const here = (byNode.get(n) ?? []).filter((p) => !p.metadata?.deletionTimestamp);
      byNode.delete(n);
      const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
      if (shouldRun) eligible.push({ node: n, pods: here });
      if (shouldRun && here.length === 0) {
        toCreate.push(n);
        continue;
      }
      if (!shouldContinueRunning) {
        toDelete.push(...here);
        continue;
      }
      if (!shouldRun && here.length === 0) continue;
      const failed = here.filter((p) => p.status?.phase === 'Failed');
      for (const p of failed) {
        this.recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${p.metadata?.namespace}/${p.metadata?.name} on node ${n}, will try to kill it`);
        toDelete.push(p);
      }
      const running = here.filter((p) => p.status?.phase !== 'Failed');
      // More than one: keep the newest-revision available one (or the oldest), delete the rest.
      if (running.length > 1) {
        const keep = [...running].sort((a, b) => Number(isNew(b) && available(b)) - Number(isNew(a) && available(a)) || String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)))[0]!;
        if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate' || !running.some((p) => isNew(p) && !available(p))) {
          toDelete.push(...running.filter((p) => p !== keep));
        }
      }
    }
    // Pods on nodes that no longer exist.
    for (const [n, ps] of byNode) if (n) toDelete.push(...ps.filter((p) => !p.metadata?.deletionTimestamp));

    if ((ds.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') this.rollingUpdate(ds, eligible, isNew, available, toCreate, toDelete);

    for (const n of toCreate) await this.createPod(ds, n, hash);
    for (const p of new Set(toDelete)) await this.deletePod(ds, p);
    await this.updateStatus(ds, isNew, available);
    await truncateHistory(this.client, this.revisions.byIndex('controllerUID', ds.metadata!.uid!), new Set([rev.metadata!.name!]), ds.spec?.revisionHistoryLimit ?? 10);
    if (minReady) return { requeueAfterMs: minReady * 1000 };
  }

  /** rollingUpdate (daemon/update.go): replace old pods within maxUnavailable, or surge up to maxSurge. */
  private rollingUpdate(ds: DaemonSet, eligible: { node: string; pods: Pod[] }[], isNew: (p: Pod) => boolean, available: (p: Pod) => boolean, toCreate: string[], toDelete: Pod[]): void {
    const desired = eligible.length;
    const ru = ds.spec?.updateStrategy?.rollingUpdate;
    const maxSurge = getScaledValueFromIntOrPercent(ru?.maxSurge ?? 0, desired, true);
    const maxUnavailable = maxSurge > 0 ? 0 : Math.max(1, getScaledValueFromIntOrPercent(ru?.maxUnavailable ?? 1, desired, true));
    if (maxSurge === 0) {
      let unavailable = eligible.filter((e) => !e.pods.some(available)).length;
      const candidates: Pod[] = [];
      for (const e of eligible) {
        const old = e.pods.find((p) => !isNew(p));
        if (!old || e.pods.some(isNew)) continue;
        if (!available(old)) toDelete.push(old); // an unavailable old pod costs nothing to replace
        else candidates.push(old);
      }
      for (const p of candidates) {
        if (unavailable >= maxUnavailable) break;
        toDelete.push(p);
        unavailable++;
      }
      return;
    }
    let surging = eligible.filter((e) => e.pods.some(isNew) && e.pods.some((p) => !isNew(p))).length;
    for (const e of eligible) {
      const old = e.pods.filter((p) => !isNew(p));
      const neu = e.pods.filter(isNew);
      if (!old.length) continue;
      if (neu.some(available)) {
        toDelete.push(...old);
        continue;
      }
      if (!neu.length && !old.some(available)) {
        toDelete.push(...old);
        continue;
      }
      if (!neu.length && surging < maxSurge) {
        toCreate.push(e.node);
        surging++;
      }
    }
  }

  private async createPod(ds: DaemonSet, node: string, hash: string): Promise<void> {
    const t = structuredClone(ds.spec!.template);
    const spec = t.spec! as Writable<NonNullable<Pod['spec']>>;
    const tol = [...(spec.tolerations ?? [])];
    for (const d of daemonTolerations(!!spec.hostNetwork)) if (!tol.some((x) => x.key === d.key && x.effect === d.effect)) tol.push(d);
    spec.tolerations = tol;
    spec.nodeName = node;
    spec.affinity = {
      ...spec.affinity,
      nodeAffinity: { ...spec.affinity?.nodeAffinity, requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] }] } },
    };
    const pod: Pod = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        generateName: `${ds.metadata!.name}-`, namespace: ds.metadata?.namespace,
        labels: { ...(t.metadata?.labels ?? {}), [PodRevisionHashLabel]: hash, 'pod-template-generation': String(ds.metadata?.generation ?? 1) },
        ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
        ownerReferences: [newControllerRef(ds, 'apps/v1', 'DaemonSet')],
      },
      spec,
    };
    try {
      const out = await this.client.create<Pod>(R.pods, pod);
      this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${out.metadata?.name}`);
    } catch (err) {
      this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  private async deletePod(ds: DaemonSet, p: Pod): Promise<void> {
    try {
      await this.client.delete(R.pods, p.metadata!.name!, p.metadata?.namespace, { preconditions: { uid: p.metadata?.uid } });
      this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name}`);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  private async updateStatus(ds: Writable<DaemonSet>, isNew: (p: Pod) => boolean, available: (p: Pod) => boolean): Promise<void> {
    const pods = this.pods.byIndex('controllerUID', ds.metadata!.uid!).filter((p) => !p.metadata?.deletionTimestamp);
    let desired = 0;
    let current = 0;
    let mis = 0;
    let ready = 0;
    let avail = 0;
    let updated = 0;
    for (const node of this.nodes.list()) {
      const here = pods.filter((p) => p.spec?.nodeName === node.metadata?.name);
      const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
      if (shouldRun) {
        desired++;
        if (here.length) {
          current++;
          const p = here.find(isNew) ?? here[0]!;
          if (isPodReady(p)) ready++;
          if (available(p)) avail++;
          if (here.some(isNew)) updated++;
        }
      } else if (here.length) mis++;
    }
    const st: Writable<DaemonSetStatus> = {
      currentNumberScheduled: current, numberMisscheduled: mis, desiredNumberScheduled: desired, numberReady: ready,
      observedGeneration: ds.metadata?.generation, updatedNumberScheduled: updated, numberAvailable: avail,
      numberUnavailable: Math.max(0, desired - avail),
    };
    if (ds.status?.collisionCount !== undefined) st.collisionCount = ds.status.collisionCount;
    if (ds.status?.conditions) st.conditions = ds.status.conditions;
    for (const k of ['numberAvailable', 'numberUnavailable', 'updatedNumberScheduled'] as const) if (!st[k]) delete st[k];
    if (canonicalJSON(st) === canonicalJSON(ds.status ?? {})) return;
    ds.status = st;
    await this.client.updateStatus(R.daemonsets, ds);
  }
}
