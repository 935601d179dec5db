/**
 * The scheduler and the virtual nodes as engine components (engine/engine.ts ComponentStarter), so the
 * composition root only lists them: `DEFAULT_COMPONENTS = [..., schedulerComponent(), provisionerComponent(), nodesComponent()]`.
 */
import { join } from 'node:path';
import type { Component, EngineContext } from '../engine.ts';
import { startScheduler, type SchedulerOptions } from '../scheduler/scheduler.ts';
import { startNodes, type Nodes, type NodesOptions } from './nodes.ts';
import { startProvisioner } from './provisioner.ts';

export function schedulerComponent(opts: SchedulerOptions = {}): (ctx: EngineContext) => Component {
  return (ctx) => {
    const s = startScheduler(ctx.client, { log: ctx.log, ...opts });
    return { name: 'scheduler', stop: () => s.stop() };
  };
}

/** Needs the runtime; without Docker the cluster has no nodes (pods stay Pending, the scheduler says why). */
export function nodesComponent(
  opts: Partial<Omit<NodesOptions, 'clusterName'>> = {},
  onStarted?: (nodes: Nodes) => void,
): (ctx: EngineContext) => Promise<Component | void> {
  return async (ctx) => {
    if (!ctx.runtime) {
      ctx.log('wheelhouse: no container runtime, so no nodes: pods will stay Pending');
      return;
    }
    const nodes = startNodes(ctx.client, ctx.runtime, {
      networkName: opts.networkName ?? `${ctx.clusterName}-net`,
      podsDir: opts.podsDir ?? join(ctx.dataDir, 'pods'),
      log: ctx.log,
      ...opts,
      clusterName: ctx.clusterName,
    });
    await nodes.ready;
    onStarted?.(nodes);
    return { name: 'nodes', stop: () => nodes.stop() };
  };
}

/** The default StorageClass, Docker-volume provisioning and PV/PVC binding (needs the runtime). */
export function provisionerComponent(): (ctx: EngineContext) => Promise<Component | void> {
  return async (ctx) => {
    if (!ctx.runtime) return;
    const p = startProvisioner(ctx.client, ctx.runtime, { clusterName: ctx.clusterName, log: ctx.log });
    await p.ready;
    return { name: 'provisioner', stop: () => p.stop() };
  };
}
