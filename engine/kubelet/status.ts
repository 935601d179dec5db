/**
 * Pod status from what the kubelet observed, as upstream's kubelet computes it (getPhase,
 * generateAPIPodStatus, status manager conditions). Pure: the pod worker gathers observations, this turns
 * them into the PodStatus written through the status subresource.
 */
import type { Container, ContainerState, ContainerStateTerminated, ContainerStatus, Pod, PodCondition, PodStatus } from 'kubernetes-types/core/v1';
import type { Writable } from '../api/client.ts';
import type { ContainerInfo } from '../runtime/types.ts';

export interface ObservedContainer {
  spec: Container;
  init: boolean;
  /** An init container with restartPolicy Always. */
  sidecar: boolean;
  /** The latest attempt's container. */
  current?: ContainerInfo;
  /** The attempt before it, for lastState. */
  previous?: ContainerInfo;
  restartCount: number;
  /** Why the container is not running (CrashLoopBackOff, ErrImagePull, PodInitializing…). */
  waiting?: { reason: string; message?: string };
  /** A termination the runtime can no longer show (the container was removed behind our back). */
  lost?: ContainerStateTerminated;
  /** The vanished container the current one replaced (its lastState when no earlier attempt is kept). */
  previousLost?: ContainerStateTerminated;
  ready: boolean;
  started: boolean;
  terminationMessage?: string;
  previousTerminationMessage?: string;
}

export interface Observation {
  sandboxReady: boolean;
  podIP?: string;
  hostIP?: string;
  startTime?: string;
  containers: ObservedContainer[];
  now: string;
  /** Set by the worker when the pod reached a terminal phase earlier (terminal phases never change). */
  terminalPhase?: 'Succeeded' | 'Failed';
  /** Why the kubelet ended the pod itself (DeadlineExceeded), shown as status.reason/message. */
  terminalReason?: { reason: string; message: string };
  /** The pod completed initialization before (sidecar restarts do not undo it). */
  initialized?: boolean;
}

/** Docker's zero time means "never"; times are given at the API's precision (RFC 3339, seconds). */
const zero = (t: string | undefined): string | undefined => (!t || t.startsWith('0001-') ? undefined : t.replace(/\.\d+Z$/, 'Z'));

export function terminatedState(c: ContainerInfo, message?: string): ContainerStateTerminated {
  const reason = c.oomKilled ? 'OOMKilled' : c.exitCode === 0 ? 'Completed' : 'Error';
  return {
    exitCode: c.exitCode, reason, containerID: `docker://${c.id}`,
    ...(zero(c.startedAt) ? { startedAt: zero(c.startedAt) } : {}),
    ...(zero(c.finishedAt) ? { finishedAt: zero(c.finishedAt) } : {}),
    ...(message ? { message } : c.error ? { message: c.error } : {}),
  };
}

const exited = (c: ContainerInfo | undefined): boolean => c?.state === 'exited' || c?.state === 'dead';

export function containerStatus(o: ObservedContainer): ContainerStatus {
  let state: ContainerState;
  let lastState: ContainerState = {};
  const cur = o.current;
  if (o.previous && exited(o.previous)) lastState = { terminated: terminatedState(o.previous, o.previousTerminationMessage) };
  else if (o.previousLost) lastState = { terminated: o.previousLost };
  if (cur?.state === 'running' || cur?.state === 'paused' || cur?.state === 'restarting') {
    state = { running: { startedAt: zero(cur.startedAt) ?? zero(cur.createdAt) } };
  } else if (o.waiting) {
    state = { waiting: { reason: o.waiting.reason, ...(o.waiting.message ? { message: o.waiting.message } : {}) } };
    if (exited(cur)) lastState = { terminated: terminatedState(cur!, o.terminationMessage) };
    else if (o.lost) lastState = { terminated: o.lost };
  } else if (exited(cur)) {
    state = { terminated: terminatedState(cur!, o.terminationMessage) };
  } else if (o.lost) {
    state = { terminated: o.lost };
  } else {
    state = { waiting: { reason: 'ContainerCreating' } };
  }
  const st: Writable<ContainerStatus> = {
    name: o.spec.name,
    image: o.spec.image ?? '',
    imageID: cur ? `docker://${cur.imageId}` : '',
    ready: o.ready,
    restartCount: o.restartCount,
    started: o.started,
    state,
    lastState,
  };
  if (cur) st.containerID = `docker://${cur.id}`;
  return st;
}

/** Upstream v1qos.GetPodQOS. */
export function qosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const r of ['cpu', 'memory']) {
      if (req[r] !== undefined || lim[r] !== undefined) any = true;
      const l = lim[r];
      const q = req[r] ?? l;
      if (l === undefined || String(q) !== String(l)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function phaseOf(pod: Pod, o: Observation, initialized: boolean, initFailed: boolean): PodStatus['phase'] {
  if (o.terminalPhase) return o.terminalPhase;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (initFailed && policy === 'Never') return 'Failed';
  if (!initialized) return 'Pending';
  let running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const c of o.containers) {
    if (c.init) continue;
    const s = containerStatus(c).state!;
    if (s.running) running++;
    else if (s.terminated) {
      stopped++;
      if (s.terminated.exitCode === 0) succeeded++;
    } else if (s.waiting) {
      if (c.current && exited(c.current)) {
        stopped++;
        if (c.current.exitCode === 0) succeeded++;
      } else if (c.lost) stopped++;
      else waiting++;
    }
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(prev: readonly PodCondition[] | undefined, now: string, type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  const old = prev?.find((c) => c.type === type);
  const status = ok ? 'True' : 'False';
  return {
    type, status,
    lastProbeTime: null as unknown as string,
    lastTransitionTime: old && old.status === status && old.lastTransitionTime ? old.lastTransitionTime : now,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

/** The whole status; the caller keeps fields it does not own (nominatedNodeName…) from the current pod. */
export function computePodStatus(pod: Pod, o: Observation): PodStatus {
  const prev = pod.status?.conditions;
  const init = o.containers.filter((c) => c.init);
  const apps = o.containers.filter((c) => !c.init);
  const initDone = (c: ObservedContainer): boolean => (c.sidecar ? c.started : exited(c.current) && c.current!.exitCode === 0);
  const incompleteInit = o.initialized ? [] : init.filter((c) => !initDone(c)).map((c) => c.spec.name);
  const initFailed = init.some((c) => !c.sidecar && exited(c.current) && c.current!.exitCode !== 0);
  const initialized = incompleteInit.length === 0;
  const phase = phaseOf(pod, o, initialized, initFailed);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const unready = [...init.filter((c) => c.sidecar), ...apps].filter((c) => !c.ready).map((c) => c.spec.name);
  const conds: PodCondition[] = [];
  conds.push(condition(prev, o.now, 'PodReadyToStartContainers', o.sandboxReady && !terminal));
  conds.push(initialized
    ? condition(prev, o.now, 'Initialized', true)
    : condition(prev, o.now, 'Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: [${incompleteInit.join(' ')}]`));
  let readyReason: string | undefined;
  let readyMessage: string | undefined;
  if (terminal) readyReason = 'PodCompleted';
  else if (unready.length) {
    readyReason = 'ContainersNotReady';
    readyMessage = `containers with unready status: [${unready.join(' ')}]`;
  }
  const gates = (pod.spec?.readinessGates ?? []).filter((g) => prev?.find((c) => c.type === g.conditionType)?.status !== 'True');
  const containersReady = !terminal && unready.length === 0;
  const ready = containersReady && gates.length === 0;
  conds.push(condition(prev, o.now, 'Ready', ready, ready ? undefined : gates.length && containersReady ? 'ReadinessGatesNotReady' : readyReason,
    ready ? undefined : gates.length && containersReady ? `corresponding condition of pod readiness gate "${gates[0]!.conditionType}" does not exist.` : readyMessage));
  conds.push(condition(prev, o.now, 'ContainersReady', containersReady, containersReady ? undefined : readyReason, containersReady ? undefined : readyMessage));
  const scheduled = prev?.find((c) => c.type === 'PodScheduled');
  conds.push(scheduled?.status === 'True' ? scheduled : condition(prev, o.now, 'PodScheduled', true));
  // Conditions owned by others (DisruptionTarget, readiness gates) are kept.
  const ours = new Set(conds.map((c) => c.type));
  for (const c of prev ?? []) if (!ours.has(c.type)) conds.push(c);

  const status: Writable<PodStatus> = {
    phase,
    ...(o.terminalReason ? { reason: o.terminalReason.reason, message: o.terminalReason.message } : {}),
    conditions: conds,
    qosClass: qosClass(pod),
    ...(o.startTime ? { startTime: o.startTime } : {}),
  };
  if (o.hostIP) {
    status.hostIP = o.hostIP;
    status.hostIPs = [{ ip: o.hostIP }];
  }
  if (o.podIP && !terminal) {
    status.podIP = o.podIP;
    status.podIPs = [{ ip: o.podIP }];
  }
  if (init.length) status.initContainerStatuses = init.map(containerStatus);
  status.containerStatuses = apps.map(containerStatus);
  return status;
}
