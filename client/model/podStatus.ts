/**
 * Pod state in one line, the way `kubectl get pods` prints it (STATUS, READY, RESTARTS), plus a health for the
 * icon and a plain-words explanation for the tooltip (the scheduler's and the kubelet's reasons).
 */
import type { Pod, ContainerStatus } from 'kubernetes-types/core/v1';
import type { Health } from './tree.ts';

export interface PodSummary {
  /** kubectl's STATUS column: Running, Pending, CrashLoopBackOff, Completed, Terminating, … */
  status: string;
  ready: number;
  total: number;
  restarts: number;
  health: Health;
  /** Why, in words, when the pod is not simply Running and Ready. */
  reason?: string;
  node?: string;
}

const waitingErrors = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'CreateContainerConfigError',
  'CreateContainerError', 'InvalidImageName', 'RunContainerError', 'ErrImageNeverPull']);

export function summarizePod(pod: Pod): PodSummary {
  const spec = pod.spec;
  const st = pod.status ?? {};
  const containers = st.containerStatuses ?? [];
  const total = spec?.containers?.length ?? containers.length;
  const ready = containers.filter((c) => c.ready).length;
  const restarts = containers.reduce((n, c) => n + (c.restartCount ?? 0), 0);
  let status: string = st.reason ?? st.phase ?? 'Unknown';
  let reason: string | undefined = st.message;
  let health: Health = 'unknown';

  const init = initContainerState(pod);
  if (init) {
    status = init.status;
    reason = init.reason;
  } else {
    let running = false;
    for (const c of [...containers].reverse()) {
      const s = containerState(c);
      if (s.status) { status = s.status; reason = s.reason ?? reason; }
      if (c.state?.running && c.ready) running = true;
    }
    if (status === 'Completed' && running) status = 'Running';
  }

  if (st.phase === 'Pending' && !spec?.nodeName) {
    const sched = st.conditions?.find((c) => c.type === 'PodScheduled');
    if (sched?.status === 'False') {
      status = sched.reason === 'Unschedulable' ? 'Pending' : (sched.reason ?? 'Pending');
      reason = sched.message ?? 'The scheduler has not placed this pod on a node yet.';
    } else if (!reason) {
      reason = 'Waiting for the scheduler to pick a node.';
    }
  }

  if (pod.metadata?.deletionTimestamp) {
    status = 'Terminating';
    health = 'progressing';
  } else if (waitingErrors.has(status) || status === 'Error' || status === 'OOMKilled' || st.phase === 'Failed' || status.startsWith('Init:Error') || status.startsWith('Init:CrashLoop')) {
    health = 'error';
  } else if (st.phase === 'Succeeded' || status === 'Completed') {
    health = 'idle';
  } else if (st.phase === 'Pending' && !spec?.nodeName && st.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False')) {
    health = 'warning';
  } else if (st.phase === 'Running' && ready === total && total > 0) {
    health = 'ok';
  } else if (st.phase === 'Running' && restarts > 0 && ready < total) {
    health = 'warning';
  } else {
    health = 'progressing';
  }
  if (health === 'ok') reason = undefined;
  if (health === 'progressing' && !reason && st.phase === 'Running') {
    reason = readinessReason(pod);
  }
  return { status, ready, total, restarts, health, reason, node: spec?.nodeName };
}

function containerState(c: ContainerStatus): { status?: string; reason?: string } {
  const w = c.state?.waiting;
  if (w?.reason) return { status: w.reason, reason: explainWaiting(c.name, w.reason, w.message) };
  const t = c.state?.terminated;
  if (t) {
    const status = t.reason ?? (t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`);
    return { status, reason: `Container ${c.name} exited with code ${t.exitCode}${t.message ? `: ${t.message}` : ''}.` };
  }
  return {};
}

function initContainerState(pod: Pod): { status: string; reason: string } | undefined {
  const inits = pod.status?.initContainerStatuses ?? [];
  const n = pod.spec?.initContainers?.length ?? inits.length;
  for (let i = 0; i < inits.length; i++) {
    const c = inits[i];
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (t) return { status: `Init:${t.reason ?? 'Error'}`, reason: `Init container ${c.name} exited with code ${t.exitCode}.` };
    const w = c.state?.waiting;
    if (w?.reason && w.reason !== 'PodInitializing') {
      return { status: `Init:${w.reason}`, reason: explainWaiting(c.name, w.reason, w.message) };
    }
    return { status: `Init:${i}/${n}`, reason: `Init container ${c.name} is running (${i} of ${n} done).` };
  }
  return undefined;
}

/** Plain words for the kubelet's waiting reasons. */
export function explainWaiting(container: string, reason: string, message?: string): string {
  const tail = message ? ` (${message})` : '';
  switch (reason) {
    case 'CrashLoopBackOff':
      return `Container ${container} keeps exiting; the kubelet waits longer before each restart${tail}.`;
    case 'ImagePullBackOff':
    case 'ErrImagePull':
      return `The image for ${container} could not be pulled${tail}. Check the image name and that the registry is reachable.`;
    case 'ContainerCreating':
      return `The container ${container} is being created${tail}.`;
    case 'CreateContainerConfigError':
      return `The container ${container} refers to configuration that does not exist${tail}: a missing ConfigMap, Secret or key.`;
    default:
      return `${container}: ${reason}${tail}`;
  }
}

function readinessReason(pod: Pod): string | undefined {
  const notReady = (pod.status?.containerStatuses ?? []).filter((c) => !c.ready).map((c) => c.name);
  if (notReady.length === 0) return undefined;
  return `Running, but not Ready: ${notReady.join(', ')} ${notReady.length === 1 ? 'has' : 'have'} not passed the readiness probe yet. Services send traffic only to Ready pods.`;
}
