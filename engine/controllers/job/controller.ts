/**
 * The Job controller (pkg/controller/job): runs pods to completion.
 * - NonIndexed: `completions` successes (or, without completions, one success then no new pods);
 *   Indexed: one success per index 0..completions-1, pods named `<job>-<index>-…` with the
 *   `batch.kubernetes.io/job-completion-index` annotation and label and JOB_COMPLETION_INDEX;
 * - at most `parallelism` active pods; failures beyond `backoffLimit` fail the Job
 *   (BackoffLimitExceeded), replacements wait 10 s · 2^(failures-1), capped at 6 min, after the last failure;
 * - activeDeadlineSeconds (DeadlineExceeded), suspend/resume (Suspended condition), podFailurePolicy
 *   rules on exit codes and pod conditions (FailJob, Ignore, Count);
 * - Complete/Failed conditions, completionTime, and TTL deletion (ttlSecondsAfterFinished).
 * Counting is from the pods that exist (the pre-1.26 "legacy tracking"): deleting finished pods by hand
 * loses them from the counts, which upstream's tracking finalizers would prevent.
 */
import type { Pod, PodTemplateSpec } from 'kubernetes-types/core/v1';
import type { Job, JobCondition, JobStatus, PodFailurePolicyRule } from 'kubernetes-types/batch/v1';
import type { ApiClient, Writable } from '../../api/client.ts';
import { isNotFound } from '../../api/client.ts';
import { fromLabelSelector, SelectorParseError } from '../../api/labels.ts';
import { R } from '../../api/resources.ts';
import { parseTime, rfc3339 } from '../framework/clock.ts';
import { Controller, InvalidSpecError, type ReconcileResult } from '../framework/controller.ts';
import type { ControllerContext } from '../framework/context.ts';
import type { EventRecorder } from '../framework/events.ts';
import { Expectations } from '../framework/expectations.ts';
import { keyOf, splitKey, type Informer } from '../framework/informer.ts';
import { claimObjects, getControllerOf, newControllerRef, recheckOwner } from '../framework/owner.ts';
import { isPodReady } from '../framework/pods.ts';
import { canonicalJSON } from '../framework/hash.ts';

export const JobCompletionIndexAnnotation = 'batch.kubernetes.io/job-completion-index';
const DEFAULT_BACKOFF_MS = 10_000;
const MAX_BACKOFF_MS = 360_000;

type J = Writable<Job>;

const finished = (j: Job): JobCondition | undefined =>
  j.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

function indexOf(p: Pod): number | undefined {
  const v = p.metadata?.annotations?.[JobCompletionIndexAnnotation] ?? p.metadata?.labels?.[JobCompletionIndexAnnotation];
  if (v === undefined || !/^\d+$/.test(v)) return undefined;
  return Number(v);
}

/** "0-2,4,6-7", as status.completedIndexes. */
export function formatIndexes(ix: Iterable<number>): string {
  const xs = [...new Set(ix)].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    out.push(i === j ? `${xs[i]}` : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

function terminatedExit(p: Pod): { container: string; code: number }[] {
  return (p.status?.containerStatuses ?? [])
    .filter((s) => s.state?.terminated && s.state.terminated.exitCode !== 0)
    .map((s) => ({ container: s.name, code: s.state!.terminated!.exitCode }));
}

/** The first podFailurePolicy rule a failed pod matches, with its index and a message as upstream's. */
export function matchPodFailurePolicy(rules: readonly PodFailurePolicyRule[], p: Pod): { action: string; message: string } | undefined {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    if (r.onExitCodes) {
      const { containerName, operator, values } = r.onExitCodes;
      for (const t of terminatedExit(p)) {
        if (containerName && containerName !== t.container) continue;
        const hit = operator === 'In' ? values.includes(t.code) : !values.includes(t.code);
        if (hit) return { action: r.action, message: `Container ${t.container} for pod ${p.metadata?.namespace}/${p.metadata?.name} failed with exit code ${t.code} matching ${r.action} rule at index ${i}` };
      }
    }
    for (const pat of r.onPodConditions ?? []) {
      const c = p.status?.conditions?.find((x) => x.type === pat.type && x.status === (pat.status ?? 'True'));
      if (c) return { action: r.action, message: `Pod ${p.metadata?.namespace}/${p.metadata?.name} has condition ${pat.type} matching ${r.action} rule at index ${i}` };
    }
  }
  return undefined;
}

export class JobController {
  readonly controller: Controller;
  readonly expectations: Expectations;
  private readonly client: ApiClient;
  private readonly jobInformer: Informer<Job>;
  private readonly podInformer: Informer<Pod>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.client = ctx.client;
    this.recorder = ctx.recorder('job-controller');
    this.expectations = new Expectations(ctx.clock);
    this.jobInformer = ctx.informers.for<Job>(R.jobs);
    this.podInformer = ctx.informers.for<Pod>(R.pods);
    this.podInformer.addIndexer('controllerUID', (p) => {
      const ref = getControllerOf(p);
      return ref ? [ref.uid] : [];
    });
    this.controller = new Controller(
      { name: 'job', clock: ctx.clock, recorder: this.recorder, workers: ctx.workers, log: ctx.log },
      (key) => this.sync(key),
    );
    this.jobInformer.addEventHandler({
      add: (j) => this.controller.enqueue(keyOf(j)),
      update: (_o, j) => this.controller.enqueue(keyOf(j)),
      delete: (j) => this.expectations.delete(keyOf(j)),
    });
    const forPod = (p: Pod, kind: 'add' | 'update' | 'delete') => {
      const ref = getControllerOf(p);
      if (!ref || ref.kind !== 'Job') return;
      const j = this.jobInformer.get(p.metadata?.namespace, ref.name);
      if (!j || j.metadata?.uid !== ref.uid) return;
      if (kind === 'add') this.expectations.creationObserved(keyOf(j));
      if (kind === 'delete') this.expectations.deletionObserved(keyOf(j), keyOf(p));
      this.controller.enqueue(keyOf(j));
    };
    this.podInformer.addEventHandler({
      add: (p) => forPod(p, 'add'),
      update: (o, p) => {
        if (p.metadata?.deletionTimestamp && !o.metadata?.deletionTimestamp) forPod(p, 'delete');
        else forPod(p, 'update');
      },
      delete: (p) => forPod(p, 'delete'),
    });
  }

  private now(): number {
    return this.ctx.clock.now();
  }

  async sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.jobInformer.get(namespace, name);
    if (!cached) return;
    const job = structuredClone(cached) as J;
    const done = finished(job);
    if (done) return this.handleTTL(job, done);
    if (!this.expectations.satisfied(key)) return;

    let selector;
    try {
      selector = fromLabelSelector(job.spec?.selector);
    } catch (err) {
      if (err instanceof SelectorParseError) throw new InvalidSpecError(job, 'InvalidSelector', err.message);
      throw err;
    }
    const pods = await claimObjects<Pod>({
      client: this.client, type: R.pods, owner: job, ownerApiVersion: 'batch/v1', ownerKind: 'Job', selector,
      objects: this.podInformer.list(namespace), canAdopt: recheckOwner(this.client, R.jobs, job),
    });
    const now = this.now();
    const indexed = job.spec?.completionMode === 'Indexed';
    const completions = job.spec?.completions ?? undefined;
    const parallelism = job.spec?.parallelism ?? 1;
    const backoffLimit = job.spec?.backoffLimit ?? 6;
    const rules = job.spec?.podFailurePolicy?.rules ?? [];

    const active = pods.filter((p) => !isTerminal(p) && !p.metadata?.deletionTimestamp);
    const succeededPods = pods.filter((p) => p.status?.phase === 'Succeeded');
    let failedCount = 0;
    let failJob: { reason: string; message: string } | undefined;
    let lastFailure = 0;
    for (const p of pods.filter((x) => x.status?.phase === 'Failed')) {
      const m = rules.length ? matchPodFailurePolicy(rules, p) : undefined;
      if (m?.action === 'Ignore') continue;
      if (m?.action === 'FailJob' && !failJob) failJob = { reason: 'PodFailurePolicy', message: m.message };
      failedCount++;
      const t = Math.max(...(p.status?.containerStatuses ?? []).map((s) => parseTime(s.state?.terminated?.finishedAt) ?? 0), parseTime(p.metadata?.creationTimestamp) ?? 0);
      lastFailure = Math.max(lastFailure, t);
    }
    const succeededIndexes = new Set<number>();
    for (const p of succeededPods) {
      const i = indexOf(p);
      if (indexed && i !== undefined && completions !== undefined && i < completions) succeededIndexes.add(i);
    }
    const succeeded = indexed ? succeededIndexes.size : succeededPods.length;

    const st = { ...(job.status ?? {}) } as Writable<JobStatus>;
    const conditions: JobCondition[] = [...(st.conditions ?? [])];
    const setCond = (type: string, status: 'True' | 'False', reason: string, message: string) => {
      const i = conditions.findIndex((c) => c.type === type);
      const ts = rfc3339(now);
      const c: JobCondition = { type, status, reason, message, lastProbeTime: ts, lastTransitionTime: ts };
      if (i >= 0) {
        if (conditions[i]!.status === status && conditions[i]!.reason === reason) return false;
        conditions[i] = c;
      } else conditions.push(c);
      return true;
    };

    // Suspend / resume.
    const suspended = !!job.spec?.suspend;
    if (suspended) {
      if (setCond('Suspended', 'True', 'JobSuspended', 'Job suspended')) this.recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
      await this.deletePods(job, active);
      return this.writeStatus(job, st, conditions, { active: 0, succeeded, failed: failedCount, ready: 0, startTime: null }, indexed ? succeededIndexes : undefined);
    }
    if (conditions.some((c) => c.type === 'Suspended' && c.status === 'True')) {
      setCond('Suspended', 'False', 'JobResumed', 'Job resumed');
      this.recorder.event(job, 'Normal', 'Resumed', 'Job resumed');
      st.startTime = undefined;
    }
    const startTime = parseTime(st.startTime) ?? now;

    // Failure conditions, in upstream's order.
    const ads = job.spec?.activeDeadlineSeconds;
    if (!failJob && failedCount > backoffLimit) failJob = { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
    if (!failJob && ads !== undefined && ads !== null && now >= startTime + ads * 1000) failJob = { reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
    if (failJob) {
      await this.deletePods(job, active);
      setCond('Failed', 'True', failJob.reason, failJob.message);
      this.recorder.event(job, 'Warning', failJob.reason, failJob.message);
      return this.writeStatus(job, st, conditions, { active: 0, succeeded, failed: failedCount + active.length, ready: 0, startTime: rfc3339(startTime) }, indexed ? succeededIndexes : undefined);
    }

    // Completion.
    const complete = completions !== undefined && completions !== null ? succeeded >= completions : succeeded > 0 && active.length === 0;
    if (complete) {
      await this.deletePods(job, active);
      setCond('Complete', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods');
      this.recorder.event(job, 'Normal', 'Completed', 'Job completed');
      st.completionTime = rfc3339(now);
      return this.writeStatus(job, st, conditions, { active: 0, succeeded, failed: failedCount, ready: 0, startTime: rfc3339(startTime) }, indexed ? succeededIndexes : undefined);
    }

    // How many should run now.
    let requeueAfterMs: number | undefined;
    let wantActive: number;
    const toCreate: (number | undefined)[] = [];
    if (indexed) {
      const running = new Set(active.map(indexOf).filter((i): i is number => i !== undefined));
      const missing: number[] = [];
      for (let i = 0; i < (completions ?? 0); i++) if (!succeededIndexes.has(i) && !running.has(i)) missing.push(i);
      wantActive = Math.min(parallelism, running.size + missing.length);
      for (const i of missing.slice(0, Math.max(0, wantActive - active.length))) toCreate.push(i);
    } else {
      wantActive = completions === undefined || completions === null ? (succeeded > 0 ? 0 : parallelism) : Math.min(parallelism, completions - succeeded);
      for (let i = active.length; i < wantActive; i++) toCreate.push(undefined);
    }
    if (active.length > wantActive) {
      await this.deletePods(job, [...active].sort((a, b) => (parseTime(b.metadata?.creationTimestamp) ?? 0) - (parseTime(a.metadata?.creationTimestamp) ?? 0)).slice(0, active.length - wantActive));
    }
    let created = 0;
    if (toCreate.length) {
      // Back off replacements after failures: 10 s · 2^(n-1), at most 6 min.
      const delay = failedCount > 0 ? Math.min(MAX_BACKOFF_MS, DEFAULT_BACKOFF_MS * 2 ** (failedCount - 1)) : 0;
      const readyAt = lastFailure + delay;
      if (failedCount > 0 && now < readyAt) {
        requeueAfterMs = readyAt - now;
      } else {
        this.expectations.expectCreations(keyOf(job), toCreate.length);
        let firstErr: Error | undefined;
        for (const i of toCreate) {
          try {
            const p = await this.client.create<Pod>(R.pods, podFor(job, i));
            created++;
            this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata?.name}`);
          } catch (err) {
            this.expectations.creationObserved(keyOf(job));
            this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
            firstErr ??= err as Error;
          }
        }
        if (firstErr) throw firstErr;
      }
    }
    if (ads !== undefined && ads !== null) {
      const left = startTime + ads * 1000 - now;
      requeueAfterMs = requeueAfterMs === undefined ? left : Math.min(requeueAfterMs, left);
    }
    await this.writeStatus(job, st, conditions, {
      active: active.length + created, succeeded, failed: failedCount, ready: active.filter(isPodReady).length, startTime: rfc3339(startTime),
    }, indexed ? succeededIndexes : undefined);
    return requeueAfterMs !== undefined ? { requeueAfterMs: Math.max(requeueAfterMs, 0) } : undefined;
  }

  private async writeStatus(
    job: J, st: Writable<JobStatus>, conditions: JobCondition[],
    counts: { active: number; succeeded: number; failed: number; ready: number; startTime: string | null },
    indexes: Set<number> | undefined,
  ): Promise<void> {
    const next: Writable<JobStatus> = { ...st, active: counts.active, succeeded: counts.succeeded, failed: counts.failed, ready: counts.ready };
    if (counts.startTime) next.startTime = counts.startTime;
    else delete next.startTime;
    for (const k of ['active', 'succeeded', 'failed'] as const) if (next[k] === 0) delete next[k];
    if (conditions.length) next.conditions = conditions;
    if (indexes) next.completedIndexes = formatIndexes(indexes);
    if (canonicalJSON(next) === canonicalJSON(job.status ?? {})) return;
    job.status = next;
    await this.client.updateStatus(R.jobs, job);
  }

  private async deletePods(job: Job, pods: readonly Pod[]): Promise<void> {
    if (!pods.length) return;
    this.expectations.expectDeletions(keyOf(job), pods.map(keyOf));
    for (const p of pods) {
      try {
        await this.client.delete(R.pods, p.metadata!.name!, p.metadata?.namespace, { preconditions: { uid: p.metadata?.uid } });
        this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name}`);
      } catch (err) {
        this.expectations.deletionObserved(keyOf(job), keyOf(p));
        if (!isNotFound(err)) throw err;
      }
    }
  }

  /** ttlSecondsAfterFinished: delete the finished Job (and, in the foreground, its pods) once the TTL passed. */
  private async handleTTL(job: Job, done: JobCondition): Promise<ReconcileResult | void> {
    const ttl = job.spec?.ttlSecondsAfterFinished;
    if (ttl === undefined || ttl === null || job.metadata?.deletionTimestamp) return;
    const finishedAt = parseTime(job.status?.completionTime) ?? parseTime(done.lastTransitionTime) ?? this.now();
    const expireAt = finishedAt + ttl * 1000;
    if (this.now() < expireAt) return { requeueAfterMs: expireAt - this.now() };
    try {
      await this.client.delete(R.jobs, job.metadata!.name!, job.metadata?.namespace, { propagationPolicy: 'Foreground', preconditions: { uid: job.metadata?.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** A pod for the job (Indexed: the index in name prefix, annotation, label, hostname and env). */
export function podFor(job: Job, index: number | undefined): Pod {
  const t = structuredClone(job.spec!.template) as Writable<PodTemplateSpec>;
  const meta = t.metadata ?? {};
  const spec = t.spec!;
  const labels = { ...(meta.labels ?? {}) };
  const annotations = { ...(meta.annotations ?? {}) };
  let generateName = `${job.metadata!.name}-`;
  if (index !== undefined) {
    generateName = `${job.metadata!.name}-${index}-`;
    annotations[JobCompletionIndexAnnotation] = String(index);
    labels[JobCompletionIndexAnnotation] = String(index);
    (spec as Writable<typeof spec>).hostname ??= `${job.metadata!.name}-${index}`;
    (spec as Writable<typeof spec>).containers = spec.containers.map((c) => ({
      ...c,
      env: [...(c.env ?? []).filter((e) => e.name !== 'JOB_COMPLETION_INDEX'), { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JobCompletionIndexAnnotation}']` } } }],
    }));
  }
  const pod: Writable<Pod> = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName, namespace: job.metadata?.namespace, labels, ownerReferences: [newControllerRef(job, 'batch/v1', 'Job')] },
    spec,
  };
  if (Object.keys(annotations).length) pod.metadata!.annotations = annotations;
  return pod;
}
