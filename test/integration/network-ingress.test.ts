/** The ingress data path over real HTTP and HTTPS on loopback: routing, TLS by SNI, WebSocket upgrade. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { IngressProxy } from '../../engine/network/agent/ingress.ts';
import { issueCertificate } from '../../engine/config/x509.ts';

const HOST = '127.0.0.1';

function selfSigned(cn: string): { cert: string; key: string } {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const cert = issueCertificate({
    subject: { commonName: cn }, publicKey: keys.publicKey, signerKey: keys.privateKey, ca: false,
    notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3600_000), altNames: [cn],
  });
  return { cert, key: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

async function backend(name: string): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => res.end(`${name} ${req.url} xfp=${req.headers['x-forwarded-proto']}`));
  server.on('upgrade', (_req, socket) => {
    server.once('close', () => socket.destroy());
    socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: echo\r\nconnection: upgrade\r\n\r\n');
    socket.on('data', (d: Buffer) => socket.write(`${name}:${d}`));
  });
  await new Promise<void>((r) => server.listen(0, HOST, () => r()));
  return { server, port: (server.address() as AddressInfo).port };
}

function get(port: number, host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: HOST, port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject).end();
  });
}

describe('ingress on loopback', () => {
  const proxy = new IngressProxy();
  const backends: { server: Server; port: number }[] = [];
  let ports: { http: number; https?: number };
  const tlsShop = selfSigned('shop.test');
  const tlsBlog = selfSigned('blog.test');

  before(async () => {
    backends.push(await backend('shop'), await backend('api'), await backend('blog'));
    const b = (i: number) => ({ host: HOST, port: backends[i]!.port });
    proxy.update({
      rules: [
        { host: 'shop.test', paths: [{ path: '/', pathType: 'Prefix', backend: b(0) }, { path: '/api', pathType: 'Prefix', backend: b(1) }] },
        { host: 'blog.test', paths: [{ path: '/', pathType: 'Prefix', backend: b(2) }] },
      ],
      tls: [{ hosts: ['shop.test'], ...tlsShop }, { hosts: ['blog.test'], ...tlsBlog }],
    });
    ports = await proxy.listen(HOST, 0, 0);
  });
  after(async () => {
    await proxy.close();
    for (const b of backends) b.server.close();
  });

  test('routes two hosts and two paths to their backends; unknown hosts get 404', async () => {
    assert.deepEqual(await get(ports.http, 'shop.test', '/cart'), { status: 200, body: 'shop /cart xfp=http' });
    assert.deepEqual(await get(ports.http, 'shop.test', '/api/items'), { status: 200, body: 'api /api/items xfp=http' });
    assert.deepEqual(await get(ports.http, 'blog.test', '/post/1'), { status: 200, body: 'blog /post/1 xfp=http' });
    assert.equal((await get(ports.http, 'nobody.test', '/')).status, 404);
  });

  test('terminates TLS with the certificate chosen by SNI', async () => {
    for (const [host, pem] of [['shop.test', tlsShop.cert], ['blog.test', tlsBlog.cert]] as const) {
      const body = await new Promise<string>((resolve, reject) => {
        httpsRequest({ host: HOST, port: ports.https, servername: host, path: '/', headers: { host }, ca: pem }, (res) => {
          let b = '';
          res.on('data', (d) => (b += d));
          res.on('end', () => resolve(b));
        }).on('error', reject).end();
      });
      assert.equal(body, `${host.split('.')[0]} / xfp=https`);
    }
  });

  test('tunnels an Upgrade request to the backend', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const s = connect(ports.http, HOST, () => s.write('GET /ws HTTP/1.1\r\nhost: blog.test\r\nconnection: upgrade\r\nupgrade: echo\r\n\r\n'));
      let data = '';
      s.on('data', (d) => {
        data += d;
        if (data.includes('\r\n\r\n') && !data.includes('blog:')) s.write('hello');
        if (data.includes('blog:hello')) {
          s.destroy();
          resolve(data);
        }
      });
      s.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1.1 101/);
  });

  test('a backend that is down answers 502, not a hang or a crash', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, HOST, () => r()));
    const deadPort = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    proxy.update({ rules: [{ host: 'gone.test', paths: [{ path: '/', pathType: 'Prefix', backend: { host: HOST, port: deadPort } }] }], tls: [] });
    const r = await get(ports.http, 'gone.test', '/');
    assert.equal(r.status, 502);
    assert.match(r.body, /Bad Gateway/);
  });
});
