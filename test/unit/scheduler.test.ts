import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1';
import { ClusterState } from '../../engine/scheduler/cache.ts';
import { schedulePod } from '../../engine/scheduler/core.ts';
import { bytes, milliCpu, podRequests } from '../../engine/scheduler/quantity.ts';
import { startScheduler } from '../../engine/scheduler/scheduler.ts';
import { R } from '../../engine/api/resources.ts';
import { FakeClient } from '../support/fake-client.ts';

function node(name: string, opts: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: Node['spec'] extends infer S ? S extends { taints?: infer T } ? T : never : never; unschedulable?: boolean } = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: { taints: opts.taints, unschedulable: opts.unschedulable },
    status: { allocatable: { cpu: opts.cpu ?? '2', memory: opts.memory ?? '4Gi', pods: opts.pods ?? '110' } },
  };
}

function pod(name: string, opts: { cpu?: string; memory?: string; spec?: Partial<Pod['spec'] & object>; labels?: Record<string, string>; nodeName?: string; owner?: string } = {}): Pod {
  const requests: Record<string, string> = {};
  if (opts.cpu) requests.cpu = opts.cpu;
  if (opts.memory) requests.memory = opts.memory;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'default', uid: `uid-${name}`, labels: opts.labels,
      ownerReferences: opts.owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: opts.owner, controller: true }] : undefined,
    },
    spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests } }], nodeName: opts.nodeName, ...opts.spec },
  };
}

function cluster(nodes: Node[], pods: Pod[] = []): ClusterState {
  const s = new ClusterState();
  for (const n of nodes) s.setNode(n);
  for (const p of pods) s.setPod(p);
  return s;
}

describe('quantities and pod requests', () => {
  it('parses cpu and memory as upstream', () => {
    assert.equal(milliCpu('500m'), 500);
    assert.equal(milliCpu('0.1'), 100);
    assert.equal(milliCpu(2), 2000);
    assert.equal(bytes('1Gi'), 1024 ** 3);
    assert.equal(bytes('128M'), 128e6);
    assert.equal(bytes('1e3'), 1000);
    assert.throws(() => bytes('12 apples'), /quantities must match/);
  });
  it('counts init containers, sidecars and overhead', () => {
    const p = pod('x', { cpu: '100m', memory: '100Mi' });
    (p.spec as { initContainers: unknown }).initContainers = [
      { name: 'side', image: 'b', restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } },
      { name: 'init', image: 'b', resources: { requests: { cpu: '1', memory: '10Mi' } } },
    ];
    (p.spec as { overhead: unknown }).overhead = { cpu: '10m' };
    const r = podRequests(p);
    assert.equal(r.milliCpu, 1050 + 10); // init alone beside the sidecar beats app + sidecar
    assert.equal(r.memory, 100 * 2 ** 20);
  });
});

describe('scheduling core', () => {
  it('explains a pod that fits nowhere in upstream words', () => {
    const s = cluster([
      node('n1', { memory: '1Gi' }),
      node('n2', { memory: '1Gi' }),
      node('n3', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    ]);
    const r = schedulePod(pod('big', { memory: '2Gi' }), s);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.message,
      '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient memory. '
      + 'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.');
  });

  it('lands a pod on the only node with room (bin packing by requests)', () => {
    const s = cluster([node('n1', { cpu: '1' }), node('n2', { cpu: '4' }), node('n3', { cpu: '1' })],
      [pod('a', { cpu: '800m', nodeName: 'n1' })]);
    const r = schedulePod(pod('b', { cpu: '3' }), s);
    assert.deepEqual(r.ok && r.node, 'n2');
  });

  it('honours nodeSelector, required affinity, cordons and tolerations', () => {
    const s = cluster([
      node('n1', { labels: { disk: 'ssd' }, unschedulable: true }),
      node('n2', { labels: { disk: 'hdd' } }),
      node('n3', { labels: { disk: 'ssd' }, taints: [{ key: 'k', value: 'v', effect: 'NoExecute' }] }),
    ]);
    const sel = pod('p', { spec: { nodeSelector: { disk: 'ssd' } } });
    const r1 = schedulePod(sel, s);
    assert.equal(!r1.ok && r1.message.split('. preemption')[0],
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {k: v}, 1 node(s) were unschedulable");
    const tol = pod('p', { spec: { nodeSelector: { disk: 'ssd' }, tolerations: [{ key: 'k', operator: 'Exists' }] } });
    assert.equal(schedulePod(tol, s).ok && (schedulePod(tol, s) as { node: string }).node, 'n3');
    const aff = pod('p', { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'disk', operator: 'NotIn', values: ['ssd'] }] }] } } } } });
    assert.equal((schedulePod(aff, s) as { node: string }).node, 'n2');
  });

  it('refuses conflicting host ports and too many pods', () => {
    const withPort = (name: string, nodeName?: string): Pod => {
      const p = pod(name, { nodeName });
      (p.spec!.containers[0] as { ports: unknown }).ports = [{ containerPort: 80, hostPort: 8080 }];
      return p;
    };
    const s = cluster([node('n1'), node('n2', { pods: '1' })], [withPort('a', 'n1'), pod('b', { nodeName: 'n2' })]);
    const r = schedulePod(withPort('c'), s);
    assert.equal(!r.ok && r.message.split('. preemption')[0],
      "0/2 nodes are available: 1 Too many pods, 1 node(s) didn't have free ports for the requested pod ports");
  });

  it('keeps anti-affine pods apart on kubernetes.io/hostname, both ways', () => {
    const anti = (name: string, nodeName?: string): Pod => pod(name, {
      nodeName, labels: { app: 'db' },
      spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'db' } } }] } } },
    });
    const s = cluster([node('n1'), node('n2')], [anti('a', 'n1')]);
    assert.equal((schedulePod(anti('b'), s) as { node: string }).node, 'n2');
    s.setPod(anti('b', 'n2'));
    const r = schedulePod(anti('c'), s);
    assert.equal(!r.ok && r.message.split('. preemption')[0], "0/2 nodes are available: 2 node(s) didn't satisfy existing pods anti-affinity rules");
    // A pod without its own terms is still kept off by the existing pods' anti-affinity.
    const plain = pod('d', { labels: { app: 'db' } });
    assert.equal(schedulePod(plain, s).ok, false);
  });

  it('scores LeastAllocated (spread) by default and MostAllocated (pack) on request', () => {
    const s = cluster([node('n1'), node('n2')], [pod('a', { cpu: '1', memory: '1Gi', nodeName: 'n1' })]);
    const p = pod('b', { cpu: '500m', memory: '512Mi' });
    assert.equal((schedulePod(p, s) as { node: string }).node, 'n2');
    assert.equal((schedulePod(p, s, { scoring: 'MostAllocated' }) as { node: string }).node, 'n1');
  });

  it('prefers preferred node affinity, avoids PreferNoSchedule, spreads a workload', () => {
    const s = cluster([node('n1', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }), node('n2'), node('n3', { labels: { zone: 'a' } })]);
    const pref = pod('p', { spec: { affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } }] } } } });
    assert.equal((schedulePod(pref, s) as { node: string }).node, 'n3');
    assert.equal((schedulePod(pod('q'), s) as { node: string }).node, 'n2');
    // Three replicas of one workload land on three nodes even though n1 is slightly less attractive.
    const s2 = cluster([node('n1'), node('n2'), node('n3')]);
    const placed = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = schedulePod(pod(`w${i}`, { owner: 'rs-1' }), s2) as { node: string };
      placed.add(r.node);
      s2.setPod(pod(`w${i}`, { owner: 'rs-1', nodeName: r.node }));
    }
    assert.equal(placed.size, 3);
  });
});

const waitFor = async (cond: () => boolean | Promise<boolean>, ms = 2000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('topology spread', () => {
  it('keeps maxSkew across zones with DoNotSchedule and explains the refusal', () => {
    const nodes = [node('a1', { labels: { zone: 'a' } }), node('b1', { labels: { zone: 'b' } }), node('x', {})];
    const spreadPod = (name: string, nodeName?: string): Pod => pod(name, {
      nodeName, labels: { app: 'web' },
      spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }], nodeSelector: { zone: 'a' } },
    });
    // Only zone a is allowed by the selector, so zone b is not a domain: a second pod in a is fine.
    const s = cluster(nodes, [spreadPod('w1', 'a1')]);
    assert.equal((schedulePod(spreadPod('w2'), s) as { node: string }).node, 'a1');
    const free = (name: string, nodeName?: string): Pod => pod(name, {
      nodeName, labels: { app: 'web' },
      spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }] },
    });
    const s2 = cluster(nodes, [free('w1', 'a1'), free('w2', 'b1'), free('w3', 'a1')]);
    assert.equal((schedulePod(free('w4'), s2) as { node: string }).node, 'b1');
    s2.setPod(free('w4', 'b1'));
    s2.setPod(free('w5', 'a1'));
    // a has 3, b has 2: another pod must go to b; x has no zone label.
    const r = schedulePod(free('w6'), s2);
    assert.equal((r as { node: string }).node, 'b1');
    const full = cluster([node('a1', { labels: { zone: 'a' } }), node('b1', { labels: { zone: 'b' }, memory: '1Mi' })], [free('w1', 'a1')]);
    const big = free('w2');
    (big.spec!.containers[0]!.resources as { requests: Record<string, string> }).requests = { memory: '10Mi' };
    const r2 = schedulePod(big, full);
    assert.equal(!r2.ok && r2.message.split('. preemption')[0], "0/2 nodes are available: 1 Insufficient memory, 1 node(s) didn't match pod topology spread constraints");
  });
});

describe('scheduler loop', () => {
  it('binds through the binding subresource and records Scheduled', async () => {
    const client = new FakeClient([{ type: R.nodes, objects: [node('n1'), node('n2')] }, { type: R.pods, objects: [pod('web')] }]);
    const sched = startScheduler(client);
    try {
      await sched.idle();
      const bind = client.actions.find((a) => a.subresource === 'binding');
      assert.ok(bind, 'a binding was posted');
      assert.deepEqual((bind.object as { target: unknown }).target, { apiVersion: 'v1', kind: 'Node', name: 'n1' });
      const p = await client.get<Pod>(R.pods, 'web', 'default');
      assert.equal(p.spec?.nodeName, 'n1');
      await waitFor(async () => (await client.list<Event>(R.events, 'default')).items.some((e) => e.reason === 'Scheduled'));
      const ev = (await client.list<Event>(R.events, 'default')).items.find((e) => e.reason === 'Scheduled')!;
      assert.equal(ev.message, 'Successfully assigned default/web to n1');
      assert.equal(ev.source?.component, 'default-scheduler');
    } finally {
      await sched.stop();
    }
  });

  it('marks an unfit pod Unschedulable with a FailedScheduling event, and retries when a node arrives', async () => {
    const client = new FakeClient([{ type: R.nodes, objects: [node('n1', { memory: '1Gi' })] }, { type: R.pods, objects: [pod('big', { memory: '2Gi' })] }]);
    const sched = startScheduler(client);
    try {
      await sched.idle();
      await waitFor(async () => (await client.get<Pod>(R.pods, 'big', 'default')).status?.conditions?.some((c) => c.reason === 'Unschedulable') ?? false);
      const p = await client.get<Pod>(R.pods, 'big', 'default');
      const cond = p.status!.conditions!.find((c) => c.type === 'PodScheduled')!;
      assert.equal(cond.status, 'False');
      assert.equal(cond.message, '0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
      const evs = (await client.list<Event>(R.events, 'default')).items.filter((e) => e.reason === 'FailedScheduling');
      assert.equal(evs.length, 1);
      assert.equal(evs[0]!.type, 'Warning');
      assert.equal(evs[0]!.message, cond.message);
      // Our own status write did not cause a retry loop.
      const bindsBefore = client.actions.filter((a) => a.subresource === 'binding').length;
      assert.equal(bindsBefore, 0);
      await client.create(R.nodes, node('n2', { memory: '8Gi' }));
      await waitFor(async () => (await client.get<Pod>(R.pods, 'big', 'default')).spec?.nodeName === 'n2');
    } finally {
      await sched.stop();
    }
  });

  it('retries an unschedulable pod when a pod holding resources is deleted, and ignores other schedulers', async () => {
    const client = new FakeClient([
      { type: R.nodes, objects: [node('n1', { cpu: '1' })] },
      { type: R.pods, objects: [pod('holder', { cpu: '800m', nodeName: 'n1' }), pod('waiter', { cpu: '500m' }), pod('other', { spec: { schedulerName: 'my-scheduler' } })] },
    ]);
    const sched = startScheduler(client);
    try {
      await sched.idle();
      await waitFor(async () => (await client.get<Pod>(R.pods, 'waiter', 'default')).status?.conditions !== undefined);
      await client.delete(R.pods, 'holder', 'default');
      await waitFor(async () => (await client.get<Pod>(R.pods, 'waiter', 'default')).spec?.nodeName === 'n1');
      assert.equal((await client.get<Pod>(R.pods, 'other', 'default')).spec?.nodeName, undefined);
    } finally {
      await sched.stop();
    }
  });
});
