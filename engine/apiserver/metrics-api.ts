/**
 * The resource metrics API (`metrics.k8s.io/v1beta1`, metrics-server's role): PodMetrics and NodeMetrics,
 * list and get, shaped as metrics-server answers them, so `kubectl top pods|nodes` works. Usage comes from
 * a MetricsProvider (engine/metrics over Docker stats); the pods and nodes themselves come from the
 * registry, so labelSelector works and metrics of objects that no longer exist are not served.
 * Node usage is the sum of its pods' containers; a node running nothing reports zero.
 */
import type { KubeObject } from '../api/client.ts';
import type { Registry } from '../registry/registry.ts';
import { notFound } from '../registry/errors.ts';

export interface MetricsProvider {
  allPods(namespace?: string): Promise<Array<{
    namespace: string; name: string; timestamp: number; windowMs: number; node?: string;
    containers: Array<{ name: string; cpuMilli: number; memoryBytes: number }>;
  }>>;
  nodes(): Promise<Array<{ name: string; timestamp: number; windowMs: number; cpuMilli: number; memoryBytes: number }>>;
}

const API_VERSION = 'metrics.k8s.io/v1beta1';

/** metrics-server's units: CPU in nanocores, memory in KiB. */
function usage(cpuMilli: number, memoryBytes: number): { cpu: string; memory: string } {
  return { cpu: `${Math.round(cpuMilli * 1e6)}n`, memory: `${Math.round(memoryBytes / 1024)}Ki` };
}

function window(ms: number): string {
  return `${Math.max(1, Math.round(ms / 1000))}s`;
}

export async function podMetrics(
  reg: Registry, provider: MetricsProvider, namespace: string | undefined, name: string | undefined, labelSelector: string | undefined,
): Promise<KubeObject> {
  const podsInfo = reg.catalog.lookup('', 'v1', 'pods')!;
  const pods = name !== undefined ? [await reg.get(podsInfo, namespace, name)] : (await reg.list(podsInfo, namespace, { labelSelector })).items;
  const samples = new Map((await provider.allPods(namespace)).map((p) => [`${p.namespace}/${p.name}`, p]));
  const items: KubeObject[] = [];
  for (const pod of pods) {
    const m = pod.metadata ?? {};
    const s = samples.get(`${m.namespace}/${m.name}`);
    if (!s) continue;
    items.push({
      kind: 'PodMetrics', apiVersion: API_VERSION,
      metadata: { name: m.name, namespace: m.namespace, creationTimestamp: new Date().toISOString(), ...(m.labels ? { labels: m.labels } : {}) },
      timestamp: new Date(s.timestamp).toISOString(), window: window(s.windowMs),
      containers: s.containers.map((c) => ({ name: c.name, usage: usage(c.cpuMilli, c.memoryBytes) })),
    } as KubeObject);
  }
  if (name !== undefined) {
    if (!items[0]) throw notFound('metrics.k8s.io', 'pods', name);
    return items[0];
  }
  return { kind: 'PodMetricsList', apiVersion: API_VERSION, metadata: {}, items } as KubeObject;
}

export async function nodeMetrics(reg: Registry, provider: MetricsProvider, name: string | undefined, labelSelector: string | undefined): Promise<KubeObject> {
  const nodesInfo = reg.catalog.lookup('', 'v1', 'nodes')!;
  const nodes = name !== undefined ? [await reg.get(nodesInfo, undefined, name)] : (await reg.list(nodesInfo, undefined, { labelSelector })).items;
  const sums = new Map((await provider.nodes()).map((n) => [n.name, n]));
  const now = Date.now();
  const items = nodes.map((node) => {
    const m = node.metadata ?? {};
    const s = sums.get(String(m.name));
    return {
      kind: 'NodeMetrics', apiVersion: API_VERSION,
      metadata: { name: m.name, creationTimestamp: new Date().toISOString(), ...(m.labels ? { labels: m.labels } : {}) },
      timestamp: new Date(s?.timestamp ?? now).toISOString(), window: window(s?.windowMs ?? 1000),
      usage: usage(s?.cpuMilli ?? 0, s?.memoryBytes ?? 0),
    } as KubeObject;
  });
  if (name !== undefined) return items[0]!;
  return { kind: 'NodeMetricsList', apiVersion: API_VERSION, metadata: {}, items } as KubeObject;
}
