/**
 * The scheduler's view of the cluster (upstream's scheduler cache + NodeInfo): per node its allocatable,
 * what the pods on it request, their host ports and a count of pods per owning workload (for spreading).
 * Pods are keyed by namespace/name. A pod the scheduler has just bound is "assumed" onto its node at once,
 * so the next decision sees it before the watch confirms the binding.
 */
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { bytes, milliCpu, podRequests } from './quantity.ts';

export interface HostPort {
  hostIP: string;
  protocol: string;
  port: number;
}

export interface NodeState {
  name: string;
  node: Node;
  allocatable: { milliCpu: number; memory: number; pods: number };
  requested: { milliCpu: number; memory: number; pods: number };
  /** Requests with upstream's non-zero defaults, used by scoring only. */
  nonZero: { milliCpu: number; memory: number };
  ports: HostPort[];
  pods: Map<string, Pod>;
  /** Pods per owning controller uid on this node. */
  owners: Map<string, number>;
}

export const podKey = (pod: Pod): string => `${pod.metadata?.namespace ?? 'default'}/${pod.metadata?.name}`;

/** The uid of the pod's controller (ReplicaSet, StatefulSet, Job…), which groups a workload's pods for spreading. */
export function ownerKey(pod: Pod): string | undefined {
  return pod.metadata?.ownerReferences?.find((o) => o.controller)?.uid;
}

export function hostPorts(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  for (const c of all) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ hostIP: p.hostIP || '0.0.0.0', protocol: p.protocol ?? 'TCP', port: p.hostPort });
    }
  }
  return out;
}

/** Upstream HostPortInfo.CheckConflict: same protocol and port, and either address is 0.0.0.0 or they are equal. */
export function portsConflict(a: HostPort, b: HostPort): boolean {
  return a.port === b.port && a.protocol === b.protocol && (a.hostIP === '0.0.0.0' || b.hostIP === '0.0.0.0' || a.hostIP === b.hostIP);
}

/** A pod that holds node resources: bound and not finished. */
export function podHoldsResources(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return Boolean(pod.spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed';
}

export class ClusterState {
  readonly nodes = new Map<string, NodeState>();
  private readonly podNode = new Map<string, { node: string; pod: Pod }>();
  /** Keys of pods carrying required inter-pod (anti-)affinity terms, checked against every incoming pod. */
  readonly affinityPods = new Set<string>();

  setNode(node: Node): void {
    const name = node.metadata!.name!;
    const a = node.status?.allocatable ?? node.status?.capacity ?? {};
    let st = this.nodes.get(name);
    if (!st) {
      st = {
        name, node,
        allocatable: { milliCpu: 0, memory: 0, pods: 0 },
        requested: { milliCpu: 0, memory: 0, pods: 0 },
        nonZero: { milliCpu: 0, memory: 0 },
        ports: [], pods: new Map(), owners: new Map(),
      };
      this.nodes.set(name, st);
      // Pods seen before their node (watch order) are counted now.
      for (const [key, e] of this.podNode) if (e.node === name) this.account(st, key, e.pod, 1);
    }
    st.node = node;
    st.allocatable = { milliCpu: milliCpu(a.cpu), memory: bytes(a.memory), pods: Math.floor(Number(a.pods ?? 110)) };
  }

  removeNode(name: string): void {
    this.nodes.delete(name);
  }

  /** Adds, moves or (when it no longer holds resources) removes a pod. */
  setPod(pod: Pod): void {
    const key = podKey(pod);
    this.removePod(key);
    if (!podHoldsResources(pod)) return;
    const node = pod.spec!.nodeName!;
    this.podNode.set(key, { node, pod });
    const st = this.nodes.get(node);
    if (st) this.account(st, key, pod, 1);
    const aff = pod.spec?.affinity;
    if (aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.length) this.affinityPods.add(key);
  }

  removePod(key: string): void {
    const e = this.podNode.get(key);
    if (!e) return;
    this.podNode.delete(key);
    this.affinityPods.delete(key);
    const st = this.nodes.get(e.node);
    if (st) this.account(st, key, e.pod, -1);
  }

  /** The node a pod is (assumed to be) on. */
  nodeOf(key: string): string | undefined {
    return this.podNode.get(key)?.node;
  }

  getPod(key: string): Pod | undefined {
    return this.podNode.get(key)?.pod;
  }

  *boundPods(): Iterable<{ node: string; pod: Pod }> {
    yield* this.podNode.values();
  }

  private account(st: NodeState, key: string, pod: Pod, sign: 1 | -1): void {
    const r = podRequests(pod);
    const nz = podRequests(pod, true);
    st.requested.milliCpu += sign * r.milliCpu;
    st.requested.memory += sign * r.memory;
    st.requested.pods += sign;
    st.nonZero.milliCpu += sign * nz.milliCpu;
    st.nonZero.memory += sign * nz.memory;
    if (sign > 0) {
      st.pods.set(key, pod);
      st.ports.push(...hostPorts(pod));
    } else {
      st.pods.delete(key);
      for (const p of hostPorts(pod)) {
        const i = st.ports.findIndex((q) => q.port === p.port && q.protocol === p.protocol && q.hostIP === p.hostIP);
        if (i >= 0) st.ports.splice(i, 1);
      }
    }
    const owner = ownerKey(pod);
    if (owner) {
      const n = (st.owners.get(owner) ?? 0) + sign;
      if (n > 0) st.owners.set(owner, n);
      else st.owners.delete(owner);
    }
  }
}
