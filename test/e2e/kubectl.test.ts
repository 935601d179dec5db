// Real kubectl binaries (1.27–1.33, whichever are installed) against the bundled engine (dist/engine.js).
// The default version runs the full command list; the others a smoke set. Each version gets its own
// engine, HOME and --cache-dir (kubectl caches discovery). API-only: no Docker needed.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine, type EngineHandle } from '../support/engine.ts';

const BIN_DIR = '/usr/lib/google-cloud-sdk/bin';
const VERSIONS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'];
const DEFAULT_VERSION = '1.32';
/** WHEELHOUSE_KUBECTL_VERSIONS=1.32,1.29 narrows the matrix (local runs); default: every installed version. */
const wanted = process.env.WHEELHOUSE_KUBECTL_VERSIONS?.split(',').map((v) => v.trim()).filter(Boolean);
const present = VERSIONS.filter((v) => existsSync(join(BIN_DIR, `kubectl.${v}`)) && (!wanted || wanted.includes(v)));
const absent = VERSIONS.filter((v) => !existsSync(join(BIN_DIR, `kubectl.${v}`)));
if (absent.length) process.stdout.write(`# kubectl versions absent here, skipped: ${absent.join(', ')}\n`);

/** kubectl < 1.32 sends JSON bodies for its generators; 1.32+ sends protobuf (needs the protobuf decoder). */
function protobufFree(version: string): boolean {
  return Number(version.split('.')[1]) < 32;
}

let protobufWired: boolean | undefined;
function protobufSkip(): string | false {
  protobufWired ??= existsSync(join('engine', 'apiserver', 'protobuf', 'index.ts'));
  return protobufWired ? false : 'kubectl ≥ 1.32 sends protobuf bodies for create generators and auth can-i; the protobuf decoder is not wired yet';
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

class Kubectl {
  constructor(readonly version: string, private readonly engine: EngineHandle, private readonly home: string) {}

  run(args: string[], stdin?: string, timeoutMs = 60_000): Promise<Run> {
    return new Promise((resolve) => {
      const child = execFile(join(BIN_DIR, `kubectl.${this.version}`), ['--cache-dir', join(this.home, 'cache'), ...args], {
        env: { PATH: process.env.PATH, HOME: this.home, KUBECONFIG: this.engine.kubeconfig },
        timeout: timeoutMs,
        maxBuffer: 32 * 1024 * 1024,
      }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? (err as unknown as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
      if (stdin !== undefined) child.stdin!.end(stdin);
    });
  }

  /** A long-running kubectl (get -w); the caller kills it. */
  spawn(args: string[]): ChildProcess {
    return spawn(join(BIN_DIR, `kubectl.${this.version}`), ['--cache-dir', join(this.home, 'cache'), ...args], {
      env: { PATH: process.env.PATH, HOME: this.home, KUBECONFIG: this.engine.kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  async ok(args: string[], stdin?: string): Promise<string> {
    const r = await this.run(args, stdin);
    assert.equal(r.code, 0, `kubectl ${this.version} ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
    return r.stdout;
  }
}

const deploymentYaml = (name: string, replicas: number, image = 'nginx:1.25'): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  labels: {app: ${name}, tier: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
      - name: main
        image: ${image}
        ports: [{containerPort: 80}]
`;

/** Generators (`create configmap`) send protobuf from 1.32 on; manifests keep these tests JSON-only. */
const configMapYaml = (name: string, data: Record<string, string> = {}): string =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: ${JSON.stringify(data)}\n`;

async function withKubectl(version: string): Promise<{ k: Kubectl; engine: EngineHandle; home: string; cleanup: () => Promise<void> }> {
  // API only: these tests drive the API (finalizers stay until the test releases them; no containers run).
  const engine = await startEngine({ extraArgs: ['--api-only'] });
  const home = await mkdtemp(join(tmpdir(), `wheelhouse-kubectl-${version}-`));
  return {
    k: new Kubectl(version, engine, home), engine, home,
    cleanup: async () => {
      await engine.stop();
      await rm(home, { recursive: true, force: true });
    },
  };
}

for (const version of present) {
  const full = version === DEFAULT_VERSION || (!present.includes(DEFAULT_VERSION) && version === present[present.length - 1]);
  describe(`kubectl ${version}${full ? ' (full command list)' : ' (smoke)'}`, () => {
    let k: Kubectl;
    let home: string;
    let engine: EngineHandle;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ k, home, engine, cleanup } = await withKubectl(version));
    });
    after(async () => {
      await cleanup?.();
    });

    it('version, api-resources, explain', async () => {
      const v = await k.ok(['version', '-o', 'json']);
      assert.match(JSON.parse(v).serverVersion.gitVersion, /^v1\.\d+\.\d+/);
      const ar = await k.ok(['api-resources']);
      for (const line of [/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m, /^pods\s+po\s+v1\s+true\s+Pod$/m, /^customresourcedefinitions\s+crd,crds/m]) assert.match(ar, line);
      const ex = await k.ok(['explain', 'deployment.spec.replicas']);
      assert.match(ex, /replicas\s+<integer>/);
    });

    it('create -f, get in every output format, apply twice, diff, delete', async () => {
      const file = join(home, 'web.yaml');
      await writeFile(file, deploymentYaml('web', 2));
      assert.match(await k.ok(['create', '-f', file]), /deployment.apps\/web created/);
      const again = await k.run(['create', '-f', file]);
      assert.notEqual(again.code, 0);
      assert.match(again.stderr, /AlreadyExists.*"web" already exists/);
      const table = await k.ok(['get', 'deployments']);
      assert.match(table, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
      assert.match(table, /^web\s+0\/2\s+/m);
      assert.match(await k.ok(['get', 'deploy', '-o', 'wide']), /CONTAINERS\s+IMAGES\s+SELECTOR[\s\S]*main\s+nginx:1\.25\s+app=web/);
      assert.match(await k.ok(['get', 'deploy', 'web', '-o', 'yaml']), /maxSurge: 25%/);
      assert.equal(JSON.parse(await k.ok(['get', 'deploy', 'web', '-o', 'json'])).spec.revisionHistoryLimit, 10);
      assert.equal(await k.ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].imagePullPolicy}']), 'IfNotPresent');
      assert.match(await k.ok(['get', 'namespaces']), /^kube-system\s+Active\s+/m);
      if (!full) return;
      assert.match(await k.ok(['get', 'deploy', '-A']), /^default\s+web\s+0\/2/m);
      assert.match(await k.ok(['get', 'deploy', '--show-labels']), /app=web,tier=web/);
      assert.match(await k.ok(['get', 'deploy', '-l', 'tier=web']), /^web\s/m);
      assert.match(await k.ok(['get', 'deploy', '-l', 'tier=db'], undefined), /^$/);
      assert.match(await k.ok(['get', 'deploy', '--field-selector', 'metadata.name=web']), /^web\s/m);
      await writeFile(file, deploymentYaml('web', 3));
      assert.match(await k.ok(['apply', '-f', file]), /deployment.apps\/web configured/);
      assert.match(await k.ok(['apply', '-f', file]), /deployment.apps\/web unchanged/);
      await writeFile(file, deploymentYaml('web', 4));
      const diff = await k.run(['diff', '-f', file]);
      assert.equal(diff.code, 1, diff.stderr);
      assert.match(diff.stdout, /-  replicas: 3\n\+  replicas: 4/);
      assert.equal(JSON.parse(await k.ok(['get', 'deploy', 'web', '-o', 'json'])).spec.replicas, 3);
    });

    it('server-side apply, dry-run=server, label, annotate, patch, scale', async () => {
      const file = join(home, 'ssa.yaml');
      await writeFile(file, deploymentYaml('ssa', 1));
      assert.match(await k.ok(['apply', '--server-side', '-f', file]), /deployment.apps\/ssa serverside-applied/);
      await writeFile(file, deploymentYaml('ssa', 2));
      assert.match(await k.ok(['apply', '--server-side', '-f', file]), /serverside-applied/);
      assert.equal(JSON.parse(await k.ok(['get', 'deploy', 'ssa', '-o', 'json'])).spec.replicas, 2);
      await writeFile(join(home, 'dry.yaml'), deploymentYaml('dry', 1));
      assert.match(await k.ok(['create', '-f', join(home, 'dry.yaml'), '--dry-run=server']), /created \(server dry run\)/);
      assert.notEqual((await k.run(['get', 'deploy', 'dry'])).code, 0);
      await k.ok(['label', 'deploy', 'ssa', 'color=blue']);
      await k.ok(['annotate', 'deploy', 'ssa', 'note=hello']);
      const o = JSON.parse(await k.ok(['get', 'deploy', 'ssa', '-o', 'json']));
      assert.equal(o.metadata.labels.color, 'blue');
      assert.equal(o.metadata.annotations.note, 'hello');
      await k.ok(['scale', 'deploy', 'ssa', '--replicas=5']);
      assert.equal(JSON.parse(await k.ok(['get', 'deploy', 'ssa', '-o', 'json'])).spec.replicas, 5);
      if (!full) return;
      await k.ok(['patch', 'deploy', 'ssa', '--type=merge', '-p', '{"spec":{"minReadySeconds":3}}']);
      await k.ok(['patch', 'deploy', 'ssa', '--type=json', '-p', '[{"op":"replace","path":"/spec/replicas","value":6}]']);
      await k.ok(['patch', 'deploy', 'ssa', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"main","image":"nginx:1.26"}]}}}}']);
      const p = JSON.parse(await k.ok(['get', 'deploy', 'ssa', '-o', 'json']));
      assert.equal(p.spec.minReadySeconds, 3);
      assert.equal(p.spec.replicas, 6);
      assert.equal(p.spec.template.spec.containers[0].image, 'nginx:1.26');
      assert.equal(p.spec.template.spec.containers[0].ports[0].containerPort, 80);
      const bad = await k.run(['patch', 'deploy', 'ssa', '--type=merge', '-p', '{"spec":{"selector":{"matchLabels":{"app":"x"}}}}']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /is invalid/);
    });

    it('get -w sees a change', async () => {
      await k.ok(['create', '-f', '-'], configMapYaml('watched', { a: '1' }));
      const lines: string[] = [];
      const w = k.spawn(['get', 'configmaps', '-w', '--field-selector', 'metadata.name=watched', '-o', 'jsonpath={.data.a}{"\\n"}']);
      try {
        const seen = new Promise<void>((resolve) => {
          w.stdout!.on('data', (d: Buffer) => {
            lines.push(...d.toString().split('\n').filter(Boolean));
            if (lines.includes('2')) resolve();
          });
        });
        await new Promise((r) => setTimeout(r, 1000));
        await k.ok(['patch', 'configmap', 'watched', '--type=merge', '-p', '{"data":{"a":"2"}}']);
        await Promise.race([seen, new Promise((_, rej) => setTimeout(() => rej(new Error(`no change seen; got ${JSON.stringify(lines)}`)), 15_000))]);
        assert.deepEqual(lines.slice(0, 2), ['1', '2']);
      } finally {
        w.kill();
      }
    });

    it('delete with each propagation policy, and --wait', async () => {
      await k.ok(['create', '-f', '-'], configMapYaml('bg'));
      assert.match(await k.ok(['delete', 'configmap', 'bg', '--cascade=background', '--wait=true']), /configmap "bg" deleted/);
      assert.notEqual((await k.run(['get', 'configmap', 'bg'])).code, 0);
      if (!full) return;
      for (const [name, cascade, finalizer] of [['fg', 'foreground', 'foregroundDeletion'], ['or', 'orphan', 'orphan']] as const) {
        await k.ok(['create', '-f', '-'], configMapYaml(name));
        // Without the garbage collector the finalizer holds the object; check it is recorded, then release it.
        await k.ok(['delete', 'configmap', name, `--cascade=${cascade}`, '--wait=false']);
        const o = JSON.parse(await k.ok(['get', 'configmap', name, '-o', 'json']));
        assert.deepEqual(o.metadata.finalizers, [finalizer]);
        assert.ok(o.metadata.deletionTimestamp);
        await k.ok(['patch', 'configmap', name, '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
        assert.notEqual((await k.run(['get', 'configmap', name])).code, 0);
      }
    });

    it('wait --for=condition', async () => {
      await writeFile(join(home, 'cond.yaml'), deploymentYaml('cond', 1));
      await k.ok(['apply', '-f', join(home, 'cond.yaml')]);
      const waiting = k.run(['wait', '--for=condition=Available', 'deploy/cond', '--timeout=30s']);
      await new Promise((r) => setTimeout(r, 500));
      await k.ok(['patch', 'deploy', 'cond', '--subresource=status', '--type=merge', '-p',
        '{"status":{"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable","message":"ok"}]}}']);
      const r = await waiting;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /deployment.apps\/cond condition met/);
    });

    it('create generators and auth can-i', { skip: protobufFree(version) ? false : protobufSkip() }, async () => {
      await k.ok(['create', 'namespace', 'gen']);
      await k.ok(['create', 'deployment', 'gd', '--image=busybox:1.36', '-n', 'gen']);
      await k.ok(['create', 'configmap', 'gc', '--from-literal=k=v', '-n', 'gen']);
      await k.ok(['create', 'secret', 'generic', 'gs', '--from-literal=p=s3cret', '-n', 'gen']);
      await k.ok(['create', 'service', 'clusterip', 'gsvc', '--tcp=80:8080', '-n', 'gen']);
      await k.ok(['create', 'job', 'gj', '--image=busybox:1.36', '-n', 'gen', '--', 'true']);
      const s = JSON.parse(await k.ok(['get', 'secret', 'gs', '-n', 'gen', '-o', 'json']));
      assert.equal(Buffer.from(s.data.p, 'base64').toString(), 's3cret');
      const svc = JSON.parse(await k.ok(['get', 'svc', 'gsvc', '-n', 'gen', '-o', 'json']));
      // ClusterIPs come from the upper half of the cluster's network plan (network.json in the data dir).
      const plan = JSON.parse(await readFile(join(engine.dataDir, 'network.json'), 'utf8')) as { serviceCIDR: string };
      const [a, b] = plan.serviceCIDR.split('.');
      assert.ok(svc.spec.clusterIP.startsWith(`${a}.${b}.`) && Number(svc.spec.clusterIP.split('.')[2]) >= 128, `${svc.spec.clusterIP} in ${plan.serviceCIDR}`);
      const job = JSON.parse(await k.ok(['get', 'job', 'gj', '-n', 'gen', '-o', 'json']));
      assert.ok(job.spec.selector.matchLabels['batch.kubernetes.io/controller-uid']);
      assert.equal((await k.ok(['auth', 'can-i', 'create', 'pods'])).trim(), 'yes');
    });
  });
}

