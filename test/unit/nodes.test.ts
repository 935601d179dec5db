import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import { R } from '../../engine/api/resources.ts';
import { ManualClock } from '../../engine/kubelet/clock.ts';
import { nodeCommand } from '../../engine/nodes/cli.ts';
import { POWER_ANNOTATION, startNodes } from '../../engine/nodes/nodes.ts';
import { fromDockerLabels } from '../../engine/runtime/labels.ts';
import { FakeClient } from '../support/fake-client.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(cond: () => boolean | Promise<boolean>, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe('virtual nodes', () => {
  it('registers nodes with capacity split from the host, leases, conditions and nodeInfo', async () => {
    const clock = new ManualClock();
    const runtime = new FakeRuntime({ now: () => clock.now() });
    runtime.setImage('busybox:1.36');
    const client = new FakeClient();
    const dir = await mkdtemp(join(tmpdir(), 'nodes-test-'));
    const nodes = startNodes(client, runtime, { clusterName: 'c1', networkName: 'c1-net', podsDir: dir, clock, hostIP: '172.18.0.1' });
    try {
      await nodes.ready;
      assert.deepEqual(nodes.names, ['c1-node-1', 'c1-node-2', 'c1-node-3']);
      const n = await client.get<Node>(R.nodes, 'c1-node-2');
      // FakeRuntime: 4 CPUs, 8 GiB.
      assert.equal(n.status!.capacity!.cpu, '1333m');
      assert.equal(n.status!.capacity!.memory, `${Math.floor((8 * 1024 ** 3) / 3 / 1024)}Ki`);
      assert.equal(n.status!.allocatable!.memory, `${Math.floor((8 * 1024 ** 3) / 3 / 1024) - 102400}Ki`);
      assert.equal(n.status!.capacity!.pods, '110');
      assert.equal(n.metadata!.labels!['kubernetes.io/hostname'], 'c1-node-2');
      assert.equal(n.metadata!.labels!['kubernetes.io/os'], 'linux');
      assert.equal(n.metadata!.labels!['kubernetes.io/arch'], 'amd64');
      assert.equal(n.status!.nodeInfo!.containerRuntimeVersion, 'docker://20.10.24');
      assert.deepEqual(n.status!.addresses, [{ type: 'InternalIP', address: '172.18.0.1' }, { type: 'Hostname', address: 'c1-node-2' }]);
      const conds = Object.fromEntries(n.status!.conditions!.map((c) => [c.type, `${c.status}/${c.reason}`]));
      assert.deepEqual(conds, {
        MemoryPressure: 'False/KubeletHasSufficientMemory', DiskPressure: 'False/KubeletHasNoDiskPressure',
        PIDPressure: 'False/KubeletHasSufficientPID', Ready: 'True/KubeletReady',
      });
      const lease = await client.get<Lease>(R.leases, 'c1-node-2', 'kube-node-lease');
      assert.equal(lease.spec!.holderIdentity, 'c1-node-2');
      assert.equal(lease.spec!.leaseDurationSeconds, 40);
      const first = lease.spec!.renewTime;
      clock.advance(10_000);
      await waitFor(async () => (await client.get<Lease>(R.leases, 'c1-node-2', 'kube-node-lease')).spec!.renewTime !== first, 'lease renewal');
      assert.ok(runtime.networkNames().includes('c1-net'));
    } finally {
      await nodes.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops a node through the API: containers killed, heartbeats stop; starting runs its pods again', async () => {
    const clock = new ManualClock();
    const runtime = new FakeRuntime({ now: () => clock.now() });
    runtime.setImage('busybox:1.36');
    runtime.setImage('app:1');
    const pod: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'uid-p' }, spec: { nodeName: 'n-a', containers: [{ name: 'app', image: 'app:1' }] } };
    const client = new FakeClient([{ type: R.pods, objects: [pod] }]);
    const dir = await mkdtemp(join(tmpdir(), 'nodes-test-'));
    const nodes = startNodes(client, runtime, { clusterName: 'c2', networkName: 'c2-net', podsDir: dir, clock, nodes: [{ name: 'n-a', cpu: '2', memory: '1Gi', labels: { disk: 'ssd' } }, { name: 'n-b' }] });
    try {
      await nodes.ready;
      const running = () => runtime.allContainers().filter((c) => c.state === 'running' && fromDockerLabels(c.labels)?.podUid === 'uid-p');
      await waitFor(() => running().length === 2, 'pod running on n-a');
      const a = await client.get<Node>(R.nodes, 'n-a');
      assert.equal(a.status!.capacity!.cpu, '2');
      assert.equal(a.status!.allocatable!.memory, '1Gi');
      assert.equal(a.metadata!.labels!.disk, 'ssd');

      const out = await nodeCommand(client, ['stop', 'n-a']);
      assert.equal(out.code, 0);
      await waitFor(() => running().length === 0 && !nodes.isRunning('n-a'), 'node stopped');
      const renew = (await client.get<Lease>(R.leases, 'n-a', 'kube-node-lease')).spec!.renewTime;
      clock.advance(30_000);
      await sleep(20);
      assert.equal((await client.get<Lease>(R.leases, 'n-a', 'kube-node-lease')).spec!.renewTime, renew, 'no heartbeats while stopped');
      assert.equal((await client.get<Node>(R.nodes, 'n-a')).metadata!.annotations![POWER_ANNOTATION], 'stopped');

      await nodes.startNode('n-a');
      await waitFor(() => running().length === 2, 'pod running again');
      assert.equal((await client.get<Node>(R.nodes, 'n-a')).metadata!.annotations?.[POWER_ANNOTATION], undefined);
      const list = await nodeCommand(client, ['list']);
      assert.deepEqual(list.output.slice(1).map((l) => l.split('\t')[0]), ['n-a', 'n-b']);
      assert.equal((await nodeCommand(client, ['stop', 'nope'])).code, 1);
      assert.equal((await nodeCommand(client, ['frobnicate'])).code, 2);
    } finally {
      await nodes.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports NotReady while Docker is down and restores pods when it is back', async () => {
    const clock = new ManualClock();
    const runtime = new FakeRuntime({ now: () => clock.now() });
    runtime.setImage('busybox:1.36');
    runtime.setImage('app:1');
    const pod: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'uid-p' }, spec: { nodeName: 'solo', containers: [{ name: 'app', image: 'app:1' }] } };
    const client = new FakeClient([{ type: R.pods, objects: [pod] }]);
    const dir = await mkdtemp(join(tmpdir(), 'nodes-test-'));
    const nodes = startNodes(client, runtime, { clusterName: 'c3', networkName: 'c3-net', podsDir: dir, clock, nodes: [{ name: 'solo' }] });
    const ready = async () => (await client.get<Node>(R.nodes, 'solo')).status!.conditions!.find((c) => c.type === 'Ready')!;
    const running = () => runtime.allContainers().filter((c) => c.state === 'running' && fromDockerLabels(c.labels)?.podUid === 'uid-p');
    try {
      await nodes.ready;
      await waitFor(() => running().length === 2, 'pod running');
      // The daemon goes away; its restart stops every container (restart policy "no").
      runtime.setUnavailable('Cannot connect to the Docker daemon');
      for (const c of running()) runtime.exitContainer(c.id, 255);
      clock.advance(10_000);
      await sleep(20);
      clock.advance(10_000);
      await waitFor(async () => (await ready()).status === 'False', 'NotReady');
      assert.equal((await ready()).reason, 'KubeletNotReady');
      const reasons = async () => (await client.list<Event>(R.events, 'default')).items.filter((e) => e.involvedObject.name === 'solo').map((e) => e.reason);
      await waitFor(async () => (await reasons()).includes('NodeNotReady'), 'NodeNotReady event');
      assert.ok((await reasons()).includes('Starting'));
      runtime.setUnavailable(false);
      for (let i = 0; i < 5 && running().length < 2; i++) {
        clock.advance(2_000);
        await sleep(30);
      }
      await waitFor(() => running().length === 2, 'pod restored');
      clock.advance(10_000);
      await waitFor(async () => (await ready()).status === 'True', 'Ready again');
      const st = (await client.get<Pod>(R.pods, 'p', 'default')).status!;
      assert.equal(st.containerStatuses![0]!.restartCount, 1);
      assert.equal(st.phase, 'Running');
    } finally {
      await nodes.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
