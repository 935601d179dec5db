import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { R } from '../../engine/api/resources.ts';
import { computeSlices, computeSubsets, findPort, readyBackends } from '../../engine/network/endpoints-compute.ts';
import { EndpointsController } from '../../engine/network/endpoints-controller.ts';
import { EndpointSliceController } from '../../engine/network/endpointslice-controller.ts';
import { harness } from './controllers/harness.ts';

function pod(name: string, ip: string | undefined, opts: { ready?: boolean; labels?: Record<string, string>; deleting?: boolean; hostname?: string; subdomain?: string; phase?: string } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: opts.labels ?? { app: 'web' }, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: {
      nodeName: 'node-1',
      ...(opts.hostname ? { hostname: opts.hostname } : {}),
      ...(opts.subdomain ? { subdomain: opts.subdomain } : {}),
      containers: [{ name: 'app', image: 'x', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }] }],
    },
    status: { phase: opts.phase ?? 'Running', ...(ip ? { podIP: ip } : {}), conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}

function svc(spec: Service['spec'], name = 'web'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `uid-svc-${name}`, labels: { tier: 'fe' } }, spec };
}

const web = svc({ selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });

test('subsets: ready and not-ready addresses, named target ports resolved per pod, stable order', () => {
  const pods = [pod('b', '10.0.0.12'), pod('a', '10.0.0.2'), pod('c', '10.0.0.3', { ready: false }), pod('nope', undefined), pod('gone', '10.0.0.9', { deleting: true })];
  const subsets = computeSubsets(web, pods);
  assert.equal(subsets.length, 1);
  assert.deepEqual(subsets[0]!.addresses!.map((a) => a.ip), ['10.0.0.2', '10.0.0.12']);
  assert.deepEqual(subsets[0]!.notReadyAddresses!.map((a) => a.ip), ['10.0.0.3']);
  assert.deepEqual(subsets[0]!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(subsets[0]!.addresses![0]!.targetRef, { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' });
  assert.deepEqual(readyBackends(subsets, 'http', 'TCP'), [{ ip: '10.0.0.2', port: 8080, node: 'node-1' }, { ip: '10.0.0.12', port: 8080, node: 'node-1' }]);
  assert.deepEqual(readyBackends(subsets, 'http', 'UDP'), []);
});

test('publishNotReadyAddresses lists every pod as ready; finished pods of Never-restart are left out', () => {
  const s = svc({ selector: { app: 'web' }, publishNotReadyAddresses: true, ports: [{ port: 53, targetPort: 'dns', protocol: 'UDP' }] });
  const done = pod('done', '10.0.0.5', { phase: 'Succeeded' });
  (done.spec as { restartPolicy?: string }).restartPolicy = 'Never';
  const subsets = computeSubsets(s, [pod('x', '10.0.0.4', { ready: false }), done]);
  assert.deepEqual(subsets[0]!.addresses!.map((a) => a.ip), ['10.0.0.4']);
  assert.deepEqual(subsets[0]!.ports, [{ port: 5353, protocol: 'UDP' }]);
});

test('headless Services carry pod hostnames for the subdomain and list pods even without ports', () => {
  const h = svc({ clusterIP: 'None', selector: { app: 'db' } }, 'db');
  const subsets = computeSubsets(h, [pod('db-0', '10.0.0.7', { labels: { app: 'db' }, hostname: 'db-0', subdomain: 'db' }), pod('db-1', '10.0.0.8', { labels: { app: 'db' }, hostname: 'db-1', subdomain: 'other' })]);
  assert.deepEqual(subsets[0]!.addresses!.map((a) => [a.ip, a.hostname]), [['10.0.0.7', 'db-0'], ['10.0.0.8', undefined]]);
  assert.equal(subsets[0]!.ports, undefined);
});

test('a port a pod does not have leaves that pod out of that port only', () => {
  const s = svc({ selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'admin', port: 9000, targetPort: 'admin' }] });
  assert.equal(findPort(pod('a', '1.1.1.1'), { port: 9000, targetPort: 'admin' }), undefined);
  assert.equal(findPort(pod('a', '1.1.1.1'), { port: 9000, targetPort: 9001 }), 9001);
  assert.equal(findPort(pod('a', '1.1.1.1'), { port: 9000 }), 9000);
  const subsets = computeSubsets(s, [pod('a', '10.0.0.2')]);
  assert.deepEqual(subsets[0]!.ports!.map((p) => p.name), ['http']);
});

test('slices carry ready/serving/terminating conditions', () => {
  const slices = computeSlices(web, [pod('a', '10.0.0.2'), pod('t', '10.0.0.3', { deleting: true }), pod('n', '10.0.0.4', { ready: false })]);
  assert.equal(slices.length, 1);
  assert.deepEqual(slices[0]!.endpoints.map((e) => [e.addresses[0], e.conditions]), [
    ['10.0.0.2', { ready: true, serving: true, terminating: false }],
    ['10.0.0.3', { ready: false, serving: true, terminating: true }],
    ['10.0.0.4', { ready: false, serving: false, terminating: false }],
  ]);
});

test('Endpoints controller: creates, updates on readiness changes, leaves selector-less Services alone, deletes with the Service', async () => {
  const manual = svc({ ports: [{ port: 80 }] }, 'manual');
  const h = harness([{ type: R.services, objects: [web, manual] }, { type: R.pods, objects: [pod('a', '10.0.0.2'), pod('b', '10.0.0.3', { ready: false })] }]);
  const c = new EndpointsController(h.ctx);
  await h.start();
  await c.sync('default/web');
  await c.sync('default/manual');
  assert.deepEqual(h.writes(), ['create endpoints web']);
  const ep = h.client.writes()[0]!.object as Endpoints;
  assert.deepEqual(ep.metadata?.labels, { tier: 'fe' });
  assert.deepEqual(ep.subsets![0]!.notReadyAddresses!.map((a) => a.ip), ['10.0.0.3']);
  h.reset();
  await c.sync('default/web');
  assert.deepEqual(h.writes(), [], 'no change, no write');
  // b becomes ready
  const b = await h.client.get<Pod>(R.pods, 'b', 'default');
  await h.client.updateStatus(R.pods, { ...b, status: { ...b.status, conditions: [{ type: 'Ready', status: 'True' }] } });
  await new Promise((r) => setImmediate(r));
  h.reset();
  await c.sync('default/web');
  assert.deepEqual(h.writes(), ['update endpoints web']);
  assert.deepEqual((h.client.writes()[0]!.object as Endpoints).subsets![0]!.addresses!.map((a) => a.ip), ['10.0.0.2', '10.0.0.3']);
  await h.client.delete(R.services, 'web', 'default');
  await new Promise((r) => setImmediate(r));
  h.reset();
  await c.sync('default/web');
  assert.deepEqual(h.writes(), ['delete endpoints web']);
  await h.stop();
});

test('EndpointSlice controller: one owned slice per port mapping, updated in place, removed when the selector goes', async () => {
  const h = harness([{ type: R.services, objects: [web] }, { type: R.pods, objects: [pod('a', '10.0.0.2')] }]);
  const c = new EndpointSliceController(h.ctx);
  await h.start();
  await c.sync('default/web');
  assert.deepEqual(h.writes(), ['create endpointslices web-']);
  const slice = h.client.writes()[0]!.object as EndpointSlice;
  assert.equal(slice.metadata?.labels?.['kubernetes.io/service-name'], 'web');
  assert.equal(slice.metadata?.ownerReferences?.[0]?.kind, 'Service');
  assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  await new Promise((r) => setImmediate(r));
  h.reset();
  await c.sync('default/web');
  assert.deepEqual(h.writes(), []);
  await h.client.create(R.pods, pod('b', '10.0.0.3'));
  await new Promise((r) => setImmediate(r));
  h.reset();
  await c.sync('default/web');
  assert.deepEqual(h.writes().map((w) => w.replace(/web-\w+$/, 'web-*')), ['update endpointslices web-*']);
  const s = await h.client.get<Service>(R.services, 'web', 'default');
  await h.client.update(R.services, { ...s, spec: { ...s.spec, selector: undefined } });
  await new Promise((r) => setImmediate(r));
  h.reset();
  await c.sync('default/web');
  assert.deepEqual(h.writes().map((w) => w.replace(/web-\w+$/, 'web-*')), ['delete endpointslices web-*']);
  await h.stop();
});
