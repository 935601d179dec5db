import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Balancer, parseProxyConfig } from '../../engine/network/agent/proxy.ts';

const b = (n: number) => ({ ip: `10.0.0.${n}`, port: 8080 });

test('round robin spreads evenly and rotates the failover order', () => {
  const bal = new Balancer([b(1), b(2), b(3)]);
  const firsts = Array.from({ length: 30 }, () => bal.order('1.1.1.1')[0]!.ip);
  for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) assert.equal(firsts.filter((x) => x === ip).length, 10);
  assert.equal(bal.order('x').length, 3, 'every backend is a candidate for failover');
  assert.deepEqual(new Balancer([]).order('x'), []);
});

test('ClientIP affinity sticks until the timeout, and moves when the backend is gone', () => {
  let now = 0;
  const bal = new Balancer([b(1), b(2), b(3)], { clientIP: true, timeoutSeconds: 10 }, () => now);
  const first = bal.order('7.7.7.7')[0]!;
  for (let i = 0; i < 10; i++) assert.deepEqual(bal.order('7.7.7.7')[0], first);
  assert.notDeepEqual(bal.order('8.8.8.8')[0], first, 'another client is balanced');
  bal.backends = bal.backends.filter((x) => x.ip !== first.ip);
  const moved = bal.order('7.7.7.7')[0]!;
  assert.notEqual(moved.ip, first.ip);
  now += 11_000;
  bal.order('7.7.7.7');
  assert.ok(true);
});

test('proxy configuration is validated', () => {
  assert.throws(() => parseProxyConfig({}), /listeners/);
  assert.throws(() => parseProxyConfig({ listeners: [{ protocol: 'SCTP', port: 1, backends: [] }] }), /TCP or UDP/);
  assert.throws(() => parseProxyConfig({ listeners: [{ protocol: 'TCP', port: 70000, backends: [] }] }), /port/);
  const ok = parseProxyConfig({ listeners: [{ protocol: 'UDP', port: 53, backends: [{ ip: '1.2.3.4', port: 53, extra: 1 }] }], sessionAffinity: { clientIP: true, timeoutSeconds: 0 } });
  assert.deepEqual(ok, { listeners: [{ protocol: 'UDP', port: 53, backends: [{ ip: '1.2.3.4', port: 53 }] }], sessionAffinity: { clientIP: true, timeoutSeconds: 10800 } });
});

test('internalTrafficPolicy Local: pod clients reach endpoints on their own node only; other clients reach all', () => {
  const backends = [{ ip: '10.0.0.1', port: 80, node: 'n1' }, { ip: '10.0.0.2', port: 80, node: 'n2' }, { ip: '10.0.0.3', port: 80, node: 'n1' }];
  const bal = new Balancer(backends, undefined, Date.now, { clientNodes: { '10.0.1.5': 'n1', '10.0.1.6': 'n3' } });
  for (let i = 0; i < 10; i++) assert.ok(bal.order('10.0.1.5').every((b) => b.node === 'n1'));
  assert.deepEqual(new Set(Array.from({ length: 4 }, () => bal.order('10.0.1.5')[0]!.ip)), new Set(['10.0.0.1', '10.0.0.3']), 'balanced among the local ones');
  assert.deepEqual(bal.order('10.0.1.6'), [], 'a pod on a node without endpoints gets none, as upstream');
  assert.equal(bal.order('127.0.0.1').length, 3, 'host traffic (NodePort) is not a pod client');
  assert.equal(bal.order('::ffff:10.0.1.5').length, 2, 'IPv4-mapped addresses are recognised');
  assert.deepEqual(parseProxyConfig({ listeners: [{ protocol: 'TCP', port: 80, backends: [{ ip: '1.1.1.1', port: 1, node: 'n1' }] }], localClients: { clientNodes: { '2.2.2.2': 'n1' } } }).localClients, { clientNodes: { '2.2.2.2': 'n1' } });
  assert.throws(() => parseProxyConfig({ listeners: [], localClients: { clientNodes: null } }), /clientNodes/);
});
