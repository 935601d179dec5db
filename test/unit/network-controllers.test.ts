import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Secret, Service } from 'kubernetes-types/core/v1';
import type { Ingress } from 'kubernetes-types/networking/v1';
import { R } from '../../engine/api/resources.ts';
import { AgentContainers, AGENT_PATH, CONFIG_PATH } from '../../engine/network/agent-containers.ts';
import { ServiceProxyController, proxyConfig, publishedPorts } from '../../engine/network/service-proxy-controller.ts';
import { buildRecords } from '../../engine/network/dns-controller.ts';
import { buildIngressConfig, isOurs } from '../../engine/network/ingress-controller.ts';
import { planFor, candidates } from '../../engine/network/plan.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';
import { harness } from './controllers/harness.ts';

const NET = 'test-net';

function svc(name: string, spec: Service['spec'], ns = 'default'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, uid: `uid-${name}` }, spec };
}
function endpoints(name: string, ips: string[], notReady: string[] = [], port = 8080): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace: 'default' },
    subsets: [{ addresses: ips.map((ip, i) => ({ ip, hostname: `${name}-${i}` })), notReadyAddresses: notReady.map((ip) => ({ ip })), ports: [{ name: 'http', port, protocol: 'TCP' }] }],
  };
}

async function setup(objects: { services?: Service[]; endpoints?: Endpoints[] }) {
  const runtime = new FakeRuntime();
  runtime.setImage('infra:test');
  await runtime.ensureNetwork(NET, { subnet: '10.201.0.0/16' });
  const h = harness([{ type: R.services, objects: objects.services ?? [] }, { type: R.endpoints, objects: objects.endpoints ?? [] }]);
  const agents = new AgentContainers(runtime, { clusterName: 'c1', agentSource: Buffer.from('// agent'), log: () => undefined });
  const c = new ServiceProxyController(h.ctx, agents, { clusterName: 'c1', network: NET, image: 'infra:test', domain: 'cluster.local', hostIP: '127.0.0.1' });
  await h.start();
  return { runtime, h, c, agents };
}

const web = svc('web', { type: 'ClusterIP', clusterIP: '10.201.128.20', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] });

test('a ClusterIP Service gets a proxy at its ClusterIP with its DNS aliases, forwarding to ready endpoints only', async () => {
  const { runtime, h, c } = await setup({ services: [web], endpoints: [endpoints('web', ['10.201.0.5', '10.201.0.6'], ['10.201.0.7'])] });
  await c.sync('default/web');
  const [proxy] = runtime.allContainers();
  assert.ok(proxy);
  const spec = runtime.specOf(proxy.id);
  assert.equal(spec.ipv4Address, '10.201.128.20');
  assert.deepEqual(spec.networkAliases, ['web.default', 'web.default.svc', 'web.default.svc.cluster.local']);
  assert.deepEqual(spec.command, ['node', AGENT_PATH]);
  assert.deepEqual(spec.ports ?? [], []);
  assert.equal(proxy.state, 'running');
  assert.equal(runtime.readFile(proxy.id, AGENT_PATH)?.content.toString(), '// agent');
  const cfg = JSON.parse(runtime.readFile(proxy.id, CONFIG_PATH)!.content.toString());
  assert.deepEqual(cfg, { listeners: [{ protocol: 'TCP', port: 80, backends: [{ ip: '10.201.0.5', port: 8080 }, { ip: '10.201.0.6', port: 8080 }] }] });
  // Endpoint changes rewrite the configuration in place: same container.
  await h.client.update(R.endpoints, { ...(await h.client.get<Endpoints>(R.endpoints, 'web', 'default')), subsets: endpoints('web', ['10.201.0.7']).subsets });
  await new Promise((r) => setImmediate(r));
  await c.sync('default/web');
  assert.equal(runtime.allContainers().length, 1);
  assert.equal(runtime.allContainers()[0]!.id, proxy.id);
  assert.deepEqual(JSON.parse(runtime.readFile(proxy.id, CONFIG_PATH)!.content.toString()).listeners[0].backends, [{ ip: '10.201.0.7', port: 8080 }]);
  await h.stop();
});

test('changing a port recreates only the proxy; deleting the Service removes it; headless Services have none', async () => {
  const headless = svc('db', { clusterIP: 'None', selector: { app: 'db' } });
  const { runtime, h, c } = await setup({ services: [web, headless] });
  await c.sync('default/web');
  await c.sync('default/db');
  assert.equal(runtime.allContainers().length, 1);
  const first = runtime.allContainers()[0]!.id;
  const cur = await h.client.get<Service>(R.services, 'web', 'default');
  await h.client.update(R.services, { ...cur, spec: { ...cur.spec, type: 'NodePort', ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP', nodePort: 30080 }] } });
  await new Promise((r) => setImmediate(r));
  await c.sync('default/web');
  const [second] = runtime.allContainers();
  assert.notEqual(second!.id, first);
  assert.deepEqual(runtime.specOf(second!.id).ports, [{ containerPort: 80, protocol: 'tcp', hostIP: '127.0.0.1', hostPort: 30080 }]);
  await h.client.delete(R.services, 'web', 'default');
  await new Promise((r) => setImmediate(r));
  await c.sync('default/web');
  assert.equal(runtime.allContainers().length, 0);
  await h.stop();
});

test('a LoadBalancer publishes its port and node port on 127.0.0.1 and reports 127.0.0.1 in status', async () => {
  const lb = svc('shop', { type: 'LoadBalancer', clusterIP: '10.201.128.30', selector: { app: 'shop' }, ports: [{ port: 8080, targetPort: 80, nodePort: 31000, protocol: 'TCP' }] });
  assert.deepEqual(publishedPorts(lb, '127.0.0.1'), [
    { containerPort: 8080, protocol: 'tcp', hostIP: '127.0.0.1', hostPort: 31000 },
    { containerPort: 8080, protocol: 'tcp', hostIP: '127.0.0.1', hostPort: 8080 },
  ]);
  const { h, c } = await setup({ services: [lb] });
  await c.sync('default/shop');
  assert.deepEqual(h.writes(), ['update services/status shop']);
  const st = (h.client.writes()[0]!.object as Service).status;
  assert.deepEqual(st?.loadBalancer?.ingress, [{ ip: '127.0.0.1', ipMode: 'VIP' }]);
  await h.stop();
});

test('a restarted engine removes proxies whose Service is gone and keeps the rest', async () => {
  const { runtime, h, c, agents } = await setup({ services: [web] });
  await agents.ensure({ name: c.nameFor('default', 'gone'), component: 'proxy', object: 'default/gone', image: 'infra:test', network: NET, ip: '10.201.128.99' }, { listeners: [] });
  await c.sync('default/web');
  assert.equal(runtime.allContainers().length, 2);
  await c.collectOrphans();
  assert.deepEqual(runtime.allContainers().map((x) => x.name), [c.nameFor('default', 'web')]);
  await h.stop();
});

test('DNS records: ClusterIP, headless with pod hostnames, ExternalName, SRV and PTR', () => {
  const rec = buildRecords(
    [
      web,
      svc('db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'http', port: 8080 }] }),
      svc('search', { type: 'ExternalName', externalName: 'Example.COM.' }),
    ],
    [endpoints('db', ['10.201.0.9', '10.201.0.10'])],
    'cluster.local',
  );
  assert.deepEqual(rec.a['web.default.svc.cluster.local'], ['10.201.128.20']);
  assert.deepEqual(rec.a['db.default.svc.cluster.local'], ['10.201.0.9', '10.201.0.10']);
  assert.deepEqual(rec.a['db-0.db.default.svc.cluster.local'], ['10.201.0.9']);
  assert.equal(rec.cname['search.default.svc.cluster.local'], 'example.com');
  assert.deepEqual(rec.srv['_http._tcp.web.default.svc.cluster.local'], [{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
  assert.equal(rec.srv['_http._tcp.db.default.svc.cluster.local']!.length, 2);
  assert.equal(rec.ptr['20.128.201.10.in-addr.arpa'], 'web.default.svc.cluster.local');
});

test('ingress table: hosts and paths to ClusterIP:port, named ports, TLS from Secrets, problems reported', () => {
  const api = svc('api', { clusterIP: '10.201.128.40', ports: [{ name: 'web', port: 8000 }] });
  const secret: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'tls', namespace: 'default' }, type: 'kubernetes.io/tls', data: { 'tls.crt': Buffer.from('CERT').toString('base64'), 'tls.key': Buffer.from('KEY').toString('base64') } };
  const ing: Ingress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'i', namespace: 'default', uid: 'u1' },
    spec: {
      tls: [{ hosts: ['a.test'], secretName: 'tls' }, { secretName: 'missing' }],
      rules: [
        { host: 'a.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }, { path: '/api', pathType: 'Prefix', backend: { service: { name: 'api', port: { name: 'web' } } } }] } },
        { host: 'b.test', http: { paths: [{ path: '/', pathType: 'Exact', backend: { service: { name: 'nope', port: { number: 80 } } } }] } },
      ],
    },
  };
  const services = new Map([['web', web], ['api', api]]);
  const { config, problems } = buildIngressConfig([ing], (_ns, n) => services.get(n), (_ns, n) => (n === 'tls' ? secret : undefined));
  assert.deepEqual(config.rules, [{ host: 'a.test', paths: [{ path: '/', pathType: 'Prefix', backend: { host: '10.201.128.20', port: 80 } }, { path: '/api', pathType: 'Prefix', backend: { host: '10.201.128.40', port: 8000 } }] }]);
  assert.deepEqual(config.tls, [{ hosts: ['a.test'], cert: 'CERT', key: 'KEY' }]);
  assert.deepEqual(problems.map((p) => p.message).sort(), ['TLS secret "missing" not found or has no tls.crt/tls.key', 'service "nope" not found']);
  assert.ok(isOurs(ing, []));
  assert.ok(!isOurs({ ...ing, spec: { ...ing.spec, ingressClassName: 'nginx' } }, []));
});

test('address plan: halves of a /16, DNS at .128.10, candidates spread by name', () => {
  assert.deepEqual(planFor('dev', 201), {
    network: 'dev-net', subnet: '10.201.0.0/16', gateway: '10.201.0.1', podRange: '10.201.0.0/17', serviceCIDR: '10.201.128.0/17', dnsIP: '10.201.128.10', domain: 'cluster.local',
  });
  const c = candidates('dev');
  assert.equal(c.length, 55);
  assert.equal(new Set(c).size, 55);
  assert.notEqual(candidates('other')[0], c[0]);
});

test('a Local Service proxy config carries backend nodes and the pod-IP → node map; a Cluster one does neither map', () => {
  const local = svc('loc', { clusterIP: '10.201.128.50', internalTrafficPolicy: 'Local', selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] });
  const ep: Endpoints = { ...endpoints('loc', ['10.201.0.5']), subsets: [{ addresses: [{ ip: '10.201.0.5', nodeName: 'n2' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }] };
  const pods = [
    { metadata: { name: 'client' }, spec: { nodeName: 'n1', containers: [] }, status: { podIP: '10.201.0.9' } },
    { metadata: { name: 'pending' }, spec: { containers: [] }, status: {} },
  ];
  assert.deepEqual(proxyConfig(local, ep, pods), {
    localClients: { clientNodes: { '10.201.0.9': 'n1' } },
    listeners: [{ protocol: 'TCP', port: 80, backends: [{ ip: '10.201.0.5', port: 8080, node: 'n2' }] }],
  });
  assert.equal(proxyConfig({ ...local, spec: { ...local.spec, internalTrafficPolicy: 'Cluster' } }, ep, pods).localClients, undefined);
});
