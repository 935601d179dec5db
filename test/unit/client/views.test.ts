// View models of the extension's trees, against an ObjectStore filled with API-shaped objects.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { node, pod, deployment, replicaSet, service, endpoints, event, secret, world, T0 } from './fixtures.ts';
import { nodeRoots, nodeUsage } from '../../../client/model/nodesView.ts';
import { workloadRoots } from '../../../client/model/workloadsView.ts';
import { networkRoots } from '../../../client/model/networkView.ts';
import { configRoots } from '../../../client/model/configView.ts';
import { eventRoots } from '../../../client/model/eventsView.ts';
import { clusterRoots } from '../../../client/model/clustersView.ts';
import { summarizePod } from '../../../client/model/podStatus.ts';
import type { TreeNodeModel } from '../../../client/model/tree.ts';
import type { KObject } from '../../../client/model/objects.ts';

const byLabel = (rows: TreeNodeModel[], label: string): TreeNodeModel => {
  const r = rows.find((x) => x.label === label);
  assert.ok(r, `no row "${label}" in ${rows.map((x) => x.label).join(', ')}`);
  return r;
};
const deep = (rows: TreeNodeModel[]): TreeNodeModel[] => rows.flatMap((r) => [r, ...deep(r.children?.() ?? [])]);

describe('pod status', () => {
  const cases: { name: string; pod: ReturnType<typeof pod>; status: string; health: string; reason?: RegExp }[] = [
    { name: 'running and ready', pod: pod('a', { node: 'n1' }), status: 'Running', health: 'ok' },
    { name: 'crash loop', pod: pod('b', { node: 'n1', waiting: 'CrashLoopBackOff', ready: false, restarts: 4 }), status: 'CrashLoopBackOff', health: 'error', reason: /keeps exiting/ },
    { name: 'pending with the scheduler\'s reason', pod: pod('c', { unschedulable: '0/3 nodes are available: 3 Insufficient cpu.' }), status: 'Pending', health: 'warning', reason: /Insufficient cpu/ },
    { name: 'running, not ready', pod: pod('d', { node: 'n1', ready: false }), status: 'Running', health: 'progressing', reason: /readiness probe/ },
    { name: 'image pull', pod: pod('e', { node: 'n1', waiting: 'ImagePullBackOff', ready: false }), status: 'ImagePullBackOff', health: 'error', reason: /could not be pulled/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const s = summarizePod(c.pod);
      assert.equal(s.status, c.status);
      assert.equal(s.health, c.health);
      if (c.reason) assert.match(s.reason ?? '', c.reason);
    });
  }
  test('terminating wins over running', () => {
    const p = pod('t', { node: 'n1' });
    const s = summarizePod({ ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-01-01T00:01:00Z' } });
    assert.equal(s.status, 'Terminating');
  });
});

describe('Nodes view', () => {
  test('pods sit under their node; requests are summed against allocatable', () => {
    const { input } = world([node('n1', { cpu: '2', memory: '4Gi' }), node('n2'), pod('p1', { node: 'n1', cpu: '500m', memory: '1Gi' }), pod('p2', { node: 'n1', cpu: '500m', memory: '1Gi' }), pod('p3', { node: 'n2' })]);
    const rows = nodeRoots(input);
    const n1 = byLabel(rows, 'n1');
    assert.deepEqual(n1.children?.().map((r) => r.label), ['p1', 'p2']);
    assert.match(n1.description ?? '', /cpu 50% · mem 50% · 2 pods/);
    assert.match(n1.tooltip ?? '', /CPU requests: 1 of 2 allocatable \(50%\)/);
    assert.equal(n1.contextValue, 'wh:Node +schedulable +bundled +started');
  });
  test('a bundled node stopped through the wheelhouse.io/power annotation offers Start', () => {
    const n = node('n1');
    const stopped = { ...n, metadata: { ...n.metadata, annotations: { 'wheelhouse.io/power': 'stopped' } } };
    const { input } = world([stopped]);
    const row = byLabel(nodeRoots(input), 'n1');
    assert.match(row.contextValue ?? '', /\+bundled \+stopped$/);
    assert.match(row.tooltip ?? '', /Stopped from Wheelhouse/);
    assert.doesNotMatch(byLabel(nodeRoots({ ...input, bundled: false }), 'n1').contextValue ?? '', /bundled|stopped/);
  });
  test('finished pods do not count against the node', () => {
    const n = node('n1');
    const u = nodeUsage(n, [pod('a', { node: 'n1', cpu: '1' }), pod('b', { node: 'n1', cpu: '1', phase: 'Succeeded' })]);
    assert.equal(u.cpuRequested, 1);
  });
  test('a NotReady, cordoned node says so; unscheduled pods get their own group with the reason', () => {
    const { input } = world([node('n1', { ready: false, unschedulable: true }), pod('wait', { unschedulable: '0/1 nodes are available: 1 node(s) were unschedulable.' })]);
    const rows = nodeRoots(input);
    assert.match(byLabel(rows, 'n1').description ?? '', /^NotReady,SchedulingDisabled/);
    assert.match(byLabel(rows, 'n1').contextValue ?? '', /\+cordoned/);
    const pending = byLabel(rows, 'Not scheduled').children?.() ?? [];
    assert.equal(pending[0].label, 'wait');
    assert.match(pending[0].tooltip ?? '', /were unschedulable/);
  });
});

describe('Workloads view', () => {
  test('Deployment → ReplicaSets by revision (newest first) → pods; bare pods apart', () => {
    const d = deployment('web', { replicas: 2, revision: '2' });
    const rsOld = replicaSet('web-aaa', d, 1, { replicas: 0 });
    const rsNew = replicaSet('web-bbb', d, 2, { replicas: 2 });
    const { input } = world([d, rsOld, rsNew,
      pod('web-bbb-1', { node: 'n1', owner: { kind: 'ReplicaSet', name: 'web-bbb', uid: 'uid-web-bbb' } }),
      pod('web-bbb-2', { node: 'n1', owner: { kind: 'ReplicaSet', name: 'web-bbb', uid: 'uid-web-bbb' } }),
      pod('lonely', { node: 'n1' })]);
    const ns = byLabel(workloadRoots(input), 'default');
    const folders = ns.children?.() ?? [];
    assert.deepEqual(folders.map((f) => f.label), ['Deployments', 'Pods (no controller)']);
    const dep = byLabel(folders[0].children?.() ?? [], 'web');
    assert.match(dep.description ?? '', /^2\/2/);
    assert.match(dep.contextValue ?? '', /^wh:Deployment \+rollout \+scalable \+running/);
    const sets = dep.children?.() ?? [];
    assert.deepEqual(sets.map((s) => s.label), ['web-bbb', 'web-aaa']);
    assert.match(sets[0].description ?? '', /^rev 2/);
    assert.deepEqual(sets[0].children?.().map((p) => p.label), ['web-bbb-1', 'web-bbb-2']);
    assert.deepEqual(byLabel(folders, 'Pods (no controller)').children?.().map((p) => p.label), ['lonely']);
  });
  test('rollout in progress shows kubectl\'s wording and a progressing icon', () => {
    const d = deployment('web', { replicas: 3, ready: 1, updated: 1, available: 1 });
    const { input } = world([d]);
    const dep = deep(workloadRoots(input)).find((r) => r.label === 'web');
    assert.equal(dep?.icon?.id, 'sync~spin');
    assert.match(dep?.tooltip ?? '', /1 out of 3 new replicas have been updated/);
  });
  test('namespace filter shows that namespace only, without the namespace level', () => {
    const { input } = world([deployment('a', { ns: 'one' }), deployment('b', { ns: 'two' })]);
    const rows = workloadRoots({ ...input, namespace: 'two' });
    assert.deepEqual(deep(rows).filter((r) => r.ref?.kind === 'Deployment').map((r) => r.label), ['b']);
  });
  test('ids are stable across updates, so VS Code keeps expansion', () => {
    const { input, store } = world([deployment('web')]);
    const before = deep(workloadRoots(input)).map((r) => r.id);
    store.upsert('Deployment', deployment('web', { replicas: 3, ready: 1 }) as KObject);
    assert.deepEqual(deep(workloadRoots(input)).map((r) => r.id), before);
  });
});

describe('Network view', () => {
  test('Service → ready and not-ready endpoints', () => {
    const { input } = world([service('web'), endpoints('web', ['10.0.0.1', '10.0.0.2'], ['10.0.0.3'])]);
    const svc = byLabel(byLabel(networkRoots(input), 'default').children?.() ?? [], 'web');
    assert.match(svc.description ?? '', /ClusterIP · 80→8080\/TCP · 2\/3 ready/);
    const eps = svc.children?.() ?? [];
    assert.deepEqual(eps.map((e) => [e.label, e.icon?.id]), [['10.0.0.1:8080', 'pass-filled'], ['10.0.0.2:8080', 'pass-filled'], ['10.0.0.3:8080', 'warning']]);
    assert.deepEqual(eps[0].ref, { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'pod-10.0.0.1' });
  });
  test('a Service selecting no ready pod explains why it does not answer', () => {
    const { input } = world([service('api', { app: 'api' })]);
    const svc = byLabel(byLabel(networkRoots(input), 'default').children?.() ?? [], 'api');
    assert.match(svc.tooltip ?? '', /No ready pod matches the selector/);
  });
});

describe('Config & storage view', () => {
  test('Secret values never appear in labels, descriptions or tooltips', () => {
    const { input } = world([secret('db', { password: 'hunter2-very-secret', user: 'admin-user-x' })]);
    const rows = deep(configRoots(input));
    const text = JSON.stringify(rows.map(({ children: _c, ...r }) => r));
    assert.ok(!text.includes('hunter2'), 'plain value leaked');
    assert.ok(!text.includes(Buffer.from('hunter2-very-secret').toString('base64')), 'base64 value leaked');
    assert.ok(!text.includes('admin-user-x'));
    const keys = rows.filter((r) => r.contextValue === 'wh:SecretKey').map((r) => r.key);
    assert.deepEqual(keys, ['password', 'user']);
  });
});

describe('Events view', () => {
  test('warnings first, then newest first; filter by object', () => {
    const { input } = world([
      event('e1', 'Normal', 'Scheduled', { kind: 'Pod', name: 'web-1' }, '2026-01-01T00:00:10Z'),
      event('e2', 'Warning', 'BackOff', { kind: 'Pod', name: 'web-2' }, '2026-01-01T00:00:05Z'),
      event('e3', 'Normal', 'Pulled', { kind: 'Pod', name: 'web-1' }, '2026-01-01T00:00:20Z'),
    ]);
    assert.deepEqual(eventRoots(input).map((r) => r.label), ['BackOff: Pod/web-2', 'Pulled: Pod/web-1', 'Scheduled: Pod/web-1']);
    assert.deepEqual(eventRoots({ ...input, eventFilter: 'pod/web-1' }).map((r) => r.label), ['Pulled: Pod/web-1', 'Scheduled: Pod/web-1']);
  });
});

describe('Clusters view', () => {
  test('the bundled engine with Docker missing shows the fix; contexts never claim to change current-context', () => {
    const rows = clusterRoots({
      entries: [{ id: 'wheelhouse', context: 'wheelhouse', cluster: 'wheelhouse', user: 'wheelhouse', source: '/x', bundled: true },
        { id: 'ctx:prod', context: 'prod', cluster: 'prod-cluster', user: 'me', source: '/home/me/.kube/config', bundled: false }],
      active: 'ctx:prod', engineState: 'docker-unavailable', engineDetail: 'no Docker engine at /var/run/docker.sock',
      activeHealth: { ok: true },
    });
    assert.equal(rows[0].icon?.id, 'error');
    assert.match(rows[0].tooltip ?? '', /Start Docker Desktop/);
    assert.match(rows[0].contextValue ?? '', /\+nodocker/);
    assert.equal(rows[1].label, 'prod');
    assert.match(rows[1].description ?? '', /active/);
    assert.match(rows[1].tooltip ?? '', /current-context is left as is/);
  });
});

test('1,000 pods on 10 nodes: every pod appears exactly once under its node', () => {
  const objs: KObject[] = [];
  for (let n = 0; n < 10; n++) objs.push(node(`n${n}`, { cpu: '64', memory: '256Gi' }));
  for (let i = 0; i < 1000; i++) objs.push(pod(`p${String(i).padStart(4, '0')}`, { node: `n${i % 10}` }));
  const { input } = world(objs);
  const rows = nodeRoots(input);
  const pods = rows.flatMap((r) => r.children?.() ?? []);
  assert.equal(pods.length, 1000);
  assert.equal(new Set(pods.map((p) => p.id)).size, 1000);
  assert.equal(T0 > 0, true);
});
