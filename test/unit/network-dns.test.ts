import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsFormatError, RCODE, TYPE, decodeQuery, decodeResponse, encodeQuery, encodeResponse } from '../../engine/network/agent/dns-message.ts';
import { answer, emptyRecords, parseRecords, type DnsRecords } from '../../engine/network/agent/dns-records.ts';

const zone: DnsRecords = {
  ...emptyRecords(),
  a: {
    'web.default.svc.cluster.local': ['10.96.0.10'],
    'db.default.svc.cluster.local': ['172.20.0.5', '172.20.0.6'],
    'db-0.db.default.svc.cluster.local': ['172.20.0.5'],
  },
  cname: { 'search.default.svc.cluster.local': 'example.com', 'alias.default.svc.cluster.local': 'web.default.svc.cluster.local' },
  srv: { '_http._tcp.web.default.svc.cluster.local': [{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }] },
  ptr: { '10.0.96.10.in-addr.arpa': 'web.default.svc.cluster.local' },
};

test('query and response round-trip through the wire format', () => {
  const q = encodeQuery(4242, 'Web.Default.svc.cluster.local', TYPE.A);
  const parsed = decodeQuery(q);
  assert.equal(parsed.id, 4242);
  assert.deepEqual(parsed.question, { name: 'web.default.svc.cluster.local', type: TYPE.A, class: 1 });
  const a = answer(parsed.question, zone);
  assert.equal(a.kind, 'local');
  if (a.kind !== 'local') return;
  const reply = decodeResponse(encodeResponse(q, parsed, a.rcode, a.answers));
  assert.equal(reply.id, 4242);
  assert.equal(reply.rcode, RCODE.NOERROR);
  assert.deepEqual(reply.answers.map((r) => (r.type === TYPE.A ? r.address : '')), ['10.96.0.10']);
});

test('headless names answer every ready pod IP; StatefulSet pods have their own names', () => {
  const a = answer({ name: 'db.default.svc.cluster.local', type: TYPE.A, class: 1 }, zone);
  assert.ok(a.kind === 'local' && a.answers.length === 2);
  const pod = answer({ name: 'db-0.db.default.svc.cluster.local', type: TYPE.A, class: 1 }, zone);
  assert.ok(pod.kind === 'local' && pod.answers.length === 1);
});

test('ExternalName answers a CNAME and asks upstream for the target; in-zone CNAMEs are chased', () => {
  const ext = answer({ name: 'search.default.svc.cluster.local', type: TYPE.A, class: 1 }, zone);
  assert.equal(ext.kind, 'cname-external');
  assert.ok(ext.kind === 'cname-external' && ext.target === 'example.com');
  const inside = answer({ name: 'alias.default.svc.cluster.local', type: TYPE.A, class: 1 }, zone);
  assert.ok(inside.kind === 'local' && inside.answers.length === 2 && inside.answers[1]!.type === TYPE.A);
});

test('NXDOMAIN for unknown in-zone names, NOERROR for empty non-terminals and AAAA of known names', () => {
  const nx = answer({ name: 'nope.default.svc.cluster.local', type: TYPE.A, class: 1 }, zone);
  assert.ok(nx.kind === 'local' && nx.rcode === RCODE.NXDOMAIN && nx.authority[0]!.type === TYPE.SOA);
  const ent = answer({ name: 'default.svc.cluster.local', type: TYPE.A, class: 1 }, zone);
  assert.ok(ent.kind === 'local' && ent.rcode === RCODE.NOERROR && ent.answers.length === 0);
  const v6 = answer({ name: 'web.default.svc.cluster.local', type: TYPE.AAAA, class: 1 }, zone);
  assert.ok(v6.kind === 'local' && v6.rcode === RCODE.NOERROR && v6.answers.length === 0);
  assert.equal(answer({ name: 'example.org', type: TYPE.A, class: 1 }, zone).kind, 'forward');
});

test('SRV and PTR records', () => {
  const srv = answer({ name: '_http._tcp.web.default.svc.cluster.local', type: TYPE.SRV, class: 1 }, zone);
  assert.ok(srv.kind === 'local' && srv.answers[0]!.type === TYPE.SRV && srv.answers[0]!.port === 80);
  const q = encodeQuery(1, '10.0.96.10.in-addr.arpa', TYPE.PTR);
  const parsed = decodeQuery(q);
  const ptr = answer(parsed.question, zone);
  assert.ok(ptr.kind === 'local');
  if (ptr.kind !== 'local') return;
  const reply = decodeResponse(encodeResponse(q, parsed, ptr.rcode, ptr.answers));
  assert.equal(reply.answers[0]!.type === TYPE.PTR && reply.answers[0]!.target, 'web.default.svc.cluster.local');
});

test('large answers over UDP are truncated with the TC bit', () => {
  const many: DnsRecords = { ...emptyRecords(), a: { 'big.default.svc.cluster.local': Array.from({ length: 100 }, (_x, i) => `10.0.${i >> 8}.${i & 255}`) } };
  const q = encodeQuery(7, 'big.default.svc.cluster.local', TYPE.A);
  const parsed = decodeQuery(q);
  const a = answer(parsed.question, many);
  assert.ok(a.kind === 'local');
  if (a.kind !== 'local') return;
  const udp = encodeResponse(q, parsed, a.rcode, a.answers, [], 512);
  assert.ok(udp.length <= 512);
  assert.equal(decodeResponse(udp).truncated, true);
  assert.equal(decodeResponse(encodeResponse(q, parsed, a.rcode, a.answers)).answers.length, 100);
});

test('hostile messages are refused with DnsFormatError, never a crash or a loop', () => {
  const loop = Buffer.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]);
  assert.throws(() => decodeQuery(loop), DnsFormatError);
  assert.throws(() => decodeQuery(Buffer.alloc(5)), DnsFormatError);
  assert.throws(() => decodeQuery(Buffer.from([0, 1, 0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])), DnsFormatError);
  for (let i = 0; i < 20_000; i++) {
    const buf = Buffer.from(encodeQuery(i & 0xffff, 'a.b.c.cluster.local', TYPE.A));
    const n = 1 + (i % 4);
    for (let k = 0; k < n; k++) buf[(i * 7 + k * 13) % buf.length] = (i * 31 + k) & 0xff;
    try {
      decodeQuery(buf.subarray(0, buf.length - (i % 3)));
    } catch (err) {
      assert.ok(err instanceof DnsFormatError, String(err));
    }
  }
});

test('records documents are checked before use', () => {
  assert.throws(() => parseRecords({}), /domain/);
  assert.throws(() => parseRecords({ domain: 'cluster.local', a: { x: 'not-a-list' } }), /bad a entry/);
  assert.equal(parseRecords({ domain: 'Cluster.Local' }).domain, 'cluster.local');
});
