import { describe, it, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { openMemoryStore } from '../../engine/store/memory.ts';
import { Registry } from '../../engine/registry/registry.ts';
import type { ResourceInfo } from '../../engine/registry/catalog.ts';
import { ApiError, type KubeObject, type WatchEvent } from '../../engine/api/client.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test fixtures poke at arbitrary fields

async function rejects(p: Promise<unknown>, code: number, reason?: string): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (reason) assert.equal(e.reason, reason);
    return e;
  }
  assert.fail(`expected ${code}`);
}

const deployment = (name: string, labels = { app: name }): Obj => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
  spec: { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] } } },
});

describe('registry', () => {
  let reg: Registry;
  let deploy: ResourceInfo;
  let pods: ResourceInfo;
  let cms: ResourceInfo;
  beforeEach(async () => {
    reg = new Registry({ store: openMemoryStore() });
    await reg.start();
    deploy = reg.catalog.lookup('apps', 'v1', 'deployments')!;
    pods = reg.catalog.lookup('', 'v1', 'pods')!;
    cms = reg.catalog.lookup('', 'v1', 'configmaps')!;
  });

  it('creates the system namespaces at start', async () => {
    const ns = await reg.list(reg.catalog.lookup('', 'v1', 'namespaces')!, undefined);
    assert.deepEqual(ns.items.map((n) => n.metadata?.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    assert.equal((ns.items[0] as Obj).status.phase, 'Active');
  });

  it('defaults a Deployment as upstream and sets metadata', async () => {
    const { object } = await reg.create(deploy, 'default', deployment('web'));
    const d = object as Obj;
    assert.equal(d.spec.replicas, 1);
    assert.deepEqual(d.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
    assert.equal(d.spec.revisionHistoryLimit, 10);
    assert.equal(d.spec.progressDeadlineSeconds, 600);
    const c = d.spec.template.spec.containers[0];
    assert.equal(c.imagePullPolicy, 'IfNotPresent');
    assert.equal(c.ports[0].protocol, 'TCP');
    assert.equal(d.spec.template.spec.restartPolicy, 'Always');
    assert.equal(d.spec.template.spec.terminationGracePeriodSeconds, 30);
    assert.equal(d.spec.template.spec.dnsPolicy, 'ClusterFirst');
    assert.equal(d.metadata.generation, 1);
    assert.match(d.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(d.metadata.resourceVersion, /^\d+$/);
    assert.match(d.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('answers 422 with one cause per bad field', async () => {
    const bad = deployment('Bad_Name');
    bad.spec.template.metadata.labels = { app: 'other' };
    bad.spec.template.spec.containers[0].image = '';
    bad.metadata.labels = { 'bad key!': 'x' };
    const e = await rejects(reg.create(deploy, 'default', bad), 422, 'Invalid');
    const fields = e.status.details!.causes!.map((c) => c.field);
    assert.ok(fields.includes('metadata.name'));
    assert.ok(fields.includes('metadata.labels'));
    assert.ok(fields.includes('spec.template.metadata.labels'));
    assert.ok(fields.includes('spec.template.spec.containers[0].image'));
    assert.match(e.message, /^Deployment\.apps "Bad_Name" is invalid: \[/);
  });

  it('bumps generation on spec changes only and keeps status out of main updates', async () => {
    const { object } = await reg.create(deploy, 'default', deployment('web'));
    const withStatus = structuredClone(object) as Obj;
    withStatus.status = { replicas: 5 };
    withStatus.metadata.labels = { x: 'y' };
    const u1 = (await reg.update(deploy, 'default', 'web', withStatus)).object as Obj;
    assert.equal(u1.metadata.generation, 1);
    assert.deepEqual(u1.status, {});
    const st = (await reg.update(deploy, 'default', 'web', { ...u1, status: { replicas: 2 } }, { subresource: 'status' })).object as Obj;
    assert.equal(st.status.replicas, 2);
    assert.equal(st.metadata.generation, 1);
    const spec = structuredClone(st);
    spec.spec.replicas = 3;
    const u2 = (await reg.update(deploy, 'default', 'web', spec)).object as Obj;
    assert.equal(u2.metadata.generation, 2);
    assert.equal(u2.status.replicas, 2);
  });

  it('refuses a stale resourceVersion with 409 Conflict and a changed selector with 422', async () => {
    const { object } = await reg.create(deploy, 'default', deployment('web'));
    const a = structuredClone(object) as Obj;
    a.spec.replicas = 2;
    await reg.update(deploy, 'default', 'web', a);
    const e = await rejects(reg.update(deploy, 'default', 'web', { ...a, spec: { ...a.spec, replicas: 4 } }), 409, 'Conflict');
    assert.match(e.message, /the object has been modified/);
    const cur = (await reg.get(deploy, 'default', 'web')) as Obj;
    cur.spec.selector = { matchLabels: { app: 'web', v: '2' } };
    cur.spec.template.metadata.labels = { app: 'web', v: '2' };
    const e2 = await rejects(reg.update(deploy, 'default', 'web', cur), 422);
    assert.ok(e2.status.details!.causes!.some((c) => c.field === 'spec.selector' && /immutable/.test(c.message ?? '')));
  });

  it('requires the namespace to exist; generateName makes a name', async () => {
    await rejects(reg.create(cms, 'nope', { metadata: { name: 'x' } }), 404, 'NotFound');
    const { object } = await reg.create(cms, 'default', { metadata: { generateName: 'cfg-' }, data: { a: 'b' } });
    assert.match(object.metadata!.name!, /^cfg-[a-z0-9]{5}$/);
    await rejects(reg.create(cms, 'default', { metadata: { name: object.metadata!.name } }), 409, 'AlreadyExists');
  });

  it('strict field validation: 400 naming the field, warnings, or silent pruning', async () => {
    const body = { metadata: { name: 'c1' }, data: { a: 'b' }, bogus: 1 };
    const e = await rejects(reg.create(cms, 'default', body, { fieldValidation: 'Strict' }), 400, 'BadRequest');
    assert.match(e.message, /unknown field "bogus"/);
    const w = await reg.create(cms, 'default', body, { fieldValidation: 'Warn' });
    assert.deepEqual(w.warnings, ['unknown field "bogus"']);
    assert.equal((w.object as Obj).bogus, undefined);
  });

  it('deletes pods gracefully once scheduled, immediately otherwise; finalizers hold objects', async () => {
    const pod = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
    const created = (await reg.create(pods, 'default', pod)).object as Obj;
    assert.equal(created.spec.containers[0].imagePullPolicy, 'Always');
    assert.equal(created.status.phase, 'Pending');
    assert.equal(created.spec.serviceAccountName, 'default');
    await reg.bind('default', 'p', { target: { kind: 'Node', name: 'n1' } });
    await rejects(reg.bind('default', 'p', { target: { kind: 'Node', name: 'n2' } }), 409);
    const r = await reg.delete(pods, 'default', 'p', {});
    assert.equal(r.deleted, false);
    assert.equal((r.object as Obj).metadata.deletionGracePeriodSeconds, 30);
    const r2 = await reg.delete(pods, 'default', 'p', { gracePeriodSeconds: 0 });
    assert.equal(r2.deleted, true);
    await rejects(reg.get(pods, 'default', 'p'), 404);

    await reg.create(cms, 'default', { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    const d = await reg.delete(cms, 'default', 'held', { propagationPolicy: 'Foreground' });
    assert.equal(d.deleted, false);
    assert.deepEqual((d.object as Obj).metadata.finalizers, ['example.com/hold', 'foregroundDeletion']);
    const cur = (await reg.get(cms, 'default', 'held')) as Obj;
    cur.metadata.finalizers = [];
    await reg.update(cms, 'default', 'held', cur);
    await rejects(reg.get(cms, 'default', 'held'), 404);
  });

  it('patches (merge, strategic, json) and applies server-side with conflicts', async () => {
    await reg.create(deploy, 'default', deployment('web'), { fieldManager: 'test' });
    const m = (await reg.patch(deploy, 'default', 'web', 'merge', { spec: { replicas: 3 } }, { fieldManager: 'a' })).object as Obj;
    assert.equal(m.spec.replicas, 3);
    const s = (await reg.patch(deploy, 'default', 'web', 'strategic',
      { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.26' }] } } } })).object as Obj;
    assert.equal(s.spec.template.spec.containers[0].image, 'nginx:1.26');
    assert.equal(s.spec.template.spec.containers[0].ports[0].containerPort, 80);
    const j = (await reg.patch(deploy, 'default', 'web', 'json', [{ op: 'replace', path: '/spec/replicas', value: 4 }])).object as Obj;
    assert.equal(j.spec.replicas, 4);
    const applied = deployment('web');
    applied.spec.replicas = 7;
    await rejects(reg.patch(deploy, 'default', 'web', 'apply', applied, { fieldManager: 'kubectl' }), 409, 'Conflict');
    const forced = (await reg.patch(deploy, 'default', 'web', 'apply', applied, { fieldManager: 'kubectl', force: true })).object as Obj;
    assert.equal(forced.spec.replicas, 7);
    const fresh = (await reg.patch(deploy, 'default', 'new', 'apply', deployment('new'), { fieldManager: 'kubectl' }));
    assert.equal(fresh.created, true);
  });

  it('scale subresource reads and writes spec.replicas', async () => {
    await reg.create(deploy, 'default', deployment('web'));
    const sc = (await reg.getScale(deploy, 'default', 'web')) as Obj;
    assert.equal(sc.spec.replicas, 1);
    assert.equal(sc.status.selector, 'app=web');
    const sc2 = (await reg.updateScale(deploy, 'default', 'web', (cur) => ({ ...cur, spec: { replicas: 5 } }))) as Obj;
    assert.equal(sc2.spec.replicas, 5);
    assert.equal(((await reg.get(deploy, 'default', 'web')) as Obj).spec.replicas, 5);
  });

  it('lists with selectors and chunking', async () => {
    for (let i = 0; i < 7; i++) await reg.create(cms, 'default', { metadata: { name: `c${i}`, labels: { odd: String(i % 2) } } });
    const page1 = await reg.list(cms, 'default', { limit: 3 });
    assert.equal(page1.items.length, 3);
    assert.ok(page1.metadata.continue);
    const page2 = await reg.list(cms, 'default', { limit: 3, continue: page1.metadata.continue });
    const page3 = await reg.list(cms, 'default', { limit: 3, continue: page2.metadata.continue });
    assert.equal(page3.metadata.continue, undefined);
    assert.equal(page1.items.length + page2.items.length + page3.items.length, 7);
    const odd = await reg.list(cms, 'default', { labelSelector: 'odd=1' });
    assert.equal(odd.items.length, 3);
    const byName = await reg.list(cms, undefined, { fieldSelector: 'metadata.name=c4' });
    assert.deepEqual(byName.items.map((i) => i.metadata?.name), ['c4']);
    await rejects(reg.list(cms, 'default', { fieldSelector: 'spec.bogus=1' }), 400);
  });

  it('watches: initial ADDED, replay from a revision, selector transitions, 410 when compacted', async () => {
    const events: WatchEvent[] = [];
    const w = reg.watch(cms, 'default', { labelSelector: 'watched=yes' }, (e) => events.push(e));
    await reg.create(cms, 'default', { metadata: { name: 'a', labels: { watched: 'yes' } } });
    const b = (await reg.create(cms, 'default', { metadata: { name: 'b' } })).object as Obj;
    b.metadata.labels = { watched: 'yes' };
    await reg.update(cms, 'default', 'b', b);
    await reg.delete(cms, 'default', 'a');
    await new Promise((r) => setTimeout(r, 20));
    w.stop();
    assert.deepEqual(events.map((e) => `${e.type}:${e.object.metadata?.name}`), ['ADDED:a', 'ADDED:b', 'DELETED:a']);
    const rv = events[0]!.object.metadata!.resourceVersion!;
    const replay: WatchEvent[] = [];
    const w2 = reg.watch(cms, 'default', { resourceVersion: rv }, (e) => replay.push(e));
    await new Promise((r) => setTimeout(r, 20));
    w2.stop();
    assert.deepEqual(replay.map((e) => `${e.type}:${e.object.metadata?.name}`), ['ADDED:b', 'MODIFIED:b', 'DELETED:a']);
  });

  it('serves custom resources from a CRD, validated by its schema', async () => {
    const crdInfo = reg.catalog.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
    await reg.create(crdInfo, undefined, {
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wd'] },
        versions: [{ name: 'v1', served: true, storage: true, subresources: { status: {} }, schema: { openAPIV3Schema: {
          type: 'object', properties: { spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer', minimum: 1 }, color: { type: 'string', default: 'blue' } } }, status: { type: 'object', x: 1 } },
        } } }],
      },
    });
    const w = reg.catalog.lookup('example.com', 'v1', 'widgets');
    assert.ok(w);
    const created = (await reg.create(w, 'default', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, spec: { size: 2, extra: true } })).object as Obj;
    assert.equal(created.spec.color, 'blue');
    assert.equal(created.spec.extra, undefined);
    const e = await rejects(reg.create(w, 'default', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w2' }, spec: { size: 0 } }), 422);
    assert.equal(e.status.details!.causes![0]!.field, 'spec.size');
    await rejects(reg.create(w, 'default', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w3' }, spec: { size: 1, extra: 1 } }, { fieldValidation: 'Strict' }), 400);
  });

  it('allocates ClusterIPs and NodePorts', async () => {
    const svcs = reg.catalog.lookup('', 'v1', 'services')!;
    const a = (await reg.create(svcs, 'default', { metadata: { name: 'a' }, spec: { type: 'NodePort', selector: { app: 'a' }, ports: [{ port: 80 }] } })).object as Obj;
    assert.match(a.spec.clusterIP, /^10\.96\.\d+\.\d+$/);
    assert.equal(a.spec.ports[0].targetPort, 80);
    assert.ok(a.spec.ports[0].nodePort >= 30000);
    await rejects(reg.create(svcs, 'default', { metadata: { name: 'b' }, spec: { clusterIP: a.spec.clusterIP, ports: [{ port: 80 }] } }), 422);
  });

  it('reviews: the local user may do everything', async () => {
    const ssar = reg.catalog.lookup('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews')!;
    const r = (await reg.create(ssar, undefined, { spec: { resourceAttributes: { verb: 'create', resource: 'pods' } } })).object as KubeObject & Obj;
    assert.equal(r.status.allowed, true);
  });

  it('admits creates through LimitRanges and ResourceQuotas (403 past the quota)', async () => {
    const lr = reg.catalog.lookup('', 'v1', 'limitranges')!;
    const rq = reg.catalog.lookup('', 'v1', 'resourcequotas')!;
    await reg.create(lr, 'default', { metadata: { name: 'lr' }, spec: { limits: [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' } }] } });
    const q = (await reg.create(rq, 'default', { metadata: { name: 'q' }, spec: { hard: { pods: '1' } } })).object as Obj;
    await reg.update(rq, 'default', 'q', { ...q, status: { hard: { pods: '1' }, used: { pods: '0' } } }, { subresource: 'status' });
    const pod = (n: string): Obj => ({ metadata: { name: n }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
    const p1 = (await reg.create(pods, 'default', pod('a1'))).object as Obj;
    assert.deepEqual(p1.spec.containers[0].resources, { limits: { cpu: '500m' }, requests: { cpu: '100m' } });
    assert.equal(((await reg.get(rq, 'default', 'q')) as Obj).status.used.pods, '1');
    const e = await rejects(reg.create(pods, 'default', pod('a2')), 403, 'Forbidden');
    assert.match(e.message, /exceeded quota: q/);
  });
});
