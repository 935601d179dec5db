import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../engine/api/client.ts';
import { R } from '../../engine/api/resources.ts';
import type { ResourceType } from '../../engine/api/resources.ts';
import { crdColumns, genericTable, humanDuration, since, toTable } from '../../engine/registry/printers/index.ts';
import { PRINTERS } from '../../engine/registry/printers/builtins.ts';
import { evaluateJsonPath, parseJsonPath } from '../../engine/registry/printers/jsonpath.ts';

const NOW = new Date('2026-01-10T12:00:00Z');
const ago = (seconds: number): string => new Date(NOW.getTime() - seconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', creationTimestamp: ago(300), ...extra });

/** The wide row of one object, as a map column name → cell. */
function row(type: ResourceType, o: object): Record<string, unknown> {
  const t = toTable(type, [o as KubeObject], { wide: true, now: NOW });
  assert.equal(t.rows[0].cells.length, t.columnDefinitions.length, 'one cell per column');
  return Object.fromEntries(t.columnDefinitions.map((c, i) => [c.name, t.rows[0].cells[i]]));
}
const rt = (group: string, kind: string): ResourceType => ({ group, version: 'v1', resource: `${kind.toLowerCase()}s`, kind, namespaced: true });

describe('humanDuration (apimachinery duration.HumanDuration)', () => {
  const cases: [number, string][] = [
    [-2.5, '<invalid>'], [-1.5, '0s'], [0, '0s'], [59, '59s'], [119, '119s'], [120, '2m'], [123, '2m3s'], [599, '9m59s'],
    [600, '10m'], [179 * 60, '179m'], [180 * 60, '3h'], [3 * 3600 + 300, '3h5m'], [8 * 3600, '8h'], [47 * 3600, '47h'],
    [48 * 3600, '2d'], [3 * 86400 + 4 * 3600, '3d4h'], [8 * 86400, '8d'], [400 * 86400, '400d'], [730 * 86400, '2y'],
    [735 * 86400, '2y5d'], [8 * 365 * 86400, '8y'], [20 * 365 * 86400, '20y'],
  ];
  for (const [s, want] of cases) it(`${s}s → ${want}`, () => assert.equal(humanDuration(s * 1000), want));
  it('absent or bad timestamps are <unknown>', () => {
    assert.equal(since(undefined, NOW), '<unknown>');
    assert.equal(since('not a date', NOW), '<unknown>');
    assert.equal(since(ago(65), NOW), '65s');
  });
});

describe('toTable', () => {
  it('prints every built-in resource of R, with one cell per column and no duplicate names', () => {
    for (const type of Object.values(R)) {
      const empty = toTable(type, [{ metadata: { name: 'x' } }], { wide: true, now: NOW });
      assert.equal(empty.rows[0].cells.length, empty.columnDefinitions.length, type.kind);
      assert.equal(empty.columnDefinitions[0].name === 'Name' || type.kind === 'Event', true, type.kind);
      const names = empty.columnDefinitions.map((c) => c.name);
      assert.equal(new Set(names).size, names.length, type.kind);
      const narrow = toTable(type, [{ metadata: { name: 'x' } }], { wide: false, now: NOW });
      assert.equal(narrow.rows[0].cells.length, narrow.columnDefinitions.length);
      assert.ok(narrow.columnDefinitions.every((c) => c.priority === 0));
    }
  });

  it('every printer survives objects of the wrong shape', () => {
    const weird = [{}, { metadata: null }, { spec: 'x', status: [1] }, { metadata: { name: 5 }, spec: { containers: 'no' } }];
    for (const [key, p] of Object.entries(PRINTERS)) {
      for (const o of weird) {
        const cells = p.cells(o as Record<string, unknown>, NOW, true);
        assert.equal(cells.length, p.columns.length, key);
      }
    }
  });

  it('column metadata is upstream-shaped', () => {
    const t = toTable(R.pods, [], { wide: true, now: NOW });
    assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.priority]), [
      ['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0], ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1],
    ]);
    assert.equal(t.columnDefinitions[0].format, 'name');
    assert.ok(t.columnDefinitions.every((c) => c.description.length > 0));
  });
});

describe('pods', () => {
  const pod = (status: Record<string, unknown>, spec: Record<string, unknown> = {}, m: Record<string, unknown> = {}) => ({
    metadata: meta('p', m), spec: { containers: [{ name: 'a' }], ...spec }, status,
  });
  const running = (name: string, ready = true, restartCount = 0) => ({ name, ready, restartCount, state: { running: { startedAt: ago(100) } } });

  it('Running and ready, with wide columns', () => {
    const r = row(R.pods, pod({ phase: 'Running', podIPs: [{ ip: '10.1.0.5' }], containerStatuses: [running('a')] }, { nodeName: 'node-1' }));
    assert.deepEqual(r, { Name: 'p', Ready: '1/1', Status: 'Running', Restarts: '0', Age: '5m', IP: '10.1.0.5', Node: 'node-1', 'Nominated Node': '<none>', 'Readiness Gates': '<none>' });
  });

  it('Pending without statuses, IP and node <none>', () => {
    const r = row(R.pods, pod({ phase: 'Pending' }));
    assert.equal(r.Status, 'Pending');
    assert.equal(r.Ready, '0/1');
    assert.equal(r.IP, '<none>');
    assert.equal(r.Node, '<none>');
  });

  it('CrashLoopBackOff with "5 (3m ago)" restarts', () => {
    const r = row(R.pods, pod({
      phase: 'Running',
      containerStatuses: [{ name: 'a', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(180) } } }],
    }));
    assert.equal(r.Status, 'CrashLoopBackOff');
    assert.equal(r.Restarts, '5 (3m ago)');
  });

  it('init containers: Init:n/m, Init:<reason>, Init:ExitCode, Init:Signal', () => {
    const spec = { initContainers: [{ name: 'i1' }, { name: 'i2' }] };
    const done = { name: 'i1', state: { terminated: { exitCode: 0, reason: 'Completed' } } };
    assert.equal(row(R.pods, pod({ phase: 'Pending', initContainerStatuses: [done, { name: 'i2', state: { running: {} } }] }, spec)).Status, 'Init:1/2');
    assert.equal(row(R.pods, pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { waiting: { reason: 'PodInitializing' } } }] }, spec)).Status, 'Init:0/2');
    assert.equal(row(R.pods, pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }, spec)).Status, 'Init:CrashLoopBackOff');
    assert.equal(row(R.pods, pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 3 } } }] }, spec)).Status, 'Init:ExitCode:3');
    assert.equal(row(R.pods, pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 137, signal: 9 } } }] }, spec)).Status, 'Init:Signal:9');
    assert.equal(row(R.pods, pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i1', state: { terminated: { exitCode: 1, reason: 'Error' } } }] }, spec)).Status, 'Init:Error');
  });

  it('sidecar (restartable init) containers count towards READY', () => {
    const spec = { initContainers: [{ name: 'side', restartPolicy: 'Always' }] };
    const r = row(R.pods, pod({
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [{ name: 'side', started: true, ready: true, restartCount: 1, state: { running: {} } }],
      containerStatuses: [running('a')],
    }, spec));
    assert.equal(r.Ready, '2/2');
    assert.equal(r.Status, 'Running');
    assert.equal(r.Restarts, '1');
  });

  it('Completed, Error, ExitCode, Signal from terminated containers; Running when one still runs', () => {
    assert.equal(row(R.pods, pod({ phase: 'Succeeded', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, reason: 'Completed' } } }] })).Status, 'Completed');
    assert.equal(row(R.pods, pod({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 2 } } }] })).Status, 'ExitCode:2');
    assert.equal(row(R.pods, pod({ phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 0, signal: 15 } } }] })).Status, 'Signal:15');
    const two = { containers: [{ name: 'a' }, { name: 'b' }] };
    const statuses = [running('a'), { name: 'b', state: { terminated: { exitCode: 0, reason: 'Completed' } } }];
    assert.equal(row(R.pods, pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: statuses }, two)).Status, 'Running');
    assert.equal(row(R.pods, pod({ phase: 'Running', containerStatuses: statuses }, two)).Status, 'NotReady');
  });

  it('row conditions mark finished pods', () => {
    const t = toTable(R.pods, [pod({ phase: 'Succeeded' }) as KubeObject, pod({ phase: 'Running' }) as KubeObject], { wide: true, now: NOW });
    assert.deepEqual(t.rows[0].conditions, [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }]);
    assert.equal(t.rows[1].conditions, undefined);
  });

  it('Terminating while deleting, Unknown for a lost node, Evicted and SchedulingGated reasons', () => {
    assert.equal(row(R.pods, pod({ phase: 'Running', containerStatuses: [running('a')] }, {}, { deletionTimestamp: ago(1) })).Status, 'Terminating');
    assert.equal(row(R.pods, pod({ phase: 'Succeeded' }, {}, { deletionTimestamp: ago(1) })).Status, 'Succeeded');
    assert.equal(row(R.pods, pod({ phase: 'Running', reason: 'NodeLost' }, {}, { deletionTimestamp: ago(1) })).Status, 'Unknown');
    assert.equal(row(R.pods, pod({ phase: 'Failed', reason: 'Evicted' })).Status, 'Evicted');
    assert.equal(row(R.pods, pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] })).Status, 'SchedulingGated');
  });

  it('readiness gates and nominated node', () => {
    const r = row(R.pods, pod(
      { phase: 'Running', nominatedNodeName: 'n2', conditions: [{ type: 'g1', status: 'True' }, { type: 'g2', status: 'False' }] },
      { readinessGates: [{ conditionType: 'g1' }, { conditionType: 'g2' }] },
    ));
    assert.equal(r['Readiness Gates'], '1/2');
    assert.equal(r['Nominated Node'], 'n2');
  });
});

describe('workloads', () => {
  const template = { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }, { name: 'side', image: 'busybox' }] } };

  it('deployments: READY UP-TO-DATE AVAILABLE + CONTAINERS IMAGES SELECTOR', () => {
    const r = row(R.deployments, {
      metadata: meta('web'),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web', tier: 'fe' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }] }, template },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    });
    assert.deepEqual(r, { Name: 'web', Ready: '2/3', 'Up-to-date': 3, Available: 2, Age: '5m', Containers: 'nginx,side', Images: 'nginx:1.25,busybox', Selector: 'app=web,env in (dev,prod),tier=fe' });
  });

  it('replicasets, statefulsets, daemonsets', () => {
    assert.deepEqual(row(R.replicasets, { metadata: meta('web-1'), spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template }, status: { replicas: 2, readyReplicas: 1 } }),
      { Name: 'web-1', Desired: 2, Current: 2, Ready: 1, Age: '5m', Containers: 'nginx,side', Images: 'nginx:1.25,busybox', Selector: 'app=web' });
    assert.deepEqual(row(R.statefulsets, { metadata: meta('db'), spec: { replicas: 3, template }, status: { readyReplicas: 3 } }),
      { Name: 'db', Ready: '3/3', Age: '5m', Containers: 'nginx,side', Images: 'nginx:1.25,busybox' });
    const ds = row(R.daemonsets, {
      metadata: meta('agent'),
      spec: { selector: { matchLabels: { app: 'agent' } }, template: { spec: { ...template.spec, nodeSelector: { 'kubernetes.io/os': 'linux' } } } },
      status: { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 },
    });
    assert.deepEqual([ds.Desired, ds.Current, ds.Ready, ds['Up-to-date'], ds.Available, ds['Node Selector'], ds.Selector], [3, 3, 2, 3, 2, 'kubernetes.io/os=linux', 'app=agent']);
  });

  it('jobs: status, completions and duration', () => {
    const base = { metadata: meta('j'), spec: { template, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } } } };
    const done = row(R.jobs, { ...base, spec: { ...base.spec, completions: 1 }, status: { succeeded: 1, startTime: ago(200), completionTime: ago(77), conditions: [{ type: 'Complete', status: 'True' }] } });
    assert.deepEqual([done.Status, done.Completions, done.Duration, done.Selector], ['Complete', '1/1', '2m3s', 'batch.kubernetes.io/controller-uid=u']);
    const run = row(R.jobs, { ...base, spec: { ...base.spec, parallelism: 3 }, status: { succeeded: 1, startTime: ago(30) } });
    assert.deepEqual([run.Status, run.Completions, run.Duration], ['Running', '1/1 of 3', '30s']);
    assert.equal(row(R.jobs, { ...base, status: { conditions: [{ type: 'Failed', status: 'True' }] } }).Status, 'Failed');
    assert.equal(row(R.jobs, { ...base, status: { conditions: [{ type: 'Suspended', status: 'True' }] } }).Status, 'Suspended');
    assert.equal(row(R.jobs, { ...base, metadata: meta('j', { deletionTimestamp: ago(1) }) }).Status, 'Terminating');
    assert.equal(row(R.jobs, base).Duration, '');
  });

  it('cronjobs', () => {
    const r = row(R.cronjobs, {
      metadata: meta('c'),
      spec: { schedule: '*/5 * * * *', suspend: false, jobTemplate: { spec: { template } } },
      status: { active: [{ name: 'c-1' }], lastScheduleTime: ago(61) },
    });
    assert.deepEqual(r, { Name: 'c', Schedule: '*/5 * * * *', Timezone: '<none>', Suspend: 'False', Active: 1, 'Last Schedule': '61s', Age: '5m', Containers: 'nginx,side', Images: 'nginx:1.25,busybox', Selector: '<none>' });
    assert.equal(row(R.cronjobs, { metadata: meta('c'), spec: { timeZone: 'Etc/UTC' } })['Last Schedule'], '<none>');
  });

  it('horizontal pod autoscalers: targets as upstream formats them', () => {
    const r = row(R.horizontalpodautoscalers, {
      metadata: meta('h'),
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
          { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
        ],
      },
      status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 20 } } }] },
    });
    assert.deepEqual(r, { Name: 'h', Reference: 'Deployment/web', Targets: 'cpu: 20%/50%, memory: <unknown>/100Mi', MinPods: '1', MaxPods: 5, Replicas: 2, Age: '5m' });
    assert.equal(row(R.horizontalpodautoscalers, { metadata: meta('h'), spec: { maxReplicas: 3 } }).Targets, '<none>');
    const v1 = row(R.horizontalpodautoscalers, { apiVersion: 'autoscaling/v1', metadata: meta('h'), spec: { maxReplicas: 3, targetCPUUtilizationPercentage: 80 } });
    assert.equal(v1.Targets, 'cpu: <unknown>/80%');
    assert.equal(v1.MinPods, '<unset>');
  });
});

describe('services, endpoints, ingresses', () => {
  it('ClusterIP, NodePort, LoadBalancer (pending and assigned), ExternalName, headless', () => {
    const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) => row(R.services, { metadata: meta('s'), spec, status });
    assert.deepEqual(svc({ type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }], selector: { k8s: 'dns' } }),
      { Name: 's', Type: 'ClusterIP', 'Cluster-IP': '10.96.0.10', 'External-IP': '<none>', 'Port(s)': '53/UDP,53/TCP', Age: '5m', Selector: 'k8s=dns' });
    assert.equal(svc({ type: 'NodePort', clusterIPs: ['10.96.0.2'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] })['Port(s)'], '80:30080/TCP');
    assert.equal(svc({ type: 'LoadBalancer', ports: [] })['External-IP'], '<pending>');
    assert.equal(svc({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } })['External-IP'], '127.0.0.1');
    assert.equal(svc({ type: 'ExternalName', externalName: 'example.com' })['External-IP'], 'example.com');
    const hl = svc({ clusterIP: 'None', clusterIPs: ['None'] });
    assert.deepEqual([hl.Type, hl['Cluster-IP'], hl['Port(s)'], hl.Selector], ['ClusterIP', 'None', '<none>', '<none>']);
  });

  it('endpoints with "+ N more..." and endpoint slices', () => {
    const ep = row(R.endpoints, { metadata: meta('e'), subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { ip: '10.0.0.4' }], ports: [{ port: 80 }] }] });
    assert.equal(ep.Endpoints, '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...');
    assert.equal(row(R.endpoints, { metadata: meta('e') }).Endpoints, '<none>');
    const es = row(R.endpointslices, { metadata: meta('s'), addressType: 'IPv4', ports: [{ port: 80 }, { name: 'x' }], endpoints: [{ addresses: ['10.0.0.1'] }] });
    assert.deepEqual([es.AddressType, es.Ports, es.Endpoints], ['IPv4', '80,x', '10.0.0.1']);
    assert.deepEqual([row(R.endpointslices, { metadata: meta('s') }).Ports], ['<unset>']);
  });

  it('ingresses and ingress classes', () => {
    const r = row(R.ingresses, { metadata: meta('i'), spec: { ingressClassName: 'nginx', rules: [{ host: 'a.com' }, { host: 'b.com' }], tls: [{ hosts: ['a.com'] }] }, status: { loadBalancer: { ingress: [{ hostname: 'lb.local' }] } } });
    assert.deepEqual(r, { Name: 'i', Class: 'nginx', Hosts: 'a.com,b.com', Address: 'lb.local', Ports: '80, 443', Age: '5m' });
    assert.equal(row(R.ingresses, { metadata: meta('i'), spec: {} }).Hosts, '*');
    assert.equal(row(R.ingressclasses, { metadata: meta('c'), spec: { controller: 'k8s.io/nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'P', name: 'x' } } }).Parameters, 'P.k8s.example.com/x');
  });
});

describe('cluster objects', () => {
  it('nodes: STATUS, ROLES, VERSION and wide addresses', () => {
    const r = row(R.nodes, {
      metadata: meta('n1', { labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/worker': '', 'kubernetes.io/role': 'edge' } }),
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '172.18.0.2' }, { type: 'Hostname', address: 'n1' }],
        nodeInfo: { kubeletVersion: 'v1.31.0', osImage: 'Debian', kernelVersion: '6.1', containerRuntimeVersion: 'docker://20.10' },
      },
    });
    assert.deepEqual(r, {
      Name: 'n1', Status: 'Ready,SchedulingDisabled', Roles: 'control-plane,edge,worker', Age: '5m', Version: 'v1.31.0',
      'Internal-IP': '172.18.0.2', 'External-IP': '<none>', 'OS-Image': 'Debian', 'Kernel-Version': '6.1', 'Container-Runtime': 'docker://20.10',
    });
    const bare = row(R.nodes, { metadata: meta('n2'), status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } });
    assert.deepEqual([bare.Status, bare.Roles, bare['OS-Image']], ['NotReady', '<none>', '<unknown>']);
    assert.equal(row(R.nodes, { metadata: meta('n3') }).Status, 'Unknown');
  });

  it('events (core/v1 and events.k8s.io/v1)', () => {
    const e = row(R.events, {
      metadata: meta('web.1'), type: 'Warning', reason: 'BackOff', message: ' Back-off restarting failed container \n',
      involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{a}' }, source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: ago(600), lastTimestamp: ago(30), count: 7,
    });
    assert.deepEqual(e, {
      'Last Seen': '30s', Type: 'Warning', Reason: 'BackOff', Object: 'pod/web-1', Subobject: 'spec.containers{a}', Source: 'kubelet, n1',
      Message: 'Back-off restarting failed container', 'First Seen': '10m', Count: 7, Name: 'web.1',
    });
    const v1 = row(rt('events.k8s.io', 'Event'), {
      apiVersion: 'events.k8s.io/v1', metadata: meta('x'), type: 'Normal', reason: 'Scheduled', note: 'ok', regarding: { kind: 'Pod', name: 'p' },
      eventTime: new Date(NOW.getTime() - 5000).toISOString(), reportingController: 'default-scheduler',
    });
    assert.deepEqual([v1['Last Seen'], v1.Object, v1.Message, v1.Source, v1.Count], ['5s', 'pod/p', 'ok', 'default-scheduler', 1]);
    assert.equal(toTable(R.events, [], { wide: false, now: NOW }).columnDefinitions.map((c) => c.name).join(','), 'Last Seen,Type,Reason,Object,Message');
  });

  it('namespaces, secrets, configmaps, service accounts, quotas', () => {
    assert.deepEqual(row(R.namespaces, { metadata: meta('ns'), status: { phase: 'Active' } }), { Name: 'ns', Status: 'Active', Age: '5m' });
    assert.deepEqual(row(R.secrets, { metadata: meta('s'), type: 'Opaque', data: { a: 'eA==', b: 'eQ==' } }), { Name: 's', Type: 'Opaque', Data: 2, Age: '5m' });
    assert.deepEqual(row(R.configmaps, { metadata: meta('c'), data: { a: '1' }, binaryData: { b: 'AA==' } }), { Name: 'c', Data: 2, Age: '5m' });
    assert.deepEqual(row(R.serviceaccounts, { metadata: meta('default') }), { Name: 'default', Secrets: 0, Age: '5m' });
    assert.deepEqual(row(R.resourcequotas, { metadata: meta('q'), status: { hard: { pods: '10', 'limits.cpu': '2', 'requests.cpu': '1' }, used: { pods: '3', 'requests.cpu': '500m' } } }),
      { Name: 'q', Age: '5m', Request: 'pods: 3/10, requests.cpu: 500m/1', Limit: 'limits.cpu: 0/2' });
  });

  it('persistent volumes and claims', () => {
    const pv = row(R.persistentvolumes, {
      metadata: meta('pv1'),
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'standard' },
      status: { phase: 'Bound' },
    });
    assert.deepEqual(pv, { Name: 'pv1', Capacity: '1Gi', 'Access Modes': 'RWO,RWX', 'Reclaim Policy': 'Delete', Status: 'Bound', Claim: 'default/data', StorageClass: 'standard', VolumeAttributesClass: '<unset>', Reason: '', Age: '5m', VolumeMode: '<unset>' });
    const pvc = row(R.persistentvolumeclaims, { metadata: meta('data'), spec: { volumeName: 'pv1', storageClassName: 'standard', volumeMode: 'Filesystem' }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'] } });
    assert.deepEqual(pvc, { Name: 'data', Status: 'Bound', Volume: 'pv1', Capacity: '1Gi', 'Access Modes': 'RWO', StorageClass: 'standard', VolumeAttributesClass: '<unset>', Age: '5m', VolumeMode: 'Filesystem' });
    assert.equal(row(R.persistentvolumeclaims, { metadata: meta('d', { deletionTimestamp: ago(1) }), status: { phase: 'Bound' } }).Status, 'Terminating');
  });

  it('storage classes, network policies, leases, PDBs, controller revisions, role bindings, limit ranges', () => {
    assert.deepEqual(row(R.storageclasses, { metadata: meta('standard', { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }), provisioner: 'wheelhouse.dev/hostpath' }),
      { Name: 'standard (default)', Provisioner: 'wheelhouse.dev/hostpath', ReclaimPolicy: 'Delete', VolumeBindingMode: 'Immediate', AllowVolumeExpansion: false, Age: '5m' });
    assert.equal(row(R.networkpolicies, { metadata: meta('np'), spec: { podSelector: {} } })['Pod-Selector'], '<none>');
    assert.deepEqual(row(R.leases, { metadata: meta('l'), spec: { holderIdentity: 'engine-1' } }), { Name: 'l', Holder: 'engine-1', Age: '5m' });
    assert.deepEqual(row(R.poddisruptionbudgets, { metadata: meta('p'), spec: { minAvailable: '50%' }, status: { disruptionsAllowed: 1 } }),
      { Name: 'p', 'Min Available': '50%', 'Max Unavailable': 'N/A', 'Allowed Disruptions': 1, Age: '5m' });
    assert.deepEqual(row(R.controllerrevisions, { metadata: meta('db-abc', { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', controller: true }] }), revision: 2 }),
      { Name: 'db-abc', Controller: 'statefulset.apps/db', Revision: 2, Age: '5m' });
    assert.deepEqual(row(rt('rbac.authorization.k8s.io', 'RoleBinding'), { metadata: meta('rb'), roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', namespace: 'ns', name: 'sa' }] }),
      { Name: 'rb', Role: 'ClusterRole/view', Age: '5m', Users: 'alice', Groups: '', ServiceAccounts: 'ns:sa' });
    assert.deepEqual(row(R.limitranges, { metadata: meta('lr') }), { Name: 'lr', 'Created At': ago(300) });
    assert.deepEqual(row(R.customresourcedefinitions, { metadata: meta('widgets.example.com') }), { Name: 'widgets.example.com', 'Created At': ago(300) });
  });
});

describe('custom resources', () => {
  const crd = {
    metadata: { name: 'widgets.example.com' },
    spec: {
      versions: [{
        name: 'v1',
        additionalPrinterColumns: [
          { name: 'Size', type: 'integer', jsonPath: '.spec.size' },
          { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
          { name: 'Owner', type: 'string', jsonPath: '.metadata.labels.app\\.kubernetes\\.io/owner', priority: 1 },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
      }],
    },
  };
  const widget = { metadata: { name: 'w1', creationTimestamp: ago(14400), labels: { 'app.kubernetes.io/owner': 'me' } }, spec: { size: 3 }, status: { conditions: [{ type: 'Other', status: 'False' }, { type: 'Ready', status: 'True' }] } };

  it('NAME AGE when the CRD declares no columns, and for unknown groups via toTable', () => {
    const t = genericTable([widget as KubeObject], { wide: true, now: NOW });
    assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Age']);
    assert.deepEqual(t.rows[0].cells, ['w1', '4h']);
    assert.deepEqual(toTable(rt('example.com', 'Widget'), [widget as KubeObject], { wide: true, now: NOW }).rows[0].cells, ['w1', '4h']);
  });

  it('additionalPrinterColumns through JSONPath', () => {
    const cols = crdColumns(crd as KubeObject, 'v1');
    assert.ok(cols);
    const t = genericTable([widget as KubeObject, { metadata: { name: 'w2' } } as KubeObject], { wide: true, now: NOW }, cols);
    assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.type, c.priority]), [['Name', 'string', 0], ['Size', 'integer', 0], ['Ready', 'string', 0], ['Owner', 'string', 1], ['Age', 'date', 0]]);
    assert.deepEqual(t.rows[0].cells, ['w1', 3, 'True', 'me', '4h']);
    assert.deepEqual(t.rows[1].cells, ['w2', null, null, null, null]);
    const narrow = genericTable([widget as KubeObject], { wide: false, now: NOW }, cols);
    assert.deepEqual(narrow.rows[0].cells, ['w1', 3, 'True', '4h']);
    assert.equal(crdColumns(crd as KubeObject, 'v2'), undefined);
  });

  it('JSONPath subset', () => {
    const doc = { a: { 'b.c': [1, 2, 3] }, items: [{ n: 'x', v: 1 }, { n: 'y', v: 2 }] };
    assert.deepEqual(evaluateJsonPath(parseJsonPath(".a['b.c'][1]"), doc), [2]);
    assert.deepEqual(evaluateJsonPath(parseJsonPath('{.items[*].n}'), doc), ['x', 'y']);
    assert.deepEqual(evaluateJsonPath(parseJsonPath('.items[?(@.v==2)].n'), doc), ['y']);
    assert.deepEqual(evaluateJsonPath(parseJsonPath('.items[-1].v'), doc), [2]);
    assert.throws(() => parseJsonPath('.a[?(@.x>1)]'));
    assert.throws(() => parseJsonPath('a'));
  });
});
