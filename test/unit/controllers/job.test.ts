import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import type { CronJob, Job } from 'kubernetes-types/batch/v1';
import type { Writable } from '../../../engine/api/client.ts';
import { R } from '../../../engine/api/resources.ts';
import { settle } from '../../../engine/controllers/framework/clock.ts';
import { JobController, formatIndexes } from '../../../engine/controllers/job/controller.ts';
import { CronJobController, zonedRFC3339 } from '../../../engine/controllers/cronjob/controller.ts';
import { nextAfter, parseSchedule, CronParseError } from '../../../engine/controllers/cronjob/cron.ts';
import { harness, iso, NOW } from './harness.ts';
import { ownerRef, pod } from './fixtures.ts';

function job(name: string, spec: Partial<NonNullable<Job['spec']>> = {}, status: Job['status'] = {}): Job {
  const labels = { 'batch.kubernetes.io/controller-uid': `uid-${name}`, 'batch.kubernetes.io/job-name': name };
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: 1, creationTimestamp: iso(NOW - 60_000) },
    spec: {
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': `uid-${name}` } },
      template: { metadata: { labels }, spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } },
      ...spec,
    },
    status,
  };
}

function jobPod(j: Job, name: string, phase: 'Running' | 'Succeeded' | 'Failed', o: { index?: number; exitCode?: number; finishedAt?: number } = {}): Pod {
  const p = pod(name, { owner: ownerRef('Job', j.metadata!.name!, j.metadata!.uid, 'batch/v1'), node: 'n1', phase, labels: { ...j.spec!.template.metadata!.labels } }) as Writable<Pod>;
  if (o.index !== undefined) p.metadata!.annotations = { 'batch.kubernetes.io/job-completion-index': String(o.index) };
  if (phase !== 'Running') {
    p.status = { ...p.status, containerStatuses: [{ name: 'main', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: o.exitCode ?? (phase === 'Failed' ? 1 : 0), finishedAt: iso(o.finishedAt ?? NOW - 1000) } } }] };
  }
  return p;
}

test('Job: starts parallelism pods, records startTime and active', async () => {
  const j = job('pi', { completions: 5, parallelism: 2 });
  const h = harness([{ type: R.jobs, objects: [j] }]);
  const c = new JobController(h.ctx);
  await h.start();
  await c.sync('default/pi');
  assert.deepEqual(h.writes(), ['create pods pi-', 'create pods pi-', 'update jobs/status pi']);
  const st = (h.client.writes()[2]!.object as Job).status!;
  assert.deepEqual([st.active, st.startTime], [2, iso(NOW)]);
  await h.stop();
});

test('Job: completes when completions succeeded, with the Complete condition and event', async () => {
  const j = job('pi', { completions: 2, parallelism: 2 }, { startTime: iso(NOW - 30_000), active: 2 });
  const h = harness([{ type: R.jobs, objects: [j] }, { type: R.pods, objects: [jobPod(j, 'pi-a', 'Succeeded'), jobPod(j, 'pi-b', 'Succeeded')] }]);
  const c = new JobController(h.ctx);
  await h.start();
  await c.sync('default/pi');
  assert.deepEqual(h.writes(), ['update jobs/status pi']);
  const st = (h.client.writes()[0]!.object as Job).status!;
  assert.equal(st.succeeded, 2);
  assert.equal(st.active, undefined);
  assert.equal(st.completionTime, iso(NOW));
  assert.deepEqual(st.conditions?.map((x) => [x.type, x.status]), [['Complete', 'True']]);
  assert.deepEqual(h.events.events, ['Normal Completed Job completed']);
  await h.stop();
});

test('Job: failures back off exponentially, then exceed backoffLimit', async () => {
  const j = job('flaky', { backoffLimit: 2 }, { startTime: iso(NOW - 30_000) });
  const h = harness([{ type: R.jobs, objects: [j] }, { type: R.pods, objects: [jobPod(j, 'f1', 'Failed', { finishedAt: NOW - 12_000 }), jobPod(j, 'f2', 'Failed', { finishedAt: NOW - 5_000 })] }]);
  const c = new JobController(h.ctx);
  await h.start();
  // Two failures: wait 20 s after the last one (5 s ago).
  const r = await c.sync('default/flaky');
  assert.deepEqual(r, { requeueAfterMs: 15_000 });
  assert.ok(!h.writes().some((w) => w.startsWith('create')));
  await h.clock.step(15_000);
  h.reset();
  await c.sync('default/flaky');
  assert.deepEqual(h.writes(), ['create pods flaky-', 'update jobs/status flaky']);
  // A third failure passes backoffLimit 2.
  const third = (await h.client.list<Pod>(R.pods, 'default')).items.find((p) => p.metadata?.generateName === 'flaky-')!;
  await h.client.updateStatus(R.pods, { ...third, status: { phase: 'Failed' } });
  h.reset();
  await c.sync('default/flaky');
  const st = (h.client.writes().at(-1)!.object as Job).status!;
  assert.equal(st.failed, 3);
  const failed = st.conditions!.find((x) => x.type === 'Failed')!;
  assert.deepEqual([failed.reason, failed.message], ['BackoffLimitExceeded', 'Job has reached the specified backoff limit']);
  assert.deepEqual(h.events.events, ['Warning BackoffLimitExceeded Job has reached the specified backoff limit']);
  await h.stop();
});

test('Job: activeDeadlineSeconds fails the job and deletes running pods', async () => {
  const j = job('slow', { activeDeadlineSeconds: 10 }, { startTime: iso(NOW - 11_000), active: 1 });
  const h = harness([{ type: R.jobs, objects: [j] }, { type: R.pods, objects: [jobPod(j, 's1', 'Running')] }]);
  const c = new JobController(h.ctx);
  await h.start();
  await c.sync('default/slow');
  assert.deepEqual(h.writes(), ['delete pods s1', 'update jobs/status slow']);
  const st = (h.client.writes()[1]!.object as Job).status!;
  assert.equal(st.conditions!.find((x) => x.type === 'Failed')?.reason, 'DeadlineExceeded');
  await h.stop();
});

test('Job: podFailurePolicy FailJob on an exit code, Ignore does not count', async () => {
  const rules = [
    { action: 'Ignore', onExitCodes: { operator: 'In', values: [137] } },
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
  ];
  const j = job('p', { podFailurePolicy: { rules }, backoffLimit: 0 }, { startTime: iso(NOW - 1000) });
  const h = harness([{ type: R.jobs, objects: [j] }, { type: R.pods, objects: [jobPod(j, 'killed', 'Failed', { exitCode: 137, finishedAt: NOW - 100_000 })] }]);
  const c = new JobController(h.ctx);
  await h.start();
  await c.sync('default/p');
  assert.deepEqual(h.writes(), ['create pods p-', 'update jobs/status p']);
  const created = (await h.client.list<Pod>(R.pods, 'default')).items.find((x) => x.metadata?.generateName === 'p-')!;
  await h.client.updateStatus(R.pods, { ...created, status: { phase: 'Failed', containerStatuses: [{ name: 'main', image: 'busybox', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 42 } } }] } });
  h.reset();
  await c.sync('default/p');
  const failed = (h.client.writes().at(-1)!.object as Job).status!.conditions!.find((x) => x.type === 'Failed')!;
  assert.equal(failed.reason, 'PodFailurePolicy');
  assert.equal(failed.message, `Container main for pod default/${created.metadata?.name} failed with exit code 42 matching FailJob rule at index 1`);
  await h.stop();
});

test('Job: Indexed mode creates one pod per missing index and reports completedIndexes', async () => {
  const j = job('idx', { completions: 4, parallelism: 4, completionMode: 'Indexed' }, { startTime: iso(NOW - 1000) });
  const h = harness([{ type: R.jobs, objects: [j] }, { type: R.pods, objects: [jobPod(j, 'i0', 'Succeeded', { index: 0 }), jobPod(j, 'i2', 'Running', { index: 2 })] }]);
  const c = new JobController(h.ctx);
  await h.start();
  await c.sync('default/idx');
  assert.deepEqual(h.writes(), ['create pods idx-1-', 'create pods idx-3-', 'update jobs/status idx']);
  const p = h.client.writes()[0]!.object as Pod;
  assert.equal(p.metadata?.annotations?.['batch.kubernetes.io/job-completion-index'], '1');
  assert.equal(p.spec?.hostname, 'idx-1');
  assert.equal(p.spec?.containers[0]?.env?.[0]?.name, 'JOB_COMPLETION_INDEX');
  assert.equal((h.client.writes()[2]!.object as Job).status?.completedIndexes, '0');
  assert.equal(formatIndexes([0, 1, 2, 4, 6, 7]), '0-2,4,6-7');
  await h.stop();
});

test('Job: suspend deletes active pods and sets Suspended; ttlSecondsAfterFinished deletes a finished job', async () => {
  const j = job('s', { suspend: true }, { startTime: iso(NOW - 1000), active: 1 });
  const h = harness([{ type: R.jobs, objects: [j] }, { type: R.pods, objects: [jobPod(j, 's1', 'Running')] }]);
  const c = new JobController(h.ctx);
  await h.start();
  await c.sync('default/s');
  assert.deepEqual(h.writes(), ['delete pods s1', 'update jobs/status s']);
  assert.deepEqual(h.events.events, ['Normal Suspended Job suspended', 'Normal SuccessfulDelete Deleted pod: s1']);
  await h.stop();

  const done = job('t', { ttlSecondsAfterFinished: 60 }, { completionTime: iso(NOW - 30_000), conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: iso(NOW - 30_000) }] });
  const h2 = harness([{ type: R.jobs, objects: [done] }]);
  const c2 = new JobController(h2.ctx);
  await h2.start();
  assert.deepEqual(await c2.sync('default/t'), { requeueAfterMs: 30_000 });
  await h2.clock.step(30_000);
  await c2.sync('default/t');
  assert.deepEqual(h2.writes(), ['delete jobs t']);
  await h2.stop();
});

test('cron: fields, names, steps, macros, the day-of-month/day-of-week OR, time zones', () => {
  const t0 = Date.UTC(2026, 0, 1, 12, 0, 0); // a Thursday
  const iso2 = (t?: number) => (t === undefined ? 'none' : new Date(t).toISOString().replace('.000Z', 'Z'));
  assert.equal(iso2(nextAfter(parseSchedule('*/15 * * * *'), t0)), '2026-01-01T12:15:00Z');
  assert.equal(iso2(nextAfter(parseSchedule('@hourly'), t0)), '2026-01-01T13:00:00Z');
  assert.equal(iso2(nextAfter(parseSchedule('@weekly'), t0)), '2026-01-04T00:00:00Z');
  assert.equal(iso2(nextAfter(parseSchedule('0 9 * * MON-FRI'), t0)), '2026-01-02T09:00:00Z');
  assert.equal(iso2(nextAfter(parseSchedule('0 0 13 * 5'), t0)), '2026-01-02T00:00:00Z');
  assert.equal(iso2(nextAfter(parseSchedule('0 0 29 2 *'), t0)), '2028-02-29T00:00:00Z');
  assert.equal(iso2(nextAfter(parseSchedule('5 4 * jan,jul ?'), t0)), '2026-01-02T04:05:00Z');
  assert.equal(iso2(nextAfter(parseSchedule('0 9 * * *'), t0, 'Europe/Berlin')), '2026-01-02T08:00:00Z');
  assert.equal(iso2(nextAfter(parseSchedule('0 9 * * *'), Date.UTC(2026, 6, 1), 'Europe/Berlin')), '2026-07-01T07:00:00Z');
  assert.equal(iso2(nextAfter(parseSchedule('0 0 30 2 *'), t0)), 'none');
  assert.throws(() => parseSchedule('* * * *'), CronParseError);
  assert.throws(() => parseSchedule('60 * * * *'), /above maximum/);
  assert.throws(() => parseSchedule('@fortnightly'), /unrecognized descriptor/);
  assert.throws(() => parseSchedule('CRON_TZ=UTC * * * * *'), /timeZone field/);
  assert.equal(zonedRFC3339(Date.UTC(2026, 0, 1, 8), 'Europe/Berlin'), '2026-01-01T09:00:00+01:00');
  assert.equal(zonedRFC3339(Date.UTC(2026, 0, 1, 8), 'UTC'), '2026-01-01T08:00:00Z');
});

function cronJob(name: string, spec: Partial<NonNullable<CronJob['spec']>> = {}, status: CronJob['status'] = {}): CronJob {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: iso(NOW - 90_000) },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { metadata: { labels: { app: 'report' } }, spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'r', image: 'busybox' }] } } } },
      ...spec,
    },
    status,
  };
}

test('CronJob: creates the job for the due time, then requeues for the next one (fake clock)', async () => {
  // NOW is 12:00:00, created 11:58:30: the 12:00 activation is due.
  const h = harness([{ type: R.cronjobs, objects: [cronJob('report')] }]);
  const c = new CronJobController(h.ctx);
  await h.start();
  const r = await c.sync('default/report');
  const name = `report-${Math.floor(NOW / 60_000)}`;
  assert.deepEqual(h.writes(), [`create jobs ${name}`, 'update cronjobs/status report']);
  const j = h.client.writes()[0]!.object as Job;
  assert.deepEqual(j.metadata?.ownerReferences?.map((o) => [o.kind, o.name, o.controller]), [['CronJob', 'report', true]]);
  assert.equal(j.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2026-01-01T12:00:00Z');
  assert.deepEqual(j.metadata?.labels, { app: 'report' });
  const st = (h.client.writes()[1]!.object as CronJob).status!;
  assert.equal(st.lastScheduleTime, iso(NOW));
  assert.deepEqual(st.active?.map((a) => a.name), [name]);
  assert.deepEqual(r, { requeueAfterMs: 300_100 });
  assert.deepEqual(h.events.events, [`Normal SuccessfulCreate Created job ${name}`]);
  // Same time again: nothing new.
  h.reset();
  await c.sync('default/report');
  assert.deepEqual(h.writes(), []);
  // Five minutes later, Forbid with the first still running: skipped.
  const cur = await h.client.get<CronJob>(R.cronjobs, 'report', 'default');
  await h.client.update(R.cronjobs, { ...cur, spec: { ...cur.spec!, concurrencyPolicy: 'Forbid' } });
  await h.clock.step(300_000);
  h.reset();
  await c.sync('default/report');
  assert.deepEqual(h.writes(), []);
  assert.deepEqual(h.events.events, ['Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid']);
  await settle();
  await h.stop();
});

test('CronJob: Replace deletes the running job; startingDeadlineSeconds skips a late start; suspend does nothing', async () => {
  const old = { ...cronJob('r', { concurrencyPolicy: 'Replace' }) };
  const running: Job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'r-1', namespace: 'default', uid: 'uid-r-1', ownerReferences: [ownerRef('CronJob', 'r', 'uid-r', 'batch/v1')] }, spec: { template: {} as never }, status: {} };
  old.status = { active: [{ kind: 'Job', name: 'r-1', namespace: 'default', uid: 'uid-r-1', apiVersion: 'batch/v1' }], lastScheduleTime: iso(NOW - 300_000) };
  const h = harness([{ type: R.cronjobs, objects: [old] }, { type: R.jobs, objects: [running] }]);
  const c = new CronJobController(h.ctx);
  await h.start();
  await c.sync('default/r');
  assert.deepEqual(h.writes(), ['delete jobs r-1', `create jobs r-${Math.floor(NOW / 60_000)}`, 'update cronjobs/status r']);
  await h.stop();

  const late = cronJob('late', { startingDeadlineSeconds: 10 }, { lastScheduleTime: iso(NOW - 300_000) });
  const h2 = harness([{ type: R.cronjobs, objects: [late] }]);
  const c2 = new CronJobController(h2.ctx);
  await h2.start();
  await h2.clock.step(20_000);
  await c2.sync('default/late');
  // The 12:00 start is 20 s late with a 10 s deadline: it is skipped, as upstream (no job, no event).
  assert.deepEqual(h2.writes(), []);
  assert.deepEqual(h2.events.events, []);
  await h2.stop();

  const h3 = harness([{ type: R.cronjobs, objects: [cronJob('s', { suspend: true })] }]);
  const c3 = new CronJobController(h3.ctx);
  await h3.start();
  assert.equal(await c3.sync('default/s'), undefined);
  assert.deepEqual(h3.writes(), []);
  await h3.stop();
});

test('CronJob: keeps successfulJobsHistoryLimit finished jobs', async () => {
  const cj = cronJob('h', { successfulJobsHistoryLimit: 1, schedule: '0 0 1 1 *' }, { lastScheduleTime: iso(NOW) });
  const mk = (n: number): Job => ({
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: `h-${n}`, namespace: 'default', uid: `uid-h-${n}`, ownerReferences: [ownerRef('CronJob', 'h', 'uid-h', 'batch/v1')], creationTimestamp: iso(NOW - n * 1000) },
    spec: { template: {} as never },
    status: { startTime: iso(NOW - n * 1000), completionTime: iso(NOW), conditions: [{ type: 'Complete', status: 'True' }] },
  });
  const h = harness([{ type: R.cronjobs, objects: [cj] }, { type: R.jobs, objects: [mk(1), mk(2), mk(3)] }]);
  const c = new CronJobController(h.ctx);
  await h.start();
  await c.sync('default/h');
  assert.deepEqual(h.writes(), ['delete jobs h-3', 'delete jobs h-2']);
  await h.stop();
});
