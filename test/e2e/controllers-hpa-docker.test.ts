// HorizontalPodAutoscaler on real Docker: a Deployment whose pods burn CPU for a while scales up, and
// back down once they idle (short sync period and windows). Pod usage comes from container stats through
// a MetricsSource built here over the runtime (the engine's own adapter belongs to the kubelet side).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deployment } from 'kubernetes-types/apps/v1';
import type { HorizontalPodAutoscaler } from 'kubernetes-types/autoscaling/v2';
import type { ApiClient } from '../../engine/api/client.ts';
import { R } from '../../engine/api/resources.ts';
import { Engine } from '../../engine/engine.ts';
import { startControllers, type MetricsSource, type PodUsage } from '../../engine/controllers/index.ts';
import { nodesComponent, provisionerComponent, schedulerComponent } from '../../engine/nodes/component.ts';
import { connectDocker, type DockerRuntime } from '../../engine/runtime/docker.ts';
import { LABELS, labelFilter } from '../../engine/runtime/labels.ts';
import { networkNameFor, removeCluster } from '../../bench/pods/engine.ts';
import { dockerSkip } from '../support/docker.ts';
import { uniqueName } from '../support/engine.ts';
import { ensureTestImages } from '../support/images.ts';

function statsMetrics(rt: DockerRuntime, cluster: string): MetricsSource {
  return {
    async podUsage(namespace: string, names: readonly string[]): Promise<PodUsage[]> {
      const wanted = new Set(names);
      const list = (await rt.listContainers(labelFilter({ cluster, namespace }), { all: false }))
        .filter((c) => c.labels[LABELS.role] === 'container' && wanted.has(c.labels[LABELS.podName] ?? ''));
      const byPod = new Map<string, PodUsage>();
      for (const c of list) {
        const s = await rt.stats(c.id).catch(() => undefined);
        if (!s) continue;
        const pod = c.labels[LABELS.podName]!;
        const u = byPod.get(pod) ?? { namespace, name: pod, timestamp: Date.now(), windowMs: 1000, containers: [] };
        u.containers.push({ name: c.labels[LABELS.container] ?? '', cpuMilli: s.cpuNanoCores / 1e6, memoryBytes: s.memoryBytes });
        byPod.set(pod, u);
      }
      return [...byPod.values()];
    },
  };
}

describe('HPA on Docker', { skip: await dockerSkip() }, () => {
  const cluster = uniqueName('hpa');
  let rt: DockerRuntime;
  let dataDir: string;
  let engine: Engine;
  let client: ApiClient;

  before(async () => {
    const images = await ensureTestImages();
    rt = await connectDocker();
    dataDir = await mkdtemp(join(tmpdir(), 'wh-hpa-e2e-'));
    engine = await Engine.start({
      dataDir, port: 0, clusterName: cluster, store: 'memory', connectRuntime: () => connectDocker(),
      components: [
        (ctx) => {
          const c = startControllers(ctx.client, { workers: 2, metrics: statsMetrics(rt, cluster), hpaSyncPeriodMs: 2000 });
          return { name: 'controllers', stop: () => c.stop() };
        },
        schedulerComponent(),
        provisionerComponent(),
        nodesComponent({ sandboxImage: images.busybox, networkName: networkNameFor(cluster), podsDir: join(dataDir, 'pods'), nodes: [{ name: 'node-a', cpu: '2', memory: '1Gi' }] }),
      ],
    });
    client = engine.client;
    // Each pod burns (at most 200m, its limit) for 12 s after it starts, then idles.
    const burn = 'end=$(( $(date +%s) + 12 )); while [ $(date +%s) -lt $end ]; do :; done; exec sleep 3600';
    await client.create<Deployment>(R.deployments, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'burn', namespace: 'default' },
      spec: {
        replicas: 1, selector: { matchLabels: { app: 'burn' } },
        template: { metadata: { labels: { app: 'burn' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'cpu', image: images.busybox, command: ['sh', '-c', burn], resources: { requests: { cpu: '100m' }, limits: { cpu: '200m' } } }] } },
      },
    });
    await client.create<HorizontalPodAutoscaler>(R.horizontalpodautoscalers, {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'burn', namespace: 'default' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'burn' }, minReplicas: 1, maxReplicas: 3,
        metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 5 } },
      },
    });
  });

  after(async () => {
    await engine?.stop();
    if (rt) await removeCluster(rt, cluster);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('scales up under CPU load and back down when it idles', { timeout: 150_000 }, async () => {
    const replicas = async () => (await client.get<Deployment>(R.deployments, 'burn', 'default')).spec?.replicas;
    let max = 0;
    const end = Date.now() + 120_000;
    let sawDown = false;
    while (Date.now() < end) {
      const r = (await replicas()) ?? 0;
      max = Math.max(max, r);
      if (max >= 2 && r === 1) {
        sawDown = true;
        break;
      }
      await new Promise((res) => setTimeout(res, 1000));
    }
    assert.ok(max >= 2, `never scaled up (max ${max})`);
    assert.ok(sawDown, 'never scaled back down to 1');
    const hpa = await client.get<HorizontalPodAutoscaler>(R.horizontalpodautoscalers, 'burn', 'default');
    assert.equal(hpa.status?.conditions?.find((c) => c.type === 'ScalingActive')?.reason, 'ValidMetricFound');
  });
});
