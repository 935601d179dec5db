/** Pod state helpers shared by the workload controllers (k8s.io/kubernetes/pkg/api/v1/pod, controller_utils.go). */
import type { Pod, PodCondition } from 'kubernetes-types/core/v1';
import { parseTime } from './clock.ts';

export function podCondition(pod: Pod, type: string): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

export function isPodReady(pod: Pod): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}

/** When the pod last became Ready (undefined when not ready or unknown). */
export function podReadySince(pod: Pod): number | undefined {
  const c = podCondition(pod, 'Ready');
  return c?.status === 'True' ? parseTime(c.lastTransitionTime) : undefined;
}

/**
 * Available = ready for at least minReadySeconds (upstream IsPodAvailable: ready, and with minReadySeconds > 0
 * its Ready transition plus minReadySeconds is strictly before now).
 */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  if (!isPodReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = podReadySince(pod);
  return since !== undefined && since + minReadySeconds * 1000 < now;
}

/** Not terminated and not being deleted (controller.IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

export function isPodTerminating(pod: Pod): boolean {
  return !!pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

export function podRestarts(pod: Pod): number {
  let n = 0;
  for (const s of pod.status?.containerStatuses ?? []) n += s.restartCount ?? 0;
  return n;
}
