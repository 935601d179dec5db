/**
 * bench:services — the cost of the Service data path. From one client pod, the same HTTP GETs go
 * (a) straight to a server pod's IP and (b) through the Service's ClusterIP (our proxy), interleaved in
 * rounds so both see the same machine load. Prints requests/s, p50 and p99 of each and the added latency.
 * Target (issue 6): the Service adds ≤ 1 ms at p50.
 * Then endpoint propagation: the server pod leaves the Service's selector (a label patch) and comes back,
 * five times; each time the client polls the ClusterIP every 10 ms and reports the moment the proxy
 * stopped (or started again) forwarding to it. Target (issue 6): changes take effect within 1 s.
 *
 *   npm run bench:services [-- REQUESTS_PER_ROUND ROUNDS]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1';
import { R } from '../../engine/api/resources.ts';
import { podExec } from '../../engine/kubelet/streams.ts';
import { ensureTestImages } from '../../test/support/images.ts';
import { startFullEngine } from '../../test/support/full-engine.ts';

const perRound = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 3);

/** Runs in the client pod (Node image): sequential keep-alive GETs, prints latencies in microseconds. */
const clientScript = (url: string, n: number) => `
const http = require('http');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const out = [];
let i = 0;
const t0 = process.hrtime.bigint();
(function next() {
  if (i++ === ${n}) { const total = Number(process.hrtime.bigint() - t0) / 1e3; console.log(JSON.stringify({ total, lat: out })); process.exit(0); }
  const s = process.hrtime.bigint();
  http.get('${url}', { agent }, (res) => { res.resume(); res.on('end', () => { out.push(Number(process.hrtime.bigint() - s) / 1e3); next(); }); })
    .on('error', (e) => { console.error(e.message); process.exit(1); });
})();`;

/** Polls url every 10 ms, a new connection each time (an established one carries on, as with conntrack), until a request fails (`want` = 'down') or succeeds ('up'); prints `go` when polling, then the time it saw the change. */
const flipScript = (url: string, want: 'down' | 'up') => `
const http = require('http');
console.log('go');
const deadline = Date.now() + 20000;
(function poll() {
  if (Date.now() > deadline) { console.log('timeout'); process.exit(1); }
  const req = http.get('${url}', { agent: false, timeout: 200 }, (res) => { res.resume(); res.on('end', () => seen(true)); });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => seen(false));
  function seen(ok) {
    if (ok === ${want === 'up'}) { console.log('at ' + Date.now()); process.exit(0); }
    setTimeout(poll, 10);
  }
})();`;

const pct = (a: number[], p: number) => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

async function main(): Promise<void> {
  const images = await ensureTestImages();
  const dataDir = await mkdtemp(join(tmpdir(), 'wh-bench-svc-'));
  const full = await startFullEngine({ dataDir, clusterName: `bench-svc-${process.pid}`, sandboxImage: images.busybox, infraImage: images.node, ingressHttpPort: 0, ingressHttpsPort: 0 });
  const c = full.engine.client;
  try {
    await c.create<Pod>(R.pods, {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'server', namespace: 'default', labels: { app: 'server' } },
      // A Node HTTP server: busybox httpd closes every connection, which would measure TCP setup, not the proxy.
      spec: { containers: [{ name: 'server', image: images.node, command: ['node', '-e', "require('http').createServer((q, s) => s.end('ok')).listen(8080)"], ports: [{ containerPort: 8080 }] }] },
    });
    await c.create<Pod>(R.pods, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'client', namespace: 'default' }, spec: { containers: [{ name: 'c', image: images.node, command: ['node', '-e', 'setInterval(() => {}, 1 << 30)'] }] } });
    await c.create<Service>(R.services, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'server', namespace: 'default' }, spec: { selector: { app: 'server' }, ports: [{ port: 80, targetPort: 8080 }] } });
    for (let i = 0; ; i++) {
      const ep = await c.get<Endpoints>(R.endpoints, 'server', 'default').catch(() => undefined);
      const client = await c.get<Pod>(R.pods, 'client', 'default');
      if (ep?.subsets?.[0]?.addresses?.length && client.status?.phase === 'Running') break;
      if (i > 600) throw new Error('pods did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    const server = await c.get<Pod>(R.pods, 'server', 'default');
    const svc = await c.get<Service>(R.services, 'server', 'default');
    const client = await c.get<Pod>(R.pods, 'client', 'default');
    /** Starts the polling client in the client pod; resolves once it polls, with the time it sees the change. */
    const poll = async (want: 'down' | 'up'): Promise<{ seen: Promise<number> }> => {
      const out = new PassThrough();
      let text = '';
      let started: () => void = () => undefined;
      const go = new Promise<void>((r) => (started = r));
      out.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('go')) started();
      });
      const e = await podExec(full.nodes.streams, client, undefined, ['node', '-e', flipScript(`http://${svc.spec!.clusterIP}:80/`, want)], { stdout: out, stderr: out }, false);
      await go;
      return {
        seen: e.exitCode.then((code) => {
          if (code !== 0) throw new Error(`polling client failed: ${text}`);
          return Number(/at (\d+)/.exec(text)![1]);
        }),
      };
    };
    // The Service's proxy container starts, then follows the Endpoints: measure once it answers.
    await (await poll('up')).seen;
    const run = async (url: string) => {
      const out = new PassThrough();
      let text = '';
      out.on('data', (d: Buffer) => (text += d.toString()));
      const e = await podExec(full.nodes.streams, client, undefined, ['node', '-e', clientScript(url, perRound)], { stdout: out, stderr: out }, false);
      if ((await e.exitCode) !== 0) throw new Error(`client failed: ${text}`);
      return JSON.parse(text) as { total: number; lat: number[] };
    };
    const direct = { total: 0, lat: [] as number[] };
    const viaSvc = { total: 0, lat: [] as number[] };
    await run(`http://${server.status!.podIP}:8080/`); // warm-up
    await run(`http://${svc.spec!.clusterIP}:80/`);
    for (let r = 0; r < rounds; r++) {
      for (const [acc, url] of [[direct, `http://${server.status!.podIP}:8080/`], [viaSvc, `http://${svc.spec!.clusterIP}:80/`]] as const) {
        const res = await run(url);
        acc.total += res.total;
        acc.lat.push(...res.lat);
      }
    }
    const fmt = (name: string, a: typeof direct) =>
      `${name.padEnd(16)} ${(a.lat.length / (a.total / 1e6)).toFixed(0).padStart(7)} req/s   p50 ${(pct(a.lat, 50) / 1000).toFixed(3)} ms   p99 ${(pct(a.lat, 99) / 1000).toFixed(3)} ms`;
    console.log(`bench:services — ${rounds} rounds × ${perRound} sequential keep-alive GETs from one client pod`);
    console.log(fmt('pod IP (peer)', direct));
    console.log(fmt('Service (ours)', viaSvc));
    const addedP50 = (pct(viaSvc.lat, 50) - pct(direct.lat, 50)) / 1000;
    console.log(`Service adds ${addedP50.toFixed(3)} ms at p50 (target ≤ 1 ms); throughput ratio ${(viaSvc.lat.length / viaSvc.total / (direct.lat.length / direct.total)).toFixed(2)}× of direct; p99 ratio ${(pct(viaSvc.lat, 99) / pct(direct.lat, 99)).toFixed(2)}×`);

    // Endpoint propagation: API write acknowledged → the proxy's behaviour changes, as the client sees it.
    const flip = async (want: 'down' | 'up', app: string): Promise<number> => {
      const polling = await poll(want);
      const t0 = Date.now();
      await c.patch(R.pods, 'server', 'default', 'merge', { metadata: { labels: { app } } });
      return (await polling.seen) - t0;
    };
    const removed: number[] = [];
    const added: number[] = [];
    for (let i = 0; i < 5; i++) {
      removed.push(await flip('down', 'elsewhere'));
      added.push(await flip('up', 'server'));
    }
    const ms = (a: number[]) => `p50 ${pct(a, 50)} ms, max ${Math.max(...a)} ms`;
    console.log(`endpoint propagation (label patch → proxy), 5 times each: pod removed ${ms(removed)}; pod added ${ms(added)} (target ≤ 1,000 ms)`);
  } finally {
    await full.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
