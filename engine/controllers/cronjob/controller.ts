/**
 * The CronJob controller (pkg/controller/cronjob, v2): at each scheduled time create a Job named
 * `<cronjob>-<minutes since epoch>` from jobTemplate (annotated with
 * `batch.kubernetes.io/cronjob-scheduled-timestamp`), honouring timeZone, concurrencyPolicy
 * (Allow/Forbid/Replace), startingDeadlineSeconds and suspend; keep status.active and
 * lastScheduleTime/lastSuccessfulTime; delete finished Jobs beyond the history limits.
 * It requeues itself for the next scheduled time through the injectable clock.
 */
import type { CronJob } from 'kubernetes-types/batch/v1';
import type { Job } from 'kubernetes-types/batch/v1';
import type { ObjectReference } from 'kubernetes-types/core/v1';
import type { ApiClient, Writable } from '../../api/client.ts';
import { isAlreadyExists, isNotFound } from '../../api/client.ts';
import { R } from '../../api/resources.ts';
import { parseTime, rfc3339 } from '../framework/clock.ts';
import { Controller, type ReconcileResult } from '../framework/controller.ts';
import type { ControllerContext } from '../framework/context.ts';
import type { EventRecorder } from '../framework/events.ts';
import { keyOf, splitKey, type Informer } from '../framework/informer.ts';
import { getControllerOf, newControllerRef } from '../framework/owner.ts';
import { checkTimeZone, CronParseError, nextAfter, parseSchedule, type Schedule } from './cron.ts';
import { canonicalJSON } from '../framework/hash.ts';

export const ScheduledTimestampAnnotation = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
const TOO_MANY_MISSED = 100;

type CJ = Writable<CronJob>;

function jobFinished(j: Job): 'Complete' | 'Failed' | undefined {
  const c = j.status?.conditions?.find((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
  return c?.type as 'Complete' | 'Failed' | undefined;
}

/** The name a scheduled Job gets: stable per scheduled time so a restart cannot create it twice. */
export function jobNameFor(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata!.name}-${Math.floor(scheduledMs / 60_000)}`;
}

/**
 * The most recent activation at or before now since the last one (or the CronJob's creation),
 * bounded by startingDeadlineSeconds; with how many were missed.
 */
export function mostRecentScheduleTime(cj: CronJob, sched: Schedule, tz: string, now: number): { time?: number; missed: number } {
  let earliest = parseTime(cj.status?.lastScheduleTime) ?? parseTime(cj.metadata?.creationTimestamp) ?? now;
  const sds = cj.spec?.startingDeadlineSeconds;
  if (sds !== undefined && sds !== null && now - sds * 1000 > earliest) earliest = now - sds * 1000;
  let missed = 0;
  let last: number | undefined;
  for (let t = nextAfter(sched, earliest, tz); t !== undefined && t <= now; t = nextAfter(sched, t, tz)) {
    last = t;
    missed++;
    if (missed > 100_000) break;
  }
  return { time: last, missed };
}

export class CronJobController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly cjInformer: Informer<CronJob>;
  private readonly jobInformer: Informer<Job>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.client = ctx.client;
    this.recorder = ctx.recorder('cronjob-controller');
    this.cjInformer = ctx.informers.for<CronJob>(R.cronjobs);
    this.jobInformer = ctx.informers.for<Job>(R.jobs);
    this.controller = new Controller(
      { name: 'cronjob', clock: ctx.clock, recorder: this.recorder, workers: ctx.workers, log: ctx.log },
      (key) => this.sync(key),
    );
    this.cjInformer.addEventHandler({
      add: (c) => this.controller.enqueue(keyOf(c)),
      update: (_o, c) => this.controller.enqueue(keyOf(c)),
    });
    const forJob = (j: Job) => {
      const ref = getControllerOf(j);
      if (ref?.kind === 'CronJob') this.controller.enqueue(`${j.metadata?.namespace}/${ref.name}`);
    };
    this.jobInformer.addEventHandler({ add: forJob, update: (_o, j) => forJob(j), delete: forJob });
  }

  private now(): number {
    return this.ctx.clock.now();
  }

  async sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.cjInformer.get(namespace, name);
    if (!cached) return;
    const cj = structuredClone(cached) as CJ;
    const now = this.now();
    const jobs = this.jobInformer.list(namespace).filter((j) => getControllerOf(j)?.uid === cj.metadata?.uid);
    const st = { ...(cj.status ?? {}) } as Writable<NonNullable<CronJob['status']>>;
    let active: ObjectReference[] = [...(st.active ?? [])];
    const ref = (j: Job): ObjectReference => ({ kind: 'Job', namespace: j.metadata?.namespace, name: j.metadata?.name, uid: j.metadata?.uid, apiVersion: 'batch/v1', resourceVersion: j.metadata?.resourceVersion });

    // Reconcile status.active with the Jobs that exist.
    for (const j of jobs) {
      const inActive = active.some((a) => a.uid === j.metadata?.uid);
      const fin = jobFinished(j);
      if (!inActive && !fin) {
        this.recorder.event(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata?.name}`);
        active.push(ref(j));
      } else if (inActive && fin) {
        active = active.filter((a) => a.uid !== j.metadata?.uid);
        this.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata?.name}, condition: ${fin}`);
        if (fin === 'Complete') {
          const ct = parseTime(j.status?.completionTime);
          if (ct !== undefined && (parseTime(st.lastSuccessfulTime) ?? 0) < ct) st.lastSuccessfulTime = rfc3339(ct);
        }
      }
    }
    active = active.filter((a) => jobs.some((j) => j.metadata?.uid === a.uid) || this.jobInformer.get(a.namespace, a.name ?? '') !== undefined);
    st.active = active.length ? active : undefined;

    await this.cleanupFinishedJobs(cj, jobs);
    if (cj.metadata?.deletionTimestamp) return this.writeStatus(cj, st);

    const tz = cj.spec?.timeZone ?? 'UTC';
    let sched: Schedule;
    try {
      checkTimeZone(tz);
    } catch (err) {
      this.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${tz}": ${(err as Error).message}`);
      return this.writeStatus(cj, st);
    }
    try {
      sched = parseSchedule(cj.spec?.schedule ?? '');
    } catch (err) {
      if (!(err instanceof CronParseError)) throw err;
      this.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${cj.spec?.schedule}" : ${err.message}`);
      return this.writeStatus(cj, st);
    }
    if (cj.spec?.suspend) return this.writeStatus(cj, st);

    const next = nextAfter(sched, now, tz);
    const requeue = (): ReconcileResult | void => (next !== undefined ? { requeueAfterMs: next - now + 100 } : undefined);
    const { time: scheduled, missed } = mostRecentScheduleTime(cj, sched, tz, now);
    if (missed > TOO_MANY_MISSED) {
      this.recorder.event(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
    }
    if (scheduled === undefined) {
      await this.writeStatus(cj, st);
      return requeue();
    }
    const sds = cj.spec?.startingDeadlineSeconds;
    if (sds !== undefined && sds !== null && scheduled + sds * 1000 < now) {
      this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${new Date(scheduled).toUTCString()}`);
      await this.writeStatus(cj, st);
      return requeue();
    }
    const jobName = jobNameFor(cj, scheduled);
    if (active.some((a) => a.name === jobName) || jobs.some((j) => j.metadata?.name === jobName) || (parseTime(st.lastScheduleTime) ?? -1) >= scheduled) {
      await this.writeStatus(cj, st);
      return requeue();
    }
    const policy = cj.spec?.concurrencyPolicy ?? 'Allow';
    if (policy === 'Forbid' && active.length) {
      this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      await this.writeStatus(cj, st);
      return requeue();
    }
    if (policy === 'Replace') {
      for (const a of active) {
        try {
          await this.client.delete(R.jobs, a.name!, a.namespace, { propagationPolicy: 'Background' });
          this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${a.name}`);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
      active = [];
    }
    const job = this.jobFromTemplate(cj, jobName, scheduled, tz);
    let created: Job;
    try {
      created = await this.client.create<Job>(R.jobs, job);
      this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${jobName}`);
    } catch (err) {
      if (!isAlreadyExists(err)) {
        this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        throw err;
      }
      created = await this.client.get<Job>(R.jobs, jobName, namespace);
    }
    active.push(ref(created));
    st.active = active;
    st.lastScheduleTime = rfc3339(scheduled);
    await this.writeStatus(cj, st);
    return requeue();
  }

  private jobFromTemplate(cj: CronJob, name: string, scheduled: number, tz: string): Job {
    const t = cj.spec!.jobTemplate;
    return {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name,
        namespace: cj.metadata?.namespace,
        labels: { ...(t.metadata?.labels ?? {}) },
        annotations: { ...(t.metadata?.annotations ?? {}), [ScheduledTimestampAnnotation]: zonedRFC3339(scheduled, tz) },
        ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
      },
      spec: structuredClone(t.spec),
    };
  }

  private async cleanupFinishedJobs(cj: CronJob, jobs: Job[]): Promise<void> {
    const limits = { Complete: cj.spec?.successfulJobsHistoryLimit ?? 3, Failed: cj.spec?.failedJobsHistoryLimit ?? 1 };
    for (const kind of ['Complete', 'Failed'] as const) {
      const done = jobs
        .filter((j) => jobFinished(j) === kind && !j.metadata?.deletionTimestamp)
        .sort((a, b) => (parseTime(a.status?.startTime) ?? parseTime(a.metadata?.creationTimestamp) ?? 0) - (parseTime(b.status?.startTime) ?? parseTime(b.metadata?.creationTimestamp) ?? 0));
      for (const j of done.slice(0, Math.max(0, done.length - limits[kind]))) {
        try {
          await this.client.delete(R.jobs, j.metadata!.name!, j.metadata?.namespace, { propagationPolicy: 'Background' });
          this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata?.name}`);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    }
  }

  private async writeStatus(cj: CJ, st: Writable<NonNullable<CronJob['status']>>): Promise<void> {
    const clean = Object.fromEntries(Object.entries(st).filter(([, v]) => v !== undefined));
    if (canonicalJSON(clean) === canonicalJSON(cj.status ?? {})) return;
    cj.status = clean;
    await this.client.updateStatus(R.cronjobs, cj);
  }
}

/** RFC 3339 in the schedule's zone, e.g. 2026-01-01T09:00:00+01:00 (as upstream formats the annotation). */
export function zonedRFC3339(t: number, tz: string): string {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(t));
  const g = (k: string) => parts.find((p) => p.type === k)!.value;
  const wall = Date.UTC(Number(g('year')), Number(g('month')) - 1, Number(g('day')), Number(g('hour')) % 24, Number(g('minute')), Number(g('second')));
  const off = Math.round((wall - Math.floor(t / 1000) * 1000) / 60_000);
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  const zone = off === 0 ? 'Z' : `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${g('year')}-${g('month')}-${g('day')}T${String(Number(g('hour')) % 24).padStart(2, '0')}:${g('minute')}:${g('second')}${zone}`;
}
