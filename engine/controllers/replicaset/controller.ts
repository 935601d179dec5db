/**
 * The ReplicaSet controller (pkg/controller/replicaset): keeps `spec.replicas` active pods matching the
 * selector, adopting orphans and releasing pods whose labels no longer match, and reports status.
 * Creates go in slow-start batches (1, 2, 4, …) so a failing template costs one error, not hundreds;
 * expectations keep it from acting twice on a cache that has not yet seen its own writes.
 */
import type { Pod } from 'kubernetes-types/core/v1';
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1';
import type { ApiClient, KubeObject, Writable } from '../../api/client.ts';
import { isNotFound } from '../../api/client.ts';
import { fromLabelSelector, matches, SelectorParseError, type Selector } from '../../api/labels.ts';
import { R } from '../../api/resources.ts';
import { rfc3339 } from '../framework/clock.ts';
import { Controller, InvalidSpecError, type ReconcileResult } from '../framework/controller.ts';
import type { ControllerContext } from '../framework/context.ts';
import type { EventRecorder } from '../framework/events.ts';
import { Expectations } from '../framework/expectations.ts';
import { keyOf, splitKey, type Informer } from '../framework/informer.ts';
import { claimObjects, getControllerOf, newControllerRef, recheckOwner } from '../framework/owner.ts';
import { isPodActive, isPodAvailable, isPodReady } from '../framework/pods.ts';
import { podsToDelete } from './rank.ts';
import { canonicalJSON } from '../framework/hash.ts';

/** Upstream's burstReplicas: at most this many creates or deletes per sync. */
export const BurstReplicas = 500;

export class ReplicaSetController {
  readonly controller: Controller;
  readonly expectations: Expectations;
  private readonly client: ApiClient;
  private readonly rsInformer: Informer<ReplicaSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.client = ctx.client;
    this.recorder = ctx.recorder('replicaset-controller');
    this.expectations = new Expectations(ctx.clock);
    this.rsInformer = ctx.informers.for<ReplicaSet>(R.replicasets);
    this.podInformer = ctx.informers.for<Pod>(R.pods);
    this.podInformer.addIndexer('controllerUID', (p) => {
      const ref = getControllerOf(p);
      return ref ? [ref.uid] : [];
    });
    this.controller = new Controller(
      { name: 'replicaset', clock: ctx.clock, recorder: this.recorder, workers: ctx.workers, log: ctx.log },
      (key) => this.sync(key),
    );
    this.rsInformer.addEventHandler({
      add: (rs) => this.controller.enqueue(keyOf(rs)),
      update: (_o, rs) => this.controller.enqueue(keyOf(rs)),
      delete: (rs) => {
        this.expectations.delete(keyOf(rs));
        this.controller.enqueue(keyOf(rs));
      },
    });
    this.podInformer.addEventHandler({
      add: (p) => this.addPod(p),
      update: (o, p) => this.updatePod(o, p),
      delete: (p) => this.deletePod(p),
    });
  }

  private resolveControllerRef(ns: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): ReplicaSet | undefined {
    if (!ref || ref.kind !== 'ReplicaSet') return undefined;
    const rs = this.rsInformer.get(ns, ref.name);
    return rs && rs.metadata?.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets whose selector matches an orphan pod. */
  private rsForPod(p: Pod): ReplicaSet[] {
    return this.rsInformer.list(p.metadata?.namespace).filter((rs) => {
      try {
        const sel = fromLabelSelector(rs.spec?.selector);
        return sel !== null && sel.length > 0 && matches(sel, p.metadata?.labels);
      } catch {
        return false;
      }
    });
  }

  private addPod(p: Pod): void {
    if (p.metadata?.deletionTimestamp) return this.deletePod(p);
    const ref = getControllerOf(p);
    if (ref) {
      const rs = this.resolveControllerRef(p.metadata?.namespace, ref);
      if (!rs) return;
      this.expectations.creationObserved(keyOf(rs));
      this.controller.enqueue(keyOf(rs));
      return;
    }
    for (const rs of this.rsForPod(p)) this.controller.enqueue(keyOf(rs));
  }

  private updatePod(old: Pod, cur: Pod): void {
    const labelsChanged = canonicalJSON(old.metadata?.labels ?? {}) !== canonicalJSON(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp && !old.metadata?.deletionTimestamp) {
      // A graceful delete started: count it as observed now, as upstream, so replacements are made at once.
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const oldRef = getControllerOf(old);
    const curRef = getControllerOf(cur);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const rs = this.resolveControllerRef(old.metadata?.namespace, oldRef);
      if (rs) this.controller.enqueue(keyOf(rs));
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur.metadata?.namespace, curRef);
      if (!rs) return;
      this.controller.enqueue(keyOf(rs));
      const minReady = rs.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.controller.enqueueAfter(keyOf(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || oldRef) for (const rs of this.rsForPod(cur)) this.controller.enqueue(keyOf(rs));
  }

  private deletePod(p: Pod): void {
    const rs = this.resolveControllerRef(p.metadata?.namespace, getControllerOf(p));
    if (!rs) return;
    this.expectations.deletionObserved(keyOf(rs), keyOf(p));
    this.controller.enqueue(keyOf(rs));
  }

  async sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const rs = this.rsInformer.get(namespace, name);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    let selector: Selector | null;
    try {
      selector = fromLabelSelector(rs.spec?.selector);
    } catch (err) {
      if (err instanceof SelectorParseError) throw new InvalidSpecError(rs, 'InvalidSelector', `invalid selector: ${err.message}`);
      throw err;
    }
    const needsSync = this.expectations.satisfied(key);
    const active = this.podInformer.list(namespace).filter(isPodActive);
    const filtered = await claimObjects<Pod>({
      client: this.client,
      type: R.pods,
      owner: rs,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'ReplicaSet',
      selector,
      objects: active,
      canAdopt: recheckOwner(this.client, R.replicasets, rs),
    });
    let manageErr: Error | undefined;
    if (needsSync && !rs.metadata?.deletionTimestamp) {
      try {
        await this.manageReplicas(filtered, rs);
      } catch (err) {
        manageErr = err as Error;
      }
    }
    const now = this.ctx.clock.now();
    const newStatus = calculateStatus(rs, filtered, manageErr, now);
    const updated = await this.updateStatus(rs, newStatus);
    if (manageErr) throw manageErr;
    const minReady = rs.spec?.minReadySeconds ?? 0;
    const want = rs.spec?.replicas ?? 1;
    if (minReady > 0 && updated.readyReplicas === want && updated.availableReplicas !== want) {
      return { requeueAfterMs: minReady * 1000 };
    }
  }

  private async updateStatus(rs: ReplicaSet, st: ReplicaSetStatus): Promise<ReplicaSetStatus> {
    const cur = rs.status ?? { replicas: 0 };
    const gen = rs.metadata?.generation ?? 0;
    if (
      (cur.replicas ?? 0) === st.replicas &&
      (cur.fullyLabeledReplicas ?? 0) === (st.fullyLabeledReplicas ?? 0) &&
      (cur.readyReplicas ?? 0) === (st.readyReplicas ?? 0) &&
      (cur.availableReplicas ?? 0) === (st.availableReplicas ?? 0) &&
      (cur.observedGeneration ?? 0) >= gen &&
      canonicalJSON(cur.conditions ?? []) === canonicalJSON(st.conditions ?? [])
    ) {
      return cur;
    }
    const next = structuredClone(rs) as Writable<ReplicaSet>;
    next.status = { ...st, observedGeneration: gen };
    const out = await this.client.updateStatus<ReplicaSet>(R.replicasets, next);
    return out.status ?? next.status;
  }

  private async manageReplicas(filtered: Pod[], rs: ReplicaSet): Promise<void> {
    const key = keyOf(rs);
    const want = rs.spec?.replicas ?? 1;
    const diff = filtered.length - want;
    if (diff < 0) {
      const n = Math.min(-diff, BurstReplicas);
      this.expectations.expectCreations(key, n);
      const { successes, error } = await slowStartBatch(n, 1, () => this.createPod(rs));
      const skipped = n - successes;
      // Creations that were never attempted (or failed) will not be observed: lower the expectations.
      for (let i = 0; i < skipped; i++) this.expectations.creationObserved(key);
      if (error) throw error;
    } else if (diff > 0) {
      const n = Math.min(diff, BurstReplicas);
      const related = this.relatedPods(rs);
      const victims = podsToDelete(filtered, related, n, this.ctx.clock.now());
      this.expectations.expectDeletions(key, victims.map(keyOf));
      const errors: Error[] = [];
      await Promise.all(
        victims.map(async (p) => {
          try {
            await this.client.delete(R.pods, p.metadata!.name!, p.metadata?.namespace, { preconditions: { uid: p.metadata?.uid } });
            this.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata!.name}`);
          } catch (err) {
            this.expectations.deletionObserved(key, keyOf(p));
            if (isNotFound(err)) return;
            this.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
            errors.push(err as Error);
          }
        }),
      );
      if (errors.length) throw errors[0];
    }
  }

  /** Pods of every ReplicaSet that shares this one's controller (for the same-node rank). */
  private relatedPods(rs: ReplicaSet): Pod[] {
    const owner = getControllerOf(rs);
    const siblings = owner
      ? this.rsInformer.list(rs.metadata?.namespace).filter((x) => getControllerOf(x)?.uid === owner.uid)
      : [rs];
    return siblings.flatMap((x) => this.podInformer.byIndex('controllerUID', x.metadata!.uid!));
  }

  private async createPod(rs: ReplicaSet): Promise<void> {
    const pod = podFromTemplate(rs, newControllerRef(rs, 'apps/v1', 'ReplicaSet'));
    try {
      const created = await this.client.create<Pod>(R.pods, pod);
      this.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name}`);
    } catch (err) {
      this.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }
}

/** A pod from an owner's template (controller.GetPodFromTemplate): generateName `<owner>-`, template labels/annotations. */
export function podFromTemplate(owner: KubeObject & { spec?: { template?: { metadata?: KubeObject['metadata']; spec?: unknown } } }, ref: ReturnType<typeof newControllerRef>): Pod {
  const t = owner.spec?.template ?? {};
  const meta = t.metadata ?? {};
  const pod: Writable<Pod> = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata!.name}-`,
      namespace: owner.metadata?.namespace,
      labels: meta.labels ? { ...meta.labels } : undefined,
      annotations: meta.annotations ? { ...meta.annotations } : undefined,
      finalizers: meta.finalizers ? [...meta.finalizers] : undefined,
      ownerReferences: [ref],
    },
    spec: structuredClone(t.spec) as Pod['spec'],
  };
  for (const k of ['labels', 'annotations', 'finalizers'] as const) if (pod.metadata![k] === undefined) delete pod.metadata![k];
  return pod;
}

/**
 * Calls fn count times in batches of 1, 2, 4, …, stopping after the first batch with an error
 * (controller.slowStartBatch). Returns how many succeeded and the first error.
 */
export async function slowStartBatch(count: number, initial: number, fn: () => Promise<void>): Promise<{ successes: number; error?: Error }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += batch - failed.length;
    if (failed.length) return { successes, error: failed[0]!.reason as Error };
    remaining -= batch;
  }
  return { successes };
}

export function calculateStatus(rs: ReplicaSet, filtered: readonly Pod[], manageErr: Error | undefined, now: number): ReplicaSetStatus {
  const templateLabels = rs.spec?.template?.metadata?.labels ?? {};
  let fully = 0;
  let ready = 0;
  let available = 0;
  for (const p of filtered) {
    const l = p.metadata?.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => l[k] === v)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, rs.spec?.minReadySeconds ?? 0, now)) available++;
    }
  }
  let conditions: ReplicaSetCondition[] = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageErr && !failure) {
    const diff = filtered.length - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({ type: 'ReplicaFailure', status: 'True', reason, message: manageErr.message, lastTransitionTime: rfc3339(now) });
  } else if (!manageErr && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const st: Writable<ReplicaSetStatus> = {
    replicas: filtered.length,
    fullyLabeledReplicas: fully,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.status?.observedGeneration,
  };
  if (conditions.length) st.conditions = conditions;
  return st;
}
