/**
 * Cluster networking as an engine component: the cluster's Docker network (from the address plan),
 * the Endpoints and EndpointSlice controllers, a proxy container per Service, the cluster DNS and the
 * ingress controller. Without a container runtime only the API-side controllers run (Endpoints and
 * EndpointSlices are still correct; nothing forwards traffic until Docker is back and the engine restarts).
 */
import { readFileSync } from 'node:fs';
import type { Component, EngineContext } from '../engine.ts';
import { realClock, type Clock } from '../controllers/framework/clock.ts';
import type { ControllerContext } from '../controllers/framework/context.ts';
import type { Controller } from '../controllers/framework/controller.ts';
import { ApiEventRecorder } from '../controllers/framework/events.ts';
import { InformerFactory } from '../controllers/framework/informer.ts';
import type { Runtime } from '../runtime/types.ts';
import { LABEL_PREFIX } from '../runtime/types.ts';
import { AgentContainers } from './agent-containers.ts';
import { DnsController } from './dns-controller.ts';
import { EndpointsController } from './endpoints-controller.ts';
import { EndpointSliceController } from './endpointslice-controller.ts';
import { IngressController } from './ingress-controller.ts';
import type { NetworkPlan } from './plan.ts';
import { ServiceProxyController } from './service-proxy-controller.ts';

/** The infrastructure image default: any image with Node ≥ 18 as `node` on the PATH. */
export const DEFAULT_INFRA_IMAGE = 'node:20-alpine';

export interface NetworkOptions {
  plan: NetworkPlan;
  infraImage?: string;
  /** Host address for NodePort, LoadBalancer and ingress ports (default 127.0.0.1). */
  hostIP?: string;
  ingressHttpPort?: number;
  ingressHttpsPort?: number;
  /** dist/agent.js; found next to the running bundle when omitted. */
  agentSource?: Buffer;
  clock?: Clock;
}

/** Finds dist/agent.js: beside the engine bundle, or (running from source) in the repository's dist/. */
export function loadAgentSource(): Buffer {
  const tried: string[] = [];
  for (const rel of ['./agent.js', '../../dist/agent.js']) {
    const url = new URL(rel, import.meta.url);
    tried.push(url.pathname);
    try {
      return readFileSync(url);
    } catch {
      // try the next place
    }
  }
  throw new Error(`the network agent (agent.js) is missing; looked in ${tried.join(', ')}. Run npm run build.`);
}

/** Creates the cluster network with the plan's subnet and pod range. */
export async function ensureClusterNetwork(runtime: Runtime, plan: NetworkPlan, clusterName: string): Promise<void> {
  await runtime.ensureNetwork(plan.network, {
    subnet: plan.subnet,
    gateway: plan.gateway,
    ipRange: plan.podRange,
    labels: { [`${LABEL_PREFIX}.cluster`]: clusterName },
  });
}

export function networkComponent(opts: NetworkOptions): (ctx: EngineContext) => Promise<Component> {
  return async (ctx) => {
    const clock = opts.clock ?? realClock;
    const logger = (level: 'info' | 'warn' | 'error', msg: string) => {
      if (level !== 'info') ctx.log(`wheelhouse: network: ${msg}`);
    };
    const informers = new InformerFactory(ctx.client, { clock, log: logger });
    const cctx: ControllerContext = {
      client: ctx.client,
      informers,
      clock,
      log: logger,
      recorder: (component) => new ApiEventRecorder(ctx.client, component, clock, { log: logger }),
    };
    const controllers: Controller[] = [new EndpointsController(cctx).controller, new EndpointSliceController(cctx).controller];
    let proxies: ServiceProxyController | undefined;
    let ingress: IngressController | undefined;
    if (ctx.runtime) {
      const { plan } = opts;
      await ensureClusterNetwork(ctx.runtime, plan, ctx.clusterName);
      const image = opts.infraImage ?? DEFAULT_INFRA_IMAGE;
      const hostIP = opts.hostIP ?? '127.0.0.1';
      const agents = new AgentContainers(ctx.runtime, { clusterName: ctx.clusterName, agentSource: opts.agentSource ?? loadAgentSource(), log: ctx.log });
      proxies = new ServiceProxyController(cctx, agents, { clusterName: ctx.clusterName, network: plan.network, image, domain: plan.domain, hostIP });
      ingress = new IngressController(cctx, agents, {
        clusterName: ctx.clusterName, network: plan.network, image, hostIP, httpPort: opts.ingressHttpPort ?? 80, httpsPort: opts.ingressHttpsPort ?? 443,
      });
      controllers.push(
        proxies.controller,
        new DnsController(cctx, agents, { clusterName: ctx.clusterName, network: plan.network, image, ip: plan.dnsIP, domain: plan.domain }).controller,
        ingress.controller,
      );
    }
    informers.start();
    await informers.waitForSync();
    await ingress?.ensureClass();
    await proxies?.collectOrphans();
    for (const c of controllers) c.run();
    return {
      name: 'network',
      async stop() {
        await Promise.all(controllers.map((c) => c.stop()));
        await informers.stop();
      },
    };
  };
}
