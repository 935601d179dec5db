// Deployment rollouts driven by real kubectl against the engine's real API server (in-process, over
// HTTPS) with the real controllers. Pods do not run here: a stand-in kubelet marks each new pod Running
// and Ready shortly after it appears and completes deletions, so this checks the controllers' and the
// API's side of `kubectl rollout status|history|undo|pause|resume|restart` and `kubectl scale` without
// Docker. The same scenario with real containers belongs in an e2e test once kubelets are wired in the
// engine's default components.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { ApiClient, Watch } from '../../engine/api/client.ts';
import { isNotFound } from '../../engine/api/client.ts';
import { R } from '../../engine/api/resources.ts';
import { startControllers } from '../../engine/controllers/index.ts';
import { startInProcessEngine, type InProcessHandle } from '../support/engine.ts';

const BIN_DIR = '/usr/lib/google-cloud-sdk/bin';
const KUBECTL = ['1.32', '1.31', '1.30'].map((v) => join(BIN_DIR, `kubectl.${v}`)).find((p) => existsSync(p));

/** Marks pods ready (unless their image says never-ready) and finishes graceful deletions; tracks counts. */
class StandInKubelet {
  private watch: Watch | undefined;
  readonly pods = new Map<string, Pod>();
  maxPods = 0;
  minReady = Infinity;
  tracking = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly client: ApiClient, private readonly ns: string) {}

  start(): void {
    this.watch = this.client.watch<Pod>(R.pods, this.ns, {}, (ev) => {
      const p = ev.object;
      const key = p.metadata!.name!;
      if (ev.type === 'DELETED') this.pods.delete(key);
      else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.pods.set(key, p);
      this.sample();
      if (ev.type === 'DELETED') return;
      if (p.metadata?.deletionTimestamp) return this.later(() => this.client.delete(R.pods, key, this.ns, { gracePeriodSeconds: 0 }));
      const ready = p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      const image = p.spec?.containers[0]?.image ?? '';
      if (!ready && !image.includes('never-ready')) {
        this.later(async () => {
          const cur = await this.client.get<Pod>(R.pods, key, this.ns);
          if (cur.metadata?.deletionTimestamp) return;
          const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
          await this.client.updateStatus(R.pods, {
            ...cur,
            status: {
              phase: 'Running', podIP: '10.0.0.1', startTime: now,
              conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }, { type: 'ContainersReady', status: 'True', lastTransitionTime: now }],
              containerStatuses: [{ name: cur.spec!.containers[0]!.name, image, imageID: '', ready: true, restartCount: 0, started: true, state: { running: { startedAt: now } } }],
            },
          });
        });
      }
    });
  }

  private later(fn: () => Promise<unknown>): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn().catch((err: unknown) => {
        if (!isNotFound(err)) process.stderr.write(`stand-in kubelet: ${(err as Error).message}\n`);
      });
    }, 40);
    this.timers.add(t);
  }

  private sample(): void {
    if (!this.tracking) return;
    const live = [...this.pods.values()].filter((p) => !p.metadata?.deletionTimestamp);
    this.maxPods = Math.max(this.maxPods, live.length);
    const ready = live.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    this.minReady = Math.min(this.minReady, ready);
  }

  stop(): void {
    this.watch?.stop();
    for (const t of this.timers) clearTimeout(t);
  }
}

function manifest(image: string, extra = ''): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: roll
spec:
  replicas: 6
  progressDeadlineSeconds: 3
  selector: {matchLabels: {app: web}}
  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: ${image}
${extra}`;
}

describe('Deployment rollouts through kubectl (API server + controllers, stand-in kubelet)', { skip: KUBECTL ? false : 'no kubectl binary in ' + BIN_DIR }, () => {
  let h: InProcessHandle;
  let home: string;
  let kubelet: StandInKubelet;

  const kubectl = (args: string[], stdin?: string, timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const child = execFile(KUBECTL!, ['--cache-dir', join(home, 'cache'), '-n', 'roll', ...args], {
        env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: h.kubeconfig }, timeout: timeoutMs,
      }, (err, stdout, stderr) => resolve({ code: err ? ((err as unknown as { code?: number }).code ?? 1) : 0, stdout, stderr }));
      if (stdin !== undefined) child.stdin!.end(stdin);
    });
  const ok = async (args: string[], stdin?: string) => {
    const r = await kubectl(args, stdin);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed: ${r.stderr}`);
    return r.stdout;
  };
  const rsList = async () => (await h.engine.client.list<ReplicaSet>(R.replicasets, 'roll')).items;
  const images = async () => (await h.engine.client.list<Pod>(R.pods, 'roll')).items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.spec!.containers[0]!.image).sort();

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'wheelhouse-rollout-'));
    h = await startInProcessEngine({
      components: [(ctx) => {
        const c = startControllers(ctx.client, { workers: 2 });
        return { name: 'controllers', stop: () => c.stop() };
      }],
    });
    await h.engine.client.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'roll' } });
    kubelet = new StandInKubelet(h.engine.client, 'roll');
    kubelet.start();
  });

  after(async () => {
    kubelet?.stop();
    await h?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('creates, then rolls A→B with maxSurge 1 / maxUnavailable 0 within the bounds', async () => {
    await ok(['apply', '-f', '-'], manifest('app:a'));
    await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.deepEqual(await images(), Array(6).fill('app:a'));
    kubelet.tracking = true;
    kubelet.maxPods = 0;
    kubelet.minReady = Infinity;
    await ok(['set', 'image', 'deployment/web', 'app=app:b']);
    const st = await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    kubelet.tracking = false;
    assert.match(st, /successfully rolled out/);
    assert.deepEqual(await images(), Array(6).fill('app:b'));
    assert.ok(kubelet.maxPods <= 7, `saw ${kubelet.maxPods} pods`);
    assert.ok(kubelet.minReady >= 6, `saw only ${kubelet.minReady} ready pods`);
    const hist = await ok(['rollout', 'history', 'deployment/web']);
    assert.match(hist, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  });

  it('undo returns to A as revision 3, renumbering the old ReplicaSet', async () => {
    await ok(['rollout', 'undo', 'deployment/web']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.deepEqual(await images(), Array(6).fill('app:a'));
    const as = (await rsList()).filter((r) => r.spec?.template?.spec?.containers[0]?.image === 'app:a');
    assert.equal(as.length, 1, 'the old ReplicaSet is reused, not a new one made');
    const a = as[0]!;
    assert.equal(a.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(a.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    const d = await h.engine.client.get<Deployment>(R.deployments, 'web', 'roll');
    assert.equal(d.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
  });

  it('pause holds a template change; resume rolls it out', async () => {
    await ok(['rollout', 'pause', 'deployment/web']);
    await ok(['set', 'image', 'deployment/web', 'app=app:c']);
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!(await rsList()).some((r) => r.spec?.template?.spec?.containers[0]?.image === 'app:c'), 'no ReplicaSet for a paused change');
    const undo = await kubectl(['rollout', 'undo', 'deployment/web']);
    assert.notEqual(undo.code, 0);
    assert.match(undo.stderr, /paused/);
    await ok(['rollout', 'resume', 'deployment/web']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.deepEqual(await images(), Array(6).fill('app:c'));
  });

  it('restart replaces every pod; scale resizes', async () => {
    const before = new Set((await h.engine.client.list<Pod>(R.pods, 'roll')).items.map((p) => p.metadata!.uid));
    await ok(['rollout', 'restart', 'deployment/web']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const after = (await h.engine.client.list<Pod>(R.pods, 'roll')).items.filter((p) => !p.metadata?.deletionTimestamp);
    assert.equal(after.length, 6);
    assert.ok(after.every((p) => !before.has(p.metadata!.uid)), 'every pod replaced');
    await ok(['scale', 'deployment/web', '--replicas=2']);
    await ok(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.equal((await images()).length, 2);
  });

  it('a rollout whose pods never become ready ends with ProgressDeadlineExceeded', async () => {
    await ok(['set', 'image', 'deployment/web', 'app=app:never-ready']);
    const r = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /exceeded its progress deadline/);
    const d = await h.engine.client.get<Deployment>(R.deployments, 'web', 'roll');
    const p = d.status?.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(p?.reason, 'ProgressDeadlineExceeded');
    // maxUnavailable 0: the old pods kept serving.
    assert.equal(d.status?.availableReplicas, 2);
  });

  it('StatefulSet: rollout status, history and undo through ControllerRevisions', async () => {
    const sts = `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: roll}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: db, image: "db:1"}]}
`;
    await ok(['apply', '-f', '-'], sts);
    await ok(['rollout', 'status', 'statefulset/db', '--timeout=60s']);
    await ok(['set', 'image', 'statefulset/db', 'db=db:2']);
    await ok(['rollout', 'status', 'statefulset/db', '--timeout=60s']);
    const dbImages = async () => (await h.engine.client.list<Pod>(R.pods, 'roll', { labelSelector: 'app=db' })).items.filter((p) => !p.metadata?.deletionTimestamp).map((p) => `${p.metadata?.name}=${p.spec!.containers[0]!.image}`).sort();
    assert.deepEqual(await dbImages(), ['db-0=db:2', 'db-1=db:2']);
    assert.match(await ok(['rollout', 'history', 'statefulset/db']), /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    await ok(['rollout', 'undo', 'statefulset/db']);
    await ok(['rollout', 'status', 'statefulset/db', '--timeout=60s']);
    assert.deepEqual(await dbImages(), ['db-0=db:1', 'db-1=db:1']);
    await ok(['delete', 'statefulset/db', '--wait=true', '--timeout=60s']);
  });

  it('deleting the Deployment removes its ReplicaSets and pods (garbage collector)', async () => {
    await ok(['delete', 'deployment/web', '--wait=true', '--timeout=60s']);
    for (let i = 0; i < 100 && ((await rsList()).length || (await images()).length); i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(await rsList(), []);
    assert.deepEqual(await images(), []);
  });
});
