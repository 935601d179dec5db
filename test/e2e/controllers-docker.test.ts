// Self-healing on real Docker: a node whose kubelet stops heartbeating goes Unknown, gets the
// node.kubernetes.io/unreachable taints, and its pods are evicted after the (shortened) default
// toleration and replaced on the other node; with a short heartbeat and grace period so the test is quick.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { Deployment } from 'kubernetes-types/apps/v1';
import type { ApiClient } from '../../engine/api/client.ts';
import { R } from '../../engine/api/resources.ts';
import { Engine } from '../../engine/engine.ts';
import { startControllers } from '../../engine/controllers/index.ts';
import { nodesComponent, provisionerComponent, schedulerComponent } from '../../engine/nodes/component.ts';
import type { Nodes } from '../../engine/nodes/nodes.ts';
import { connectDocker, type DockerRuntime } from '../../engine/runtime/docker.ts';
import { networkNameFor, removeCluster } from '../../bench/pods/engine.ts';
import { dockerSkip } from '../support/docker.ts';
import { uniqueName } from '../support/engine.ts';
import { ensureTestImages } from '../support/images.ts';

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('node failure on Docker', { skip: await dockerSkip() }, () => {
  const cluster = uniqueName('nodefail');
  let rt: DockerRuntime;
  let dataDir: string;
  let engine: Engine;
  let client: ApiClient;
  let nodes: Nodes | undefined;

  before(async () => {
    const images = await ensureTestImages();
    rt = await connectDocker();
    dataDir = await mkdtemp(join(tmpdir(), 'wh-nodefail-e2e-'));
    engine = await Engine.start({
      dataDir, port: 0, clusterName: cluster, store: 'memory', connectRuntime: () => connectDocker(),
      components: [
        (ctx) => {
          const c = startControllers(ctx.client, { workers: 2, nodeMonitorGracePeriodMs: 8_000, podEvictionTimeoutSeconds: 3 });
          return { name: 'controllers', stop: () => c.stop() };
        },
        schedulerComponent(),
        provisionerComponent(),
        nodesComponent({
          sandboxImage: images.busybox, networkName: networkNameFor(cluster), podsDir: join(dataDir, 'pods'), heartbeatMs: 2_000,
          nodes: [{ name: 'node-a', cpu: '2', memory: '1Gi' }, { name: 'node-b', cpu: '2', memory: '1Gi' }],
        }, (n) => (nodes = n)),
      ],
    });
    client = engine.client;
    await client.create<Deployment>(R.deployments, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
      spec: {
        replicas: 4, selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'app', image: images.busybox, command: ['sleep', '3600'], resources: { requests: { cpu: '10m', memory: '8Mi' } } }] } },
      },
    });
  });

  after(async () => {
    await engine?.stop();
    if (rt) await removeCluster(rt, cluster);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const activePods = async () => (await client.list<Pod>(R.pods, 'default', { labelSelector: 'app=web' })).items.filter((p) => !p.metadata?.deletionTimestamp);
  const ready = (p: Pod) => !!p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

  it('pods on a stopped node are evicted and recreated on the other node', async () => {
    assert.ok(nodes, `no nodes: ${engine.runtimeProblem ?? ''}`);
    await waitFor('4 ready pods', async () => {
      const ps = await activePods();
      return ps.length === 4 && ps.every(ready);
    }, 90_000);
    // Spread or not, make sure node-a runs at least one of them: stop the node that does.
    const victimNode = (await activePods())[0]!.spec!.nodeName!;
    const other = victimNode === 'node-a' ? 'node-b' : 'node-a';
    await nodes!.stopNode(victimNode);
    const n = await waitFor('node Unknown with unreachable taints', async () => {
      const x = await client.get<Node>(R.nodes, victimNode);
      const r = x.status?.conditions?.find((c) => c.type === 'Ready');
      return r?.status === 'Unknown' && x.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') ? x : undefined;
    }, 60_000);
    assert.equal(n.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'NodeStatusUnknown');
    const moved = await waitFor('4 ready pods on the other node', async () => {
      const ps = await activePods();
      return ps.length === 4 && ps.every((p) => ready(p) && p.spec?.nodeName === other) ? ps : undefined;
    }, 90_000);
    assert.equal(moved.length, 4);
  });
});
