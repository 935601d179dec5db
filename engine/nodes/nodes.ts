/**
 * Virtual nodes: N logical nodes on one Docker host, each a kubelet with its own Node object, Lease
 * heartbeat (kube-node-lease, renewed every 10 s as upstream) and status (conditions, addresses, nodeInfo,
 * capacity/allocatable). Capacity defaults to the Docker host's CPUs and memory split evenly across the
 * nodes; allocatable subtracts upstream's default hard eviction threshold (memory.available 100Mi).
 *
 * A node is stopped and started through the API: the annotation `wheelhouse.io/power: stopped` on the Node
 * (set by `wheelhouse node stop NAME`, the VS Code view, or kubectl annotate) makes its kubelet kill the
 * node's containers and stop heartbeating, so its Ready condition lapses and the node controller evicts and
 * reschedules, as when a real node dies. Removing the annotation (or `running`) starts it again.
 */
import { release } from 'node:os';
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { ApiClient, Writable } from '../api/client.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../api/client.ts';
import { R } from '../api/resources.ts';
import { LABEL_PREFIX, type Runtime, type RuntimeInfo } from '../runtime/types.ts';
import { createRecorder, type EventRecorder } from '../scheduler/events.ts';
import { startInformer } from '../scheduler/informer.ts';
import { realClock, type Clock } from '../kubelet/clock.ts';
import { startKubelet, type Kubelet } from '../kubelet/kubelet.ts';
import type { StreamDeps } from '../kubelet/streams.ts';

export const POWER_ANNOTATION = 'wheelhouse.io/power';
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
export const KUBELET_VERSION = 'v1.30.0';
const LEASE_DURATION_SECONDS = 40;
const EVICTION_HARD_MEMORY = 100 * 1024 * 1024;

export interface NodeConfig {
  name: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  /** CPU cores as a quantity (`2`, `1500m`); default: the host's share. */
  cpu?: string;
  /** Memory as a quantity (`4Gi`); default: the host's share. */
  memory?: string;
  pods?: number;
}

export interface NodesOptions {
  clusterName: string;
  networkName: string;
  /** Host directory for per-pod files; each node gets a subdirectory. */
  podsDir: string;
  /** Default 3 nodes named `<cluster>-node-1…` unless `nodes` lists them. */
  count?: number;
  nodes?: NodeConfig[];
  sandboxImage?: string;
  clusterDNS?: string[];
  /** The nodes' InternalIP (they share the Docker host); default 127.0.0.1. */
  hostIP?: string;
  clock?: Clock;
  heartbeatMs?: number;
  /** Node status is re-posted at least this often even when nothing changed (upstream: 5 min). */
  statusReportMs?: number;
  log?: (msg: string) => void;
}

export interface Nodes {
  readonly names: string[];
  /** Resolves once every node is registered and its kubelet synced. */
  readonly ready: Promise<void>;
  kubelet(name: string): Kubelet | undefined;
  /** Kills the node's containers and stops its kubelet and heartbeats. */
  stopNode(name: string): Promise<void>;
  startNode(name: string): Promise<void>;
  isRunning(name: string): boolean;
  /** For the API server's pods/log, pods/exec and port-forward handlers. */
  readonly streams: StreamDeps;
  stop(): Promise<void>;
}

export function defaultNodeNames(cluster: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${cluster}-node-${i + 1}`);
}

/** Kubernetes' architecture names. */
function goArch(arch: string): string {
  const a = arch.toLowerCase();
  if (a === 'x86_64' || a === 'x64' || a === 'amd64') return 'amd64';
  if (a === 'aarch64' || a === 'arm64') return 'arm64';
  return a;
}

const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

interface NodeRuntime {
  config: NodeConfig;
  kubelet?: Kubelet;
  running: boolean;
  timer?: unknown;
  lastStatus?: string;
  lastReport: number;
  uid?: string;
  /** Serializes power transitions. */
  transition: Promise<void>;
}

export function startNodes(client: ApiClient, runtime: Runtime, opts: NodesOptions): Nodes {
  const clock = opts.clock ?? realClock;
  const log = opts.log ?? (() => {});
  const configs: NodeConfig[] = opts.nodes ?? defaultNodeNames(opts.clusterName, opts.count ?? 3).map((name) => ({ name }));
  if (configs.length === 0) throw new Error('a cluster needs at least one node');
  const seenNames = new Set<string>();
  for (const c of configs) {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(c.name) || c.name.length > 253) throw new Error(`invalid node name "${c.name}": lower-case letters, digits, '-' and '.'`);
    if (seenNames.has(c.name)) throw new Error(`node name "${c.name}" is listed twice`);
    seenNames.add(c.name);
  }
  const nodes = new Map<string, NodeRuntime>(configs.map((c) => [c.name, { config: c, running: false, lastReport: 0, transition: Promise.resolve() }]));
  const hostIP = opts.hostIP ?? '127.0.0.1';
  const heartbeatMs = opts.heartbeatMs ?? 10_000;
  const reportMs = opts.statusReportMs ?? 60_000;
  let info: RuntimeInfo | undefined;
  let stopped = false;

  const capacityOf = (c: NodeConfig): Record<string, string> => {
    const cpus = info?.cpus ?? 1;
    const mem = info?.memoryBytes ?? 2 * 1024 ** 3;
    const share = configs.length;
    return {
      cpu: c.cpu ?? `${Math.max(1, Math.floor((cpus * 1000) / share))}m`,
      memory: c.memory ?? `${Math.floor(mem / share / 1024)}Ki`,
      pods: String(c.pods ?? 110),
      'ephemeral-storage': '100Gi',
    };
  };

  const allocatableOf = (cap: Record<string, string>, c: NodeConfig): Record<string, string> => {
    const memKi = c.memory ? undefined : Number(cap.memory!.replace(/Ki$/, ''));
    return {
      ...cap,
      memory: memKi !== undefined ? `${Math.max(0, memKi - EVICTION_HARD_MEMORY / 1024)}Ki` : cap.memory!,
    };
  };

  const conditions = (n: NodeRuntime, prev: readonly NodeCondition[] | undefined): NodeCondition[] => {
    const now = new Date(clock.now()).toISOString();
    const healthy = n.kubelet?.runtimeHealthy() ?? false;
    const mk = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => {
      const old = prev?.find((x) => x.type === type);
      return { type, status, reason, message, lastHeartbeatTime: now, lastTransitionTime: old?.status === status ? old.lastTransitionTime ?? now : now };
    };
    return [
      mk('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      mk('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      mk('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      healthy
        ? mk('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
        : mk('Ready', 'False', 'KubeletNotReady', 'container runtime network not ready: NetworkReady=false reason:DockerNotResponding message:container runtime is down'),
    ];
  };

  const nodeStatus = (n: NodeRuntime, prev?: Node): Node['status'] => {
    const cap = capacityOf(n.config);
    return {
      capacity: cap,
      allocatable: allocatableOf(cap, n.config),
      conditions: conditions(n, prev?.status?.conditions),
      addresses: [{ type: 'InternalIP', address: hostIP }, { type: 'Hostname', address: n.config.name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: `${opts.clusterName}-${n.config.name}`,
        systemUUID: `${opts.clusterName}-${n.config.name}`,
        bootID: `${process.pid}`,
        kernelVersion: release(),
        osImage: `Docker ${info?.serverVersion ?? 'unknown'} (${info?.os ?? 'linux'})`,
        containerRuntimeVersion: `docker://${info?.serverVersion ?? 'unknown'}`,
        kubeletVersion: KUBELET_VERSION,
        kubeProxyVersion: KUBELET_VERSION,
        operatingSystem: 'linux',
        architecture: goArch(info?.arch ?? process.arch),
      },
    };
  };

  const labelsOf = (c: NodeConfig): Record<string, string> => {
    const arch = goArch(info?.arch ?? process.arch);
    return {
      'beta.kubernetes.io/arch': arch, 'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': arch, 'kubernetes.io/os': 'linux', 'kubernetes.io/hostname': c.name,
      'node-role.kubernetes.io/worker': '',
      ...c.labels,
    };
  };

  /** Creates the Node, or on an engine restart keeps the user's edits (cordon, taints, labels) and refreshes ours. */
  const register = async (n: NodeRuntime): Promise<void> => {
    const name = n.config.name;
    try {
      const existing = await client.get<Node>(R.nodes, name);
      const merged = await client.patch<Node>(R.nodes, name, undefined, 'merge', { metadata: { labels: labelsOf(n.config) } });
      n.uid = merged.metadata?.uid ?? existing.metadata?.uid;
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const node: Node = {
      apiVersion: 'v1', kind: 'Node',
      metadata: {
        name, labels: labelsOf(n.config),
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
      },
      spec: { providerID: `wheelhouse://${opts.clusterName}/${name}`, ...(n.config.taints?.length ? { taints: n.config.taints } : {}) },
    };
    try {
      const created = await client.create<Node>(R.nodes, node);
      n.uid = created.metadata?.uid;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      n.uid = (await client.get<Node>(R.nodes, name)).metadata?.uid;
    }
  };

  const postStatus = async (n: NodeRuntime, force = false): Promise<void> => {
    const name = n.config.name;
    const cur = await client.get<Node>(R.nodes, name);
    const status = nodeStatus(n, cur);
    const signature = JSON.stringify({ ...status, conditions: status!.conditions!.map((c) => [c.type, c.status, c.reason]) });
    if (!force && signature === n.lastStatus && clock.now() - n.lastReport < reportMs) return;
    await client.patch(R.nodes, name, undefined, 'merge', { status }, { subresource: 'status' });
    n.lastStatus = signature;
    n.lastReport = clock.now();
    // The kubelet's own events on readiness changes (kubectl describe node / get events show them).
    const was = cur.status?.conditions?.find((c) => c.type === 'Ready')?.status;
    const now = status!.conditions!.find((c) => c.type === 'Ready')!.status;
    if (was !== now) {
      const ref = { ...cur, metadata: { ...cur.metadata, namespace: 'default', uid: name } };
      void recorderFor(name).event(ref, now === 'True' ? 'Normal' : 'Warning', now === 'True' ? 'NodeReady' : 'NodeNotReady', `Node ${name} status is now: ${now === 'True' ? 'NodeReady' : 'NodeNotReady'}`);
    }
  };

  const recorders = new Map<string, EventRecorder>();
  const recorderFor = (name: string): EventRecorder => {
    let r = recorders.get(name);
    if (!r) recorders.set(name, (r = createRecorder(client, { component: 'kubelet', host: name }, () => new Date(clock.now()))));
    return r;
  };

  const ensureLeaseNamespace = async (): Promise<void> => {
    try {
      await client.create(R.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NODE_LEASE_NAMESPACE } });
    } catch (err) {
      if (!isAlreadyExists(err) && !isConflict(err)) throw err;
    }
  };

  const renewLease = async (n: NodeRuntime): Promise<void> => {
    const name = n.config.name;
    const now = microTime(clock.now());
    try {
      const lease = await client.get<Lease>(R.leases, name, NODE_LEASE_NAMESPACE);
      const next: Writable<Lease> = { ...lease, spec: { ...lease.spec, holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now } };
      await client.update(R.leases, next);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      const lease: Lease = {
        apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
        metadata: {
          name, namespace: NODE_LEASE_NAMESPACE,
          ...(n.uid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: n.uid }] } : {}),
        },
        spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now, acquireTime: now },
      };
      await client.create(R.leases, lease).catch((e: unknown) => {
        if (!isAlreadyExists(e)) throw e;
      });
    }
  };

  const heartbeat = async (n: NodeRuntime): Promise<void> => {
    if (!n.running || stopped) return;
    try {
      await renewLease(n);
      await postStatus(n);
    } catch (err) {
      if (!isConflict(err)) log(`node ${n.config.name}: heartbeat: ${(err as Error).message}`);
    }
    if (n.running && !stopped) n.timer = clock.setTimeout(() => void heartbeat(n), heartbeatMs);
  };

  const bringUp = async (n: NodeRuntime): Promise<void> => {
    if (n.running || stopped) return;
    n.running = true;
    n.kubelet = startKubelet(client, runtime, {
      nodeName: n.config.name, clusterName: opts.clusterName, networkName: opts.networkName,
      sandboxImage: opts.sandboxImage, podsDir: `${opts.podsDir}/${n.config.name}`, hostIP, clusterDNS: opts.clusterDNS,
      clock, log,
    });
    await n.kubelet.synced;
    await renewLease(n);
    await postStatus(n, true);
    if (n.timer !== undefined) clock.clearTimeout(n.timer);
    n.timer = clock.setTimeout(() => void heartbeat(n), heartbeatMs);
    const node = await client.get<Node>(R.nodes, n.config.name).catch(() => undefined);
    if (node) void recorderFor(n.config.name).event({ ...node, metadata: { ...node.metadata, namespace: 'default', uid: n.config.name } }, 'Normal', 'Starting', 'Starting kubelet.');
    log(`node ${n.config.name}: started`);
  };

  const bringDown = async (n: NodeRuntime, killContainers: boolean): Promise<void> => {
    if (!n.running) return;
    n.running = false;
    if (n.timer !== undefined) clock.clearTimeout(n.timer);
    n.timer = undefined;
    const k = n.kubelet;
    n.kubelet = undefined;
    if (k) {
      await k.stop();
      if (killContainers) await k.killAll();
    }
    log(`node ${n.config.name}: stopped${killContainers ? ' (containers killed)' : ''}`);
  };

  const serially = (n: NodeRuntime, fn: () => Promise<void>): Promise<void> => {
    const p = n.transition.then(fn, fn);
    n.transition = p.catch(() => undefined);
    return p;
  };

  const get = (name: string): NodeRuntime => {
    const n = nodes.get(name);
    if (!n) throw new Error(`node "${name}" is not one of this cluster's nodes (${[...nodes.keys()].join(', ')})`);
    return n;
  };

  let watcher: { stop(): void } | undefined;
  const ready = (async () => {
    info = await runtime.info();
    // Pods need the cluster network; creating it here is idempotent (an existing one is kept as it is).
    await runtime.ensureNetwork(opts.networkName, { labels: { [`${LABEL_PREFIX}.cluster`]: opts.clusterName } });
    await ensureLeaseNamespace().catch((err: unknown) => log(`nodes: ${NODE_LEASE_NAMESPACE}: ${(err as Error).message}`));
    for (const n of nodes.values()) await register(n);
    const powered = async (name: string): Promise<boolean> => {
      const node = await client.get<Node>(R.nodes, name).catch(() => undefined);
      return node?.metadata?.annotations?.[POWER_ANNOTATION] !== 'stopped';
    };
    await Promise.all([...nodes.values()].map(async (n) => {
      if (await powered(n.config.name)) await serially(n, () => bringUp(n));
    }));
    // Power changes arrive as annotation edits on the Node, from any client.
    watcher = startInformer<Node>(client, R.nodes, {}, (ev, node) => {
      const n = nodes.get(node.metadata?.name ?? '');
      if (!n || ev === 'delete' || stopped) return;
      const want = node.metadata?.annotations?.[POWER_ANNOTATION] !== 'stopped';
      if (want && !n.running) void serially(n, () => bringUp(n)).catch((err: unknown) => log(`node ${n.config.name}: start: ${(err as Error).message}`));
      if (!want && n.running) void serially(n, () => bringDown(n, true)).catch((err: unknown) => log(`node ${n.config.name}: stop: ${(err as Error).message}`));
    });
  })();

  const setPower = async (name: string, power: 'stopped' | null): Promise<void> => {
    const n = get(name);
    await client.patch(R.nodes, name, undefined, 'merge', { metadata: { annotations: { [POWER_ANNOTATION]: power } } });
    await serially(n, () => (power === 'stopped' ? bringDown(n, true) : bringUp(n)));
  };

  return {
    names: [...nodes.keys()],
    ready,
    kubelet: (name) => nodes.get(name)?.kubelet,
    stopNode: (name) => setPower(name, 'stopped'),
    startNode: (name) => setPower(name, null),
    isRunning: (name) => nodes.get(name)?.running ?? false,
    streams: { runtime, clusterName: opts.clusterName },
    stop: async () => {
      await ready.catch(() => undefined);
      stopped = true;
      watcher?.stop();
      // The engine is stopping, not the nodes: containers keep running for the next engine to adopt.
      await Promise.all([...nodes.values()].map((n) => serially(n, () => bringDown(n, false))));
    },
  };
}
