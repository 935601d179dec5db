/**
 * The pod row, after upstream's printPod: READY counts ready app containers (plus started, ready
 * restartable init containers, i.e. sidecars), STATUS is the phase refined by the pod's reason, the first
 * unfinished init container (`Init:0/2`, `Init:CrashLoopBackOff`, `Init:ExitCode:1`), the containers'
 * waiting/terminated reasons (`CrashLoopBackOff`, `Completed`, `ExitCode:2`, `Signal:9`), `SchedulingGated`,
 * `Terminating` or `Unknown` while deleting, and RESTARTS is `5 (3m ago)` after a restart.
 */
import { since } from './duration.ts';
import { arr, get, num, obj, str } from './format.ts';
import type { Obj } from './format.ts';

export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
  /** Row conditions upstream attaches for terminal pods (kubectl may hide completed rows). */
  conditions?: { type: string; status: string; reason: string; message: string }[];
}

function isRestartableInit(c: Obj | undefined): boolean {
  return c !== undefined && c.restartPolicy === 'Always';
}

function terminatedAt(cs: Obj): number {
  const t = str(get(cs, 'lastState', 'terminated', 'finishedAt'));
  const ms = t ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

export function podSummary(pod: Obj, now: Date): PodSummary {
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const meta = obj(pod.metadata);
  const initSpecs = arr(spec.initContainers).map(obj);
  const initByName = new Map(initSpecs.map((c) => [str(c.name), c]));
  let total = arr(spec.containers).length + initSpecs.filter(isRestartableInit).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;

  const phase = str(status.phase);
  let reason = str(status.reason) || phase;
  for (const c of arr(status.conditions).map(obj)) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let initializing = false;
  const initStatuses = arr(status.initContainerStatuses).map(obj);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const rc = num(cs.restartCount);
    restarts += rc;
    lastRestart = Math.max(lastRestart, terminatedAt(cs));
    const sidecar = isRestartableInit(initByName.get(str(cs.name)));
    if (sidecar) {
      sidecarRestarts += rc;
      lastSidecarRestart = Math.max(lastSidecarRestart, terminatedAt(cs));
    }
    const terminated = get(cs, 'state', 'terminated');
    const waiting = get(cs, 'state', 'waiting');
    if (terminated !== undefined && num(obj(terminated).exitCode) === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready === true) ready++;
      continue;
    }
    if (terminated !== undefined) {
      const t = obj(terminated);
      if (!str(t.reason)) reason = num(t.signal) !== 0 ? `Init:Signal:${num(t.signal)}` : `Init:ExitCode:${num(t.exitCode)}`;
      else reason = `Init:${str(t.reason)}`;
    } else if (waiting !== undefined && str(obj(waiting).reason) && str(obj(waiting).reason) !== 'PodInitializing') {
      reason = `Init:${str(obj(waiting).reason)}`;
    } else {
      reason = `Init:${i}/${initSpecs.length}`;
    }
    initializing = true;
    break;
  }

  const initializedTrue = arr(status.conditions).map(obj).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initializedTrue) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = arr(status.containerStatuses).map(obj);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += num(cs.restartCount);
      lastRestart = Math.max(lastRestart, terminatedAt(cs));
      const waiting = get(cs, 'state', 'waiting');
      const terminated = get(cs, 'state', 'terminated');
      if (waiting !== undefined && str(obj(waiting).reason)) {
        reason = str(obj(waiting).reason);
      } else if (terminated !== undefined && str(obj(terminated).reason)) {
        reason = str(obj(terminated).reason);
      } else if (terminated !== undefined) {
        const t = obj(terminated);
        reason = num(t.signal) !== 0 ? `Signal:${num(t.signal)}` : `ExitCode:${num(t.exitCode)}`;
      } else if (cs.ready === true && get(cs, 'state', 'running') !== undefined) {
        hasRunning = true;
        ready++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const podReady = arr(status.conditions).map(obj).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = podReady ? 'Running' : 'NotReady';
    }
  }

  const deleting = typeof meta.deletionTimestamp === 'string' && meta.deletionTimestamp !== '';
  if (deleting && status.reason === 'NodeLost') reason = 'Unknown';
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  let restartsStr = String(restarts);
  if (restarts !== 0 && lastRestart !== 0) {
    restartsStr = `${restarts} (${since(new Date(lastRestart).toISOString(), now)} ago)`;
  }
  total = Math.max(total, 0);
  const out: PodSummary = { ready: `${ready}/${total}`, status: reason, restarts: restartsStr };
  if (phase === 'Succeeded') {
    out.conditions = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
  } else if (phase === 'Failed') {
    out.conditions = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];
  }
  return out;
}

/** The wide pod cells: IP, NODE, NOMINATED NODE, READINESS GATES. */
export function podWideCells(pod: Obj): string[] {
  const spec = obj(pod.spec);
  const status = obj(pod.status);
  const podIP = str(obj(arr(status.podIPs)[0]).ip) || str(status.podIP) || '<none>';
  const node = str(spec.nodeName) || '<none>';
  const nominated = str(status.nominatedNodeName) || '<none>';
  let gates = '<none>';
  const rg = arr(spec.readinessGates).map(obj);
  if (rg.length > 0) {
    const conds = arr(status.conditions).map(obj);
    let trueCount = 0;
    for (const g of rg) {
      const c = conds.find((x) => x.type === g.conditionType);
      if (c?.status === 'True') trueCount++;
    }
    gates = `${trueCount}/${rg.length}`;
  }
  return [podIP, node, nominated, gates];
}
