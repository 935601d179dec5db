// API server benchmarks (`npm run bench:api`): the bundled engine (dist/engine.js serve --api-only, durable
// file store) against a peer measured in the same run — a bare Node HTTPS server with the same TLS
// material answering the same requests with a fixed body, i.e. the floor any Node API server stands on.
// Prints: cold start to /readyz, idle RSS, mutating p50/p99 at 20 ops/s over 1,000 objects, LIST of 5,000
// pods, and 100 watchers receiving 10,000 events. Not a test: it asserts nothing, it reports.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Agent, request } from 'node:https';

interface Target {
  url: string;
  token: string;
  ca: string;
  agent: Agent;
}

function req(t: Target, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; text: string }> {
  return new Promise((res, rej) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const r = request(`${t.url}${path}`, {
      method, ca: t.ca, agent: t.agent,
      headers: { Authorization: `Bearer ${t.token}`, Accept: 'application/json', ...(payload ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) } : {}) },
    }, (resp) => {
      const chunks: Buffer[] = [];
      resp.on('data', (c: Buffer) => chunks.push(c));
      resp.on('end', () => res({ status: resp.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    r.on('error', rej);
    if (payload) r.write(payload);
    r.end();
  });
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const ms = (n: number): string => `${n.toFixed(2)} ms`;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(1)}×`;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function waitReady(url: string, ca: string, deadlineMs = 30_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  const agent = new Agent({ ca });
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const x = request(`${url}/readyz`, { ca, agent }, (resp) => {
        resp.resume();
        r(resp.statusCode === 200);
      });
      x.on('error', () => r(false));
      x.end();
    });
    if (ok) {
      agent.destroy();
      return;
    }
    if (Date.now() > end) throw new Error('not ready in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function startEngine(dataDir: string): Promise<{ child: ChildProcess; url: string; ms: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [resolve('dist/engine.js'), 'serve', '--api-only', '--data-dir', dataDir, '--port', '0', '--cluster-name', 'bench'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const url = await new Promise<string>((res, rej) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving the Kubernetes API at (\S+)/.exec(out);
      if (m) res(m[1]!);
    });
    child.once('exit', (c) => rej(new Error(`engine exited ${c}: ${out}`)));
  });
  await waitReady(url, await readFile(join(dataDir, 'pki', 'ca.crt'), 'utf8'));
  return { child, url, ms: performance.now() - t0 };
}

/** The peer: a bare Node HTTPS server in its own process, same key and certificate, fixed JSON answers. */
async function startPeer(dataDir: string): Promise<{ child: ChildProcess; url: string; ms: number }> {
  const t0 = performance.now();
  const code = `
    const https = require('node:https'); const fs = require('node:fs');
    const s = https.createServer({ key: fs.readFileSync(process.argv[1] + '/pki/server.key'), cert: fs.readFileSync(process.argv[1] + '/pki/server.crt') }, (q, r) => {
      q.resume(); q.on('end', () => { const b = q.url === '/readyz' ? 'ok' : '{"kind":"Status","status":"Success"}'; r.writeHead(200, {'Content-Type':'application/json','Content-Length':Buffer.byteLength(b)}); r.end(b); });
    });
    s.listen(0, '127.0.0.1', () => console.log('https://127.0.0.1:' + s.address().port));`;
  const child = spawn(process.execPath, ['-e', code, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((res) => child.stdout!.once('data', (d: Buffer) => res(d.toString().trim())));
  await waitReady(url, await readFile(join(dataDir, 'pki', 'ca.crt'), 'utf8'));
  return { child, url, ms: performance.now() - t0 };
}

async function pool<T>(items: T[], concurrency: number, fn: (x: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

async function mutatingLatency(t: Target, objects: number, seconds: number, engine: boolean): Promise<number[]> {
  const lat: number[] = [];
  const total = 20 * seconds;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * 50;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const name = `cm-${i % objects}`;
    pending.push((async () => {
      const t0 = performance.now();
      const r = await req(t, 'PATCH', `/api/v1/namespaces/default/configmaps/${name}`, { data: { v: String(i) } }, 'application/merge-patch+json');
      if (engine && r.status !== 200) throw new Error(`patch ${r.status} ${r.text}`);
      lat.push(performance.now() - t0);
    })());
  }
  await Promise.all(pending);
  return lat;
}

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-bench-'));
  let engineProc: ChildProcess | undefined;
  let peerProc: ChildProcess | undefined;
  try {
    // First start creates the PKI (two RSA keys) and the store; the second is what `npm start` usually costs.
    const fresh = await startEngine(dataDir);
    fresh.child.kill('SIGTERM');
    await new Promise((r) => fresh.child.once('exit', r));
    const e = await startEngine(dataDir);
    engineProc = e.child;
    const token = (await readFile(join(dataDir, 'token'), 'utf8')).trim();
    const ca = await readFile(join(dataDir, 'pki', 'ca.crt'), 'utf8');
    const p = await startPeer(dataDir);
    peerProc = p.child;
    const eng: Target = { url: e.url, token, ca, agent: new Agent({ keepAlive: true, maxSockets: 64, ca }) };
    const peer: Target = { url: p.url, token, ca, agent: new Agent({ keepAlive: true, maxSockets: 64, ca }) };
    await new Promise((r) => setTimeout(r, 2000));
    const rows: [string, string, string, string][] = [];
    rows.push(['cold start to /readyz, new data dir', ms(fresh.ms), ms(p.ms), ratio(fresh.ms, p.ms)]);
    rows.push(['cold start to /readyz, existing dir (≤ 500 ms)', ms(e.ms), ms(p.ms), ratio(e.ms, p.ms)]);
    const rssE = rssMb(engineProc.pid!);
    const rssP = rssMb(peerProc.pid!);
    rows.push(['idle RSS (target ≤ 80 MB)', `${rssE.toFixed(1)} MB`, `${rssP.toFixed(1)} MB`, ratio(rssE, rssP)]);

    // 1,000 objects, then 20 mutating ops/s for 15 s.
    const names = Array.from({ length: 1000 }, (_, i) => `cm-${i}`);
    await pool(names, 16, (n) => req(eng, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: n }, data: { v: '0' } }));
    const le = await mutatingLatency(eng, 1000, 15, true);
    const lp = await mutatingLatency(peer, 1000, 15, false);
    rows.push(['mutating p50 at 20 ops/s, 1,000 objects', ms(pct(le, 50)), ms(pct(lp, 50)), ratio(pct(le, 50), pct(lp, 50))]);
    rows.push(['mutating p99 at 20 ops/s (target ≤ 25 ms)', ms(pct(le, 99)), ms(pct(lp, 99)), ratio(pct(le, 99), pct(lp, 99))]);

    // LIST of 5,000 pods.
    const pods = Array.from({ length: 5000 }, (_, i) => `pod-${i}`);
    await pool(pods, 32, (n) => req(eng, 'POST', '/api/v1/namespaces/default/pods', {
      metadata: { name: n, labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sleep', '3600'] }] },
    }));
    const listTimes: number[] = [];
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const r = await req(eng, 'GET', '/api/v1/namespaces/default/pods');
      listTimes.push(performance.now() - t0);
      bytes = r.text.length;
    }
    const peerList: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await req(peer, 'GET', '/api/v1/namespaces/default/pods');
      peerList.push(performance.now() - t0);
    }
    rows.push([`LIST 5,000 pods (${(bytes / 1e6).toFixed(1)} MB JSON), best of 3`, ms(Math.min(...listTimes)), ms(Math.min(...peerList)), ratio(Math.min(...listTimes), Math.min(...peerList))]);

    // 100 watchers × 10,000 events.
    const WATCHERS = 100;
    const EVENTS = 10_000;
    const rv = JSON.parse((await req(eng, 'GET', '/api/v1/namespaces/default/configmaps?limit=1')).text).metadata.resourceVersion as string;
    let received = 0;
    const target = WATCHERS * EVENTS;
    let resolveAll!: () => void;
    const all = new Promise<void>((r) => (resolveAll = r));
    const watchAgent = new Agent({ keepAlive: true, maxSockets: WATCHERS + 1, ca });
    const watchReqs = Array.from({ length: WATCHERS }, () => {
      const r = request(`${eng.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}`, { ca, agent: watchAgent, headers: { Authorization: `Bearer ${token}` } }, (resp) => {
        resp.on('data', (d: Buffer) => {
          for (const b of d) if (b === 10) received++;
          if (received >= target) resolveAll();
        });
      });
      r.on('error', () => undefined);
      r.end();
      return r;
    });
    await new Promise((r) => setTimeout(r, 500));
    const t0 = performance.now();
    const writes = Array.from({ length: EVENTS }, (_, i) => i);
    await pool(writes, 32, (i) => req(eng, 'PATCH', `/api/v1/namespaces/default/configmaps/cm-${i % 1000}`, { data: { w: String(i) } }, 'application/merge-patch+json'));
    const writeMs = performance.now() - t0;
    await Promise.race([all, new Promise((r) => setTimeout(r, 120_000))]);
    const deliverMs = performance.now() - t0;
    for (const r of watchReqs) r.destroy();
    watchAgent.destroy();
    rows.push([`${WATCHERS} watchers × ${EVENTS} events (${received}/${target} delivered)`, `${(deliverMs / 1000).toFixed(2)} s (writes ${(writeMs / 1000).toFixed(2)} s)`, '—', `${Math.round(received / (deliverMs / 1000))} events/s`]);

    const w = [48, 26, 14, 10];
    const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(w[i]!)).join(' ');
    console.log(line(['measure', 'wheelhouse engine', 'peer (bare https)', 'ratio']));
    for (const r of rows) console.log(line(r));
    eng.agent.destroy();
    peer.agent.destroy();
  } finally {
    engineProc?.kill('SIGTERM');
    peerProc?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});

