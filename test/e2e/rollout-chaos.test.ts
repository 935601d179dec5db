// kill -9 the engine during a rollout, repeatedly (WHEELHOUSE_CHAOS_ROUNDS, default 10; `npm run chaos`
// runs 100). The engine runs as a child process with a file store, the controllers, the scheduler and
// virtual nodes on real Docker. Each round acknowledges a template change through kubectl, kills the engine
// at a random moment mid-rollout and restarts it on the same data dir. Checked: every acknowledged write
// survives each restart, the last rollout completes (`kubectl rollout status`), and Docker ends with
// exactly one running app container per pod and none for pods that no longer exist.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connectDocker, type DockerRuntime } from '../../engine/runtime/docker.ts';
import { LABELS, labelFilter } from '../../engine/runtime/labels.ts';
import { removeCluster } from '../../bench/pods/engine.ts';
import { dockerSkip } from '../support/docker.ts';
import { uniqueName } from '../support/engine.ts';
import { ensureTestImages, type TestImages } from '../support/images.ts';

const ROUNDS = Number(process.env.WHEELHOUSE_CHAOS_ROUNDS ?? 10);
const BIN_DIR = '/usr/lib/google-cloud-sdk/bin';
const KUBECTL = ['1.32', '1.31', '1.30'].map((v) => join(BIN_DIR, `kubectl.${v}`)).find((p) => existsSync(p));
const dockerReason = await dockerSkip();
const skip = dockerReason || (KUBECTL ? false : `no kubectl binary in ${BIN_DIR}`);

/** The engine process: file store, controllers, scheduler, provisioner, two virtual nodes. */
function childSource(root: string): string {
  const m = (p: string) => JSON.stringify(resolve(root, p));
  return `
import { join } from 'node:path';
import { Engine } from ${m('engine/engine.ts')};
import { startControllers } from ${m('engine/controllers/index.ts')};
import { nodesComponent, provisionerComponent, schedulerComponent } from ${m('engine/nodes/component.ts')};
import { connectDocker } from ${m('engine/runtime/docker.ts')};
const [dataDir, cluster, sandbox] = process.argv.slice(1);
const engine = await Engine.start({
  dataDir, port: 0, clusterName: cluster, store: 'file', connectRuntime: () => connectDocker(),
  components: [
    (ctx) => { const c = startControllers(ctx.client, { workers: 2 }); return { name: 'controllers', stop: () => c.stop() }; },
    schedulerComponent(), provisionerComponent(),
    nodesComponent({ sandboxImage: sandbox, networkName: cluster + '-net', podsDir: join(dataDir, 'pods'), heartbeatMs: 2000,
      nodes: [{ name: 'node-a', cpu: '2', memory: '1Gi' }, { name: 'node-b', cpu: '2', memory: '1Gi' }] }),
  ],
});
process.stdout.write('ready ' + engine.url + '\\n');
`;
}

describe(`kill -9 the engine during a rollout (${ROUNDS} rounds)`, { skip }, () => {
  const cluster = uniqueName('chaos');
  let images: TestImages;
  let rt: DockerRuntime;
  let dataDir: string;
  let home: string;
  let child: ChildProcess | undefined;
  let childLog = '';

  const start = async (): Promise<void> => {
    const c = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', childSource(process.cwd()), dataDir, cluster, images.busybox], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let out = '';
    c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr!.on('data', (d: Buffer) => (childLog = (childLog + d.toString()).slice(-20_000)));
    const end = Date.now() + 60_000;
    while (!out.includes('ready ')) {
      if (c.exitCode !== null) throw new Error(`engine exited ${c.exitCode}: ${childLog}`);
      if (Date.now() > end) throw new Error(`engine did not start: ${childLog}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const kill9 = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };
  const kubectl = (args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((res) => {
      const p = execFile(KUBECTL!, ['--cache-dir', join(home, 'cache'), ...args], {
        env: { PATH: process.env.PATH, HOME: home, KUBECONFIG: join(dataDir, 'kubeconfig') }, timeout: 240_000,
      }, (err, stdout, stderr) => res({ code: err ? ((err as unknown as { code?: number }).code ?? 1) : 0, stdout, stderr }));
      if (stdin !== undefined) p.stdin!.end(stdin);
    });
  const ok = async (args: string[], stdin?: string) => {
    const r = await kubectl(args, stdin);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}\n--- engine log ---\n${childLog}`);
    return r.stdout;
  };
  const manifest = (version: number) => JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 4, selector: { matchLabels: { app: 'web' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: images.busybox, command: ['sleep', '3600'], env: [{ name: 'VERSION', value: String(version) }], resources: { requests: { cpu: '10m', memory: '8Mi' } } }] },
      },
    },
  });

  before(async () => {
    images = await ensureTestImages();
    rt = await connectDocker();
    dataDir = await mkdtemp(join(tmpdir(), 'wh-chaos-'));
    home = await mkdtemp(join(tmpdir(), 'wh-chaos-home-'));
    await start();
  });

  after(async () => {
    await kill9();
    if (rt) await removeCluster(rt, cluster);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('the rollout completes, acknowledged writes survive, no orphan or duplicate containers', async () => {
    await ok(['apply', '-f', '-'], manifest(0));
    await ok(['rollout', 'status', 'deployment/web', '--timeout=180s']);
    for (let round = 1; round <= ROUNDS; round++) {
      await ok(['apply', '-f', '-'], manifest(round));
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 2500));
      await kill9();
      await start();
      const got = await ok(['get', 'deployment/web', '-o', 'jsonpath={.spec.template.spec.containers[0].env[0].value}']);
      assert.equal(got, String(round), `round ${round}: the acknowledged template change was lost`);
    }
    await ok(['rollout', 'status', 'deployment/web', '--timeout=240s']);
    const pods = JSON.parse(await ok(['get', 'pods', '-l', 'app=web', '-o', 'json'])) as { items: { metadata: { uid: string; deletionTimestamp?: string }; spec: { containers: { env: { value: string }[] }[] } }[] };
    const live = pods.items.filter((p) => !p.metadata.deletionTimestamp);
    assert.equal(live.length, 4);
    assert.ok(live.every((p) => p.spec.containers[0]!.env[0]!.value === String(ROUNDS)));
    // Docker converges to one running app container per pod, none for pods that are gone.
    const uids = new Set(pods.items.map((p) => p.metadata.uid));
    const end = Date.now() + 90_000;
    for (;;) {
      const containers = (await rt.listContainers(labelFilter({ cluster }), { all: false })).filter((c) => c.labels[LABELS.role] !== 'infra' && c.labels[LABELS.podUid]);
      const apps = containers.filter((c) => c.labels[LABELS.role] === 'container');
      const perPod = new Map<string, number>();
      for (const c of apps) perPod.set(c.labels[LABELS.podUid]!, (perPod.get(c.labels[LABELS.podUid]!) ?? 0) + 1);
      const orphans = containers.filter((c) => !uids.has(c.labels[LABELS.podUid]!));
      const duplicates = [...perPod.values()].filter((n) => n > 1);
      const missing = live.filter((p) => !perPod.has(p.metadata.uid));
      if (!orphans.length && !duplicates.length && !missing.length) break;
      assert.ok(Date.now() < end, `Docker did not converge: ${orphans.length} orphan, ${duplicates.length} duplicate, ${missing.length} missing containers`);
      await new Promise((r) => setTimeout(r, 500));
    }
  });
});
