/**
 * The whole engine in the test process, on real Docker: every default component (controllers, scheduler,
 * provisioner, network, nodes) with the offline test images, so e2e tests can use the in-process client and
 * the kubelets' streams (exec into pods) directly. `stop()` stops the engine and removes everything the
 * cluster left in Docker (containers by the cluster label, then its network and volumes).
 */
import { Engine, type ClusterSettings } from '../../engine/engine.ts';
import type { Nodes } from '../../engine/nodes/nodes.ts';
import { connectDocker } from '../../engine/runtime/docker.ts';
import { labelFilter } from '../../engine/runtime/labels.ts';
import { LABEL_PREFIX, type Runtime } from '../../engine/runtime/types.ts';
import { readPlan } from '../../engine/network/plan.ts';

export interface FullEngine {
  engine: Engine;
  nodes: Nodes;
  runtime: Runtime;
  stop(): Promise<void>;
}

/** Removes a test cluster's containers, network and volumes from Docker. */
export async function removeClusterFromDocker(runtime: Runtime, cluster: string, network?: string): Promise<void> {
  const list = await runtime.listContainers(labelFilter({ cluster }), { all: true });
  await Promise.all(list.map((c) => runtime.removeContainer(c.id, { force: true }).catch(() => undefined)));
  if (network) await runtime.removeNetwork(network).catch(() => undefined);
  for (const v of await runtime.listVolumes({ [`${LABEL_PREFIX}.cluster`]: cluster }).catch(() => [] as string[])) {
    await runtime.removeVolume(v).catch(() => undefined);
  }
}

export async function startFullEngine(opts: { dataDir: string; clusterName: string; store?: 'memory' | 'file' } & Omit<ClusterSettings, 'onNodes'>): Promise<FullEngine> {
  const runtime = await connectDocker();
  let nodes: Nodes | undefined;
  const { dataDir, clusterName, store, ...settings } = opts;
  let engine: Engine | undefined;
  const cleanup = async () => {
    await engine?.stop();
    await removeClusterFromDocker(runtime, clusterName, (await readPlan(dataDir))?.network);
  };
  try {
    engine = await Engine.start({
      dataDir, clusterName, port: 0, store: store ?? 'memory', connectRuntime: async () => runtime,
      settings: { ...settings, onNodes: (n) => (nodes = n) },
      log: (line) => {
        if (process.env.WHEELHOUSE_TEST_LOG) process.stderr.write(`[${clusterName}] ${line}\n`);
      },
    });
    if (!nodes) throw new Error(`no nodes started: ${engine.runtimeProblem ?? 'unknown reason'}`);
  } catch (e) {
    await cleanup();
    throw e;
  }
  return { engine, nodes, runtime, stop: cleanup };
}
