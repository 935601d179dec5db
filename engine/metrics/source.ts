/**
 * The resource metrics source (metrics-server's role) over the container runtime: each running pod
 * container of this cluster (found by its `io.wheelhouse.*` labels, role `container`) is sampled with
 * `runtime.stats()` (Docker stats: CPU averaged over the last sample, memory usage). Implements the HPA's
 * MetricsSource and gives the node-level sums the metrics.k8s.io NodeMetrics need.
 *
 * Contract: a pod appears only when at least one of its containers answered stats; a container that went
 * away between list and stats is skipped (metrics-server also drops pods it cannot sample).
 */
import type { Runtime } from '../runtime/types.ts';
import { fromDockerLabels, toDockerLabels } from '../runtime/labels.ts';
import type { MetricsSource, PodUsage } from '../controllers/podautoscaler/metrics.ts';

/** Docker stats CPU is averaged over roughly one second between two samples. */
const WINDOW_MS = 1000;

export interface NodeUsage {
  name: string;
  timestamp: number;
  windowMs: number;
  cpuMilli: number;
  memoryBytes: number;
}

export class RuntimeMetricsSource implements MetricsSource {
  constructor(
    private readonly runtime: Runtime,
    private readonly cluster: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** Usage of every sampled pod, optionally only in one namespace, with the node each runs on. */
  async allPods(namespace?: string): Promise<Array<PodUsage & { node?: string }>> {
    const filter = toDockerLabels({ cluster: this.cluster, role: 'container', ...(namespace ? { namespace } : {}) });
    const containers = await this.runtime.listContainers(filter);
    const pods = new Map<string, PodUsage & { node?: string }>();
    const timestamp = this.now();
    await Promise.all(containers.map(async (c) => {
      const l = fromDockerLabels(c.labels);
      if (!l?.namespace || !l.podName || !l.container) return;
      let s;
      try {
        s = await this.runtime.stats(c.id);
      } catch {
        return; // gone since the list: no sample, as metrics-server
      }
      const key = `${l.namespace}/${l.podName}`;
      let p = pods.get(key);
      if (!p) {
        p = { namespace: l.namespace, name: l.podName, timestamp, windowMs: WINDOW_MS, containers: [], ...(l.node ? { node: l.node } : {}) };
        pods.set(key, p);
      }
      p.containers.push({ name: l.container, cpuMilli: Math.round(s.cpuNanoCores / 1e6), memoryBytes: s.memoryBytes });
    }));
    for (const p of pods.values()) p.containers.sort((a, b) => a.name.localeCompare(b.name));
    return [...pods.values()].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  }

  async podUsage(namespace: string, podNames: readonly string[]): Promise<PodUsage[]> {
    const wanted = new Set(podNames);
    return (await this.allPods(namespace)).filter((p) => wanted.has(p.name)).map(({ node: _node, ...p }) => p);
  }

  /** Node usage = the sum of its pods' containers (the engine's nodes run nothing else that is metered). */
  async nodes(): Promise<NodeUsage[]> {
    const out = new Map<string, NodeUsage>();
    for (const p of await this.allPods()) {
      if (!p.node) continue;
      const n = out.get(p.node) ?? { name: p.node, timestamp: p.timestamp, windowMs: p.windowMs, cpuMilli: 0, memoryBytes: 0 };
      for (const c of p.containers) {
        n.cpuMilli += c.cpuMilli;
        n.memoryBytes += c.memoryBytes;
      }
      out.set(p.node, n);
    }
    return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
}
