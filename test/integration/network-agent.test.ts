/**
 * The agent's Service proxy and DNS server over real sockets on loopback, and the agent program
 * following its configuration file as the engine rewrites it.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProxy, type ProxyConfig } from '../../engine/network/agent/proxy.ts';
import { DnsServer } from '../../engine/network/agent/dns-server.ts';
import { emptyRecords } from '../../engine/network/agent/dns-records.ts';
import { RCODE, TYPE, decodeResponse, encodeQuery } from '../../engine/network/agent/dns-message.ts';

const HOST = '127.0.0.1';

async function freePort(kind: 'tcp' | 'udp' = 'tcp'): Promise<number> {
  if (kind === 'udp') {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, HOST, () => r()));
    const port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, HOST, () => r()));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A backend that answers every connection with its name. */
async function backend(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((s) => s.end(name));
  await new Promise<void>((r) => server.listen(0, HOST, () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

function ask(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, HOST);
    let data = '';
    s.on('data', (d) => (data += d));
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
}

function dnsQuery(port: number, name: string, type: number): Promise<ReturnType<typeof decodeResponse>> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      reject(new Error('DNS timeout'));
    }, 3000);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(decodeResponse(m));
    });
    s.send(encodeQuery(99, name, type), port, HOST);
  });
}

describe('Service proxy on loopback', () => {
  const closers: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const c of closers.reverse()) await c();
  });

  test('balances TCP over every backend, fails over, follows updates, refuses with no endpoints', async () => {
    const backends = await Promise.all(['a', 'b', 'c'].map(backend));
    closers.push(() => backends.forEach((b) => b.server.close()));
    const port = await freePort();
    const proxy = new ServiceProxy({ host: HOST });
    closers.push(() => proxy.close());
    const cfg = (ids: number[]): ProxyConfig => ({ listeners: [{ protocol: 'TCP', port, backends: ids.map((i) => ({ ip: HOST, port: backends[i]!.port })) }] });
    await proxy.update(cfg([0, 1, 2]));

    const counts: Record<string, number> = {};
    for (let i = 0; i < 300; i++) {
      const who = await ask(port);
      counts[who] = (counts[who] ?? 0) + 1;
    }
    assert.deepEqual(counts, { a: 100, b: 100, c: 100 });

    // A backend that died between updates costs a retry, not a failed request.
    const deadPort = await freePort();
    await proxy.update({ listeners: [{ protocol: 'TCP', port, backends: [{ ip: HOST, port: deadPort }, { ip: HOST, port: backends[0]!.port }] }] });
    for (let i = 0; i < 10; i++) assert.equal(await ask(port), 'a');

    await proxy.update(cfg([2]));
    for (let i = 0; i < 10; i++) assert.equal(await ask(port), 'c');

    await proxy.update(cfg([]));
    await assert.rejects(ask(port), /ECONNRESET|ECONNREFUSED/);
    assert.deepEqual(proxy.ports(), [`TCP/${port}`]);
  });

  test('ClientIP affinity keeps a client on one backend', async () => {
    const backends = await Promise.all(['x', 'y'].map(backend));
    closers.push(() => backends.forEach((b) => b.server.close()));
    const port = await freePort();
    const proxy = new ServiceProxy({ host: HOST });
    closers.push(() => proxy.close());
    await proxy.update({ listeners: [{ protocol: 'TCP', port, backends: backends.map((b) => ({ ip: HOST, port: b.port })) }], sessionAffinity: { clientIP: true, timeoutSeconds: 60 } });
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) seen.add(await ask(port));
    assert.equal(seen.size, 1);
  });

  test('UDP round trip through the proxy; listeners come and go with the ports', async () => {
    const echo = createSocket('udp4');
    echo.on('message', (m, r) => echo.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
    await new Promise<void>((r) => echo.bind(0, HOST, () => r()));
    closers.push(() => new Promise<void>((r) => echo.close(() => r())));
    const port = await freePort('udp');
    const tcpPort = await freePort();
    const proxy = new ServiceProxy({ host: HOST });
    closers.push(() => proxy.close());
    await proxy.update({ listeners: [{ protocol: 'UDP', port, backends: [{ ip: HOST, port: echo.address().port }] }, { protocol: 'TCP', port: tcpPort, backends: [] }] });
    const client = createSocket('udp4');
    const reply = await new Promise<string>((resolve) => {
      client.on('message', (m) => resolve(m.toString()));
      client.send('ping', port, HOST);
    });
    client.close();
    assert.equal(reply, 'echo:ping');
    await proxy.update({ listeners: [{ protocol: 'UDP', port, backends: [] }] });
    assert.deepEqual(proxy.ports(), [`UDP/${port}`]);
    await assert.rejects(ask(tcpPort), /ECONNREFUSED/);
  });
});

describe('cluster DNS on loopback', () => {
  test('answers the zone, forwards the rest upstream, resolves ExternalName targets', async () => {
    const upstream = new DnsServer({ host: HOST, port: 0 });
    upstream.update({ ...emptyRecords('example.com'), a: { 'example.com': ['93.184.216.34'], 'www.example.com': ['93.184.216.35'] } });
    const up = await upstream.start();
    const dns = new DnsServer({ host: HOST, port: 0, upstream: `${HOST}:${up.port}` });
    dns.update({ ...emptyRecords(), a: { 'web.default.svc.cluster.local': ['10.96.0.10'] }, cname: { 'ext.default.svc.cluster.local': 'www.example.com' } });
    const { port } = await dns.start();
    try {
      const local = await dnsQuery(port, 'web.default.svc.cluster.local', TYPE.A);
      assert.deepEqual(local.answers.map((a) => a.type === TYPE.A && a.address), ['10.96.0.10']);
      const nx = await dnsQuery(port, 'nope.default.svc.cluster.local', TYPE.A);
      assert.equal(nx.rcode, RCODE.NXDOMAIN);
      const fwd = await dnsQuery(port, 'example.com', TYPE.A);
      assert.deepEqual(fwd.answers.map((a) => a.type === TYPE.A && a.address), ['93.184.216.34']);
      const ext = await dnsQuery(port, 'ext.default.svc.cluster.local', TYPE.A);
      assert.deepEqual(ext.answers.map((a) => a.type), [TYPE.CNAME, TYPE.A]);
      // Records are swapped live.
      dns.update({ ...emptyRecords(), a: { 'web.default.svc.cluster.local': ['10.96.0.11'] } });
      const after = await dnsQuery(port, 'web.default.svc.cluster.local', TYPE.A);
      assert.deepEqual(after.answers.map((a) => a.type === TYPE.A && a.address), ['10.96.0.11']);
    } finally {
      await dns.close();
      await upstream.close();
    }
  });
});

describe('the agent program', () => {
  test('follows its configuration file: endpoint changes apply within a second', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wh-agent-'));
    const backends = await Promise.all(['one', 'two'].map(backend));
    const port = await freePort();
    const file = join(dir, 'proxy.json');
    const write = (i: number) => {
      writeFileSync(`${file}.tmp`, JSON.stringify({ listeners: [{ protocol: 'TCP', port, backends: [{ ip: HOST, port: backends[i]!.port }] }] }));
      renameSync(`${file}.tmp`, file);
    };
    write(0);
    const child = spawn(process.execPath, ['--import', 'tsx', 'engine/network/agent/main.ts', 'proxy', file, '--host', HOST], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      const waitFor = async (pred: () => boolean, ms: number) => {
        const end = Date.now() + ms;
        while (!pred()) {
          if (Date.now() > end) throw new Error(`timed out; agent said: ${out}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      };
      await waitFor(() => out.includes('ready'), 15_000);
      assert.equal(await ask(port), 'one');
      write(1);
      const t0 = Date.now();
      // The target is 1 s (the agent polls every 200 ms); the bound leaves room for a loaded CI machine.
      await waitFor(() => out.includes('updated'), 2000);
      assert.equal(await ask(port), 'two');
      assert.ok(Date.now() - t0 < 2000);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      backends.forEach((b) => b.server.close());
      rmSync(dir, { recursive: true, force: true });
    }
    assert.equal(child.exitCode, 0);
  });
});
