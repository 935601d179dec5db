// The API server in-process over real HTTPS: auth, Host checks, discovery, OpenAPI, CRUD with Status errors,
// Tables, watch, body limits and decode guards.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { startInProcessEngine, request, type InProcessHandle } from '../support/engine.ts';
import { ApiServer } from '../../engine/apiserver/server.ts';
import { versionInfo } from '../../engine/engine.ts';

const deployment = (name: string): object => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, labels: { app: name } },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } },
});
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

/** Opens a watch and collects newline-delimited events until `count` arrived or the stream ends. */
function watchLines(h: InProcessHandle, path: string, count: number, accept = 'application/json'): Promise<{ events: any[]; raw: string }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${h.url}${path}`, { ca: h.ca, headers: { Authorization: `Bearer ${h.token}`, Accept: accept } }, (res) => {
      let raw = '';
      const events: unknown[] = [];
      const finish = (): void => {
        req.destroy();
        resolve({ events: events as never[], raw });
      };
      res.on('data', (d: Buffer) => {
        raw += d.toString();
        let i: number;
        while ((i = raw.indexOf('\n')) >= 0) {
          events.push(JSON.parse(raw.slice(0, i)));
          raw = raw.slice(i + 1);
          if (events.length >= count) return finish();
        }
      });
      res.on('end', finish);
    });
    req.on('error', (e) => (e.message.includes('socket hang up') ? undefined : reject(e)));
    req.end();
  });
}

describe('apiserver over HTTPS', () => {
  let h: InProcessHandle;
  before(async () => {
    h = await startInProcessEngine();
  });
  after(async () => {
    await h?.stop();
  });

  it('answers 401 without the token, 403 for a non-loopback Host, and serves /version and /healthz openly', async () => {
    const r = await request(h, 'GET', '/api/v1/namespaces', undefined, {}, { auth: false });
    assert.equal(r.status, 401);
    assert.equal(r.body.kind, 'Status');
    assert.equal(r.body.reason, 'Unauthorized');
    const bad = await request(h, 'GET', '/api/v1/namespaces', undefined, { Authorization: 'Bearer wrong' }, { auth: false });
    assert.equal(bad.status, 401);
    const rebinding = await request(h, 'GET', '/api/v1/namespaces', undefined, { Host: 'evil.example.com' });
    assert.equal(rebinding.status, 403);
    const v = await request(h, 'GET', '/version', undefined, {}, { auth: false });
    assert.equal(v.status, 200);
    assert.match(v.body.gitVersion, /^v\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]+)?$/);
    for (const p of ['/healthz', '/livez', '/readyz']) assert.equal((await request(h, 'GET', p, undefined, {}, { auth: false })).text, 'ok');
  });

  it('serves legacy and aggregated discovery', async () => {
    const api = await request(h, 'GET', '/api');
    assert.deepEqual(api.body.versions, ['v1']);
    const v1 = await request(h, 'GET', '/api/v1');
    const names = v1.body.resources.map((r: { name: string }) => r.name);
    for (const n of ['pods', 'pods/log', 'pods/exec', 'pods/portforward', 'pods/binding', 'pods/eviction', 'services', 'namespaces/finalize']) assert.ok(names.includes(n), n);
    const eviction = v1.body.resources.find((r: { name: string }) => r.name === 'pods/eviction');
    assert.equal(eviction.group, 'policy');
    const pods = v1.body.resources.find((r: { name: string }) => r.name === 'pods');
    assert.deepEqual(pods.shortNames, ['po']);
    assert.deepEqual(pods.categories, ['all']);
    const apps = await request(h, 'GET', '/apis/apps/v1');
    const scale = apps.body.resources.find((r: { name: string }) => r.name === 'deployments/scale');
    assert.equal(scale.group, 'autoscaling');
    const groups = await request(h, 'GET', '/apis');
    const auto = groups.body.groups.find((g: { name: string }) => g.name === 'autoscaling');
    assert.equal(auto.preferredVersion.version, 'v2');
    for (const [accept, v] of [
      ['application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json', 'v2'],
      ['application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json', 'v2beta1'],
    ] as const) {
      const agg = await request(h, 'GET', '/apis', undefined, { Accept: accept });
      assert.equal(agg.headers['content-type'], `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`);
      assert.equal(agg.body.apiVersion, `apidiscovery.k8s.io/${v}`);
      assert.ok(agg.body.items.some((g: { metadata: { name: string } }) => g.metadata.name === 'apps'));
    }
  });

  it('serves OpenAPI v3 with fieldValidation on PATCH and GVK-tagged schemas', async () => {
    const idx = await request(h, 'GET', '/openapi/v3');
    const url = idx.body.paths['apis/apps/v1'].serverRelativeURL as string;
    assert.match(url, /^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]+$/);
    const doc = await request(h, 'GET', url);
    const item = doc.body.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
    assert.deepEqual(item.patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
    assert.ok(item.patch.parameters.some((p: { name: string; in: string }) => p.name === 'fieldValidation' && p.in === 'query'));
    const d = doc.body.components.schemas['io.k8s.api.apps.v1.Deployment'];
    assert.ok(d.properties.spec);
    assert.ok(!JSON.stringify(doc.body).includes('#/definitions/'));
    assert.ok(doc.body.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']);
  });

  it('creates, conflicts, validates and warns with upstream-shaped Status objects', async () => {
    const c = await request(h, 'POST', '/apis/apps/v1/namespaces/default/deployments?fieldManager=test', deployment('web'));
    assert.equal(c.status, 201);
    assert.equal(c.body.spec.strategy.type, 'RollingUpdate');
    const dup = await request(h, 'POST', '/apis/apps/v1/namespaces/default/deployments', deployment('web'));
    assert.equal(dup.status, 409);
    assert.equal(dup.body.reason, 'AlreadyExists');
    assert.equal(dup.body.message, 'deployments.apps "web" already exists');
    const stale = { ...c.body, spec: { ...c.body.spec, replicas: 2 } };
    assert.equal((await request(h, 'PUT', '/apis/apps/v1/namespaces/default/deployments/web', stale)).status, 200);
    const conflict = await request(h, 'PUT', '/apis/apps/v1/namespaces/default/deployments/web', stale);
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.reason, 'Conflict');
    const bad = await request(h, 'POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }] } });
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.details.causes, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' }]);
    const strict = await request(h, 'POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', { metadata: { name: 'x' }, dta: {} });
    assert.equal(strict.status, 400);
    assert.match(strict.body.message, /unknown field "dta"/);
    const warn = await request(h, 'POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Warn', { metadata: { name: 'x' }, dta: {} });
    assert.equal(warn.status, 201);
    assert.match(String(warn.headers.warning), /^299 - "unknown field \\"dta\\""$/);
    const missing = await request(h, 'GET', '/api/v1/namespaces/default/pods/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'pods "nope" not found');
    const noNs = await request(h, 'POST', '/api/v1/namespaces/ghost/configmaps', { metadata: { name: 'x' } });
    assert.equal(noNs.status, 404);
    const dry = await request(h, 'POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { metadata: { name: 'dry' } });
    assert.equal(dry.status, 201);
    assert.equal((await request(h, 'GET', '/api/v1/namespaces/default/configmaps/dry')).status, 404);
    assert.equal((await request(h, 'GET', '/apis/apps/v1/namespaces/default/nothings')).status, 404);
    assert.equal((await request(h, 'POST', '/apis/apps/v1/namespaces/default/deployments/web', {})).status, 405);
  });

  it('patches with each content type and refuses unknown ones with 415', async () => {
    await request(h, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'p1' }, data: { a: '1' } });
    const merge = await request(h, 'PATCH', '/api/v1/namespaces/default/configmaps/p1', { data: { b: '2' } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.deepEqual(merge.body.data, { a: '1', b: '2' });
    const json = await request(h, 'PATCH', '/api/v1/namespaces/default/configmaps/p1', [{ op: 'remove', path: '/data/a' }], { 'Content-Type': 'application/json-patch+json' });
    assert.deepEqual(json.body.data, { b: '2' });
    const smp = await request(h, 'PATCH', '/api/v1/namespaces/default/configmaps/p1', { data: { c: '3' } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    assert.deepEqual(smp.body.data, { b: '2', c: '3' });
    const apply = await request(h, 'PATCH', '/api/v1/namespaces/default/configmaps/p2?fieldManager=me', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p2}\ndata: {k: v}\n', { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(apply.status, 201);
    const unknown = await request(h, 'PATCH', '/api/v1/namespaces/default/configmaps/p1', '{}', { 'Content-Type': 'text/plain' });
    assert.equal(unknown.status, 415);
    assert.equal(unknown.body.reason, 'UnsupportedMediaType');
    const scale = await request(h, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { spec: { replicas: 3 } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(scale.body.kind, 'Scale');
    assert.equal(scale.body.spec.replicas, 3);
    assert.equal(scale.body.status.selector, 'app=web');
  });

  it('answers Tables with PartialObjectMetadata rows and continue tokens', async () => {
    for (let i = 0; i < 5; i++) await request(h, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `t${i}`, labels: { table: 'yes' } } });
    const t = await request(h, 'GET', '/api/v1/namespaces/default/configmaps?labelSelector=table%3Dyes&limit=3', undefined, { Accept: TABLE });
    assert.equal(t.body.kind, 'Table');
    assert.equal(t.body.rows.length, 3);
    assert.equal(t.body.rows[0].object.kind, 'PartialObjectMetadata');
    assert.equal(t.body.rows[0].object.metadata.labels.table, 'yes');
    assert.ok(t.body.metadata.continue);
    assert.ok(t.body.metadata.resourceVersion);
    const rest = await request(h, 'GET', `/api/v1/namespaces/default/configmaps?labelSelector=table%3Dyes&limit=3&continue=${t.body.metadata.continue}`, undefined, { Accept: TABLE });
    assert.equal(rest.body.rows.length, 2);
    const one = await request(h, 'GET', '/api/v1/namespaces/default/configmaps/t1', undefined, { Accept: TABLE });
    assert.equal(one.body.rows.length, 1);
    assert.equal(one.body.rows[0].cells[0], 't1');
  });

  it('watches: ADDED replay, MODIFIED, DELETED as newline-delimited JSON; Tables in events; 400 on a bad RV', async () => {
    const list = await request(h, 'GET', '/api/v1/namespaces/default/configmaps');
    const rv = list.body.metadata.resourceVersion;
    const watching = watchLines(h, `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dw1`, 3);
    await new Promise((r) => setTimeout(r, 50));
    await request(h, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'w1' } });
    await request(h, 'PATCH', '/api/v1/namespaces/default/configmaps/w1', { data: { a: 'b' } }, { 'Content-Type': 'application/merge-patch+json' });
    await request(h, 'DELETE', '/api/v1/namespaces/default/configmaps/w1');
    const { events } = await watching;
    assert.deepEqual(events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
    assert.equal(events[1].object.data.a, 'b');
    const tw = await watchLines(h, '/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dt1', 1, TABLE);
    assert.equal(tw.events[0].object.kind, 'Table');
    assert.equal(tw.events[0].object.rows[0].cells[0], 't1');
    const timed = await watchLines(h, '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=999999&timeoutSeconds=1', 1);
    assert.equal(timed.events.length, 0);
  });

  it('rejects oversized bodies (413), alias bombs and deep nesting (400) quickly, and never answers 5xx', async () => {
    const big = JSON.stringify({ metadata: { name: 'big' }, data: { a: 'x'.repeat(3.2 * 1024 * 1024) } });
    const r = await request(h, 'POST', '/api/v1/namespaces/default/configmaps', big);
    assert.equal(r.status, 413);
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 12; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`);
    const t0 = Date.now();
    const y = await request(h, 'POST', '/api/v1/namespaces/default/configmaps', bomb.join('\n'), { 'Content-Type': 'application/yaml' });
    assert.equal(y.status, 400);
    const deep = await request(h, 'POST', '/api/v1/namespaces/default/configmaps', `${'['.repeat(100000)}${']'.repeat(100000)}`);
    assert.equal(deep.status, 400);
    const deepYaml = await request(h, 'POST', '/api/v1/namespaces/default/configmaps', `${'['.repeat(100000)}`, { 'Content-Type': 'application/yaml' });
    assert.equal(deepYaml.status, 400);
    assert.ok(Date.now() - t0 < 5000);
    for (const body of ['', 'null', '[]', '"s"', '{"metadata":5}', '{"metadata":{"name":7}}', '{"kind":"Pod"}', '{"metadata":{"name":"x","labels":[1]}}', 'nul']) {
      const res = await request(h, 'POST', '/api/v1/namespaces/default/configmaps', body);
      assert.ok(res.status >= 400 && res.status < 500, `${body} → ${res.status} ${res.text}`);
      assert.equal(res.body.kind, 'Status');
    }
  });

  it('deletes with preconditions and propagation policies; deletecollection', async () => {
    const c = await request(h, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'd1' } });
    const pre = await request(h, 'DELETE', '/api/v1/namespaces/default/configmaps/d1', { preconditions: { uid: 'other' } });
    assert.equal(pre.status, 409, pre.text);
    const fg = await request(h, 'DELETE', '/api/v1/namespaces/default/configmaps/d1', { propagationPolicy: 'Foreground', preconditions: { uid: c.body.metadata.uid } });
    assert.equal(fg.status, 200);
    assert.deepEqual(fg.body.metadata.finalizers, ['foregroundDeletion']);
    assert.ok(fg.body.metadata.deletionTimestamp);
    await request(h, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'd2' } });
    const bg = await request(h, 'DELETE', '/api/v1/namespaces/default/configmaps/d2', { propagationPolicy: 'Background' });
    assert.equal(bg.body.status, 'Success');
    const col = await request(h, 'DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=table%3Dyes');
    assert.equal(col.body.items.length, 5);
    assert.equal((await request(h, 'GET', '/api/v1/namespaces/default/configmaps?labelSelector=table%3Dyes')).body.items.length, 0);
  });

  it('answers access reviews as allowed', async () => {
    const r = await request(h, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'delete', resource: 'nodes' } },
    });
    assert.equal(r.status, 201);
    assert.equal(r.body.status.allowed, true);
  });

  it('limits in-flight requests with 429 and Retry-After', async () => {
    // A second server over the same registry and TLS material, allowing no request in flight.
    const pki = await import('../../engine/config/pki.ts');
    const p = await pki.ensurePki(h.dataDir);
    const limited = new ApiServer({ registry: h.engine.registry, token: h.token, tls: { key: p.serverKey, cert: p.serverCert }, version: versionInfo(), maxInFlight: 0 });
    await limited.listen();
    try {
      const r = await request({ url: limited.url, token: h.token, ca: p.caCert }, 'GET', '/api/v1/namespaces');
      assert.equal(r.status, 429);
      assert.equal(r.headers['retry-after'], '1');
      assert.equal(r.body.reason, 'TooManyRequests');
    } finally {
      await limited.close();
    }
  });
});
