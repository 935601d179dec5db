/**
 * The Deployment controller (pkg/controller/deployment): one ReplicaSet per pod-template hash, rolled
 * with the RollingUpdate or Recreate strategy, revision annotations kubectl's `rollout history|undo`
 * read, proportional scaling of a rollout in progress, `spec.paused`, revisionHistoryLimit cleanup and the
 * Progressing/Available conditions `kubectl rollout status` waits on. Rollback is kubectl's job (it patches
 * the template back); reusing the old ReplicaSet renumbers it here.
 */
import type { Pod } from 'kubernetes-types/core/v1';
import type { Deployment, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { ApiClient, Writable } from '../../api/client.ts';
import { isAlreadyExists, isNotFound } from '../../api/client.ts';
import { fromLabelSelector, matches, SelectorParseError, type Selector } from '../../api/labels.ts';
import { R } from '../../api/resources.ts';
import { Controller, InvalidSpecError, type ReconcileResult } from '../framework/controller.ts';
import type { ControllerContext } from '../framework/context.ts';
import type { EventRecorder } from '../framework/events.ts';
import { canonicalJSON, computeHash, DefaultDeploymentUniqueLabelKey } from '../framework/hash.ts';
import { keyOf, splitKey, type Informer } from '../framework/informer.ts';
import { IntOrStringError } from '../framework/intstr.ts';
import { claimObjects, getControllerOf, newControllerRef, recheckOwner } from '../framework/owner.ts';
import {
  byCreation, byRevision, calculateStatus, deploymentComplete, deploymentProgressing, deploymentTimedOut, desiredReplicasAnnotation,
  FailedRSCreateReason, filterActive, findNewReplicaSet, findOldReplicaSets, FoundNewRSReason, getCondition, hasProgressDeadline, isSaturated,
  maxRevision, maxSurge, maxUnavailable, newCondition, NewReplicaSetReason, NewRSAvailableReason, newRSNewReplicas, PausedDeployReason,
  progressDeadlineSeconds, proportionalSizes, removeCondition, replicasOf, ReplicaSetUpdatedReason, resolveFenceposts, ResumedDeployReason,
  RevisionAnnotation, setCondition, setDeploymentRevision, setNewReplicaSetAnnotations, setReplicasAnnotations, specReplicas, statusEqual,
  sumAvailable, sumSpec, sumStatus, TimedOutReason, type RS,
} from './util.ts';
import { parseTime } from '../framework/clock.ts';

type D = Writable<Deployment>;

export class DeploymentController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly dInformer: Informer<Deployment>;
  private readonly rsInformer: Informer<ReplicaSet>;
  private readonly podInformer: Informer<Pod>;
  private readonly recorder: EventRecorder;
  /** Set by sync when the deployment should be looked at again later (progress deadline). */
  private requeueAfter: number | undefined;

  constructor(private readonly ctx: ControllerContext) {
    this.client = ctx.client;
    this.recorder = ctx.recorder('deployment-controller');
    this.dInformer = ctx.informers.for<Deployment>(R.deployments);
    this.rsInformer = ctx.informers.for<ReplicaSet>(R.replicasets);
    this.podInformer = ctx.informers.for<Pod>(R.pods);
    this.rsInformer.addIndexer('controllerUID', (o) => {
      const ref = getControllerOf(o);
      return ref ? [ref.uid] : [];
    });
    this.podInformer.addIndexer('controllerUID', (o) => {
      const ref = getControllerOf(o);
      return ref ? [ref.uid] : [];
    });
    this.controller = new Controller(
      { name: 'deployment', clock: ctx.clock, recorder: this.recorder, workers: ctx.workers, log: ctx.log },
      (key) => this.sync(key),
    );
    this.dInformer.addEventHandler({
      add: (d) => this.controller.enqueue(keyOf(d)),
      update: (_o, d) => this.controller.enqueue(keyOf(d)),
      delete: (d) => this.controller.enqueue(keyOf(d)),
    });
    this.rsInformer.addEventHandler({
      add: (rs) => this.enqueueForRS(rs),
      update: (old, rs) => {
        if (getControllerOf(old)?.uid !== getControllerOf(rs)?.uid) this.enqueueForRS(old);
        this.enqueueForRS(rs);
      },
      delete: (rs) => this.enqueueForRS(rs, true),
    });
    // Recreate waits for old pods to be gone: a pod deletion may unblock it.
    this.podInformer.addEventHandler({
      delete: (p) => {
        const rsRef = getControllerOf(p);
        if (rsRef?.kind !== 'ReplicaSet') return;
        const rs = this.rsInformer.get(p.metadata?.namespace, rsRef.name);
        const d = rs && this.ownerDeployment(rs);
        if (d && d.spec?.strategy?.type === 'Recreate') this.controller.enqueue(keyOf(d));
      },
    });
  }

  private ownerDeployment(rs: ReplicaSet): Deployment | undefined {
    const ref = getControllerOf(rs);
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.dInformer.get(rs.metadata?.namespace, ref.name);
    return d?.metadata?.uid === ref.uid ? d : undefined;
  }

  private enqueueForRS(rs: ReplicaSet, deleted = false): void {
    const d = this.ownerDeployment(rs);
    if (d) return this.controller.enqueue(keyOf(d));
    if (deleted || getControllerOf(rs)) return;
    // An orphan: every deployment whose selector matches may want to adopt it.
    for (const cand of this.dInformer.list(rs.metadata?.namespace)) {
      try {
        const sel = fromLabelSelector(cand.spec?.selector);
        if (sel && sel.length && matches(sel, rs.metadata?.labels)) this.controller.enqueue(keyOf(cand));
      } catch {
        // an invalid selector is reported when that deployment syncs
      }
    }
  }

  private now(): number {
    return this.ctx.clock.now();
  }

  async sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.dInformer.get(namespace, name);
    if (!cached) return;
    const d = structuredClone(cached) as D;
    this.requeueAfter = undefined;
    let selector: Selector | null;
    try {
      selector = fromLabelSelector(d.spec?.selector);
      const ru = d.spec?.strategy?.rollingUpdate;
      if ((d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate') resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d));
    } catch (err) {
      if (err instanceof SelectorParseError || err instanceof IntOrStringError) throw new InvalidSpecError(d, 'InvalidSpec', err.message);
      throw err;
    }
    if (!selector || selector.length === 0) {
      this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        d.status = { ...d.status, observedGeneration: d.metadata?.generation };
        await this.client.updateStatus(R.deployments, d);
      }
      return;
    }
    const rsList = await this.replicaSetsFor(d, selector);
    if (d.metadata?.deletionTimestamp) {
      await this.syncStatusOnly(d, rsList);
      return;
    }
    await this.checkPausedConditions(d);
    if (d.spec?.paused) {
      await this.syncScale(d, rsList);
      return this.result();
    }
    if (this.isScalingEvent(d, rsList)) {
      await this.syncScale(d, rsList);
      return this.result();
    }
    if (d.spec?.strategy?.type === 'Recreate') await this.rolloutRecreate(d, rsList);
    else await this.rolloutRolling(d, rsList);
    return this.result();
  }

  private result(): ReconcileResult | void {
    return this.requeueAfter !== undefined ? { requeueAfterMs: this.requeueAfter } : undefined;
  }

  /** ReplicaSets this deployment controls, after adopting orphans and releasing non-matching ones. */
  private async replicaSetsFor(d: Deployment, selector: Selector): Promise<RS[]> {
    const all = this.rsInformer.list(d.metadata?.namespace);
    return claimObjects<ReplicaSet>({
      client: this.client,
      type: R.replicasets,
      owner: d,
      ownerApiVersion: 'apps/v1',
      ownerKind: 'Deployment',
      selector,
      objects: all,
      canAdopt: recheckOwner(this.client, R.deployments, d),
    });
  }

  private async updateStatus(d: D): Promise<void> {
    const out = await this.client.updateStatus<Deployment>(R.deployments, d);
    d.metadata = { ...d.metadata, resourceVersion: out.metadata?.resourceVersion };
  }

  private async checkPausedConditions(d: D): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, 'Progressing');
    if (cond?.reason === TimedOutReason) return;
    const pausedExists = cond?.reason === PausedDeployReason;
    const st = { ...(d.status ?? {}) } as Writable<DeploymentStatus>;
    if (d.spec?.paused && !pausedExists) {
      setCondition(st, newCondition('Progressing', 'Unknown', PausedDeployReason, 'Deployment is paused', this.now()));
    } else if (!d.spec?.paused && pausedExists) {
      setCondition(st, newCondition('Progressing', 'Unknown', ResumedDeployReason, 'Deployment is resumed', this.now()));
    } else return;
    d.status = st;
    await this.updateStatus(d);
  }

  private isScalingEvent(d: D, rsList: RS[]): boolean {
    const { newRS, oldRSs } = this.splitRSs(d, rsList);
    for (const rs of filterActive([...oldRSs, newRS])) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired === undefined) continue;
      if (desired !== replicasOf(d)) return true;
    }
    return false;
  }

  private splitRSs(d: Deployment, rsList: RS[]): { newRS: RS | undefined; oldRSs: RS[] } {
    const newRS = findNewReplicaSet(d, rsList);
    return { newRS, oldRSs: findOldReplicaSets(d, rsList)[1] };
  }

  /** getAllReplicaSetsAndSyncRevision: the new RS (created when asked) and every old one, revisions synced. */
  private async getAllReplicaSetsAndSyncRevision(d: D, rsList: RS[], create: boolean): Promise<{ newRS: RS | undefined; oldRSs: RS[] }> {
    const oldRSs = findOldReplicaSets(d, rsList)[1];
    const newRS = await this.getNewReplicaSet(d, rsList, oldRSs, create);
    return { newRS, oldRSs };
  }

  private async getNewReplicaSet(d: D, rsList: RS[], oldRSs: RS[], create: boolean): Promise<RS | undefined> {
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = String(maxRevision(oldRSs) + 1);
    if (existing) {
      const copy = structuredClone(existing) as Writable<RS>;
      const annotationsUpdated = setNewReplicaSetAnnotations(d, copy, newRevision, true);
      const minReadyChanged = (copy.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyChanged) {
        copy.spec = { ...copy.spec!, minReadySeconds: d.spec?.minReadySeconds };
        return this.client.update<ReplicaSet>(R.replicasets, copy);
      }
      let needsUpdate = setDeploymentRevision(d, copy.metadata?.annotations?.[RevisionAnnotation] ?? '');
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        const st = { ...(d.status ?? {}) } as Writable<DeploymentStatus>;
        setCondition(st, newCondition('Progressing', 'True', FoundNewRSReason, `Found new replica set "${copy.metadata?.name}"`, this.now()));
        d.status = st;
        needsUpdate = true;
      }
      if (needsUpdate) await this.updateDeploymentAndStatus(d, cachedAnnotationsOf(this.dInformer, d));
      return copy;
    }
    if (!create) return undefined;

    const template = structuredClone(d.spec!.template) as Writable<NonNullable<Deployment['spec']>['template']>;
    const hash = computeHash(d.spec!.template, d.status?.collisionCount);
    const labels = { ...(template.metadata?.labels ?? {}), [DefaultDeploymentUniqueLabelKey]: hash };
    template.metadata = { ...template.metadata, labels };
    const sel = structuredClone(d.spec!.selector) as Writable<NonNullable<Deployment['spec']>['selector']>;
    sel.matchLabels = { ...(sel.matchLabels ?? {}), [DefaultDeploymentUniqueLabelKey]: hash };
    const newRS: Writable<ReplicaSet> = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata!.name}-${hash}`,
        namespace: d.metadata?.namespace,
        ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
        labels,
      },
      spec: { replicas: 0, minReadySeconds: d.spec?.minReadySeconds, selector: sel, template },
    };
    if (newRS.spec!.minReadySeconds === undefined) delete newRS.spec!.minReadySeconds;
    const count = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    newRS.spec!.replicas = count;
    setNewReplicaSetAnnotations(d, newRS, newRevision, false);

    let created: RS;
    let alreadyExists = false;
    try {
      created = await this.client.create<ReplicaSet>(R.replicasets, newRS);
    } catch (err) {
      if (isAlreadyExists(err)) {
        alreadyExists = true;
        let rs: RS | undefined = this.rsInformer.get(d.metadata?.namespace, newRS.metadata!.name!);
        if (!rs) {
          try {
            rs = await this.client.get<ReplicaSet>(R.replicasets, newRS.metadata!.name!, d.metadata?.namespace);
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
        }
        const ref = rs && getControllerOf(rs);
        if (rs && ref?.uid === d.metadata?.uid && findNewReplicaSet(d, [rs])) {
          created = rs;
        } else {
          // A different template hashed to the same name: bump collisionCount so the next hash differs.
          d.status = { ...(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
          await this.updateStatus(d);
          throw err;
        }
      } else {
        const msg = `Failed to create new replica set "${newRS.metadata!.name}": ${(err as Error).message}`;
        if (hasProgressDeadline(d)) {
          const st = { ...(d.status ?? {}) } as Writable<DeploymentStatus>;
          setCondition(st, newCondition('Progressing', 'False', FailedRSCreateReason, msg, this.now()));
          d.status = st;
          await this.updateStatus(d);
        }
        this.recorder.event(d, 'Warning', FailedRSCreateReason, msg);
        throw err;
      }
    }
    if (!alreadyExists && count > 0) {
      this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name} from 0 to ${count}`);
    }
    let needsUpdate = setDeploymentRevision(d, newRevision);
    if (!alreadyExists && hasProgressDeadline(d)) {
      const st = { ...(d.status ?? {}) } as Writable<DeploymentStatus>;
      setCondition(st, newCondition('Progressing', 'True', NewReplicaSetReason, `Created new replica set "${created.metadata?.name}"`, this.now()));
      d.status = st;
      needsUpdate = true;
    }
    if (needsUpdate) await this.updateDeploymentAndStatus(d, cachedAnnotationsOf(this.dInformer, d));
    return created;
  }

  /**
   * Upstream writes the revision annotation with Update and conditions with UpdateStatus in one call on
   * its internal client; through the API that is two writes: the annotation (metadata) and the status.
   */
  private async updateDeploymentAndStatus(d: D, cachedAnnotations: Record<string, string> | undefined): Promise<void> {
    const rev = d.metadata?.annotations?.[RevisionAnnotation];
    if (rev !== undefined && cachedAnnotations?.[RevisionAnnotation] !== rev) {
      const out = await this.client.patch<Deployment>(R.deployments, d.metadata!.name!, d.metadata?.namespace, 'merge', {
        metadata: { annotations: { [RevisionAnnotation]: rev }, resourceVersion: d.metadata?.resourceVersion },
      });
      d.metadata = { ...d.metadata, resourceVersion: out.metadata?.resourceVersion };
    }
    const cachedStatus = this.dInformer.get(d.metadata?.namespace, d.metadata!.name!)?.status;
    if (canonicalJSON(cachedStatus ?? {}) !== canonicalJSON(d.status ?? {})) await this.updateStatus(d);
  }

  /** dc.sync: scale (proportionally for rolling updates), clean up when paused, update status. */
  private async syncScale(d: D, rsList: RS[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await this.scale(d, newRS, oldRSs);
    if (d.spec?.paused) await this.cleanupDeployment(oldRSs, d);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  private async syncStatusOnly(d: D, rsList: RS[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  private async scale(d: D, newRS: RS | undefined, oldRSs: RS[]): Promise<void> {
    const want = replicasOf(d);
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (specReplicas(activeOrLatest) === want) return;
      await this.scaleReplicaSetAndRecordEvent(activeOrLatest, want, d);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActive(oldRSs)) await this.scaleReplicaSetAndRecordEvent(old, 0, d);
      return;
    }
    if ((d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
      const all = filterActive([...oldRSs, newRS]);
      const { sizes, operation } = proportionalSizes(d, all);
      for (const rs of all) await this.scaleReplicaSet(rs, sizes.get(rs.metadata!.name!)!, d, operation);
    }
  }

  private async scaleReplicaSetAndRecordEvent(rs: RS, newScale: number, d: D): Promise<{ scaled: boolean; rs: RS }> {
    if (specReplicas(rs) === newScale) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, newScale, d, specReplicas(rs) < newScale ? 'up' : 'down');
  }

  private async scaleReplicaSet(rs: RS, newScale: number, d: D, op: string): Promise<{ scaled: boolean; rs: RS }> {
    const oldScale = specReplicas(rs);
    const sizeNeedsUpdate = oldScale !== newScale;
    const copy = structuredClone(rs) as Writable<RS>;
    const annotationsNeedUpdate = setReplicasAnnotations(copy, replicasOf(d), replicasOf(d) + maxSurge(d));
    if (!sizeNeedsUpdate && !annotationsNeedUpdate) return { scaled: false, rs };
    copy.spec = { ...copy.spec!, replicas: newScale };
    const out = await this.client.update<ReplicaSet>(R.replicasets, copy);
    if (sizeNeedsUpdate) this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${rs.metadata?.name} from ${oldScale} to ${newScale}`);
    return { scaled: sizeNeedsUpdate, rs: out };
  }

  private async rolloutRolling(d: D, rsList: RS[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, true);
    let all: (RS | undefined)[] = [...oldRSs, newRS];
    if (newRS) {
      const up = await this.reconcileNewReplicaSet(all, newRS, d);
      if (up.scaled) {
        all = [...oldRSs, up.rs];
        return this.syncRolloutStatus(all, up.rs, d);
      }
    }
    const { scaled, oldRSs: olds } = await this.reconcileOldReplicaSets(all, filterActive(oldRSs), newRS, d);
    if (scaled) {
      const byName = new Map(olds.map((r) => [r.metadata!.name!, r]));
      return this.syncRolloutStatus([...oldRSs.map((r) => byName.get(r.metadata!.name!) ?? r), newRS], newRS, d);
    }
    if (deploymentComplete(d, d.status ?? {})) await this.cleanupDeployment(oldRSs, d);
    return this.syncRolloutStatus(all, newRS, d);
  }

  private async reconcileNewReplicaSet(all: (RS | undefined)[], newRS: RS, d: D): Promise<{ scaled: boolean; rs: RS }> {
    const want = replicasOf(d);
    if (specReplicas(newRS) === want) return { scaled: false, rs: newRS };
    if (specReplicas(newRS) > want) return this.scaleReplicaSetAndRecordEvent(newRS, want, d);
    return this.scaleReplicaSetAndRecordEvent(newRS, newRSNewReplicas(d, all, newRS), d);
  }

  private async reconcileOldReplicaSets(all: (RS | undefined)[], oldRSs: RS[], newRS: RS | undefined, d: D): Promise<{ scaled: boolean; oldRSs: RS[] }> {
    const oldPods = sumSpec(oldRSs);
    if (oldPods === 0) return { scaled: false, oldRSs };
    const allPods = sumSpec(all);
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newUnavailable = specReplicas(newRS) - (newRS?.status?.availableReplicas ?? 0);
    const maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return { scaled: false, oldRSs };
    // Unhealthy replicas first: they would otherwise block the rollout until it times out.
    const { oldRSs: cleaned, count: cleanupCount } = await this.cleanupUnhealthyReplicas(oldRSs, d, maxScaledDown);
    const scaledDown = await this.scaleDownOldReplicaSetsForRollingUpdate([...cleaned, newRS], cleaned, d);
    return { scaled: cleanupCount + scaledDown.count > 0, oldRSs: scaledDown.oldRSs };
  }

  private async cleanupUnhealthyReplicas(oldRSs: RS[], d: D, maxCleanup: number): Promise<{ oldRSs: RS[]; count: number }> {
    const sorted = [...oldRSs].sort(byCreation);
    let total = 0;
    for (let i = 0; i < sorted.length; i++) {
      if (total >= maxCleanup) break;
      const rs = sorted[i]!;
      const avail = rs.status?.availableReplicas ?? 0;
      if (specReplicas(rs) === 0 || specReplicas(rs) === avail) continue;
      const n = Math.min(maxCleanup - total, specReplicas(rs) - avail);
      const r = await this.scaleReplicaSetAndRecordEvent(rs, specReplicas(rs) - n, d);
      total += n;
      sorted[i] = r.rs;
    }
    return { oldRSs: sorted, count: total };
  }

  private async scaleDownOldReplicaSetsForRollingUpdate(all: (RS | undefined)[], oldRSs: RS[], d: D): Promise<{ oldRSs: RS[]; count: number }> {
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const available = sumAvailable(all);
    if (available <= minAvailable) return { oldRSs, count: 0 };
    const sorted = [...oldRSs].sort(byCreation);
    let total = 0;
    const target = available - minAvailable;
    for (let i = 0; i < sorted.length; i++) {
      if (total >= target) break;
      const rs = sorted[i]!;
      if (specReplicas(rs) === 0) continue;
      const n = Math.min(specReplicas(rs), target - total);
      const r = await this.scaleReplicaSetAndRecordEvent(rs, specReplicas(rs) - n, d);
      total += n;
      sorted[i] = r.rs;
    }
    return { oldRSs: sorted, count: total };
  }

  private async rolloutRecreate(d: D, rsList: RS[]): Promise<void> {
    let { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    let scaledDown = false;
    const olds = [...oldRSs];
    for (let i = 0; i < olds.length; i++) {
      if (specReplicas(olds[i]) === 0) continue;
      const r = await this.scaleReplicaSetAndRecordEvent(olds[i]!, 0, d);
      if (r.scaled) scaledDown = true;
      olds[i] = r.rs;
    }
    if (scaledDown) return this.syncRolloutStatus([...olds, newRS], newRS, d);
    if (this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus([...oldRSs, newRS], newRS, d);
    if (!newRS) ({ newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, true));
    let cur = newRS!;
    const r = await this.scaleReplicaSetAndRecordEvent(cur, replicasOf(d), d);
    cur = r.rs;
    if (deploymentComplete(d, d.status ?? {})) await this.cleanupDeployment(oldRSs, d);
    return this.syncRolloutStatus([...oldRSs, cur], cur, d);
  }

  /** True while any pod of an old ReplicaSet may still run (Recreate must not overlap old and new). */
  private oldPodsRunning(newRS: RS | undefined, oldRSs: RS[]): boolean {
    if (sumStatus(oldRSs) > 0) return true;
    for (const rs of oldRSs) {
      if (rs.metadata?.uid === newRS?.metadata?.uid) continue;
      for (const p of this.podInformer.byIndex('controllerUID', rs.metadata!.uid!)) {
        const phase = p.status?.phase;
        if (phase === 'Failed' || phase === 'Succeeded') continue;
        return true;
      }
    }
    return false;
  }

  /** Deletes the oldest idle ReplicaSets beyond revisionHistoryLimit. */
  private async cleanupDeployment(oldRSs: RS[], d: D): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit ?? 10;
    const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp);
    const diff = cleanable.length - limit;
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (let i = 0; i < diff; i++) {
      const rs = cleanable[i]!;
      if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0) || rs.metadata?.deletionTimestamp) continue;
      try {
        await this.client.delete(R.replicasets, rs.metadata!.name!, rs.metadata?.namespace, { preconditions: { uid: rs.metadata?.uid } });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  }

  private async syncDeploymentStatus(all: (RS | undefined)[], newRS: RS | undefined, d: D): Promise<void> {
    const st = calculateStatus(all, newRS, d, this.now());
    if (statusEqual(d.status, st)) return;
    d.status = st;
    await this.updateStatus(d);
  }

  private async syncRolloutStatus(all: (RS | undefined)[], newRS: RS | undefined, d: D): Promise<void> {
    const now = this.now();
    const st = calculateStatus(all, newRS, d, now);
    if (!hasProgressDeadline(d)) removeCondition(st, 'Progressing');
    const currentCond = getCondition(d.status, 'Progressing');
    const isComplete = st.replicas === st.updatedReplicas && currentCond?.reason === NewRSAvailableReason;
    if (hasProgressDeadline(d) && !isComplete) {
      if (deploymentComplete(d, st)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata?.name}" has successfully progressed.` : `Deployment "${d.metadata?.name}" has successfully progressed.`;
        setCondition(st, newCondition('Progressing', 'True', NewRSAvailableReason, msg, now));
      } else if (deploymentProgressing(d, st)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata?.name}" is progressing.` : `Deployment "${d.metadata?.name}" is progressing.`;
        const c = newCondition('Progressing', 'True', ReplicaSetUpdatedReason, msg, now);
        if (currentCond) {
          if (currentCond.status === 'True') c.lastTransitionTime = currentCond.lastTransitionTime;
          removeCondition(st, 'Progressing');
        }
        setCondition(st, c);
      } else if (deploymentTimedOut(d, st, now)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata?.name}" has timed out progressing.` : `Deployment "${d.metadata?.name}" has timed out progressing.`;
        setCondition(st, newCondition('Progressing', 'False', TimedOutReason, msg, now));
      }
    }
    const failure = replicaFailure(all, newRS);
    if (failure) setCondition(st, failure);
    else removeCondition(st, 'ReplicaFailure');
    if (statusEqual(d.status, st)) {
      this.requeueStuckDeployment(d, st);
      return;
    }
    d.status = st;
    await this.updateStatus(d);
  }

  /** With no sign of progress, look again when the progress deadline would pass. */
  private requeueStuckDeployment(d: D, st: DeploymentStatus): void {
    const cond = getCondition(d.status, 'Progressing');
    if (!hasProgressDeadline(d) || !cond) return;
    if (deploymentComplete(d, st) || cond.reason === TimedOutReason) return;
    const from = parseTime(cond.lastUpdateTime) ?? this.now();
    const after = from + progressDeadlineSeconds(d) * 1000 - this.now();
    this.requeueAfter = after < 1000 ? 1000 : after + 1000;
  }
}

function cachedAnnotationsOf(inf: Informer<Deployment>, d: Deployment): Record<string, string> | undefined {
  return inf.get(d.metadata?.namespace, d.metadata!.name!)?.metadata?.annotations;
}

/** The only active RS, or the newest when none is active; undefined when several are active. */
export function findActiveOrLatest(newRS: RS | undefined, oldRSs: RS[]): RS | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort(byCreation).reverse();
  const active = filterActive([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** The ReplicaFailure condition of the new RS, else of the first old one that has it. */
function replicaFailure(all: (RS | undefined)[], newRS: RS | undefined) {
  const toDeploy = (rs: RS) => {
    const c = rs.status?.conditions?.find((x) => x.type === 'ReplicaFailure');
    return c ? { type: 'ReplicaFailure', status: c.status, reason: c.reason, message: c.message, lastTransitionTime: c.lastTransitionTime, lastUpdateTime: c.lastTransitionTime } : undefined;
  };
  if (newRS) {
    const c = toDeploy(newRS);
    if (c) return c;
  }
  for (const rs of all) {
    if (!rs || rs === newRS) continue;
    const c = toDeploy(rs);
    if (c) return c;
  }
  return undefined;
}

