/**
 * The StatefulSet controller (pkg/controller/statefulset): stable pod identities `<set>-<ordinal>`
 * (hostname, subdomain = serviceName, `statefulset.kubernetes.io/pod-name`, `apps.kubernetes.io/pod-index`),
 * one PVC per volumeClaimTemplate and ordinal (`<template>-<set>-<ordinal>`, kept or deleted per
 * persistentVolumeClaimRetentionPolicy through ownerReferences the garbage collector follows),
 * OrderedReady (one at a time, in order, each Running and Ready first) or Parallel management,
 * RollingUpdate from the highest ordinal down to `partition`, OnDelete, and ControllerRevisions with
 * currentRevision/updateRevision so `kubectl rollout status|history|undo` work.
 */
import type { PersistentVolumeClaim, Pod, Volume } from 'kubernetes-types/core/v1';
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1';
import type { ApiClient, Writable } from '../../api/client.ts';
import { isAlreadyExists, isNotFound } from '../../api/client.ts';
import { fromLabelSelector, SelectorParseError } from '../../api/labels.ts';
import { R } from '../../api/resources.ts';
import { Controller, InvalidSpecError, type ReconcileResult } from '../framework/controller.ts';
import type { ControllerContext } from '../framework/context.ts';
import type { EventRecorder } from '../framework/events.ts';
import { ensureRevision, HashCollisionError, StatefulSetRevisionLabel, truncateHistory } from '../framework/history.ts';
import { keyOf, splitKey, type Informer } from '../framework/informer.ts';
import { claimObjects, getControllerOf, newControllerRef, recheckOwner } from '../framework/owner.ts';
import { isPodAvailable, isPodReady } from '../framework/pods.ts';
import { canonicalJSON } from '../framework/hash.ts';

export const PodNameLabel = 'statefulset.kubernetes.io/pod-name';
export const PodIndexLabel = 'apps.kubernetes.io/pod-index';

type SS = Writable<StatefulSet>;

export function ordinalOf(set: StatefulSet, pod: Pod): number | undefined {
  const prefix = `${set.metadata!.name}-`;
  const n = pod.metadata?.name ?? '';
  if (!n.startsWith(prefix)) return undefined;
  const rest = n.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

const runningAndReady = (p: Pod) => p.status?.phase === 'Running' && isPodReady(p);
const terminal = (p: Pod) => p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';

export function claimName(set: StatefulSet, template: string, ordinal: number): string {
  return `${template}-${set.metadata!.name}-${ordinal}`;
}

/** The pod for an ordinal at a revision (newVersionedStatefulSetPod). */
export function podForOrdinal(set: StatefulSet, rev: ControllerRevision, ordinal: number): Pod {
  const tmpl = structuredClone((rev.data as { spec: { template: Record<string, unknown> } }).spec.template) as Record<string, unknown> & NonNullable<StatefulSet['spec']>['template'];
  delete (tmpl as Record<string, unknown>).$patch;
  const name = `${set.metadata!.name}-${ordinal}`;
  const spec = structuredClone(tmpl.spec!) as Writable<NonNullable<Pod['spec']>>;
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  const volumes: Volume[] = [...(spec.volumes ?? [])];
  for (const vct of set.spec?.volumeClaimTemplates ?? []) {
    const vname = vct.metadata!.name!;
    const v: Volume = { name: vname, persistentVolumeClaim: { claimName: claimName(set, vname, ordinal) } };
    const i = volumes.findIndex((x) => x.name === vname);
    if (i >= 0) volumes[i] = v;
    else volumes.push(v);
  }
  if (volumes.length) spec.volumes = volumes;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata?.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}), [PodNameLabel]: name, [PodIndexLabel]: String(ordinal), [StatefulSetRevisionLabel]: rev.metadata!.name! },
      ...(tmpl.metadata?.annotations ? { annotations: { ...tmpl.metadata.annotations } } : {}),
      ownerReferences: [newControllerRef(set, 'apps/v1', 'StatefulSet')],
    },
    spec,
  };
}

export class StatefulSetController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly sets: Informer<StatefulSet>;
  private readonly pods: Informer<Pod>;
  private readonly revisions: Informer<ControllerRevision>;
  private readonly pvcs: Informer<PersistentVolumeClaim>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.client = ctx.client;
    this.recorder = ctx.recorder('statefulset-controller');
    this.sets = ctx.informers.for<StatefulSet>(R.statefulsets);
    this.pods = ctx.informers.for<Pod>(R.pods);
    this.revisions = ctx.informers.for<ControllerRevision>(R.controllerrevisions);
    this.pvcs = ctx.informers.for<PersistentVolumeClaim>(R.persistentvolumeclaims);
    for (const inf of [this.pods, this.revisions] as Informer<Pod | ControllerRevision>[]) {
      inf.addIndexer('controllerUID', (o) => {
        const ref = getControllerOf(o);
        return ref ? [ref.uid] : [];
      });
    }
    this.controller = new Controller(
      { name: 'statefulset', clock: ctx.clock, recorder: this.recorder, workers: ctx.workers, log: ctx.log },
      (key) => this.sync(key),
    );
    this.sets.addEventHandler({
      add: (s) => this.controller.enqueue(keyOf(s)),
      update: (_o, s) => this.controller.enqueue(keyOf(s)),
    });
    const forPod = (p: Pod) => {
      const ref = getControllerOf(p);
      if (ref?.kind === 'StatefulSet') this.controller.enqueue(`${p.metadata?.namespace}/${ref.name}`);
    };
    this.pods.addEventHandler({ add: forPod, update: (_o, p) => forPod(p), delete: forPod });
  }

  async sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.sets.get(namespace, name);
    if (!cached) return;
    const set = structuredClone(cached) as SS;
    let selector;
    try {
      selector = fromLabelSelector(set.spec?.selector);
    } catch (err) {
      if (err instanceof SelectorParseError) throw new InvalidSpecError(set, 'InvalidSelector', err.message);
      throw err;
    }
    if (!selector?.length) throw new InvalidSpecError(set, 'InvalidSelector', 'This StatefulSet is selecting all pods. A non-empty selector is required.');
    const pods = await claimObjects<Pod>({
      client: this.client, type: R.pods, owner: set, ownerApiVersion: 'apps/v1', ownerKind: 'StatefulSet', selector,
      objects: this.pods.list(namespace), canAdopt: recheckOwner(this.client, R.statefulsets, set),
      adoptable: (p) => ordinalOf(set, p) !== undefined,
    });
    const revs = this.revisions.byIndex('controllerUID', set.metadata!.uid!);
    let update: ControllerRevision;
    try {
      update = (await ensureRevision(this.client, set, 'StatefulSet', revs, set.status?.collisionCount ?? 0)).revision;
    } catch (err) {
      if (err instanceof HashCollisionError) {
        set.status = { ...(set.status ?? { replicas: 0 }), collisionCount: (set.status?.collisionCount ?? 0) + 1 };
        await this.client.updateStatus(R.statefulsets, set);
      }
      throw err;
    }
    const allRevs = [...revs.filter((r) => r.metadata?.name !== update.metadata?.name), update];
    const current = allRevs.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;

    if (set.metadata?.deletionTimestamp) return;
    const result = await this.updatePods(set, pods, current, update);
    await this.updateStatus(set, current, update);
    const live = new Set([current.metadata!.name!, update.metadata!.name!, ...pods.map((p) => p.metadata?.labels?.[StatefulSetRevisionLabel] ?? '')]);
    await truncateHistory(this.client, allRevs, live, set.spec?.revisionHistoryLimit ?? 10);
    return result;
  }

  private async updatePods(set: SS, pods: Pod[], current: ControllerRevision, update: ControllerRevision): Promise<ReconcileResult | void> {
    const want = set.spec?.replicas ?? 1;
    const monotonic = (set.spec?.podManagementPolicy ?? 'OrderedReady') !== 'Parallel';
    const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    const partition = rolling ? (set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;
    const minReady = set.spec?.minReadySeconds ?? 0;
    const now = this.ctx.clock.now();
    const slots: (Pod | undefined)[] = Array.from({ length: want }, () => undefined);
    const condemned: Pod[] = [];
    for (const p of pods) {
      const o = ordinalOf(set, p);
      if (o !== undefined && o < want) slots[o] = p;
      else condemned.push(p);
    }
    condemned.sort((a, b) => (ordinalOf(set, b) ?? 0) - (ordinalOf(set, a) ?? 0));
    let requeue: number | undefined;

    for (let o = 0; o < want; o++) {
      const p = slots[o];
      if (p && terminal(p) && !p.metadata?.deletionTimestamp) {
        // A failed (or completed) pod is replaced under the same identity.
        await this.deletePod(set, p);
        if (monotonic) return;
        continue;
      }
      if (!p) {
        const rev = rolling && o < partition ? current : update;
        await this.createPod(set, podForOrdinal(set, rev, o), o);
        if (monotonic) return;
        continue;
      }
      if (p.metadata?.deletionTimestamp) {
        if (monotonic) return;
        continue;
      }
      await this.ensureClaims(set, o);
      if (!runningAndReady(p)) {
        if (monotonic) return;
        continue;
      }
      if (minReady && !isPodAvailable(p, minReady, now)) {
        requeue = minReady * 1000;
        if (monotonic) return { requeueAfterMs: requeue };
      }
    }

    for (const p of condemned) {
      if (p.metadata?.deletionTimestamp) {
        if (monotonic) return;
        continue;
      }
      if (monotonic && slots.some((s) => s && !runningAndReady(s))) return;
      await this.retainOrReleaseClaims(set, p);
      await this.deletePod(set, p);
      if (monotonic) return;
    }

    if (!rolling) return requeue !== undefined ? { requeueAfterMs: requeue } : undefined;
    // RollingUpdate: from the highest ordinal down to the partition, one pod at a time.
    for (let o = want - 1; o >= partition; o--) {
      const p = slots[o];
      if (!p) return;
      if (p.metadata?.labels?.[StatefulSetRevisionLabel] !== update.metadata!.name && !p.metadata?.deletionTimestamp) {
        await this.deletePod(set, p);
        return;
      }
      if (!runningAndReady(p) || p.metadata?.deletionTimestamp) return;
    }
    return requeue !== undefined ? { requeueAfterMs: requeue } : undefined;
  }

  private async createPod(set: SS, pod: Pod, ordinal: number): Promise<void> {
    await this.ensureClaims(set, ordinal);
    try {
      await this.client.create(R.pods, pod);
      this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Pod ${pod.metadata!.name} in StatefulSet ${set.metadata!.name} successful`);
    } catch (err) {
      if (isAlreadyExists(err)) return;
      this.recorder.event(set, 'Warning', 'FailedCreate', `create Pod ${pod.metadata!.name} in StatefulSet ${set.metadata!.name} failed error: ${(err as Error).message}`);
      throw err;
    }
  }

  private async deletePod(set: SS, p: Pod): Promise<void> {
    try {
      await this.client.delete(R.pods, p.metadata!.name!, p.metadata?.namespace, { preconditions: { uid: p.metadata?.uid } });
      this.recorder.event(set, 'Normal', 'SuccessfulDelete', `delete Pod ${p.metadata!.name} in StatefulSet ${set.metadata!.name} successful`);
    } catch (err) {
      if (isNotFound(err)) return;
      this.recorder.event(set, 'Warning', 'FailedDelete', `delete Pod ${p.metadata!.name} in StatefulSet ${set.metadata!.name} failed error: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Creates the ordinal's missing PVCs; with whenDeleted: Delete they are owned by the set. */
  private async ensureClaims(set: SS, ordinal: number): Promise<void> {
    const whenDeleted = set.spec?.persistentVolumeClaimRetentionPolicy?.whenDeleted ?? 'Retain';
    for (const vct of set.spec?.volumeClaimTemplates ?? []) {
      const cname = claimName(set, vct.metadata!.name!, ordinal);
      if (this.pvcs.get(set.metadata?.namespace, cname)) continue;
      const claim: PersistentVolumeClaim = {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: cname,
          namespace: set.metadata?.namespace,
          labels: { ...(vct.metadata?.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) },
          ...(vct.metadata?.annotations ? { annotations: { ...vct.metadata.annotations } } : {}),
          ...(whenDeleted === 'Delete' ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata!.name!, uid: set.metadata!.uid!, blockOwnerDeletion: true, controller: true }] } : {}),
        },
        spec: structuredClone(vct.spec),
      };
      try {
        await this.client.create(R.persistentvolumeclaims, claim);
        this.recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${cname} Pod ${set.metadata!.name}-${ordinal} in StatefulSet ${set.metadata!.name} success`);
      } catch (err) {
        if (isAlreadyExists(err)) continue;
        this.recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${cname} for Pod ${set.metadata!.name}-${ordinal} in StatefulSet ${set.metadata!.name} failed error: ${(err as Error).message}`);
        throw err;
      }
    }
  }

  /** whenScaled: Delete — the condemned pod becomes its claims' owner, so they go with it. */
  private async retainOrReleaseClaims(set: SS, p: Pod): Promise<void> {
    if ((set.spec?.persistentVolumeClaimRetentionPolicy?.whenScaled ?? 'Retain') !== 'Delete') return;
    const o = ordinalOf(set, p);
    if (o === undefined) return;
    for (const vct of set.spec?.volumeClaimTemplates ?? []) {
      const c = this.pvcs.get(set.metadata?.namespace, claimName(set, vct.metadata!.name!, o));
      if (!c || c.metadata?.ownerReferences?.some((r) => r.uid === p.metadata?.uid)) continue;
      const next = structuredClone(c) as Writable<PersistentVolumeClaim>;
      next.metadata!.ownerReferences = [...(c.metadata?.ownerReferences ?? []).filter((r) => r.kind !== 'StatefulSet'), { apiVersion: 'v1', kind: 'Pod', name: p.metadata!.name!, uid: p.metadata!.uid!, blockOwnerDeletion: true }];
      await this.client.update(R.persistentvolumeclaims, next);
    }
  }

  private async updateStatus(set: SS, current: ControllerRevision, update: ControllerRevision): Promise<void> {
    const pods = this.pods.byIndex('controllerUID', set.metadata!.uid!).filter((p) => ordinalOf(set, p) !== undefined);
    const now = this.ctx.clock.now();
    const counted = pods.filter((p) => !terminal(p));
    const st: Writable<StatefulSetStatus> = {
      observedGeneration: set.metadata?.generation,
      replicas: counted.length,
      readyReplicas: counted.filter(runningAndReady).length,
      availableReplicas: counted.filter((p) => runningAndReady(p) && isPodAvailable(p, set.spec?.minReadySeconds ?? 0, now)).length,
      currentReplicas: counted.filter((p) => p.metadata?.labels?.[StatefulSetRevisionLabel] === current.metadata!.name).length,
      updatedReplicas: counted.filter((p) => p.metadata?.labels?.[StatefulSetRevisionLabel] === update.metadata!.name).length,
      currentRevision: current.metadata!.name,
      updateRevision: update.metadata!.name,
      collisionCount: set.status?.collisionCount ?? 0,
    };
    // completeRollingUpdate: once every pod runs the update revision and is ready, it becomes current.
    const rolling = (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
    if (rolling && st.updatedReplicas === st.replicas && st.readyReplicas === st.replicas && st.replicas === (set.spec?.replicas ?? 1)) {
      st.currentRevision = st.updateRevision;
      st.currentReplicas = st.updatedReplicas;
    }
    if (set.status?.conditions) st.conditions = set.status.conditions;
    if (canonicalJSON(st) === canonicalJSON(set.status ?? {})) return;
    set.status = st;
    await this.client.updateStatus(R.statefulsets, set);
  }
}
