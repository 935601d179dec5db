import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1';
import { describeProbe, explainPod, explainWorkload, explanationMarkdown, hoverTarget, podEvents, workloadMarkdown, type L10n } from '../../../client/model/explain.ts';

const T0 = '2026-11-22T04:00:00Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();

function pod(name: string, over: { spec?: Partial<Pod['spec']>; status?: Pod['status']; meta?: Partial<Pod['metadata']> } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, creationTimestamp: T0, ...over.meta },
    spec: { restartPolicy: 'Always', containers: [{ name: 'app', image: 'busybox:1.36' }], ...over.spec } as Pod['spec'],
    status: over.status ?? { phase: 'Pending' },
  };
}

function ev(p: Pod, reason: string, message: string, s = 10, container?: string, type = 'Warning'): Event {
  return {
    metadata: { name: `${p.metadata!.name}.${reason}.${s}`, namespace: 'default' },
    involvedObject: { kind: 'Pod', name: p.metadata!.name, namespace: 'default', uid: p.metadata!.uid, fieldPath: container ? `spec.containers{${container}}` : undefined },
    reason,
    message,
    type,
    lastTimestamp: at(s),
  } as Event;
}

const text = (e: { headline: string; details: string[] }) => [e.headline, ...e.details].join('\n');

test('Pending on resources: the scheduler\'s Insufficient cpu/memory, with the pod\'s requests', () => {
  const p = pod('too-big', {
    spec: { containers: [{ name: 'app', image: 'busybox:1.36', resources: { requests: { cpu: '64', memory: '512Gi' } } }] },
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'stale' }] },
  });
  const events = [
    ev(p, 'FailedScheduling', '0/3 nodes are available: 1 Insufficient memory, 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.', 20),
    ev(p, 'FailedScheduling', 'older message', 5),
    ev(pod('other', { meta: { uid: 'uid-other' } }), 'FailedScheduling', '0/3 nodes are available: 3 Too many pods.', 30),
  ];
  const e = explainPod(p, events);
  assert.equal(e.state, 'Pending');
  assert.match(e.headline, /too-big is Pending: the scheduler found no node/);
  assert.match(e.details[0]!, /^1 node\(s\) do not have enough free memory: the pod requests 512Gi/);
  assert.match(e.details[1]!, /^3 node\(s\) do not have enough free CPU: the pod requests 64 CPU/);
  assert.match(text(e), /The scheduler said: 0\/3 nodes are available: 1 Insufficient memory/);
  assert.doesNotMatch(text(e), /older message|Too many pods/, 'the newest event of this pod only');
});

test('Pending on taints, nodeSelector, cordon and an unbound PVC (condition message when there is no event)', () => {
  const p = pod('picky', {
    spec: { nodeSelector: { disktype: 'ssd' } },
    status: {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 1 node(s) were unschedulable, 1 node(s) didn't match Pod's node affinity/selector." }],
    },
  });
  const e = explainPod(p, []);
  assert.equal(e.state, 'Pending');
  assert.match(e.details[0]!, /taint node-role\.kubernetes\.io\/control-plane and the pod has no matching toleration/);
  assert.match(e.details[1]!, /cordoned/);
  assert.match(e.details[2]!, /nodeSelector asks for \(disktype=ssd\)/);

  const pvc = pod('with-claim');
  const e2 = explainPod(pvc, [ev(pvc, 'FailedScheduling', '0/1 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.')]);
  assert.match(e2.details[0]!, /PersistentVolumeClaim that is not bound/);

  const none = pod('lonely');
  assert.match(explainPod(none, [ev(none, 'FailedScheduling', '0/0 nodes are available: ')]).details[0]!, /no nodes in the cluster/);
  assert.match(explainPod(pod('fresh'), []).headline, /not been assigned to a node yet/);
});

test('CrashLoopBackOff: OOMKilled names the memory limit; exit code 0 under restartPolicy Always; an error code in words', () => {
  const running = (last: object, restarts = 4) => ({
    phase: 'Running',
    containerStatuses: [{ name: 'app', image: 'busybox:1.36', imageID: '', ready: false, restartCount: restarts, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s restarting failed container' } }, lastState: { terminated: last } }],
  }) as Pod['status'];
  const oom = pod('hog', { spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'busybox:1.36', resources: { limits: { memory: '64Mi' } } }] }, status: running({ exitCode: 137, reason: 'OOMKilled' }) });
  const e = explainPod(oom, []);
  assert.equal(e.state, 'Restarting');
  assert.match(e.headline, /Container app of pod hog keeps exiting and is restarted \(restarts: 4\)/);
  assert.match(e.details[0]!, /more memory than its limit \(64Mi\): OOMKilled/);
  assert.match(text(e), /kubectl logs hog --previous/);

  const done = pod('oneshot', { spec: { nodeName: 'n1' }, status: running({ exitCode: 0, reason: 'Completed' }) });
  assert.match(explainPod(done, []).details[0]!, /exit code 0\), but with restartPolicy Always.*use a Job/);

  const err = pod('crasher', { spec: { nodeName: 'n1' }, status: running({ exitCode: 127, reason: 'Error' }) });
  const e3 = explainPod(err, []);
  assert.match(e3.details[0]!, /exit code 127 \(Error\)/);
  assert.match(e3.details[1]!, /command was not found/);
});

test('liveness probe failures are named with the probe and the kubelet\'s message', () => {
  const p = pod('unhealthy', {
    spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'busybox:1.36', livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] } } }] },
    status: { phase: 'Running', containerStatuses: [{ name: 'app', image: 'busybox:1.36', imageID: '', ready: true, restartCount: 2, state: { running: { startedAt: T0 } }, lastState: { terminated: { exitCode: 137, reason: 'Error' } } }] },
  });
  const events = [
    ev(p, 'Unhealthy', 'Liveness probe failed: cat: can\'t open \'/tmp/healthy\': No such file or directory', 40, 'app'),
    ev(p, 'Killing', 'Container app failed liveness probe, will be restarted', 41, 'app', 'Normal'),
  ];
  const e = explainPod(p, events);
  assert.equal(e.state, 'Restarting');
  assert.match(e.headline, /running and Ready now, but has restarted before/);
  assert.match(text(e), /restarted 2 time\(s\)/);
  assert.match(text(e), /liveness probe \(exec `cat \/tmp\/healthy`\) fails, so the kubelet restarts the container: Liveness probe failed: cat/);
});

test('not Ready: which readiness probe fails, from the Unhealthy event; or that it has not passed yet', () => {
  const spec = { nodeName: 'n1', containers: [{ name: 'web', image: 'nginx', readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 5 } }] };
  const status = { phase: 'Running', containerStatuses: [{ name: 'web', image: 'nginx', imageID: '', ready: false, restartCount: 0, state: { running: { startedAt: T0 } } }] } as Pod['status'];
  const p = pod('web-1', { spec, status });
  const e = explainPod(p, [ev(p, 'Unhealthy', 'Readiness probe failed: HTTP probe failed with statuscode: 503', 12, 'web')]);
  assert.equal(e.state, 'NotReady');
  assert.match(e.headline, /running but not Ready \(0 of 1 containers Ready\)/);
  assert.match(e.details[0]!, /readiness probe of web \(HTTP GET :8080\/ready\) fails: HTTP probe failed with statuscode: 503/);
  assert.match(text(e), /Services send traffic only to Ready pods/);
  assert.match(explainPod(p, []).details[0]!, /has not succeeded yet \(initialDelaySeconds 0s, periodSeconds 5s\)/);
});

test('image pulls: the image name and whether the registry said no such image or could not be reached', () => {
  const mk = (reason: string) => pod('pull', {
    spec: { nodeName: 'n1', containers: [{ name: 'app', image: 'registry.example/app:v9' }] },
    status: { phase: 'Pending', containerStatuses: [{ name: 'app', image: 'registry.example/app:v9', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason, message: 'Back-off pulling image "registry.example/app:v9"' } } }] },
  });
  const p = mk('ImagePullBackOff');
  const unreachable = explainPod(p, [ev(p, 'Failed', 'Failed to pull image "registry.example/app:v9": dial tcp: lookup registry.example: no such host', 5, 'app')]);
  assert.equal(unreachable.state, 'ImagePull');
  assert.match(unreachable.headline, /image of container app cannot be pulled \(ImagePullBackOff\)/);
  assert.match(unreachable.details[0]!, /"registry\.example\/app:v9" is not available locally/);
  assert.match(text(unreachable), /could not be reached/);
  const q = mk('ErrImagePull');
  assert.match(text(explainPod(q, [ev(q, 'Failed', 'Failed to pull image "x": manifest unknown', 5, 'app')])), /no such image or tag/);
  assert.match(explainPod(mk('InvalidImageName'), []).details[0]!, /not a valid reference/);
});

test('ContainerCreating stuck on a missing ConfigMap; CreateContainerConfigError on a missing Secret key', () => {
  const p = pod('reader', {
    spec: { nodeName: 'n1' },
    status: { phase: 'Pending', containerStatuses: [{ name: 'app', image: 'busybox:1.36', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] },
  });
  const e = explainPod(p, [ev(p, 'FailedMount', 'MountVolume.SetUp failed for volume "cfg" : configmap "app-config" not found')]);
  assert.equal(e.state, 'ContainerCreating');
  assert.match(e.details[0]!, /the configmap "app-config" does not exist in namespace default/);
  assert.match(explainPod(p, []).details[0]!, /usually takes seconds/);

  const q = pod('envy', {
    spec: { nodeName: 'n1' },
    status: { phase: 'Pending', containerStatuses: [{ name: 'app', image: 'busybox:1.36', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'CreateContainerConfigError', message: 'couldn\'t find key password in Secret default/db' } } }] },
  });
  const e2 = explainPod(q, []);
  assert.equal(e2.state, 'ConfigError');
  assert.match(text(e2), /couldn't find key password in Secret default\/db/);
});

test('Terminating, a NotReady node, Completed, Failed and healthy pods', () => {
  const t = pod('going', { spec: { nodeName: 'n1' }, meta: { deletionTimestamp: at(0), deletionGracePeriodSeconds: 30, finalizers: ['example.com/cleanup'] }, status: { phase: 'Running' } });
  const down: Node = { metadata: { name: 'n1' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
  const e = explainPod(t, [], down);
  assert.equal(e.state, 'Terminating');
  assert.match(text(e), /30 seconds to exit/);
  assert.match(text(e), /finalizers to be removed: example\.com\/cleanup/);
  assert.match(text(e), /node n1 is not Ready/);

  assert.match(explainPod(pod('lost', { spec: { nodeName: 'n1' }, status: { phase: 'Running' } }), [], down).headline, /runs on node n1, which is not Ready/);
  assert.equal(explainPod(pod('job-x', { spec: { nodeName: 'n1' }, status: { phase: 'Succeeded' } }), []).state, 'Completed');
  const failed = explainPod(pod('job-y', { spec: { nodeName: 'n1', restartPolicy: 'Never' }, status: { phase: 'Failed', containerStatuses: [{ name: 'app', image: 'b', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 137, reason: 'Error' } } }] } }), []);
  assert.equal(failed.state, 'Failed');
  assert.match(text(failed), /exited with code 137.*\n.*SIGKILL/);
  const ok = explainPod(pod('fine', { spec: { nodeName: 'n1' }, status: { phase: 'Running', containerStatuses: [{ name: 'app', image: 'b', imageID: '', ready: true, restartCount: 0, state: { running: {} } }] } }), []);
  assert.equal(ok.state, 'Healthy');
  assert.deepEqual(ok.details, []);
});

test('events are matched by uid (a recreated pod with the same name does not inherit old events); markdown escapes', () => {
  const p = pod('same');
  const old = { ...ev(p, 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.'), involvedObject: { kind: 'Pod', name: 'same', namespace: 'default', uid: 'uid-previous' } } as Event;
  assert.deepEqual(podEvents(p, [old]), []);
  const md = explanationMarkdown({ state: 'Pending', headline: 'a *b*', details: ['`x`'] });
  assert.equal(md, '**a \\*b\\***\n- \\`x\\`');
  assert.equal(describeProbe({ tcpSocket: { port: 5432 } }), 'TCP :5432');
});

test('every sentence goes through the given l10n (Korean in the extension)', () => {
  const seen: string[] = [];
  const l10n: L10n = { t: (m, ...a) => { seen.push(m); return `[${m}|${a.join(',')}]`; } };
  const p = pod('too-big');
  const e = explainPod(p, [ev(p, 'FailedScheduling', '0/2 nodes are available: 2 Insufficient cpu.')], undefined, l10n);
  assert.ok(e.headline.startsWith('[Pod {0} is Pending'));
  assert.ok(e.details.every((d) => d.startsWith('[')));
  assert.ok(seen.length >= 3);
});

test('hoverTarget: the kind: and metadata.name lines of a workload document, in a multi-document file', () => {
  const text = [
    'apiVersion: v1', //0
    'kind: ConfigMap', //1
    'metadata:', //2
    '  name: cfg', //3
    '---', //4
    'apiVersion: apps/v1', //5
    'kind: Deployment', //6
    'metadata:', //7
    '  name: web', //8
    '  namespace: shop', //9
    'spec:', //10
    '  template:', //11
    '    metadata:', //12
    '      name: inner', //13
  ].join('\n');
  assert.equal(hoverTarget(text, 1), undefined, 'ConfigMap is not a workload');
  assert.equal(hoverTarget(text, 3), undefined);
  assert.deepEqual(hoverTarget(text, 6), { kind: 'Deployment', name: 'web', namespace: 'shop' });
  assert.deepEqual(hoverTarget(text, 8), { kind: 'Deployment', name: 'web', namespace: 'shop' });
  assert.equal(hoverTarget(text, 9), undefined);
  assert.equal(hoverTarget(text, 13), undefined, 'the template name is not the object name');
  assert.equal(hoverTarget('kind: [', 0), undefined, 'broken YAML gives nothing');
});

test('explainWorkload: a Deployment\'s pods through its ReplicaSets, problems first; missing objects and no pods', () => {
  const dep = { metadata: { uid: 'dep-1' } };
  const rs = { metadata: { uid: 'rs-1', ownerReferences: [{ uid: 'dep-1' }] } };
  const owned = (p: Pod) => ({ ...p, metadata: { ...p.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-1' }] } }) as Pod;
  const good = owned(pod('web-abc-1', { spec: { nodeName: 'n1' }, status: { phase: 'Running', containerStatuses: [{ name: 'app', image: 'b', imageID: '', ready: true, restartCount: 0, state: { running: {} } }] } }));
  const pending = owned(pod('web-abc-2'));
  const stranger = pod('other');
  const live = { pods: [good, pending, stranger], replicaSets: [rs], events: [ev(pending, 'FailedScheduling', '0/1 nodes are available: 1 Insufficient cpu.')], nodes: [] };
  const w = explainWorkload({ kind: 'Deployment', name: 'web' }, dep, live);
  assert.equal(w.summary, 'Deployment web: 2 pod(s), 1 need attention.');
  assert.deepEqual(w.pods.map((p) => p.name), ['web-abc-2']);
  assert.match(workloadMarkdown(w), /^\*\*Deployment web: 2 pod\(s\), 1 need attention\.\*\*\n\n`web-abc-2`: \*\*Pod web-abc-2 is Pending/);
  const fine = explainWorkload({ kind: 'Deployment', name: 'web' }, dep, { ...live, pods: [good] });
  assert.equal(fine.summary, 'Deployment web: all 1 pod(s) are fine.');
  assert.match(explainWorkload({ kind: 'Job', name: 'j' }, undefined, live).summary, /does not exist in the active cluster \(namespace default\)/);
  assert.match(explainWorkload({ kind: 'Job', name: 'j' }, { metadata: { uid: 'job-1' } }, live).summary, /Job j has no pods right now/);
  assert.equal(explainWorkload({ kind: 'Pod', name: 'other' }, stranger, live).pods[0]!.explanation.state, 'Pending');
});
