/**
 * Workload state: READY column text, health, and rollout progress with the same rules as
 * `kubectl rollout status` (k8s.io/kubectl/pkg/polymorphichelpers/rollout_status.go).
 */
import type { Deployment, StatefulSet, DaemonSet, ReplicaSet, StatefulSetStatus, DaemonSetStatus } from 'kubernetes-types/apps/v1';
import type { Job, CronJob } from 'kubernetes-types/batch/v1';
import type { Health } from './tree.ts';
import type { KObject } from './objects.ts';

export interface WorkloadSummary {
  ready: string;
  health: Health;
  detail?: string;
}

export interface RolloutStatus {
  done: boolean;
  message: string;
  /** 0..1 when the progress is countable. */
  fraction?: number;
  failed?: boolean;
}

export function summarizeWorkload(kind: string, obj: KObject): WorkloadSummary {
  switch (kind) {
    case 'Deployment': return deployment(obj as Deployment);
    case 'ReplicaSet': return replicaSet(obj as ReplicaSet);
    case 'StatefulSet': return statefulSet(obj as StatefulSet);
    case 'DaemonSet': return daemonSet(obj as DaemonSet);
    case 'Job': return job(obj as Job);
    case 'CronJob': return cronJob(obj as CronJob);
    default: return { ready: '', health: 'unknown' };
  }
}

function ratioHealth(ready: number, want: number, progressing: boolean): Health {
  if (want === 0) return 'idle';
  if (ready >= want && !progressing) return 'ok';
  return progressing ? 'progressing' : 'warning';
}

function deployment(d: Deployment): WorkloadSummary {
  const want = d.spec?.replicas ?? 1;
  const ready = d.status?.readyReplicas ?? 0;
  const r = rolloutStatus('Deployment', d as KObject);
  let health = ratioHealth(ready, want, !r.done);
  if (r.failed) health = 'error';
  const detail = d.spec?.paused ? 'paused' : r.done ? undefined : r.message;
  return { ready: `${ready}/${want}`, health, detail };
}

function replicaSet(rs: ReplicaSet): WorkloadSummary {
  const want = rs.spec?.replicas ?? 1;
  const ready = rs.status?.readyReplicas ?? 0;
  return { ready: `${ready}/${want}`, health: want === 0 ? 'idle' : ratioHealth(ready, want, ready < want) };
}

function statefulSet(s: StatefulSet): WorkloadSummary {
  const want = s.spec?.replicas ?? 1;
  const ready = s.status?.readyReplicas ?? 0;
  const r = rolloutStatus('StatefulSet', s as KObject);
  return { ready: `${ready}/${want}`, health: ratioHealth(ready, want, !r.done), detail: r.done ? undefined : r.message };
}

function daemonSet(ds: DaemonSet): WorkloadSummary {
  const want = ds.status?.desiredNumberScheduled ?? 0;
  const ready = ds.status?.numberReady ?? 0;
  const r = rolloutStatus('DaemonSet', ds as KObject);
  return { ready: `${ready}/${want}`, health: ratioHealth(ready, want, !r.done), detail: r.done ? undefined : r.message };
}

function job(j: Job): WorkloadSummary {
  const completions = j.spec?.completions ?? 1;
  const succeeded = j.status?.succeeded ?? 0;
  const failedCond = j.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (failedCond) return { ready: `${succeeded}/${completions}`, health: 'error', detail: failedCond.reason ?? 'Failed' };
  const complete = j.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True');
  if (complete) return { ready: `${succeeded}/${completions}`, health: 'idle', detail: 'Complete' };
  if (j.spec?.suspend) return { ready: `${succeeded}/${completions}`, health: 'idle', detail: 'suspended' };
  return { ready: `${succeeded}/${completions}`, health: 'progressing', detail: `${j.status?.active ?? 0} active` };
}

function cronJob(c: CronJob): WorkloadSummary {
  const active = c.status?.active?.length ?? 0;
  const detail = c.spec?.suspend ? 'suspended' : `${c.spec?.schedule ?? ''}`;
  return { ready: active ? `${active} active` : '', health: c.spec?.suspend ? 'idle' : active ? 'progressing' : 'ok', detail };
}

/** Whether a rollout finished, and what it waits for — kubectl's wording. */
export function rolloutStatus(kind: string, obj: KObject): RolloutStatus {
  const meta = obj.metadata ?? {};
  const name = meta.name ?? '';
  if (kind === 'Deployment') {
    const d = obj as Deployment;
    const st = d.status ?? {};
    if ((meta.generation ?? 0) > (st.observedGeneration ?? 0)) return { done: false, message: 'Waiting for deployment spec update to be observed...' };
    const cond = st.conditions?.find((c) => c.type === 'Progressing');
    if (cond?.reason === 'ProgressDeadlineExceeded') return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
    const want = d.spec?.replicas ?? 1;
    const updated = st.updatedReplicas ?? 0;
    const total = st.replicas ?? 0;
    const available = st.availableReplicas ?? 0;
    const fraction = want ? Math.min(1, (updated + available) / (2 * want)) : 1;
    if (updated < want) return { done: false, fraction, message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...` };
    if (total > updated) return { done: false, fraction, message: `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...` };
    if (available < updated) return { done: false, fraction, message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...` };
    return { done: true, fraction: 1, message: `deployment "${name}" successfully rolled out` };
  }
  if (kind === 'StatefulSet') {
    const s = obj as StatefulSet;
    const st: Partial<StatefulSetStatus> = s.status ?? {};
    if ((meta.generation ?? 0) > (st.observedGeneration ?? 0)) return { done: false, message: 'Waiting for statefulset spec update to be observed...' };
    const want = s.spec?.replicas ?? 1;
    const ready = st.readyReplicas ?? 0;
    if (ready < want) return { done: false, fraction: want ? ready / want : 1, message: `Waiting for ${want - ready} pods to be ready...` };
    if (s.spec?.updateStrategy?.type === 'RollingUpdate' || !s.spec?.updateStrategy?.type) {
      const partition = s.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
      if ((st.updatedReplicas ?? 0) < want - partition) {
        return { done: false, fraction: want ? (st.updatedReplicas ?? 0) / want : 1, message: `Waiting for partitioned roll out to finish: ${st.updatedReplicas ?? 0} out of ${want} new pods have been updated...` };
      }
      if (partition === 0 && st.updateRevision && st.currentRevision !== st.updateRevision) {
        return { done: false, message: `waiting for statefulset rolling update to complete ${st.updatedReplicas ?? 0} pods at revision ${st.updateRevision}...` };
      }
    }
    return { done: true, fraction: 1, message: `statefulset rolling update complete ${ready} pods at revision ${st.updateRevision ?? st.currentRevision ?? ''}...` };
  }
  if (kind === 'DaemonSet') {
    const ds = obj as DaemonSet;
    const st: Partial<DaemonSetStatus> = ds.status ?? {};
    if ((meta.generation ?? 0) > (st.observedGeneration ?? 0)) return { done: false, message: 'Waiting for daemon set spec update to be observed...' };
    const want = st.desiredNumberScheduled ?? 0;
    const updated = st.updatedNumberScheduled ?? 0;
    const available = st.numberAvailable ?? 0;
    if (updated < want) return { done: false, fraction: want ? updated / want : 1, message: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${want} new pods have been updated...` };
    if (available < want) return { done: false, fraction: want ? available / want : 1, message: `Waiting for daemon set "${name}" rollout to finish: ${available} of ${want} updated pods are available...` };
    return { done: true, fraction: 1, message: `daemon set "${name}" successfully rolled out` };
  }
  return { done: true, message: '' };
}
