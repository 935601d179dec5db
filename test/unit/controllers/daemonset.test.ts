import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { DaemonSet } from 'kubernetes-types/apps/v1';
import type { Writable } from '../../../engine/api/client.ts';
import { R } from '../../../engine/api/resources.ts';
import { DaemonSetController, nodeShouldRunDaemonPod } from '../../../engine/controllers/daemonset/controller.ts';
import { harness, iso, NOW } from './harness.ts';

const node = (name: string, labels: Record<string, string> = {}, taints: Node['spec'] extends infer S ? S extends { taints?: infer T } ? T : never : never = []): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name, ...labels } }, spec: { taints },
});

function ds(o: { image?: string; nodeSelector?: Record<string, string>; maxSurge?: number } = {}): DaemonSet {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default', uid: 'uid-agent', generation: 1 },
    spec: {
      selector: { matchLabels: { app: 'agent' } },
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: o.maxSurge ?? 0 } },
      template: { metadata: { labels: { app: 'agent' } }, spec: { nodeSelector: o.nodeSelector, containers: [{ name: 'a', image: o.image ?? 'agent:1' }] } },
    },
    status: { currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 },
  };
}

async function readyAll(h: ReturnType<typeof harness>): Promise<void> {
  for (const p of (await h.client.list<Pod>(R.pods, 'default')).items) {
    if (p.status?.phase === 'Running') continue;
    const w = structuredClone(p) as Writable<Pod>;
    w.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(NOW - 60_000) }] };
    await h.client.updateStatus(R.pods, w);
  }
}

test('eligibility: nodeSelector, taints, and the tolerations every daemon pod gets', () => {
  const d = ds({ nodeSelector: { role: 'edge' } });
  assert.equal(nodeShouldRunDaemonPod(node('a', { role: 'edge' }), d).shouldRun, true);
  assert.equal(nodeShouldRunDaemonPod(node('b'), d).shouldRun, false);
  const any = ds();
  assert.equal(nodeShouldRunDaemonPod(node('c', {}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]), any).shouldRun, false);
  assert.equal(nodeShouldRunDaemonPod(node('c', {}, [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }]), any).shouldContinueRunning, true);
  assert.equal(nodeShouldRunDaemonPod(node('d', {}, [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }]), any).shouldRun, true);
  assert.equal(nodeShouldRunDaemonPod(node('e', {}, [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }]), any).shouldRun, true);
});

test('DaemonSet: one pod per eligible node, bound by nodeName; RollingUpdate replaces one node at a time', async () => {
  const h = harness([{ type: R.nodes, objects: [node('n1'), node('n2'), node('n3', {}, [{ key: 'dedicated', effect: 'NoSchedule' }])] }, { type: R.daemonsets, objects: [ds()] }]);
  const c = new DaemonSetController(h.ctx);
  await h.start();
  await c.sync('default/agent');
  const w = h.writes();
  assert.deepEqual(w.slice(1), ['create pods agent-', 'create pods agent-', 'update daemonsets/status agent']);
  assert.match(w[0]!, /^create controllerrevisions agent-/);
  const pods = h.client.writes().filter((a) => a.resource === 'pods').map((a) => a.object as Pod);
  assert.deepEqual(pods.map((p) => p.spec?.nodeName), ['n1', 'n2']);
  assert.ok(pods[0]!.spec?.tolerations?.some((t) => t.key === 'node.kubernetes.io/unschedulable'));
  assert.ok(pods[0]!.metadata?.labels?.['controller-revision-hash']);
  await readyAll(h);
  h.reset();
  await c.sync('default/agent');
  const st = (await h.client.get<DaemonSet>(R.daemonsets, 'agent', 'default')).status!;
  assert.deepEqual([st.desiredNumberScheduled, st.currentNumberScheduled, st.numberReady, st.updatedNumberScheduled, st.numberAvailable], [2, 2, 2, 2, 2]);
  // New template: one old pod goes (maxUnavailable 1), its replacement comes next round.
  const cur = await h.client.get<DaemonSet>(R.daemonsets, 'agent', 'default');
  await h.client.update(R.daemonsets, { ...cur, metadata: { ...cur.metadata, generation: 2 }, spec: { ...cur.spec!, template: { ...cur.spec!.template, spec: { containers: [{ name: 'a', image: 'agent:2' }] } } } });
  h.reset();
  await c.sync('default/agent');
  assert.deepEqual(h.writes().filter((x) => x.startsWith('delete') || x.startsWith('create pods')).length, 1);
  assert.ok(h.writes().some((x) => x.startsWith('delete pods')));
  for (let i = 0; i < 6; i++) {
    await c.sync('default/agent');
    await readyAll(h);
  }
  const images = (await h.client.list<Pod>(R.pods, 'default')).items.map((p) => `${p.spec?.nodeName}:${p.spec?.containers[0]?.image}`).sort();
  assert.deepEqual(images, ['n1:agent:2', 'n2:agent:2']);
  await h.stop();
});

test('DaemonSet maxSurge: the new pod starts beside the old one, which goes once the new is available', async () => {
  const h = harness([{ type: R.nodes, objects: [node('n1')] }, { type: R.daemonsets, objects: [ds({ maxSurge: 1 })] }]);
  const c = new DaemonSetController(h.ctx);
  await h.start();
  await c.sync('default/agent');
  await readyAll(h);
  const cur = await h.client.get<DaemonSet>(R.daemonsets, 'agent', 'default');
  await h.client.update(R.daemonsets, { ...cur, spec: { ...cur.spec!, template: { ...cur.spec!.template, spec: { containers: [{ name: 'a', image: 'agent:2' }] } } } });
  h.reset();
  await c.sync('default/agent');
  assert.deepEqual(h.writes().filter((x) => x.includes('pods')), ['create pods agent-']);
  assert.equal((await h.client.list<Pod>(R.pods, 'default')).items.length, 2);
  await readyAll(h);
  h.reset();
  await c.sync('default/agent');
  assert.deepEqual(h.writes().filter((x) => x.includes('pods')).map((x) => x.split(' ').slice(0, 2).join(' ')), ['delete pods']);
  await h.stop();
});
