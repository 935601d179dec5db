// Pure logic of the extension: quantities, diff, rollout patches, manifests, drain plans, kubeconfig merging,
// edit URIs, diagnostics dedup with Red Hat YAML, the store's batching, forward targets, describe.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseQuantity, formatCpu, formatBytes } from '../../../client/model/quantity.ts';
import { diffLines, diffStats, renderDiff } from '../../../client/model/diff.ts';
import { restartPatch, pausePatch, deploymentRevisions, deploymentUndoPatch, previousRevision, controllerRevisions } from '../../../client/model/rollout.ts';
import { parseManifests, applyOrder } from '../../../client/model/manifests.ts';
import { drainPlan } from '../../../client/model/drain.ts';
import { contextEntries, userKubeconfigFiles, listContexts } from '../../../client/kube/kubeconfigs.ts';
import { mergeKubeconfigs, kubeConfigFor } from '../../../client/kube/connect.ts';
import { encodeEditUri, decodeEditUri } from '../../../client/model/editUri.ts';
import { dedupDiagnostics } from '../../../client/model/validationOwner.ts';
import { ObjectStore } from '../../../client/model/store.ts';
import { pickServingPod, podsOf } from '../../../client/model/podSelection.ts';
import { describe as describeObject, forEditing } from '../../../client/model/describe.ts';
import { rolloutStatus } from '../../../client/model/workloadStatus.ts';
import { liveStatusText } from '../../../client/model/liveStatus.ts';
import { learningProgress } from '../../../client/model/progress.ts';
import { objectUrl, collectionUrl } from '../../../client/kube/paths.ts';
import { withQuery, KubeError } from '../../../client/kube/rest.ts';
import { retryConflicts } from '../../../client/kube/api.ts';
import { clusterObjects } from '../../../client/model/clusterObjects.ts';
import { service } from './fixtures.ts';
import { deployment, replicaSet, pod, secret, world } from './fixtures.ts';
import type { KObject } from '../../../client/model/objects.ts';

describe('quantities', () => {
  const cases: [string, number][] = [['250m', 0.25], ['2', 2], ['1.5', 1.5], ['128Mi', 128 * 2 ** 20], ['1G', 1e9], ['1e3', 1000], ['100k', 1e5], ['500u', 0.0005]];
  for (const [text, want] of cases) test(text, () => assert.equal(parseQuantity(text), want));
  test('malformed', () => assert.throws(() => parseQuantity('12 cores'), /not a Kubernetes quantity/));
  test('formatting', () => {
    assert.equal(formatCpu(0.35), '350m');
    assert.equal(formatCpu(2), '2');
    assert.equal(formatBytes(128 * 2 ** 20), '128Mi');
    assert.equal(formatBytes(1.5 * 2 ** 30), '1.5Gi');
  });
});

describe('diff', () => {
  test('minimal line diff with context', () => {
    const a = 'a\nb\nc\nd\ne\nf\ng';
    const b = 'a\nb\nc\nD\ne\nf\ng\nh';
    const ops = diffLines(a, b);
    assert.deepEqual(diffStats(ops), { added: 2, removed: 1 });
    assert.equal(renderDiff(ops, 1), '  c\n- d\n+ D\n  e\n…\n  g\n+ h');
  });
  test('identical texts have no changes', () => assert.deepEqual(diffStats(diffLines('x\ny', 'x\ny')), { added: 0, removed: 0 }));
  test('from and to empty', () => {
    assert.deepEqual(diffStats(diffLines('', 'a\nb')), { added: 2, removed: 0 });
    assert.deepEqual(diffStats(diffLines('a', '')), { added: 0, removed: 1 });
  });
});

describe('rollout patches', () => {
  test('restart stamps kubectl.kubernetes.io/restartedAt on the pod template', () => {
    assert.deepEqual(restartPatch(new Date('2026-01-01T00:00:00Z')), { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00.000Z' } } } } });
    assert.deepEqual(pausePatch(true), { spec: { paused: true } });
  });
  test('undo: revisions newest first, previous = newest non-current, patch drops pod-template-hash and sets change-cause', () => {
    const d = deployment('web', { revision: '3' });
    const revs = deploymentRevisions(d, [replicaSet('web-a', d, 1, { image: 'web:1', cause: 'first' }), replicaSet('web-c', d, 3, { image: 'web:3' }), replicaSet('web-b', d, 2, { image: 'web:2', cause: 'image web:2' })]);
    assert.deepEqual(revs.map((r) => [r.revision, r.current]), [[3, true], [2, false], [1, false]]);
    const prev = previousRevision(revs);
    assert.equal(prev?.revision, 2);
    const patch = deploymentUndoPatch(d, prev!) as { op: string; path: string; value: { metadata?: { labels?: Record<string, string> }; spec?: { containers: { image: string }[] } } & Record<string, string> }[];
    assert.equal(patch[0].path, '/spec/template');
    assert.deepEqual(patch[0].value.metadata?.labels, { app: 'web' });
    assert.equal(patch[0].value.spec?.containers[0].image, 'web:2');
    assert.equal(patch[1].value['kubernetes.io/change-cause'], 'image web:2');
  });
  test('StatefulSet revisions come from ControllerRevisions owned by it', () => {
    const owner = { metadata: { uid: 'sts-uid', name: 'db' } } as KObject;
    const revs = controllerRevisions(owner, [
      { apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: 1, metadata: { name: 'db-1', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'sts-uid' }] }, data: { spec: { template: { spec: { containers: [{ name: 'db', image: 'db:1' }] } } } } },
      { apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: 2, metadata: { name: 'db-2', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'sts-uid' }] } },
      { apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: 9, metadata: { name: 'other-9', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'other', uid: 'x' }] } },
    ], 'db-2');
    assert.deepEqual(revs.map((r) => [r.name, r.current]), [['db-2', true], ['db-1', false]]);
    assert.equal(revs[1].template?.spec?.containers[0].image, 'db:1');
  });
  test('rollout status follows kubectl', () => {
    assert.equal(rolloutStatus('Deployment', deployment('w', { generation: 2, observed: 1 }) as KObject).message, 'Waiting for deployment spec update to be observed...');
    assert.match(rolloutStatus('Deployment', deployment('w', { replicas: 3, updated: 3, ready: 1, available: 1 }) as KObject).message, /1 of 3 updated replicas are available/);
    assert.equal(rolloutStatus('Deployment', deployment('w', { replicas: 3 }) as KObject).done, true);
  });
});

describe('manifests', () => {
  test('multi-document files with line ranges; Lists flattened; bad documents reported', () => {
    const text = ['apiVersion: v1', 'kind: Service', 'metadata:', '  name: web', '---', 'apiVersion: v1', 'kind: List', 'items:',
      '- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}', '---', 'just: text', '---', 'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web', ''].join('\n');
    const p = parseManifests(text, 'app.yaml');
    assert.deepEqual(p.docs.map((d) => [d.object.kind, d.startLine, d.endLine]), [['Service', 0, 3], ['ConfigMap', 5, 8], ['Deployment', 12, 15]]);
    assert.equal(p.errors.length, 1);
    assert.match(p.errors[0], /app\.yaml: document 3 is not a Kubernetes object/);
    assert.deepEqual(applyOrder(p.docs).map((d) => d.object.kind), ['ConfigMap', 'Service', 'Deployment']);
  });
  test('YAML syntax errors name the document', () => {
    assert.match(parseManifests('a: [1, 2', 'x.yaml').errors[0], /^x\.yaml: document 1:/);
  });
});

test('drain: DaemonSet pods stay, unmanaged pods are called out, finished pods go', () => {
  const ds = pod('ds-1', { node: 'n1', owner: { kind: 'DaemonSet', name: 'ds', uid: 'u1' } });
  const rs = pod('rs-1', { node: 'n1', owner: { kind: 'ReplicaSet', name: 'rs', uid: 'u2' } });
  const bare = pod('bare', { node: 'n1' });
  const done = pod('done', { node: 'n1', phase: 'Succeeded' });
  const plan = drainPlan([ds, rs, bare, done]);
  assert.deepEqual(plan.evict.map((p) => p.metadata?.name), ['rs-1', 'done']);
  assert.deepEqual(plan.unmanaged.map((p) => p.metadata?.name), ['bare']);
  assert.deepEqual(plan.skip.map((s) => s.reason), ['managed by DaemonSet']);
});

describe('kubeconfigs', () => {
  test('several files merge with the first definition winning; a chosen context is in memory only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wh-kc-'));
    try {
      const a = join(dir, 'a');
      const b = join(dir, 'b');
      writeFileSync(a, ['apiVersion: v1', 'kind: Config', 'current-context: one', 'clusters:', '- name: c1', '  cluster: {server: "https://127.0.0.1:1111"}',
        'users:', '- name: u1', '  user: {token: t1}', 'contexts:', '- name: one', '  context: {cluster: c1, user: u1, namespace: team}', ''].join('\n'));
      writeFileSync(b, ['apiVersion: v1', 'kind: Config', 'current-context: two', 'clusters:', '- name: c2', '  cluster: {server: "https://127.0.0.1:2222"}',
        '- name: c1', '  cluster: {server: "https://shadowed:9"}', 'users:', '- name: u2', '  user: {token: t2}', 'contexts:', '- name: two', '  context: {cluster: c2, user: u1}',
        '- name: one', '  context: {cluster: c2, user: u2}', ''].join('\n'));
      const files = userKubeconfigFiles({ KUBECONFIG: [a, join(dir, 'missing'), b].join(':') });
      assert.deepEqual(files, [a, b]);
      const listed = listContexts(files);
      assert.deepEqual(contextEntries(listed).map((e) => [e.context, e.cluster, e.namespace, e.source === a ? 'a' : 'b']), [['one', 'c1', 'team', 'a'], ['two', 'c2', undefined, 'b']]);
      assert.equal(listed.currentContext, 'one');
      const merged = mergeKubeconfigs(files);
      assert.deepEqual(merged.contexts.map((c) => c.name), ['one', 'two']);
      // "two" (from b) uses user u1 (from a): cross-file references resolve as kubectl's merge does.
      const kc = kubeConfigFor(merged, 'two');
      assert.equal(kc.getCurrentContext(), 'two');
      assert.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:2222');
      assert.equal(kc.getCurrentUser()?.token, 't1');
      assert.equal(kubeConfigFor(merged, 'one').getCurrentCluster()?.server, 'https://127.0.0.1:1111');
      assert.throws(() => kubeConfigFor(merged, 'nope'), /no context "nope"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

test('REST paths', () => {
  const deploy = { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true };
  assert.equal(objectUrl(deploy, 'default', 'web', 'scale'), '/apis/apps/v1/namespaces/default/deployments/web/scale');
  assert.equal(collectionUrl({ apiVersion: 'v1', kind: 'Node', plural: 'nodes', namespaced: false }, 'ignored'), '/api/v1/nodes');
  assert.throws(() => objectUrl(deploy, '', 'web'), /namespaced/);
  assert.equal(withQuery('/x', { a: 1, b: undefined, c: 'a b' }), '/x?a=1&c=a%20b');
});

test('edit URIs round-trip', () => {
  const ref = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', namespace: '', name: 'a b' };
  assert.deepEqual(decodeEditUri(encodeEditUri('ctx:my/ctx', ref)), { cluster: 'ctx:my/ctx', ref });
  assert.throws(() => decodeEditUri('/x/y'), /not a Wheelhouse edit document/);
});

test('diagnostics dedup with Red Hat YAML installed', () => {
  const ds = [{ code: 'yaml-syntax' }, { code: 'unknown-field' }, { code: 'missing-configmap' }];
  const code = (d: { code: string }): string => d.code;
  assert.equal(dedupDiagnostics(ds, 'wheelhouse', false, code).length, 3);
  assert.deepEqual(dedupDiagnostics(ds, 'wheelhouse', true, code).map(code), ['unknown-field', 'missing-configmap']);
  assert.deepEqual(dedupDiagnostics(ds, 'redhat', true, code).map(code), ['missing-configmap']);
});

describe('object store', () => {
  test('one batched notification per burst; older resourceVersions are ignored', () => {
    const pending: (() => void)[] = [];
    const store = new ObjectStore((fn) => pending.push(fn));
    const seen: string[][] = [];
    store.onDidChange((k) => seen.push([...k].sort()));
    store.upsert('Pod', { metadata: { name: 'a', namespace: 'd', resourceVersion: '5' } });
    store.upsert('Pod', { metadata: { name: 'a', namespace: 'd', resourceVersion: '4' }, kind: 'stale' });
    store.upsert('Node', { metadata: { name: 'n' } });
    assert.equal(pending.length, 1);
    pending[0]();
    assert.deepEqual(seen, [['Node', 'Pod']]);
    assert.equal(store.get('Pod', 'd', 'a')?.metadata?.resourceVersion, '5');
    store.remove('Pod', { metadata: { name: 'a', namespace: 'd' } });
    store.flush();
    assert.equal(store.count('Pod'), 0);
  });
});

test('forward target: Ready pods of a Service\'s selector, newest first; podsOf a Deployment goes through its ReplicaSets', () => {
  const ready = pod('a', { node: 'n', labels: { app: 'web' }, created: '2026-01-01T00:00:00Z' });
  const newer = pod('b', { node: 'n', labels: { app: 'web' }, created: '2026-01-02T00:00:00Z' });
  const notReady = pod('c', { node: 'n', labels: { app: 'web' }, ready: false, created: '2026-01-03T00:00:00Z' });
  const other = pod('d', { node: 'n', labels: { app: 'api' } });
  const svc = { spec: { selector: { app: 'web' } } };
  assert.equal(pickServingPod({ apiVersion: 'v1', kind: 'Service', namespace: 'default', name: 'web' }, [ready, notReady, newer, other], svc)?.metadata?.name, 'b');
  assert.equal(pickServingPod({ apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'gone' }, [ready]), undefined);
  const d = deployment('web');
  const rs = replicaSet('web-x', d, 1);
  const owned = pod('web-x-1', { owner: { kind: 'ReplicaSet', name: 'web-x', uid: 'uid-web-x' } });
  assert.deepEqual(podsOf('Deployment', d, [owned, ready], [rs]).map((p) => p.metadata?.name), ['web-x-1']);
});

test('describe: pod reasons and events; Secret data as sizes only', () => {
  const p = pod('web-1', { node: 'n1', waiting: 'CrashLoopBackOff', ready: false, restarts: 3 });
  const text = describeObject('Pod', p as KObject, [{ metadata: { name: 'e' }, involvedObject: {}, type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container', lastTimestamp: '2026-01-01T00:00:00Z' }], Date.parse('2026-01-01T01:00:00Z'));
  assert.match(text, /Status:\s+CrashLoopBackOff/);
  assert.match(text, /Restart Count:\s+3/);
  assert.match(text, /Warning BackOff/);
  const s = describeObject('Secret', secret('db', { password: 'hunter2' }) as KObject, [], 0);
  assert.ok(!s.includes('hunter2') && !s.includes(Buffer.from('hunter2').toString('base64')));
  assert.match(s, /password: 7 bytes/);
  const e = forEditing({ metadata: { name: 'x', managedFields: [{ manager: 'm' }] } } as KObject);
  assert.equal(e.metadata?.managedFields, undefined);
});

test('live status lens and walkthrough progress', () => {
  assert.equal(liveStatusText('Deployment', undefined, true), '$(circle-slash) not in cluster');
  assert.equal(liveStatusText('Deployment', deployment('w', { replicas: 2 }) as KObject, true), '$(pass-filled) 2/2 ready');
  const d = deployment('web', { replicas: 3, revision: '2' });
  const { store } = world([d, pod('p', { node: 'n', restarts: 1 })]);
  assert.deepEqual(learningProgress(store, true), { engineRunning: true, applied: true, podsRunning: true, scaled: true, rolledOut: true, healed: true });
  assert.deepEqual(learningProgress(world([]).store, false), { engineRunning: undefined, applied: false, podsRunning: false, scaled: false, rolledOut: false, healed: false });
});

test('patches without a resourceVersion are resent on 409; preconditioned ones are not', async () => {
  const conflict = new KubeError(409, { code: 409, reason: 'Conflict', message: 'the object has been modified' }, 'PATCH', '/x');
  let calls = 0;
  const flaky = async (): Promise<string> => { if (++calls < 3) throw conflict; return 'ok'; };
  assert.equal(await retryConflicts(flaky, false), 'ok');
  assert.equal(calls, 3);
  calls = 0;
  await assert.rejects(retryConflicts(flaky, true), /modified/);
  assert.equal(calls, 1);
  await assert.rejects(retryConflicts(async () => { throw new KubeError(422, { message: 'invalid' }, 'PATCH', '/x'); }, false), /invalid/);
});

test('clusterObjects for the language server: labels, keys (never values), ports', () => {
  const d = deployment('web');
  const { store } = world([d, pod('web-1', { node: 'n', labels: { app: 'web', tier: 'fe' } }), secret('db', { password: 'hunter2' }), service('web')]);
  const objs = clusterObjects(store);
  assert.deepEqual(objs.find((o) => o.kind === 'Pod'), { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-1', labels: { app: 'web', tier: 'fe' } });
  assert.deepEqual(objs.find((o) => o.kind === 'Deployment')?.labels, { app: 'web' });
  assert.deepEqual(objs.find((o) => o.kind === 'Secret'), { apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'db', keys: ['password'] });
  assert.ok(!JSON.stringify(objs).includes(Buffer.from('hunter2').toString('base64')));
  assert.deepEqual(objs.find((o) => o.kind === 'Service')?.ports, [{ port: 80 }]);
});
