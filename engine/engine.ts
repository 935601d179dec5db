/**
 * The engine's composition root: data dir (lock, PKI, token, kubeconfig), store, registry, HTTPS API
 * server, and the components that act through the in-process ApiClient (controllers, scheduler, kubelets,
 * network). Nothing else wires parts together.
 *
 * Components: a `ComponentStarter` receives the EngineContext (an ApiClient with upstream semantics, the
 * container runtime when Docker answered, the API server for pod streaming handlers) and returns what
 * stops it. They start after the API is ready, in list order, and stop in reverse order.
 */
import { join } from 'node:path';
import { unlink, readFile } from 'node:fs/promises';
import type { ApiClient } from './api/client.ts';
import type { Runtime } from './runtime/types.ts';
import { RuntimeMetricsSource } from './metrics/source.ts';
import type { Store } from './store/types.ts';
import { openStore, openMemoryStore, type HistoryOptions } from './store/index.ts';
import { acquireLock, type DirLock } from './store/lock.ts';
import { Registry } from './registry/registry.ts';
import { ApiServer, type VersionInfo } from './apiserver/server.ts';
import { LocalClient } from './apiserver/local-client.ts';
import { ensureDataDir, writeSecret } from './config/files.ts';
import { ensurePki } from './config/pki.ts';
import { ensureToken } from './config/token.ts';
import { writeKubeconfig } from './config/kubeconfig.ts';
import { podLogHandler } from './apiserver/pod-logs.ts';
import type { StreamDeps } from './kubelet/streams.ts';
import type { NodeConfig, Nodes } from './nodes/nodes.ts';
import { podAliveVia, registerStreamingHandlers } from './streaming/index.ts';
import { startControllers } from './controllers/index.ts';
import { schedulerComponent, nodesComponent, provisionerComponent } from './nodes/component.ts';
import { networkComponent, ensureClusterNetwork } from './network/component.ts';
import { candidates, isOverlap, planFor, readPlan, savePlan, type NetworkPlan } from './network/plan.ts';

export const ENGINE_VERSION = '0.1.0';
/** The Kubernetes API version the engine serves (kubernetes-types 1.30). */
export const KUBE_VERSION = { major: '1', minor: '30', patch: '0' };

export function versionInfo(): VersionInfo {
  return {
    major: KUBE_VERSION.major,
    minor: KUBE_VERSION.minor,
    gitVersion: `v${KUBE_VERSION.major}.${KUBE_VERSION.minor}.${KUBE_VERSION.patch}+wheelhouse-${ENGINE_VERSION}`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'gc',
    platform: `${process.platform === 'win32' ? 'windows' : process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}

export interface EngineContext {
  /** The in-process client (upstream semantics); use `client.withFieldManager(name)` per component. */
  client: LocalClient & ApiClient;
  /** The container runtime, or undefined when Docker did not answer at start. */
  runtime: Runtime | undefined;
  apiServer: ApiServer;
  clusterName: string;
  dataDir: string;
  log(line: string): void;
}

export interface Component {
  name: string;
  stop(): void | Promise<void>;
}

export type ComponentStarter = (ctx: EngineContext) => Component | void | Promise<Component | void>;

/** The controller manager (engine/controllers) as a component. */
export function controllersComponent(): ComponentStarter {
  return async (ctx) => {
    // One source for the HPA and for metrics.k8s.io (kubectl top); without Docker it has no metrics.
    const metrics = ctx.runtime ? new RuntimeMetricsSource(ctx.runtime, ctx.clusterName) : undefined;
    ctx.apiServer.setMetricsProvider(metrics);
    const c = startControllers(ctx.client.withFieldManager('kube-controller-manager'), {
      log: (level, msg) => {
        if (level !== 'info') ctx.log(`wheelhouse: controllers: ${msg}`);
      },
      // A local cluster reschedules pods from a stopped node in 30 s, not upstream's 300 s.
      podEvictionTimeoutSeconds: 30,
      ...(metrics ? { metrics } : {}),
    });
    await c.ready;
    return {
      name: 'controllers',
      stop: () => {
        ctx.apiServer.setMetricsProvider(undefined);
        return c.stop();
      },
    };
  };
}

/** Cluster settings a user (or a test) may choose; each has a default a user can run with. */
export interface ClusterSettings {
  /** Image of the pod sandboxes (needs sh and nc: probes and port-forward run through it). Default busybox:1.36. */
  sandboxImage?: string;
  /** Image of the Service proxies, DNS and ingress (Node ≥ 18 as `node`). Default node:20-alpine. */
  infraImage?: string;
  /** Host ports of the built-in ingress controller on 127.0.0.1. Default 80 and 443. */
  ingressHttpPort?: number;
  ingressHttpsPort?: number;
  /** Virtual nodes (count or explicit list); default 3. */
  nodeCount?: number;
  nodes?: NodeConfig[];
  /** Called once the nodes run (tests reach the kubelets' streams through it). */
  onNodes?: (nodes: Nodes) => void;
}

/**
 * The components a full engine runs, in start order: controllers and scheduler (API only), then — when
 * Docker answered — the volume provisioner, the cluster network (Service proxies, DNS, ingress) and the
 * virtual nodes with their kubelets; the nodes' container streams back pods/log, exec, attach and portforward.
 */
export function defaultComponents(plan: NetworkPlan, settings: ClusterSettings = {}): ComponentStarter[] {
  return [
    controllersComponent(),
    schedulerComponent(),
    provisionerComponent(),
    networkComponent({ plan, infraImage: settings.infraImage, ingressHttpPort: settings.ingressHttpPort, ingressHttpsPort: settings.ingressHttpsPort }),
    async (ctx) => {
      let deps: StreamDeps | undefined;
      ctx.apiServer.setPodHandler('log', podLogHandler(() => deps));
      registerStreamingHandlers(ctx.apiServer, () => deps, podAliveVia(ctx.client));
      // pods/exec, pods/attach and pods/portforward (WebSocket and SPDY/3.1; engine/streaming).
      const start = nodesComponent(
        {
          networkName: plan.network,
          clusterDNS: [plan.dnsIP],
          ...(settings.sandboxImage ? { sandboxImage: settings.sandboxImage } : {}),
          ...(settings.nodeCount ? { count: settings.nodeCount } : {}),
          ...(settings.nodes ? { nodes: settings.nodes } : {}),
        },
        (nodes) => {
          deps = nodes.streams;
          settings.onNodes?.(nodes);
        },
      );
      return start(ctx);
    },
  ];
}

/**
 * The cluster's network plan (service CIDR, DNS address, Docker network), chosen once per data dir: the
 * first candidate /16 Docker accepts without overlap (or, without Docker, the first candidate).
 */
export async function ensurePlan(dataDir: string, clusterName: string, runtime: Runtime | undefined): Promise<NetworkPlan> {
  const saved = await readPlan(dataDir);
  if (saved) return saved;
  const list = candidates(clusterName);
  let chosen = planFor(clusterName, list[0]!);
  if (runtime) {
    for (const second of list) {
      const plan = planFor(clusterName, second);
      try {
        await ensureClusterNetwork(runtime, plan, clusterName);
        chosen = plan;
        break;
      } catch (e) {
        if (!isOverlap(e)) throw e;
      }
    }
  }
  await savePlan(dataDir, chosen);
  return chosen;
}

export interface EngineOptions {
  dataDir: string;
  /** 0 or absent: a free port. */
  port?: number;
  clusterName?: string;
  /** Serve the API only: no controllers, scheduler, network or nodes, and no container runtime. */
  apiOnly?: boolean;
  /** 'memory' keeps nothing on disk (tests of the API only). Default 'file'. */
  store?: 'file' | 'memory';
  /** Watch history of the store (tests shorten it to provoke 410 Expired). */
  storeHistory?: HistoryOptions;
  components?: ComponentStarter[];
  /** Settings of the default components (ignored when `components` is given). */
  settings?: ClusterSettings;
  /** Resolves the runtime (Docker); rejects with a one-sentence reason when it is unreachable. */
  connectRuntime?: () => Promise<Runtime>;
  log?: (line: string) => void;
}

/** What `up`/`status`/`down` read to find a running engine. */
export interface EngineState {
  pid: number;
  url: string;
  port: number;
  clusterName: string;
  kubeconfig: string;
  startedAt: string;
}

export const stateFile = (dataDir: string): string => join(dataDir, 'engine.json');

export async function readState(dataDir: string): Promise<EngineState | undefined> {
  try {
    return JSON.parse(await readFile(stateFile(dataDir), 'utf8')) as EngineState;
  } catch {
    return undefined;
  }
}

export class Engine {
  private readonly components: Component[] = [];
  private stopped = false;
  runtimeProblem: string | undefined;
  runtime: Runtime | undefined;

  private constructor(
    readonly dataDir: string,
    readonly clusterName: string,
    readonly url: string,
    readonly kubeconfigPath: string,
    readonly token: string,
    readonly caCert: string,
    readonly registry: Registry,
    readonly apiServer: ApiServer,
    readonly client: LocalClient,
    private readonly store: Store,
    private readonly lock: DirLock,
    private readonly log: (line: string) => void,
  ) {}

  static async start(opts: EngineOptions): Promise<Engine> {
    const log = opts.log ?? (() => undefined);
    const clusterName = opts.clusterName ?? 'wheelhouse';
    await ensureDataDir(opts.dataDir);
    const lock = await acquireLock(opts.dataDir);
    let store: Store | undefined;
    let server: ApiServer | undefined;
    try {
      const [pki, token] = await Promise.all([ensurePki(opts.dataDir), ensureToken(opts.dataDir)]);
      let runtime: Runtime | undefined;
      let runtimeProblem: string | undefined;
      if (opts.connectRuntime && !opts.apiOnly) {
        try {
          runtime = await opts.connectRuntime();
        } catch (e) {
          runtimeProblem = e instanceof Error ? e.message : String(e);
        }
      }
      const plan = await ensurePlan(opts.dataDir, clusterName, runtime);
      store = opts.store === 'memory' ? openMemoryStore(opts.storeHistory) : await openStore(join(opts.dataDir, 'store'), opts.storeHistory);
      const registry = new Registry({ store, serviceCIDR: plan.serviceCIDR, dnsIP: plan.dnsIP });
      await registry.start();
      server = new ApiServer({ registry, token, tls: { key: pki.serverKey, cert: pki.serverCert }, port: opts.port ?? 0, version: versionInfo() });
      await server.listen();
      const kubeconfigPath = await writeKubeconfig(opts.dataDir, { server: server.url, caCert: pki.caCert, token, clusterName });
      const client = new LocalClient(registry, { fieldManager: 'wheelhouse-engine' });
      const engine = new Engine(opts.dataDir, clusterName, server.url, kubeconfigPath, token, pki.caCert, registry, server, client, store, lock, log);
      engine.runtimeProblem = runtimeProblem;
      engine.runtime = runtime;
      const ctx: EngineContext = { client, runtime, apiServer: server, clusterName, dataDir: opts.dataDir, log };
      for (const start of opts.components ?? (opts.apiOnly ? [] : defaultComponents(plan, opts.settings))) {
        const c = await start(ctx);
        if (c) engine.components.push(c);
      }
      const state: EngineState = {
        pid: process.pid, url: server.url, port: server.port, clusterName, kubeconfig: kubeconfigPath, startedAt: new Date().toISOString(),
      };
      await writeSecret(stateFile(opts.dataDir), `${JSON.stringify(state, null, 2)}\n`);
      return engine;
    } catch (e) {
      await server?.close().catch(() => undefined);
      await store?.close().catch(() => undefined);
      await lock.release();
      throw e;
    }
  }

  /** Stops components (reverse order), the API server, the store; releases the data dir. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const c of [...this.components].reverse()) {
      try {
        await c.stop();
      } catch (e) {
        this.log(`wheelhouse: stopping ${c.name} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.registry.close();
    await this.apiServer.close();
    await this.store.close();
    await unlink(stateFile(this.dataDir)).catch(() => undefined);
    await this.lock.release();
  }
}
