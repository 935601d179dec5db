/**
 * pods/exec, pods/attach and pods/portforward on real Docker through real clients: every kubectl
 * 1.27–1.33 binary present next to the Cloud SDK dispatcher (WebSocket v5 exec for ≥ 1.30, SPDY/3.1 exec
 * for older ones and with the WebSocket opt-out; raw SPDY port-forward ≤ 1.30, SPDY tunneled in WebSocket
 * for ≥ 1.31, raw SPDY with the opt-out), and @kubernetes/client-node's Exec and PortForward (WebSocket
 * channels). One engine and one pod (busybox httpd) serve every case. Everything is removed in `after`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Pod, Service } from 'kubernetes-types/core/v1';
import type { Deployment } from 'kubernetes-types/apps/v1';
import * as k8s from '@kubernetes/client-node';
import { WebSocket } from 'ws';
import { R } from '../../engine/api/resources.ts';
import { connectDocker, type DockerRuntime } from '../../engine/runtime/docker.ts';
import { registerStreamingHandlers, podAliveVia } from '../../engine/streaming/index.ts';
import type { PodHandler } from '../../engine/apiserver/server.ts';
import { networkNameFor, removeCluster } from '../../bench/pods/engine.ts';
import { controllersComponent, Engine as EngineClass } from '../../engine/engine.ts';
import { nodesComponent, schedulerComponent } from '../../engine/nodes/component.ts';
import type { Nodes } from '../../engine/nodes/nodes.ts';
import { dockerSkip } from '../support/docker.ts';
import { uniqueName } from '../support/engine.ts';
import { ensureTestImages } from '../support/images.ts';
import { waitFor as waitUntil } from '../support/wait.ts';

const SDK_BIN = '/usr/lib/google-cloud-sdk/bin';
const VERSIONS = ['1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33'];
// WHEELHOUSE_KUBECTL_VERSIONS=1.29,1.33 narrows the matrix while iterating.
const wanted = process.env.WHEELHOUSE_KUBECTL_VERSIONS?.split(',').map((s) => s.trim());
const present = VERSIONS.filter((v) => existsSync(join(SDK_BIN, `kubectl.${v}`)) && (!wanted || wanted.includes(v)));
const missing = VERSIONS.filter((v) => !present.includes(v));
const BODY = 'hello-from-the-pod';
/** Bigger than any flow-control window, so a stalled window shows as a hang. */
const BIG = 3_000_000;

const waitFor = <T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> => waitUntil(what, fn, timeoutMs, 200);

interface Run { code: number | null; stdout: string; stderr: string }

function httpGet(port: number, path = '/'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, agent: false, timeout: 20_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('pod streaming (exec, attach, port-forward) on Docker', { skip: await dockerSkip() }, () => {
  const cluster = uniqueName('strm');
  let rt: DockerRuntime;
  let dataDir: string;
  let engine: EngineClass;
  let kubeconfig: string;
  const children = new Set<ChildProcess>();
  const upgrades: string[] = [];

  const kubectl = (v: string, args: string[], opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> =>
    new Promise((resolve) => {
      const child = execFile(join(SDK_BIN, `kubectl.${v}`), [`--kubeconfig=${kubeconfig}`, `--cache-dir=${join(dataDir, `cache-${v}`)}`, ...args], {
        env: { PATH: process.env.PATH, HOME: join(dataDir, `home-${v}`), ...opts.env }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024,
      }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
      if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
      else child.stdin!.end();
    });

  /** Starts `kubectl port-forward`, resolves with the local port it listens on. */
  const portForward = (v: string, target: string, remote: string, env: NodeJS.ProcessEnv = {}): Promise<{ port: number; child: ChildProcess; output: () => string }> =>
    new Promise((resolve, reject) => {
      const child = spawn(join(SDK_BIN, `kubectl.${v}`), [`--kubeconfig=${kubeconfig}`, `--cache-dir=${join(dataDir, `cache-${v}`)}`, 'port-forward', target, `:${remote}`], {
        env: { PATH: process.env.PATH, HOME: join(dataDir, `home-${v}`), ...env }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.add(child);
      let out = '';
      const t = setTimeout(() => reject(new Error(`kubectl ${v} port-forward ${target} did not start: ${out}`)), 30_000);
      const onData = (d: Buffer): void => {
        out += d.toString();
        const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
        if (m) {
          clearTimeout(t);
          resolve({ port: Number(m[1]), child, output: () => out });
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.on('exit', (code) => {
        clearTimeout(t);
        children.delete(child);
        reject(new Error(`kubectl ${v} port-forward exited with ${code}: ${out}`));
      });
    });

  const stopChild = async (child: ChildProcess): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };

  before(async () => {
    const images = await ensureTestImages();
    rt = await connectDocker();
    dataDir = await mkdtemp(join(tmpdir(), 'wh-streaming-e2e-'));
    // Controllers (for the Deployment of `port-forward deploy/…`), scheduler, one node; no Service network:
    // kubectl resolves svc/ and deploy/ targets to a pod itself.
    let nodes: Nodes | undefined;
    engine = await EngineClass.start({
      dataDir, port: 0, clusterName: cluster, store: 'memory', connectRuntime: () => connectDocker(),
      components: [
        controllersComponent(),
        schedulerComponent(),
        nodesComponent({
          sandboxImage: images.busybox, nodes: [{ name: 'node-1', cpu: '2', memory: '1Gi' }],
          networkName: networkNameFor(cluster), podsDir: join(dataDir, 'pods'),
        }, (n) => (nodes = n)),
      ],
    });
    if (!nodes) throw new Error(`no nodes started: ${engine.runtimeProblem ?? 'unknown reason'}`);
    const streams = nodes.streams;
    // Records each upgrade's transport, so the tests can tell a WebSocket session from a silent fallback to SPDY.
    registerStreamingHandlers({
      setPodHandler: (sub, h?: PodHandler) => engine.apiServer.setPodHandler(sub, h && {
        upgrade: (req, socket, head, ctx) => {
          upgrades.push(`${sub} ${String(req.headers.upgrade).toLowerCase()}`);
          return h.upgrade!(req, socket, head, ctx);
        },
      }),
    }, () => streams, podAliveVia(engine.client));
    kubeconfig = engine.kubeconfigPath;
    await engine.client.create<Pod & { metadata: object }>(R.pods, {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: {
        containers: [{
          name: 'app', image: images.busybox, stdin: true, ports: [{ containerPort: 8080 }],
          command: ['sh', '-c', `mkdir -p /www && echo ${BODY} > /www/index.html && head -c ${BIG} /dev/zero > /www/big && exec httpd -f -p 8080 -h /www`],
        }, {
          // The attach target: echoes each line it reads on its (attached) stdin.
          name: 'echo', image: images.busybox, stdin: true,
          command: ['sh', '-c', 'while read l; do echo "echo: $l"; done; exec sleep 3600'],
        }],
      },
    });
    await engine.client.create<Service & { metadata: object }>(R.services, {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    await engine.client.create<Deployment & { metadata: object }>(R.deployments, {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'api', namespace: 'default' },
      spec: {
        replicas: 1, selector: { matchLabels: { app: 'api' } },
        template: {
          metadata: { labels: { app: 'api' } },
          spec: { containers: [{ name: 'app', image: images.busybox, command: ['sh', '-c', 'mkdir -p /www && echo api > /www/index.html && exec httpd -f -p 9090 -h /www'] }] },
        },
      },
    });
    await waitFor('deployment api available', async () => (await engine.client.get<Deployment & { metadata: object }>(R.deployments, 'api', 'default')).status?.availableReplicas === 1);
    await waitFor('pod web Running', async () => (await engine.client.get<Pod & { metadata: object }>(R.pods, 'web', 'default')).status?.phase === 'Running');
  });

  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await engine?.stop();
    if (rt) await removeCluster(rt, cluster);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('names the kubectl versions it tests and skips', () => {
    assert.ok(present.length > 0, `no kubectl.1.2x/1.3x binaries in ${SDK_BIN}`);
    if (missing.length) console.log(`# kubectl versions missing (skipped): ${missing.join(', ')}`);
  });

  for (const v of present) {
    const minor = Number(v.split('.')[1]);
    describe(`kubectl ${v}`, () => {
      it('exec passes stdout, stderr and the exit code through', async () => {
        upgrades.length = 0;
        const r = await kubectl(v, ['exec', 'web', '--', 'sh', '-c', 'echo out-line; echo err-line >&2; exit 3']);
        // WebSocket v5 from 1.30 on (no SPDY retry), SPDY before.
        assert.deepEqual(upgrades, [minor >= 30 ? 'exec websocket' : 'exec spdy/3.1']);
        assert.equal(r.stdout, 'out-line\n');
        assert.match(r.stderr, /err-line/);
        assert.equal(r.code, 3, r.stderr);
        const ok = await kubectl(v, ['exec', 'web', '--', 'cat', '/www/index.html']);
        assert.equal(ok.code, 0, ok.stderr);
        assert.equal(ok.stdout, `${BODY}\n`);
        const big = await kubectl(v, ['exec', 'web', '--', 'sh', '-c', `head -c ${BIG} /dev/zero | tr '\\0' x`]);
        assert.equal(big.code, 0, big.stderr);
        assert.equal(big.stdout.length, BIG);
      });

      it('exec -i sends stdin and ends it', async () => {
        const r = await kubectl(v, ['exec', '-i', 'web', '--', 'sh', '-c', 'tr a-z A-Z; echo done'], { stdin: 'some input\nsecond line\n' });
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout, 'SOME INPUT\nSECOND LINE\ndone\n');
      });

      if (minor >= 30) {
        it('exec over SPDY when WebSockets are turned off', async () => {
          const r = await kubectl(v, ['exec', '-i', 'web', '--', 'sh', '-c', 'cat; exit 4'], { stdin: 'via-spdy', env: { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' } });
          assert.equal(r.stdout, 'via-spdy');
          assert.equal(r.code, 4, r.stderr);
        });
      }

      it('exec -it runs with a TTY and resizes it', async () => {
        // `script` gives kubectl a pseudo-terminal of 33x111; the remote `stty size` must see it (kubectl sends
        // the size right after connecting, so the command waits a moment for it).
        const cmd = `stty rows 33 cols 111; ${join(SDK_BIN, `kubectl.${v}`)} --kubeconfig=${kubeconfig} --cache-dir=${join(dataDir, `cache-${v}`)} exec -it web -- sh -c 'tty; sleep 1; stty size'`;
        const r = await new Promise<Run>((resolve) => {
          execFile('script', ['-qec', cmd, '/dev/null'], { env: { PATH: process.env.PATH, HOME: join(dataDir, `home-${v}`) }, timeout: 60_000 }, (err, stdout, stderr) =>
            resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
        });
        assert.equal(r.code, 0, r.stdout + r.stderr);
        assert.match(r.stdout, /\/dev\/pts\/\d+/);
        assert.match(r.stdout, /33 111/);
      });

      it('attach -i: stdin reaches the container, its output comes back', async () => {
        const child = spawn(join(SDK_BIN, `kubectl.${v}`), [`--kubeconfig=${kubeconfig}`, `--cache-dir=${join(dataDir, `cache-${v}`)}`, 'attach', '-i', 'web', '-c', 'echo'], {
          env: { PATH: process.env.PATH, HOME: join(dataDir, `home-${v}`) }, stdio: ['pipe', 'pipe', 'pipe'],
        });
        children.add(child);
        let out = '';
        child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
        try {
          // The attach is up once a line written now comes back; kubectl gives no other signal.
          await waitFor(`kubectl ${v} attach echoes`, async () => {
            child.stdin!.write(`ping-${v}\n`);
            await new Promise((r) => setTimeout(r, 300));
            return out.includes(`echo: ping-${v}`);
          }, 20_000);
        } finally {
          await stopChild(child);
          children.delete(child);
        }
      });

      for (const target of ['pod/web', 'svc/web']) {
        it(`port-forward ${target}: HTTP through 50 parallel connections`, async () => {
          upgrades.length = 0;
          const pf = await portForward(v, target, target === 'svc/web' ? '80' : '8080');
          try {
            const bodies = await Promise.all(Array.from({ length: 50 }, () => httpGet(pf.port)));
            for (const b of bodies) assert.equal(b, `${BODY}\n`);
            // One session for all 50 connections: SPDY tunneled in WebSocket from 1.31 on, raw SPDY before.
            assert.deepEqual(upgrades, [minor >= 31 ? 'portforward websocket' : 'portforward spdy/3.1']);
          } finally {
            await stopChild(pf.child);
          }
        });
      }

      it('port-forward deploy/api', async () => {
        const pf = await portForward(v, 'deploy/api', '9090');
        try {
          assert.equal(await httpGet(pf.port), 'api\n');
        } finally {
          await stopChild(pf.child);
        }
      });

      if (minor >= 31) {
        it('port-forward over raw SPDY when the WebSocket tunnel is turned off', async () => {
          const pf = await portForward(v, 'pod/web', '8080', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
          try {
            assert.equal(await httpGet(pf.port), `${BODY}\n`);
          } finally {
            await stopChild(pf.child);
          }
        });
      }
    });
  }

  it('kubectl reports a wrong container and a missing pod as upstream does', async () => {
    const v = present[present.length - 1]!;
    const bad = await kubectl(v, ['exec', 'web', '-c', 'nope', '--', 'true']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /container nope is not valid for pod web/);
    const gone = await kubectl(v, ['exec', 'ghost', '--', 'true']);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /pods "ghost" not found/);
  });

  describe('@kubernetes/client-node', () => {
    const kc = new k8s.KubeConfig();
    before(async () => {
      kc.loadFromString(await readFile(kubeconfig, 'utf8'));
    });

    it('Exec: stdout, stderr, stdin and the v5 status with the exit code', async () => {
      const exec = new k8s.Exec(kc);
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const stdin = new PassThrough();
      let out = '';
      let err = '';
      stdout.on('data', (d: Buffer) => (out += d.toString()));
      stderr.on('data', (d: Buffer) => (err += d.toString()));
      const status = await new Promise<k8s.V1Status>((resolve, reject) => {
        exec.exec('default', 'web', 'app', ['sh', '-c', 'read x; echo "got $x"; echo oops >&2; exit 5'], stdout, stderr, stdin, false, (s) => resolve(s))
          .then(() => stdin.end('line\n'), reject);
      });
      assert.equal(out, 'got line\n');
      assert.equal(err, 'oops\n');
      assert.equal(status.status, 'Failure');
      assert.equal(status.reason, 'NonZeroExitCode');
      assert.equal(status.details?.causes?.[0]?.message, '5');
    });

    it('Exec with a TTY', async () => {
      const exec = new k8s.Exec(kc);
      const stdout = new PassThrough();
      let out = '';
      stdout.on('data', (d: Buffer) => (out += d.toString()));
      const status = await new Promise<k8s.V1Status>((resolve, reject) => {
        exec.exec('default', 'web', 'app', ['tty'], stdout, null, null, true, (s) => resolve(s)).catch(reject);
      });
      assert.equal(status.status, 'Success');
      assert.match(out, /\/dev\/pts\/\d+/);
    });

    it('Attach: stdin in, output back', async () => {
      const attach = new k8s.Attach(kc);
      const stdout = new PassThrough();
      const stdin = new PassThrough();
      let out = '';
      stdout.on('data', (d: Buffer) => (out += d.toString()));
      const ws = await attach.attach('default', 'web', 'echo', stdout, null, stdin, false);
      try {
        await waitFor('client-node attach echoes', async () => {
          stdin.write('from-client-node\n');
          await new Promise((r) => setTimeout(r, 300));
          return out.includes('echo: from-client-node');
        }, 20_000);
      } finally {
        ws.close();
      }
    });

    it('PortForward: HTTP over WebSocket channels, 50 connections', async () => {
      const forward = new k8s.PortForward(kc);
      const server: Server = createServer((socket) => {
        void forward.portForward('default', 'web', [8080], socket, null, socket).catch(() => socket.destroy());
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const port = (server.address() as AddressInfo).port;
        const bodies = await Promise.all(Array.from({ length: 50 }, () => httpGet(port)));
        for (const b of bodies) assert.equal(b, `${BODY}\n`);
      } finally {
        server.close();
      }
    });
  });

  it('port-forward to a closed port: the forwarding error reaches kubectl', async () => {
    const v = present[present.length - 1]!;
    const pf = await portForward(v, 'pod/web', '9999');
    try {
      await assert.rejects(httpGet(pf.port));
      await waitFor('the forwarding error in kubectl output', async () => /error forwarding port 9999 to pod web_default, uid [0-9a-f-]+: .*refused/i.test(pf.output()), 10_000);
    } finally {
      await stopChild(pf.child);
    }
  });

  describe('raw WebSocket protocols', () => {
    /** Runs an exec over a WebSocket with the given subprotocols; collects messages until the close. */
    const wsExec = (protocols: string[], command: string[]): Promise<{ protocol: string; messages: { data: Buffer; binary: boolean }[]; code: number }> =>
      new Promise((resolve, reject) => {
        const q = new URLSearchParams([...command.map((c): [string, string] => ['command', c]), ['container', 'app'], ['stdout', 'true'], ['stderr', 'true']]);
        const ws = new WebSocket(`${engine.url.replace(/^https/, 'wss')}/api/v1/namespaces/default/pods/web/exec?${q}`, protocols, {
          ca: engine.caCert, headers: { Authorization: `Bearer ${engine.token}` },
        });
        const messages: { data: Buffer; binary: boolean }[] = [];
        ws.on('message', (d: Buffer, binary: boolean) => messages.push({ data: d, binary }));
        ws.on('close', (code) => resolve({ protocol: ws.protocol, messages, code }));
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => reject(new Error(`HTTP ${res.statusCode}: ${body}`)));
        });
        ws.on('error', reject);
      });

    it('v4.channel.k8s.io: output channels, then the Status on channel 3 and a normal close', async () => {
      const r = await wsExec(['v4.channel.k8s.io'], ['sh', '-c', 'echo hi; echo oops >&2; exit 2']);
      assert.equal(r.protocol, 'v4.channel.k8s.io');
      assert.equal(r.code, 1000);
      const on = (ch: number): string => r.messages.filter((m) => m.data[0] === ch).map((m) => m.data.subarray(1).toString()).join('');
      assert.equal(on(1), 'hi\n');
      assert.equal(on(2), 'oops\n');
      const status = JSON.parse(on(3)) as { status: string; reason: string; details: { causes: { reason: string; message: string }[] } };
      assert.equal(status.status, 'Failure');
      assert.equal(status.reason, 'NonZeroExitCode');
      assert.deepEqual(status.details.causes, [{ reason: 'ExitCode', message: '2' }]);
    });

    it('base64.channel.k8s.io: text messages, channel digit then base64', async () => {
      const r = await wsExec(['base64.channel.k8s.io'], ['echo', 'b64']);
      assert.equal(r.protocol, 'base64.channel.k8s.io');
      const out = r.messages.filter((m) => !m.binary && m.data.toString()[0] === '1').map((m) => Buffer.from(m.data.toString().slice(1), 'base64').toString()).join('');
      assert.equal(out, 'b64\n');
      // Success writes nothing on the error channel of the pre-v4 protocols.
      assert.equal(r.messages.filter((m) => m.data.toString()[0] === '3').length, 0);
    });

    it('an unsupported subprotocol gets a 400 Status, not a 101', async () => {
      await assert.rejects(wsExec(['bogus.k8s.io'], ['true']), /HTTP 400: .*none of the requested protocols \[bogus\.k8s\.io\].*"reason":"BadRequest"/);
    });

    it('exec into a container that does not exist is refused before switching protocols', async () => {
      const q = new URLSearchParams([['command', 'true'], ['container', 'nope'], ['stdout', 'true']]);
      const err = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`${engine.url.replace(/^https/, 'wss')}/api/v1/namespaces/default/pods/web/exec?${q}`, ['v5.channel.k8s.io'], {
          ca: engine.caCert, headers: { Authorization: `Bearer ${engine.token}` },
        });
        ws.on('unexpected-response', (_req, res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve(`${res.statusCode} ${body}`));
        });
        ws.on('error', (e) => resolve(String(e)));
      });
      assert.match(err, /^400 .*container nope is not valid for pod web/);
    });
  });

  it('port-forward ends when the pod is deleted', async () => {
    const v = present[present.length - 1]!;
    const pf = await portForward(v, 'pod/web', '8080');
    const exited = new Promise<number | null>((r) => pf.child.once('exit', (c) => r(c)));
    assert.equal(await httpGet(pf.port), `${BODY}\n`);
    await engine.client.delete(R.pods, 'web', 'default', { gracePeriodSeconds: 0 });
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 30_000))]);
    assert.notEqual(code, 'still running', pf.output());
    await writeFile(join(dataDir, 'pf-output.txt'), pf.output());
  });

  it('the engine stops while a port-forward session is open', async () => {
    const v = present[present.length - 1]!;
    const pf = await portForward(v, 'deploy/api', '9090');
    assert.equal(await httpGet(pf.port), 'api\n');
    const stopped = engine.stop().then(() => 'stopped');
    assert.equal(await Promise.race([stopped, new Promise((r) => setTimeout(() => r('hung'), 15_000))]), 'stopped');
    await stopChild(pf.child);
  });
});
