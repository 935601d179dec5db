/**
 * The cluster DNS (CoreDNS's `kubernetes` plugin): one agent container at the plan's DNS address that
 * answers `*.svc.cluster.local` from Services and Endpoints. Pods use it as their nameserver; Docker's
 * embedded DNS in each pod answers the Service aliases itself and forwards the rest here.
 *
 * Records, as the Kubernetes DNS specification says:
 * - ClusterIP Service: `NAME.NS.svc.DOMAIN` A → the ClusterIP; SRV `_PORT._PROTO.NAME.NS.svc.DOMAIN` for named ports;
 * - headless Service: A → every ready address; `HOSTNAME.NAME.NS.svc.DOMAIN` for endpoints with a hostname
 *   (StatefulSet pods: `web-0.web.default.svc.cluster.local`);
 * - ExternalName Service: CNAME → spec.externalName;
 * - PTR records for ClusterIPs and named endpoints.
 */
import type { Endpoints, Service } from 'kubernetes-types/core/v1';
import { R } from '../api/resources.ts';
import { Controller } from '../controllers/framework/controller.ts';
import type { ControllerContext } from '../controllers/framework/context.ts';
import type { Informer } from '../controllers/framework/informer.ts';
import { infraName } from '../runtime/names.ts';
import type { AgentContainers } from './agent-containers.ts';
import type { DnsRecords, SrvTarget } from './agent/dns-records.ts';

const reverse = (ip: string) => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;

export function buildRecords(services: readonly Service[], endpoints: readonly Endpoints[], domain: string): DnsRecords {
  const rec: DnsRecords = { domain, ttl: 5, a: {}, cname: {}, srv: {}, ptr: {} };
  const eps = new Map(endpoints.map((e) => [`${e.metadata?.namespace}/${e.metadata?.name}`, e]));
  const sorted = [...services].sort((x, y) => `${x.metadata?.namespace}/${x.metadata?.name}`.localeCompare(`${y.metadata?.namespace}/${y.metadata?.name}`));
  for (const svc of sorted) {
    const ns = svc.metadata?.namespace;
    const name = svc.metadata?.name;
    if (!ns || !name) continue;
    const fqdn = `${name}.${ns}.svc.${domain}`;
    if (svc.spec?.type === 'ExternalName') {
      if (svc.spec.externalName) rec.cname[fqdn] = svc.spec.externalName.toLowerCase().replace(/\.$/, '');
      continue;
    }
    const ip = svc.spec?.clusterIP;
    const srvAdd = (portName: string | undefined, protocol: string | undefined, target: SrvTarget) => {
      if (!portName) return;
      const key = `_${portName}._${(protocol ?? 'TCP').toLowerCase()}.${fqdn}`;
      (rec.srv[key] ??= []).push(target);
    };
    if (ip && ip !== 'None') {
      rec.a[fqdn] = [ip];
      rec.ptr[reverse(ip)] = fqdn;
      for (const p of svc.spec?.ports ?? []) srvAdd(p.name, p.protocol, { priority: 0, weight: 100, port: p.port, target: fqdn });
      continue;
    }
    // Headless: the ready addresses themselves.
    const ep = eps.get(`${ns}/${name}`);
    const ips: string[] = [];
    for (const subset of ep?.subsets ?? []) {
      for (const a of subset.addresses ?? []) {
        if (!ips.includes(a.ip)) ips.push(a.ip);
        const host = a.hostname ? `${a.hostname}.${fqdn}` : `${a.ip.replace(/\./g, '-')}.${fqdn}`;
        rec.a[host] = [a.ip];
        if (a.hostname) rec.ptr[reverse(a.ip)] = host;
        for (const p of subset.ports ?? []) srvAdd(p.name, p.protocol, { priority: 0, weight: 100, port: p.port, target: host });
      }
    }
    rec.a[fqdn] = ips;
  }
  return rec;
}

export interface DnsControllerOptions {
  clusterName: string;
  network: string;
  image: string;
  ip: string;
  domain: string;
}

/** One key only: every change rebuilds the whole (small) zone, debounced by the work queue. */
const ZONE = 'zone';

export class DnsController {
  readonly controller: Controller;
  private readonly services: Informer<Service>;
  private readonly endpoints: Informer<Endpoints>;

  constructor(
    ctx: ControllerContext,
    private readonly agents: AgentContainers,
    private readonly opts: DnsControllerOptions,
  ) {
    this.services = ctx.informers.for<Service>(R.services);
    this.endpoints = ctx.informers.for<Endpoints>(R.endpoints);
    this.controller = new Controller(
      { name: 'dns', clock: ctx.clock, recorder: ctx.recorder('dns'), workers: 1, log: ctx.log },
      () => this.sync(),
    );
    const enqueue = () => this.controller.enqueue(ZONE);
    for (const inf of [this.services, this.endpoints] as Informer<Service | Endpoints>[]) inf.addEventHandler({ add: enqueue, update: enqueue, delete: enqueue });
    enqueue();
  }

  get containerName(): string {
    return infraName(this.opts.clusterName, 'dns');
  }

  async sync(): Promise<void> {
    const records = buildRecords(this.services.list(), this.endpoints.list(), this.opts.domain);
    await this.agents.ensure(
      { name: this.containerName, component: 'dns', image: this.opts.image, network: this.opts.network, ip: this.opts.ip, args: ['--port', '53'] },
      records,
    );
  }
}
