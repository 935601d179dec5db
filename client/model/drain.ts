/**
 * What `kubectl drain` does with each pod of a node (k8s.io/kubectl/pkg/drain/filters.go): DaemonSet pods and
 * mirror pods stay; finished pods are deleted without eviction; pods without a controller block unless forced
 * (nothing recreates them); emptyDir data is lost (noted, not blocking here, as with --delete-emptydir-data).
 */
import type { Pod } from 'kubernetes-types/core/v1';

export interface DrainPlan {
  evict: Pod[];
  skip: { pod: Pod; reason: string }[];
  unmanaged: Pod[];
}

export function drainPlan(pods: readonly Pod[]): DrainPlan {
  const plan: DrainPlan = { evict: [], skip: [], unmanaged: [] };
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) { plan.skip.push({ pod: p, reason: 'already terminating' }); continue; }
    if (p.metadata?.annotations?.['kubernetes.io/config.mirror']) { plan.skip.push({ pod: p, reason: 'mirror pod' }); continue; }
    const ctrl = p.metadata?.ownerReferences?.find((o) => o.controller);
    if (ctrl?.kind === 'DaemonSet') { plan.skip.push({ pod: p, reason: 'managed by DaemonSet' }); continue; }
    if (!ctrl && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') { plan.unmanaged.push(p); continue; }
    plan.evict.push(p);
  }
  return plan;
}

export function evictionBody(p: Pod): object {
  return { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: p.metadata?.name, namespace: p.metadata?.namespace } };
}
