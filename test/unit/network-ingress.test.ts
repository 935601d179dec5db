import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIngressConfig, route, type IngressConfig } from '../../engine/network/agent/ingress.ts';

const be = (name: string) => ({ host: name, port: 80 });
const cfg: IngressConfig = {
  tls: [],
  defaultBackend: be('default'),
  rules: [
    { host: 'shop.example.com', paths: [
      { path: '/', pathType: 'Prefix', backend: be('shop') },
      { path: '/api', pathType: 'Prefix', backend: be('api') },
      { path: '/api/v2', pathType: 'Prefix', backend: be('api-v2') },
      { path: '/login', pathType: 'Exact', backend: be('login') },
    ] },
    { host: '*.example.com', paths: [{ path: '/', pathType: 'Prefix', backend: be('wild') }] },
    { paths: [{ path: '/status', pathType: 'Exact', backend: be('status') }] },
  ],
};
const to = (host: string | undefined, path: string) => route(cfg, host, path)?.host;

test('host rules: exact, then wildcard of exactly one label, then rules without a host', () => {
  assert.equal(to('shop.example.com', '/'), 'shop');
  assert.equal(to('SHOP.example.com:8080', '/'), 'shop');
  assert.equal(to('blog.example.com', '/x'), 'wild');
  assert.equal(to('a.b.example.com', '/x'), 'default', 'a wildcard covers one label only');
  assert.equal(to('example.com', '/status'), 'status');
  assert.equal(to(undefined, '/status'), 'status');
});

test('paths: element-wise Prefix, longest wins, Exact beats Prefix, query strings ignored', () => {
  assert.equal(to('shop.example.com', '/api'), 'api');
  assert.equal(to('shop.example.com', '/api/'), 'api');
  assert.equal(to('shop.example.com', '/api/orders?x=1'), 'api');
  assert.equal(to('shop.example.com', '/apiary'), 'shop', '/api does not match /apiary');
  assert.equal(to('shop.example.com', '/api/v2/items'), 'api-v2');
  assert.equal(to('shop.example.com', '/login'), 'login');
  assert.equal(to('shop.example.com', '/login/again'), 'shop', 'Exact matches only the whole path');
  assert.equal(to('other.org', '/anything'), 'default');
  assert.equal(route({ rules: [], tls: [] }, 'x', '/'), undefined);
});

test('ingress configuration is validated', () => {
  assert.throws(() => parseIngressConfig({}), /rules/);
  assert.throws(() => parseIngressConfig({ rules: [{ paths: [{ path: '/', pathType: 'Regex', backend: be('x') }] }] }), /pathType/);
  assert.throws(() => parseIngressConfig({ rules: [{ paths: [{ path: '/', pathType: 'Prefix', backend: { host: 'x' } }] }] }), /host and port/);
  assert.equal(parseIngressConfig({ rules: [{ host: 'A.Example.com', paths: [] }] }).rules[0]!.host, 'a.example.com');
});
