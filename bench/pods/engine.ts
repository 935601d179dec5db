/**
 * An engine with the data plane (scheduler + virtual nodes + kubelets) on real Docker, for bench/pods and
 * the pod e2e tests, until engine/engine.ts lists these components by default. In-process
 * (`startDataPlaneEngine`) or as a child process that can be killed -9 (`node --import tsx
 * bench/pods/engine.ts DATA_DIR CLUSTER SANDBOX_IMAGE [NODES_JSON]`, prints `ready <url>` when serving).
 * `removeCluster` deletes every container and the network carrying the cluster's label.
 */
import { join } from 'node:path';
import { Engine } from '../../engine/engine.ts';
import { connectDocker } from '../../engine/runtime/docker.ts';
import { removeClusterFromDocker } from '../../test/support/full-engine.ts';
import type { Runtime } from '../../engine/runtime/types.ts';
import { nodesComponent, provisionerComponent, schedulerComponent } from '../../engine/nodes/component.ts';
import type { NodeConfig, Nodes } from '../../engine/nodes/nodes.ts';

export interface DataPlaneOptions {
  dataDir: string;
  clusterName: string;
  sandboxImage: string;
  nodes?: NodeConfig[];
  store?: 'file' | 'memory';
  log?: (line: string) => void;
}

export const networkNameFor = (cluster: string): string => `${cluster}-net`;

export async function startDataPlaneEngine(opts: DataPlaneOptions): Promise<{ engine: Engine; nodes: Nodes }> {
  let nodes: Nodes | undefined;
  const engine = await Engine.start({
    dataDir: opts.dataDir, port: 0, clusterName: opts.clusterName, store: opts.store ?? 'file',
    connectRuntime: () => connectDocker(),
    log: opts.log,
    components: [
      schedulerComponent(),
      provisionerComponent(),
      nodesComponent({ sandboxImage: opts.sandboxImage, nodes: opts.nodes, networkName: networkNameFor(opts.clusterName), podsDir: join(opts.dataDir, 'pods') }, (n) => (nodes = n)),
    ],
  });
  if (!nodes) {
    await engine.stop();
    throw new Error(`no nodes started: ${engine.runtimeProblem ?? 'unknown reason'}`);
  }
  return { engine, nodes };
}

/** Removes everything of a test cluster from Docker (containers, then its network and volumes). */
export function removeCluster(runtime: Runtime, cluster: string): Promise<void> {
  return removeClusterFromDocker(runtime, cluster, networkNameFor(cluster));
}

// Child-process mode.
if (process.argv[1] && /bench[\\/]pods[\\/]engine\.ts$/.test(process.argv[1])) {
  const [dataDir, clusterName, sandboxImage, nodesJson] = process.argv.slice(2);
  if (!dataDir || !clusterName || !sandboxImage) {
    process.stderr.write('usage: engine.ts DATA_DIR CLUSTER SANDBOX_IMAGE [NODES_JSON]\n');
    process.exit(2);
  }
  const { engine } = await startDataPlaneEngine({
    dataDir, clusterName, sandboxImage, nodes: nodesJson ? (JSON.parse(nodesJson) as NodeConfig[]) : undefined,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  process.stdout.write(`ready ${engine.url}\n`);
  const shutdown = (): void => {
    void engine.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
