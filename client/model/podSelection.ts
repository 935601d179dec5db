/** Which pods belong to a workload, and which pod serves a forward (pure). */
import type { Pod } from 'kubernetes-types/core/v1';
import type { ObjectRef } from './objects.ts';
import { summarizePod } from './podStatus.ts';

export interface ForwardTarget { ref: ObjectRef; remotePort: number }

interface Owned { metadata?: { uid?: string; ownerReferences?: { uid: string }[] } }

/** Pods controlled by the workload (for a Deployment: by its ReplicaSets). */
export function podsOf(kind: string, owner: Owned, pods: readonly Pod[], replicaSets: readonly Owned[] = []): Pod[] {
  const uid = owner.metadata?.uid;
  const owners = new Set<string>();
  if (kind === 'Deployment') {
    for (const rs of replicaSets) if (rs.metadata?.ownerReferences?.some((o) => o.uid === uid) && rs.metadata?.uid) owners.add(rs.metadata.uid);
  } else if (uid) owners.add(uid);
  return pods.filter((p) => p.metadata?.ownerReferences?.some((o) => owners.has(o.uid)));
}

export function matchesSelector(labels: Record<string, string> | undefined, selector: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/**
 * A Running and Ready pod for the target: the pod itself (or, when it is gone, none); for a Service the pods
 * its selector matches; for a workload the pods its selector's matchLabels match. Ready pods first, newest first.
 */
export function pickServingPod(ref: ObjectRef, pods: readonly Pod[], owner?: unknown): Pod | undefined {
  let candidates: Pod[];
  if (ref.kind === 'Pod') candidates = pods.filter((p) => p.metadata?.name === ref.name);
  else {
    const o = owner as { spec?: { selector?: Record<string, string> & { matchLabels?: Record<string, string> } } } | undefined;
    const sel = ref.kind === 'Service' ? o?.spec?.selector : o?.spec?.selector?.matchLabels;
    candidates = pods.filter((p) => matchesSelector(p.metadata?.labels, sel as Record<string, string> | undefined));
  }
  const live = candidates.filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase === 'Running');
  live.sort((a, b) => Number(summarizePod(b).health === 'ok') - Number(summarizePod(a).health === 'ok')
    || String(b.metadata?.creationTimestamp ?? '').localeCompare(String(a.metadata?.creationTimestamp ?? '')));
  return live[0];
}
