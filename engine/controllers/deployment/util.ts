/**
 * Pure Deployment helpers, named and behaving as upstream's pkg/controller/deployment/util: fenceposts
 * (maxSurge/maxUnavailable), revision and replica annotations, conditions, status arithmetic and the
 * proportional-scaling fraction. Kept pure so the rolling-update math is unit-tested on its own.
 */
import type { Deployment, DeploymentCondition, DeploymentStatus, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { Writable } from '../../api/client.ts';
import { rfc3339, parseTime } from '../framework/clock.ts';
import { canonicalJSON, DefaultDeploymentUniqueLabelKey, normalizeEmpty } from '../framework/hash.ts';
import { getScaledValueFromIntOrPercent } from '../framework/intstr.ts';

export const RevisionAnnotation = 'deployment.kubernetes.io/revision';
export const RevisionHistoryAnnotation = 'deployment.kubernetes.io/revision-history';
export const DesiredReplicasAnnotation = 'deployment.kubernetes.io/desired-replicas';
export const MaxReplicasAnnotation = 'deployment.kubernetes.io/max-replicas';
export const RollbackRevisionNotFound = 'DeploymentRollbackRevisionNotFound';
const LastAppliedConfigAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';
const DeprecatedRollbackTo = 'deprecated.deployment.rollback.to';
export const MaxRevHistoryLengthInChars = 2000;

// Condition reasons (util/deployment_util.go).
export const NewReplicaSetReason = 'NewReplicaSetCreated';
export const FoundNewRSReason = 'FoundNewReplicaSet';
export const NewRSAvailableReason = 'NewReplicaSetAvailable';
export const TimedOutReason = 'ProgressDeadlineExceeded';
export const PausedDeployReason = 'DeploymentPaused';
export const ResumedDeployReason = 'DeploymentResumed';
export const ReplicaSetUpdatedReason = 'ReplicaSetUpdated';
export const FailedRSCreateReason = 'ReplicaSetCreateError';
export const MinimumReplicasAvailable = 'MinimumReplicasAvailable';
export const MinimumReplicasUnavailable = 'MinimumReplicasUnavailable';

export type RS = ReplicaSet;

export const replicasOf = (x: { spec?: { replicas?: number } } | undefined): number => x?.spec?.replicas ?? 1;
export const specReplicas = (rs: RS | undefined): number => rs?.spec?.replicas ?? 0;

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** (surge, unavailable) from the strategy, rounding surge up and unavailable down; both 0 → unavailable 1. */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): [number, number] {
  const surge = getScaledValueFromIntOrPercent(maxSurge ?? '25%', desired, true);
  let unavailable = getScaledValueFromIntOrPercent(maxUnavailable ?? '25%', desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicasOf(d))[0];
}

export function maxUnavailable(d: Deployment): number {
  const want = replicasOf(d);
  if (!isRollingUpdate(d) || want === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  const mu = resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, want)[1];
  return Math.min(mu, want);
}

export function revisionOf(rs: RS): number {
  const v = rs.metadata?.annotations?.[RevisionAnnotation];
  if (v === undefined) return 0;
  const n = Number(v);
  return Number.isInteger(n) ? n : NaN;
}

export function maxRevision(rss: readonly RS[]): number {
  let m = 0;
  for (const rs of rss) {
    const r = revisionOf(rs);
    if (Number.isInteger(r) && r > m) m = r;
  }
  return m;
}

/** Template equality ignoring the pod-template-hash label, with empty and absent alike (EqualIgnoreHash). */
export function equalIgnoreHash(a: unknown, b: unknown): boolean {
  const strip = (t: unknown): unknown => {
    const c = structuredClone(t ?? {}) as { metadata?: { labels?: Record<string, string> } };
    if (c.metadata?.labels) {
      delete c.metadata.labels[DefaultDeploymentUniqueLabelKey];
      if (Object.keys(c.metadata.labels).length === 0) delete c.metadata.labels;
    }
    return c;
  };
  return canonicalJSON(normalizeEmpty(strip(a))) === canonicalJSON(normalizeEmpty(strip(b)));
}

const created = (rs: RS): number => parseTime(rs.metadata?.creationTimestamp) ?? 0;

/** ReplicaSetsByCreationTimestamp: older first, then by name. */
export function byCreation(a: RS, b: RS): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  return (a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1;
}

/** ReplicaSetsBySizeOlder: bigger first; ties older first. */
export const bySizeOlder = (a: RS, b: RS): number => specReplicas(b) - specReplicas(a) || byCreation(a, b);
/** ReplicaSetsBySizeNewer: bigger first; ties newer first. */
export const bySizeNewer = (a: RS, b: RS): number => specReplicas(b) - specReplicas(a) || byCreation(b, a);
/** ReplicaSetsByRevision: lower revision first; ties older first. */
export const byRevision = (a: RS, b: RS): number => (revisionOf(a) || 0) - (revisionOf(b) || 0) || byCreation(a, b);

/** The oldest RS whose template equals the deployment's (FindNewReplicaSet). */
export function findNewReplicaSet(d: Deployment, rss: readonly RS[]): RS | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** [oldRSs with pods, all old RSs] (FindOldReplicaSets). */
export function findOldReplicaSets(d: Deployment, rss: readonly RS[]): [RS[], RS[]] {
  const newRS = findNewReplicaSet(d, rss);
  const all = rss.filter((rs) => rs.metadata?.uid !== newRS?.metadata?.uid);
  return [all.filter((rs) => specReplicas(rs) !== 0), all];
}

export const filterActive = (rss: readonly (RS | undefined)[]): RS[] => rss.filter((rs): rs is RS => !!rs && specReplicas(rs) > 0);
export const sumSpec = (rss: readonly (RS | undefined)[]): number => rss.reduce((n, rs) => n + (rs ? specReplicas(rs) : 0), 0);
export const sumStatus = (rss: readonly (RS | undefined)[]): number => rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
export const sumReady = (rss: readonly (RS | undefined)[]): number => rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
export const sumAvailable = (rss: readonly (RS | undefined)[]): number => rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);

function intAnnotation(rs: RS, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}
export const desiredReplicasAnnotation = (rs: RS): number | undefined => intAnnotation(rs, DesiredReplicasAnnotation);
export const maxReplicasAnnotation = (rs: RS): number | undefined => intAnnotation(rs, MaxReplicasAnnotation);

/** Sets desired/max-replicas; true when something changed. Mutates rs (a clone). */
export function setReplicasAnnotations(rs: Writable<RS>, desired: number, max: number): boolean {
  const meta = rs.metadata!;
  const a = { ...(meta.annotations ?? {}) };
  const d = String(desired);
  const m = String(max);
  if (a[DesiredReplicasAnnotation] === d && a[MaxReplicasAnnotation] === m) return false;
  a[DesiredReplicasAnnotation] = d;
  a[MaxReplicasAnnotation] = m;
  meta.annotations = a;
  return true;
}

function skipCopyAnnotation(k: string): boolean {
  return [LastAppliedConfigAnnotation, RevisionAnnotation, RevisionHistoryAnnotation, DesiredReplicasAnnotation, MaxReplicasAnnotation, DeprecatedRollbackTo].includes(k);
}

/**
 * Copies the deployment's annotations (e.g. kubernetes.io/change-cause) and sets the revision, keeping
 * the old revision in revision-history when an old RS is reused (a rollback), as SetNewReplicaSetAnnotations.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: Writable<RS>, newRevision: string, exists: boolean, limitChars = MaxRevHistoryLengthInChars): boolean {
  const meta = rs.metadata!;
  const a: Record<string, string> = { ...(meta.annotations ?? {}) };
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipCopyAnnotation(k) || a[k] === v) continue;
    a[k] = v;
    changed = true;
  }
  const had = Object.prototype.hasOwnProperty.call(a, RevisionAnnotation);
  const oldRevision = a[RevisionAnnotation] ?? '';
  let oldInt = 0;
  if (oldRevision !== '') {
    oldInt = Number(oldRevision);
    if (!Number.isInteger(oldInt)) {
      meta.annotations = a;
      return false;
    }
  }
  const newInt = Number(newRevision);
  if (oldInt < newInt) {
    a[RevisionAnnotation] = newRevision;
    changed = true;
  }
  if (had && oldInt < newInt) {
    const hist = a[RevisionHistoryAnnotation] ?? '';
    let olds = hist.split(',');
    if (olds[0]!.length === 0) a[RevisionHistoryAnnotation] = oldRevision;
    else {
      let total = hist.length + oldRevision.length + 1;
      let start = 0;
      while (total > limitChars && start < olds.length) {
        total -= olds[start]!.length + 1;
        start++;
      }
      if (total <= limitChars) {
        olds = [...olds.slice(start), oldRevision];
        a[RevisionHistoryAnnotation] = olds.join(',');
      }
    }
  }
  meta.annotations = a;
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** Sets the deployment's revision annotation; true when it changed. */
export function setDeploymentRevision(d: Writable<Deployment>, revision: string): boolean {
  const a = { ...(d.metadata!.annotations ?? {}) };
  if (a[RevisionAnnotation] === revision) return false;
  a[RevisionAnnotation] = revision;
  d.metadata!.annotations = a;
  return true;
}

export function hasProgressDeadline(d: Deployment): boolean {
  const p = d.spec?.progressDeadlineSeconds ?? 600;
  return p !== 2147483647;
}
export const progressDeadlineSeconds = (d: Deployment): number => d.spec?.progressDeadlineSeconds ?? 600;

export function newCondition(type: string, status: 'True' | 'False' | 'Unknown', reason: string, message: string, now: number): DeploymentCondition {
  const t = rfc3339(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getCondition(st: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return st?.conditions?.find((c) => c.type === type);
}

/** SetDeploymentCondition: no-op when status and reason are unchanged; keeps lastTransitionTime when only the reason changes. */
export function setCondition(st: Writable<DeploymentStatus>, c: DeploymentCondition): void {
  const cur = getCondition(st, c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  const next = cur && cur.status === c.status ? { ...c, lastTransitionTime: cur.lastTransitionTime } : c;
  st.conditions = [...(st.conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function removeCondition(st: Writable<DeploymentStatus>, type: string): void {
  if (!st.conditions) return;
  st.conditions = st.conditions.filter((c) => c.type !== type);
}

/** The replica count a new RS may grow to now (NewRSNewReplicas). */
export function newRSNewReplicas(d: Deployment, allRSs: readonly (RS | undefined)[], newRS: RS): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const want = replicasOf(d);
  const surge = getScaledValueFromIntOrPercent(d.spec?.strategy?.rollingUpdate?.maxSurge ?? '25%', want, true);
  const current = sumSpec(allRSs);
  const maxTotal = want + surge;
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, want - specReplicas(newRS));
  return specReplicas(newRS) + up;
}

/** Go's math.Round: half away from zero. */
const roundHalfAway = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));

/** How many replicas this RS gains or loses when the deployment is resized mid-rollout (getReplicaSetFraction). */
export function replicaSetFraction(rs: RS, d: Deployment): number {
  const want = replicasOf(d);
  if (want === 0) return -specReplicas(rs);
  const deploymentReplicas = want + maxSurge(d);
  const annotated = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  const newSize = (specReplicas(rs) * deploymentReplicas) / annotated;
  return roundHalfAway(newSize) - specReplicas(rs);
}

export function proportion(rs: RS | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const frac = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(frac, allowed) : Math.max(frac, allowed);
}

/** Desired size per RS when a rolling deployment is resized (the proportional part of dc.scale). */
export function proportionalSizes(d: Deployment, rss: readonly RS[]): { sizes: Map<string, number>; operation: 'up' | 'down' | '' } {
  const all = filterActive(rss);
  const want = replicasOf(d);
  const allowed = want > 0 ? want + maxSurge(d) : 0;
  const toAdd = allowed - sumSpec(all);
  let operation: 'up' | 'down' | '' = '';
  if (toAdd > 0) {
    all.sort(bySizeNewer);
    operation = 'up';
  } else if (toAdd < 0) {
    all.sort(bySizeOlder);
    operation = 'down';
  }
  let added = 0;
  const sizes = new Map<string, number>();
  for (const rs of all) {
    if (toAdd !== 0) {
      const p = proportion(rs, d, toAdd, added);
      sizes.set(rs.metadata!.name!, specReplicas(rs) + p);
      added += p;
    } else sizes.set(rs.metadata!.name!, specReplicas(rs));
  }
  if (all.length && toAdd !== 0) {
    const first = all[0]!.metadata!.name!;
    sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
  }
  // Keep the sorted order for callers.
  return { sizes: new Map(all.map((rs) => [rs.metadata!.name!, sizes.get(rs.metadata!.name!)!])), operation };
}

export function isSaturated(d: Deployment, rs: RS | undefined): boolean {
  if (!rs) return false;
  const want = replicasOf(d);
  return desiredReplicasAnnotation(rs) === want && specReplicas(rs) === want && (rs.status?.availableReplicas ?? 0) === want;
}

export function deploymentComplete(d: Deployment, st: DeploymentStatus): boolean {
  const want = replicasOf(d);
  return (st.updatedReplicas ?? 0) === want && (st.replicas ?? 0) === want && (st.availableReplicas ?? 0) === want && (st.observedGeneration ?? 0) >= (d.metadata?.generation ?? 0);
}

export function deploymentProgressing(d: Deployment, st: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (st.replicas ?? 0) - (st.updatedReplicas ?? 0);
  return (st.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (st.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (st.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

export function deploymentTimedOut(d: Deployment, st: DeploymentStatus, now: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getCondition(st, 'Progressing');
  if (!c) return false;
  if (c.reason === NewRSAvailableReason) return false;
  if (c.reason === TimedOutReason) return true;
  const from = parseTime(c.lastUpdateTime) ?? now;
  return from + progressDeadlineSeconds(d) * 1000 < now;
}

/** calculateStatus: counts from the ReplicaSets plus the Available condition. */
export function calculateStatus(allRSs: readonly (RS | undefined)[], newRS: RS | undefined, d: Deployment, now: number): Writable<DeploymentStatus> {
  const available = sumAvailable(allRSs);
  const total = sumSpec(allRSs);
  const st: Writable<DeploymentStatus> = {
    observedGeneration: d.metadata?.generation,
    replicas: sumStatus(allRSs),
    updatedReplicas: sumStatus([newRS]),
    readyReplicas: sumReady(allRSs),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, total - available),
  };
  if (d.status?.collisionCount !== undefined) st.collisionCount = d.status.collisionCount;
  st.conditions = [...(d.status?.conditions ?? [])];
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(st, newCondition('Available', 'True', MinimumReplicasAvailable, 'Deployment has minimum availability.', now));
  } else {
    setCondition(st, newCondition('Available', 'False', MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', now));
  }
  return st;
}

/** Status equality as reflect.DeepEqual would see it, with absent and zero counts alike. */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  const norm = (s: DeploymentStatus | undefined) => ({
    observedGeneration: s?.observedGeneration ?? 0,
    replicas: s?.replicas ?? 0,
    updatedReplicas: s?.updatedReplicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0,
    unavailableReplicas: s?.unavailableReplicas ?? 0,
    collisionCount: s?.collisionCount,
    conditions: s?.conditions ?? [],
  });
  return canonicalJSON(norm(a)) === canonicalJSON(norm(b));
}
