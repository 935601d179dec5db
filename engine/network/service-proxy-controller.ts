/**
 * Runs one proxy container per Service that has a ClusterIP (our kube-proxy): its address is the
 * ClusterIP, its network aliases are the Service's DNS names (`NAME.NS`, `NAME.NS.svc`,
 * `NAME.NS.svc.cluster.local`; pods reach `NAME` through their DNS search path), NodePort and
 * LoadBalancer ports are published on 127.0.0.1 only, and it forwards to the ready endpoints listed in
 * the Service's Endpoints. A LoadBalancer's status says 127.0.0.1 once its proxy runs.
 * Headless and ExternalName Services have no proxy: DNS answers for them.
 */
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1';
import type { ApiClient, Writable } from '../api/client.ts';
import { R } from '../api/resources.ts';
import { Controller } from '../controllers/framework/controller.ts';
import type { ControllerContext } from '../controllers/framework/context.ts';
import type { EventRecorder } from '../controllers/framework/events.ts';
import { keyOf, splitKey, type Informer } from '../controllers/framework/informer.ts';
import { infraName } from '../runtime/names.ts';
import type { PortBinding } from '../runtime/types.ts';
import type { AgentContainers, AgentSpec } from './agent-containers.ts';
import type { ProxyConfig } from './agent/proxy.ts';
import { readyBackends } from './endpoints-compute.ts';

export interface ServiceProxyOptions {
  clusterName: string;
  network: string;
  image: string;
  domain: string;
  /** Host address for NodePort/LoadBalancer ports. Loopback unless the user asks otherwise. */
  hostIP: string;
}

export function hasProxy(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return svc.spec?.type !== 'ExternalName' && !!ip && ip !== 'None';
}

export function serviceAliases(svc: Service, domain: string): string[] {
  const n = svc.metadata!.name!;
  const ns = svc.metadata!.namespace!;
  return [`${n}.${ns}`, `${n}.${ns}.svc`, `${n}.${ns}.svc.${domain}`];
}

/** Host ports: each NodePort, and for a LoadBalancer also the Service port itself, on hostIP. */
export function publishedPorts(svc: Service, hostIP: string): PortBinding[] {
  const out: PortBinding[] = [];
  const type = svc.spec?.type ?? 'ClusterIP';
  for (const p of svc.spec?.ports ?? []) {
    const protocol = (p.protocol ?? 'TCP') === 'UDP' ? 'udp' : 'tcp';
    if ((type === 'NodePort' || type === 'LoadBalancer') && p.nodePort) out.push({ containerPort: p.port, protocol, hostIP, hostPort: p.nodePort });
    if (type === 'LoadBalancer') out.push({ containerPort: p.port, protocol, hostIP, hostPort: p.port });
  }
  return out;
}

/** Whether pods reaching this Service are kept on their own node (internalTrafficPolicy: Local). */
export function isLocal(svc: Service): boolean {
  return svc.spec?.internalTrafficPolicy === 'Local';
}

/** Pod IP → node of every pod with an IP: who is a pod client, and on which node (for Local Services). */
export function clientNodes(pods: readonly Pod[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pods) if (p.status?.podIP && p.spec?.nodeName) out[p.status.podIP] = p.spec.nodeName;
  return out;
}

export function proxyConfig(svc: Service, ep: Endpoints | undefined, pods: readonly Pod[] = []): ProxyConfig {
  const affinity = svc.spec?.sessionAffinity === 'ClientIP';
  return {
    ...(isLocal(svc) ? { localClients: { clientNodes: clientNodes(pods) } } : {}),
    listeners: (svc.spec?.ports ?? [])
      .filter((p) => (p.protocol ?? 'TCP') !== 'SCTP')
      .map((p) => ({ protocol: (p.protocol ?? 'TCP') as 'TCP' | 'UDP', port: p.port, backends: readyBackends(ep?.subsets, p.name ?? '', p.protocol ?? 'TCP') })),
    ...(affinity ? { sessionAffinity: { clientIP: true, timeoutSeconds: svc.spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800 } } : {}),
  };
}

export class ServiceProxyController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly services: Informer<Service>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;

  constructor(
    ctx: ControllerContext,
    private readonly agents: AgentContainers,
    private readonly opts: ServiceProxyOptions,
  ) {
    this.client = ctx.client;
    this.recorder = ctx.recorder('service-proxy');
    this.services = ctx.informers.for<Service>(R.services);
    this.endpoints = ctx.informers.for<Endpoints>(R.endpoints);
    this.pods = ctx.informers.for<Pod>(R.pods);
    this.controller = new Controller(
      { name: 'service-proxy', clock: ctx.clock, recorder: this.recorder, workers: ctx.workers, log: ctx.log },
      (key) => this.sync(key),
    );
    const enqueue = (o: Service | Endpoints) => this.controller.enqueue(keyOf(o));
    this.services.addEventHandler({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
    this.endpoints.addEventHandler({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
    // Local Services route by the client pod's node: a pod getting (or losing) an IP changes who is local.
    const podMoved = (o: Pod | undefined, n: Pod) => {
      if (o && o.status?.podIP === n.status?.podIP && o.spec?.nodeName === n.spec?.nodeName) return;
      for (const svc of this.services.list()) if (isLocal(svc)) enqueue(svc);
    };
    this.pods.addEventHandler({ add: (p) => podMoved(undefined, p), update: podMoved, delete: (p) => podMoved(undefined, p) });
  }

  nameFor(namespace: string, name: string): string {
    return infraName(this.opts.clusterName, 'proxy', `${namespace}-${name}`);
  }

  /** Removes proxies whose Service is gone (after a restart: the informers only report what exists). */
  async collectOrphans(): Promise<void> {
    for (const c of await this.agents.list('proxy')) {
      const obj = c.labels['io.wheelhouse.object'];
      const { namespace, name } = splitKey(obj ?? '');
      const svc = namespace ? this.services.get(namespace, name) : undefined;
      if (!svc || !hasProxy(svc)) await this.agents.remove(c.id);
    }
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(namespace, name);
    const containerName = this.nameFor(namespace!, name);
    if (!svc || !hasProxy(svc)) {
      for (const c of await this.agents.list('proxy')) if (c.name === containerName || c.name === `/${containerName}`) await this.agents.remove(c.id);
      return;
    }
    const spec: AgentSpec = {
      name: containerName,
      component: 'proxy',
      object: key,
      image: this.opts.image,
      network: this.opts.network,
      ip: svc.spec!.clusterIP!,
      aliases: serviceAliases(svc, this.opts.domain),
      ports: publishedPorts(svc, this.opts.hostIP),
    };
    try {
      await this.agents.ensure(spec, proxyConfig(svc, this.endpoints.get(namespace, name), isLocal(svc) ? this.pods.list() : []));
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      this.recorder.event(svc, 'Warning', 'ProxyFailed', `could not run the Service's proxy: ${msg}`);
      throw err;
    }
    if (svc.spec?.type === 'LoadBalancer') {
      const ingress = svc.status?.loadBalancer?.ingress ?? [];
      if (!(ingress.length === 1 && ingress[0]!.ip === this.opts.hostIP)) {
        const next = structuredClone(svc) as Writable<Service>;
        next.status = { ...next.status, loadBalancer: { ingress: [{ ip: this.opts.hostIP, ipMode: 'VIP' }] } };
        await this.client.updateStatus(R.services, next);
      }
    }
  }
}
