/**
 * Which pods a ReplicaSet deletes first when scaling down (controller_utils.go ActivePodsWithRanks, with
 * PodDeletionCost and LogarithmicScaleDown on, as upstream's defaults):
 *   unassigned < assigned; Pending < Unknown < Running; not ready < ready; lower
 *   `controller.kubernetes.io/pod-deletion-cost` first; more related pods on the same node first;
 *   ready for less time first (log2 buckets); more container restarts first; newer first (log2 buckets).
 */
import type { Pod } from 'kubernetes-types/core/v1';
import { parseTime } from '../framework/clock.ts';
import { isPodActive, isPodReady, podReadySince } from '../framework/pods.ts';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
export const PodDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

function deletionCost(p: Pod): number {
  const v = p.metadata?.annotations?.[PodDeletionCostAnnotation];
  if (v === undefined) return 0;
  const n = Number(v);
  return Number.isInteger(n) ? n : 0;
}

function maxRestarts(p: Pod): number {
  let m = 0;
  for (const s of p.status?.containerStatuses ?? []) m = Math.max(m, s.restartCount ?? 0);
  return m;
}

/** log2 bucket of (now - t) in nanoseconds, -1 when t is not in the past. */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6;
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

/** afterOrZero: a missing time sorts first; otherwise the later time first. */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

function compareTimes(t1: number | undefined, t2: number | undefined, a: Pod, b: Pod, now: number): number {
  if (t1 === undefined || t2 === undefined) return afterOrZero(t1, t2) ? -1 : afterOrZero(t2, t1) ? 1 : 0;
  const diff = logRank(t1, now) - logRank(t2, now);
  if (diff !== 0) return diff < 0 ? -1 : 1;
  const ua = a.metadata?.uid ?? '';
  const ub = b.metadata?.uid ?? '';
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/** Negative when a should be deleted before b. */
export function comparePodsForDeletion(a: Pod, b: Pod, rankA: number, rankB: number, now: number): number {
  const na = a.spec?.nodeName ?? '';
  const nb = b.spec?.nodeName ?? '';
  if (na !== nb && (!na || !nb)) return !na ? -1 : 1;
  const pa = PHASE_ORDINAL[a.status?.phase ?? 'Pending'] ?? 0;
  const pb = PHASE_ORDINAL[b.status?.phase ?? 'Pending'] ?? 0;
  if (pa !== pb) return pa - pb;
  const ra = isPodReady(a);
  const rb = isPodReady(b);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(a);
  const cb = deletionCost(b);
  if (ca !== cb) return ca - cb;
  if (rankA !== rankB) return rankB - rankA;
  if (ra && rb) {
    const ta = podReadySince(a);
    const tb = podReadySince(b);
    if (ta !== tb) {
      const c = compareTimes(ta, tb, a, b, now);
      if (c !== 0) return c;
    }
  }
  const xa = maxRestarts(a);
  const xb = maxRestarts(b);
  if (xa !== xb) return xb - xa;
  const cta = parseTime(a.metadata?.creationTimestamp);
  const ctb = parseTime(b.metadata?.creationTimestamp);
  if (cta !== ctb) return compareTimes(cta, ctb, a, b, now);
  return 0;
}

/**
 * The `diff` pods to delete. When only some go, each pod is ranked by how many active related pods
 * (pods of the same owner's ReplicaSets) share its node, so doubled-up nodes are relieved first.
 */
export function podsToDelete(filtered: readonly Pod[], related: readonly Pod[], diff: number, now: number): Pod[] {
  if (diff >= filtered.length) return [...filtered];
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p) || !p.spec?.nodeName) continue;
    onNode.set(p.spec.nodeName, (onNode.get(p.spec.nodeName) ?? 0) + 1);
  }
  const ranked = filtered.map((p) => ({ p, rank: p.spec?.nodeName ? (onNode.get(p.spec.nodeName) ?? 0) : 0 }));
  ranked.sort((x, y) => comparePodsForDeletion(x.p, y.p, x.rank, y.rank, now));
  return ranked.slice(0, diff).map((x) => x.p);
}
