import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ComposeError, convertCompose, cpuQuantity, dnsLabel, formatReport, memoryQuantity, toYaml, type ConvertResult } from '../../engine/convert/compose.ts';
import { interpolate, parsePorts, shellSplit } from '../../engine/convert/compose-parse.ts';
import type { KubeObject } from '../../engine/api/client.ts';

const dir = join(import.meta.dirname, '..', 'fixtures', 'compose');

function convertFixture(name: string): ConvertResult {
  const base = join(dir, name);
  const readFile = (p: string) => {
    try {
      return readFileSync(join(base, p), 'utf8');
    } catch {
      return undefined;
    }
  };
  return convertCompose(readFileSync(join(base, 'docker-compose.yml'), 'utf8'), { readFile, project: name, env: {} });
}

type Obj = KubeObject & { spec?: any; data?: Record<string, string> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests walk arbitrary manifests
const find = (r: ConvertResult, kind: string, name: string): Obj => {
  const o = r.objects.find((x) => x.kind === kind && x.metadata?.name === name);
  assert.ok(o, `expected ${kind}/${name}; got ${r.objects.map((x) => `${x.kind}/${x.metadata?.name}`).join(', ')}`);
  return o as Obj;
};
const container = (d: Obj) => d.spec.template.spec.containers[0];
const reported = (r: ConvertResult, service: string | undefined, field: string, kind?: string) =>
  r.report.some((e) => e.service === service && e.field === field && (!kind || e.kind === kind));

/** Invariants every converted object must hold, whatever the input. */
function assertWellFormed(r: ConvertResult): void {
  const dns = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  const names = new Set<string>();
  for (const o of r.objects) {
    const key = `${o.kind}/${o.metadata?.name}`;
    assert.ok(!names.has(key), `duplicate ${key}`);
    names.add(key);
    assert.match(o.metadata!.name!, dns, `${key}: name is a DNS label`);
    assert.ok(o.metadata!.name!.length <= 63);
    const spec = (o as Obj).spec;
    if (o.kind === 'Deployment') {
      for (const [k, v] of Object.entries(spec.selector.matchLabels)) assert.equal(spec.template.metadata.labels[k], v, `${key}: selector matches template`);
      const volumes = new Set((spec.template.spec.volumes ?? []).map((v: { name: string }) => v.name));
      for (const c of [...spec.template.spec.containers, ...(spec.template.spec.initContainers ?? [])]) {
        for (const m of c.volumeMounts ?? []) assert.ok(volumes.has(m.name), `${key}: mount ${m.name} has a volume`);
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref) assert.ok(r.objects.some((x) => x.kind === 'Secret' && x.metadata?.name === ref.name && (x as Obj).data?.[ref.key] !== undefined), `${key}: secret ${ref.name}/${ref.key} exists`);
        }
        for (const f of c.envFrom ?? []) {
          const name = f.configMapRef?.name ?? f.secretRef?.name;
          assert.ok(r.objects.some((x) => (x.kind === 'ConfigMap' || x.kind === 'Secret') && x.metadata?.name === name), `${key}: envFrom ${name} exists`);
        }
      }
      for (const v of spec.template.spec.volumes ?? []) {
        if (v.persistentVolumeClaim) assert.ok(r.objects.some((x) => x.kind === 'PersistentVolumeClaim' && x.metadata?.name === v.persistentVolumeClaim.claimName));
      }
    }
    if (o.kind === 'Service') {
      const target = r.objects.find((x) => x.kind === 'Deployment' && Object.entries(spec.selector).every(([k, v]) => (x as Obj).spec.template.metadata.labels[k] === v));
      assert.ok(target, `${key}: selects a Deployment`);
    }
  }
  // The YAML round-trips.
  const docs = toYaml(r.objects).split(/^---$/m).map((d) => parse(d));
  assert.equal(docs.length, r.objects.length);
}

test('wordpress + mysql: secrets split out, PVCs, a public Service and a wait init container', () => {
  const r = convertFixture('wordpress');
  assertWellFormed(r);
  const db = find(r, 'Deployment', 'db');
  const env = container(db).env;
  assert.deepEqual(env.find((e: { name: string }) => e.name === 'MYSQL_DATABASE'), { name: 'MYSQL_DATABASE', value: 'wordpress' });
  assert.deepEqual(env.find((e: { name: string }) => e.name === 'MYSQL_PASSWORD').valueFrom, { secretKeyRef: { name: 'db-env', key: 'MYSQL_PASSWORD' } });
  assert.equal(Buffer.from(find(r, 'Secret', 'db-env').data!.MYSQL_ROOT_PASSWORD!, 'base64').toString(), 'root-secret');
  assert.equal(find(r, 'Service', 'db').spec.ports[0].port, 3306);
  const wp = find(r, 'Deployment', 'wordpress');
  assert.deepEqual(wp.spec.template.spec.initContainers[0].command, ['sh', '-c', 'until nc -z db 3306; do echo waiting for db:3306; sleep 2; done']);
  const pub = find(r, 'Service', 'wordpress-public');
  assert.equal(pub.spec.type, 'LoadBalancer');
  assert.deepEqual(pub.spec.ports[0], { name: 'tcp-8080', port: 8080, targetPort: 80, protocol: 'TCP' });
  assert.equal(find(r, 'Service', 'wordpress').spec.ports[0].port, 80);
  find(r, 'PersistentVolumeClaim', 'db-data');
  find(r, 'PersistentVolumeClaim', 'wp-content');
  assert.ok(reported(r, 'db', 'environment', 'changed'));
});

test('node + redis: build-only service uses the local image name; string command is split', () => {
  const r = convertFixture('node-redis');
  assertWellFormed(r);
  const web = find(r, 'Deployment', 'web');
  assert.equal(container(web).image, 'node-redis-web');
  assert.deepEqual(container(web).args, ['node', 'server.js']);
  assert.ok(reported(r, 'web', 'build', 'changed'));
  assert.deepEqual(container(find(r, 'Deployment', 'redis')).args, ['redis-server', '--appendonly', 'yes']);
  // kubectl reads YAML 1.1, where a bare yes is a boolean: the output must quote it.
  assert.match(toYaml(r.objects), /- "yes"/);
  assert.equal(r.objects.some((o) => o.metadata?.name === 'redis-public'), false, 'an unpublished port gets no public Service');
});

test('postgres + pgadmin: env_file becomes a ConfigMap and a Secret; healthcheck becomes probes', () => {
  const r = convertFixture('postgres-pgadmin');
  assertWellFormed(r);
  const pg = find(r, 'Deployment', 'postgres');
  const cm = find(r, 'ConfigMap', 'postgres-postgres-env');
  assert.deepEqual(cm.data, { POSTGRES_USER: 'app', POSTGRES_DB: 'app' });
  assert.equal(Buffer.from(find(r, 'Secret', 'postgres-postgres-env-secret').data!.POSTGRES_PASSWORD!, 'base64').toString(), 's3cr3t pass');
  const c = container(pg);
  assert.deepEqual(c.readinessProbe, { exec: { command: ['/bin/sh', '-c', 'pg_isready -U app -d app'] }, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 5 });
  assert.equal(c.livenessProbe.initialDelaySeconds, 30);
  const admin = find(r, 'Deployment', 'pgadmin');
  assert.match(admin.spec.template.spec.initContainers[0].command[2], /nc -z postgres 5432/);
});

test('nginx: a bind-mounted file becomes a ConfigMap; a folder is reported; limits and tmpfs mapped', () => {
  const r = convertFixture('nginx-static');
  assertWellFormed(r);
  const c = container(find(r, 'Deployment', 'web'));
  assert.match(find(r, 'ConfigMap', 'web-nginx-conf').data!['nginx.conf']!, /listen 80/);
  assert.ok(c.volumeMounts.some((m: { mountPath: string; subPath?: string }) => m.mountPath === '/etc/nginx/nginx.conf' && m.subPath === 'nginx.conf'));
  assert.ok(r.report.some((e) => e.kind === 'unmapped' && e.message.includes('./html')));
  assert.deepEqual(c.resources, { limits: { cpu: '500m', memory: '128Mi' } });
  assert.equal(c.securityContext.readOnlyRootFilesystem, true);
  const tmp = find(r, 'Deployment', 'web').spec.template.spec.volumes.find((v: { emptyDir?: { medium?: string } }) => v.emptyDir?.medium === 'Memory');
  assert.ok(tmp);
  assert.equal(find(r, 'Service', 'web-public').spec.ports[0].port, 8080);
});

test('django + celery: replicas, reservations, shared env_file, two waits', () => {
  const r = convertFixture('django-celery');
  assertWellFormed(r);
  const worker = find(r, 'Deployment', 'worker');
  assert.equal(worker.spec.replicas, 2);
  assert.deepEqual(container(worker).resources, { limits: { memory: '1Gi' }, requests: { cpu: '250m', memory: '256Mi' } });
  assert.deepEqual(container(worker).args, ['celery', '-A', 'shop', 'worker', '--loglevel=info']);
  const web = find(r, 'Deployment', 'web');
  assert.equal(container(web).image, 'shop/web:1.4');
  assert.deepEqual(web.spec.template.spec.initContainers.map((c: { name: string }) => c.name), ['wait-for-db', 'wait-for-redis']);
  assert.ok(container(web).envFrom.some((f: { secretRef?: { name: string } }) => f.secretRef?.name === 'web-env-web-secret'));
  assert.ok(reported(r, 'web', 'build', 'note'));
});

test('prometheus + grafana: config file, file secret mounted at /run/secrets, numeric user, long port syntax', () => {
  const r = convertFixture('prometheus-grafana');
  assertWellFormed(r);
  const g = container(find(r, 'Deployment', 'grafana'));
  assert.equal(Buffer.from(find(r, 'Secret', 'grafana-admin').data!.grafana_admin!, 'base64').toString(), 'very-secret\n');
  assert.ok(g.volumeMounts.some((m: { mountPath: string }) => m.mountPath === '/run/secrets/grafana_admin'));
  assert.equal(g.securityContext.runAsUser, 472);
  assert.deepEqual(find(r, 'Service', 'grafana-public').spec.ports[0], { name: 'tcp-3001', port: 3001, targetPort: 3000, protocol: 'TCP' });
  assert.deepEqual(container(find(r, 'Deployment', 'prometheus')).args, ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.retention.time=7d']);
});

test('mongo-express: interpolation from .env with defaults; labels become annotations', () => {
  const r = convertFixture('mongo-express');
  assertWellFormed(r);
  assert.equal(container(find(r, 'Deployment', 'mongo')).image, 'mongo:7');
  const me = find(r, 'Deployment', 'mongo-express');
  assert.equal(find(r, 'Service', 'mongo-express-public').spec.ports[0].port, 8081);
  assert.equal(me.metadata!.annotations!['com.example.team'], 'data');
  const url = container(me).env.find((e: { name: string }) => e.name === 'ME_CONFIG_MONGODB_URL');
  assert.equal(url.value, 'mongodb://root:example-pass@mongo:27017/');
  assert.throws(() => convertCompose(readFileSync(join(dir, 'mongo-express', 'docker-compose.yml'), 'utf8'), {}), /MONGO_PASSWORD/);
});

test('elasticsearch + kibana: list environment, mem_limit, ulimits reported, exec healthcheck', () => {
  const r = convertFixture('elastic-kibana');
  assertWellFormed(r);
  const es = container(find(r, 'Deployment', 'elasticsearch'));
  assert.ok(es.env.some((e: { name: string; value: string }) => e.name === 'discovery.type' && e.value === 'single-node'));
  assert.equal(es.resources.limits.memory, '1Gi');
  assert.ok(reported(r, 'elasticsearch', 'ulimits', 'unmapped'));
  assert.deepEqual(es.readinessProbe.exec.command, ['curl', '-fs', 'http://localhost:9200/_cluster/health']);
  assert.deepEqual(find(r, 'Service', 'elasticsearch').spec.ports.map((p: { port: number }) => p.port), [9200, 9300]);
  assert.deepEqual(find(r, 'Service', 'elasticsearch-public').spec.ports.map((p: { port: number }) => p.port), [9200]);
});

test('traefik + whoami: the Docker socket, networks and container_name are reported, replicas kept', () => {
  const r = convertFixture('traefik-whoami');
  assertWellFormed(r);
  assert.ok(r.report.some((e) => e.service === 'traefik' && e.kind === 'unmapped' && e.message.includes('Docker socket')));
  assert.ok(reported(r, 'traefik', 'networks', 'unmapped'));
  assert.ok(reported(r, 'whoami', 'container_name', 'unmapped'));
  assert.equal(find(r, 'Deployment', 'whoami').spec.replicas, 3);
  assert.equal(find(r, 'Deployment', 'whoami').metadata!.annotations!['traefik.http.routers.whoami.rule'], 'Host(`whoami.localhost`)');
});

test('minio + one-shot init: renamed service, restart "no" and named user reported, shell entrypoint', () => {
  const r = convertFixture('minio-init');
  assertWellFormed(r);
  const job = find(r, 'Deployment', 'create-buckets');
  assert.ok(reported(r, 'create_buckets', 'name', 'changed'));
  assert.ok(reported(r, 'create_buckets', 'restart', 'changed'));
  assert.ok(reported(r, 'create_buckets', 'user', 'unmapped'));
  assert.ok(reported(r, 'create_buckets', 'extra_hosts', 'unmapped'));
  assert.deepEqual(container(job).command.slice(0, 2), ['/bin/sh', '-c']);
  assert.deepEqual(container(find(r, 'Deployment', 'minio')).args, ['server', '/data', '--console-address', ':9001']);
  assert.deepEqual(container(find(r, 'Deployment', 'minio')).readinessProbe.exec.command, ['/bin/sh', '-c', 'mc ready local']);
  assert.match(formatReport(r.report).split('\n')[0]!, /^unmapped/);
});

test('helpers: names, sizes, ports, interpolation, shell words', () => {
  assert.equal(dnsLabel('My_Service.v2'), 'my-service-v2');
  assert.equal(memoryQuantity('512m'), '512Mi');
  assert.equal(memoryQuantity('1.5g'), '1536Mi');
  assert.equal(memoryQuantity('lots'), undefined);
  assert.equal(cpuQuantity('0.25'), '250m');
  assert.equal(cpuQuantity('2'), '2');
  assert.deepEqual(parsePorts(['127.0.0.1:5000-5001:6000-6001/udp'], [], 's'), [
    { target: 6000, published: 5000, hostIp: '127.0.0.1', protocol: 'UDP' },
    { target: 6001, published: 5001, hostIp: '127.0.0.1', protocol: 'UDP' },
  ]);
  const notes: { field: string; message: string }[] = [];
  assert.equal(interpolate('a-${X:-d}-${Y-e}-$$-${Z}', { Y: '' }, notes), 'a-d--$-');
  assert.equal(notes.length, 1);
  assert.deepEqual(shellSplit(`sh -c "echo 'hi there'" x\\ y`), ['sh', '-c', "echo 'hi there'", 'x y']);
});

test('bad input gets a clear ComposeError', () => {
  assert.throws(() => convertCompose('services: {}'), ComposeError);
  assert.throws(() => convertCompose('just text'), /services/);
  assert.throws(() => convertCompose('services:\n  a:\n    image: x\n    ports: ["nope"]'), /invalid port/);
  assert.throws(() => convertCompose('services:\n  a: [1'), /not valid YAML/);
  assert.throws(() => convertCompose('services:\n  a:\n    image: ${'), ComposeError);
});
