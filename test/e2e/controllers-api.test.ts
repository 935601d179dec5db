// The controller manager against the engine's real API server (in-process, over the in-process client):
// ServiceAccounts, StatefulSet ordinals and claims, a Job to completion, ResourceQuota status and
// admission-independent accounting, and namespace deletion through the garbage collector and namespace
// controller. Pods do not run here: a stand-in kubelet marks them Running and Ready (Job pods Succeeded)
// and finishes deletions. No Docker needed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Namespace, PersistentVolumeClaim, Pod, ResourceQuota, ServiceAccount } from 'kubernetes-types/core/v1';
import type { StatefulSet } from 'kubernetes-types/apps/v1';
import type { CronJob, Job } from 'kubernetes-types/batch/v1';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiClient, KubeObject, Watch } from '../../engine/api/client.ts';
import { isNotFound } from '../../engine/api/client.ts';
import { R } from '../../engine/api/resources.ts';
import { startControllers } from '../../engine/controllers/index.ts';
import { getControllerOf } from '../../engine/controllers/framework/owner.ts';
import { startInProcessEngine, type InProcessHandle } from '../support/engine.ts';

const NS = 'ctl';
// kubectl ≥ 1.32 sends `create job` as protobuf; 1.31 sends JSON.
const KUBECTL = ['1.31', '1.30', '1.32'].map((v) => join('/usr/lib/google-cloud-sdk/bin', `kubectl.${v}`)).find((p) => existsSync(p));

async function eventually<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function standInKubelet(client: ApiClient): Watch {
  const busy = new Set<string>();
  return client.watch<Pod>(R.pods, undefined, {}, (ev) => {
    if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') return;
    const p = ev.object;
    const key = `${p.metadata?.namespace}/${p.metadata?.name}`;
    if (busy.has(key)) return;
    const run = async () => {
      if (p.metadata?.deletionTimestamp) return client.delete(R.pods, p.metadata.name!, p.metadata.namespace, { gracePeriodSeconds: 0 });
      if (p.status?.phase === 'Running' || p.status?.phase === 'Succeeded') return;
      const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      const job = getControllerOf(p)?.kind === 'Job';
      const cur = await client.get<Pod>(R.pods, p.metadata!.name!, p.metadata!.namespace);
      await client.updateStatus(R.pods, {
        ...cur,
        status: job
          ? { phase: 'Succeeded', conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: now }], containerStatuses: [{ name: cur.spec!.containers[0]!.name, image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, finishedAt: now } } }] }
          : { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] },
      });
    };
    busy.add(key);
    setTimeout(() => run().catch((err: unknown) => {
      if (!isNotFound(err)) process.stderr.write(`stand-in kubelet: ${(err as Error).message}\n`);
    }).finally(() => busy.delete(key)), 20);
  });
}

describe('controller manager against the real API server', () => {
  let h: InProcessHandle;
  let kubelet: Watch;
  const errors: string[] = [];

  before(async () => {
    h = await startInProcessEngine({
      components: [(ctx) => {
        const c = startControllers(ctx.client, { workers: 2, log: (level, msg) => level === 'error' && errors.push(msg) });
        return { name: 'controllers', stop: () => c.stop() };
      }],
    });
    kubelet = standInKubelet(h.engine.client);
    await h.engine.client.create<Namespace>(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    // Created first: its first minute boundary passes while the other tests run.
    await h.engine.client.create<CronJob>(R.cronjobs, {
      apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'tick', namespace: 'default' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'tick', image: 'busybox' }] } } } } },
    });
  });

  after(async () => {
    kubelet?.stop();
    await h?.stop();
  });

  const c = () => h.engine.client;

  it('every namespace gets a default ServiceAccount', async () => {
    await eventually('default SA', () => c().get<ServiceAccount>(R.serviceaccounts, 'default', NS));
    await eventually('default SA in kube-system', () => c().get<ServiceAccount>(R.serviceaccounts, 'default', 'kube-system'));
  });

  it('a StatefulSet creates db-0 then db-1 with their claims, and reports its revision', async () => {
    await c().create<StatefulSet>(R.statefulsets, {
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: NS },
      spec: {
        replicas: 2, serviceName: 'db', selector: { matchLabels: { app: 'db' } },
        template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: 'db:1' }] } },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    const st = await eventually('StatefulSet ready', async () => {
      const s = await c().get<StatefulSet>(R.statefulsets, 'db', NS);
      return s.status?.readyReplicas === 2 && s.status.currentRevision ? s : undefined;
    });
    assert.equal(st.status?.updateRevision, st.status?.currentRevision);
    const pods = (await c().list<Pod>(R.pods, NS, { labelSelector: 'app=db' })).items.map((p) => p.metadata?.name).sort();
    assert.deepEqual(pods, ['db-0', 'db-1']);
    const claims = (await c().list<PersistentVolumeClaim>(R.persistentvolumeclaims, NS)).items.map((p) => p.metadata?.name).sort();
    assert.deepEqual(claims, ['data-db-0', 'data-db-1']);
  });

  it('a Job runs to completion', async () => {
    await c().create<Job>(R.jobs, {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: NS },
      spec: { completions: 2, parallelism: 1, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
    });
    const j = await eventually('Job complete', async () => {
      const x = await c().get<Job>(R.jobs, 'once', NS);
      return x.status?.conditions?.some((k) => k.type === 'Complete' && k.status === 'True') ? x : undefined;
    });
    assert.equal(j.status?.succeeded, 2);
  });

  it('a ResourceQuota reports what the namespace uses', async () => {
    await c().create<ResourceQuota>(R.resourcequotas, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: NS }, spec: { hard: { pods: '10', persistentvolumeclaims: '5' } } });
    const q = await eventually('quota status', async () => {
      const x = await c().get<ResourceQuota>(R.resourcequotas, 'q', NS);
      return x.status?.used?.persistentvolumeclaims === '2' ? x : undefined;
    });
    assert.equal(q.status?.used?.pods, '2');
  });

  it('deleting the namespace removes everything in it, then the namespace', async () => {
    await c().delete(R.namespaces, NS);
    const ns = await c().get<Namespace>(R.namespaces, NS).catch(() => undefined);
    if (ns) assert.equal(ns.status?.phase, 'Terminating');
    await eventually('namespace gone', async () => {
      try {
        await c().get(R.namespaces, NS);
        return false;
      } catch (err) {
        return isNotFound(err);
      }
    }, 30_000);
    for (const t of [R.pods, R.statefulsets, R.jobs, R.persistentvolumeclaims, R.controllerrevisions]) {
      assert.deepEqual((await c().list<KubeObject>(t, NS)).items.map((o) => o.metadata?.name), [], t.resource);
    }
  });

  it('a CronJob runs a Job at the next minute; kubectl create job --from=cronjob works', { timeout: 90_000 }, async () => {
    const job = await eventually('a scheduled Job completes', async () => {
      const jobs = (await c().list<Job>(R.jobs, 'default')).items.filter((j) => getControllerOf(j)?.name === 'tick');
      return jobs.find((j) => j.status?.conditions?.some((k) => k.type === 'Complete' && k.status === 'True'));
    }, 80_000);
    const stamp = job.metadata?.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'];
    assert.match(stamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
    assert.equal(job.metadata?.name, `tick-${Math.floor(Date.parse(stamp!) / 60_000)}`);
    const cj = await eventually('lastSuccessfulTime', async () => {
      const x = await c().get<CronJob>(R.cronjobs, 'tick', 'default');
      return x.status?.lastSuccessfulTime ? x : undefined;
    });
    assert.equal(cj.status?.lastScheduleTime, stamp);
    if (!KUBECTL) return;
    const home = await mkdtemp(join(tmpdir(), 'wh-ctl-home-'));
    try {
      const r = await new Promise<{ code: number; stderr: string }>((res) => execFile(KUBECTL, ['--cache-dir', join(home, 'cache'), 'create', 'job', 'manual', '--from=cronjob/tick'], {
        env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: h.kubeconfig },
      }, (err, _out, stderr) => res({ code: err ? 1 : 0, stderr })));
      assert.equal(r.code, 0, r.stderr);
      const manual = await eventually('the manual Job completes', async () => {
        const x = await c().get<Job>(R.jobs, 'manual', 'default');
        return x.status?.conditions?.some((k) => k.type === 'Complete' && k.status === 'True') ? x : undefined;
      });
      assert.equal(manual.metadata?.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it('logged no controller errors', () => {
    assert.deepEqual(errors, []);
  });
});
