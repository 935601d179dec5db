/**
 * Service ClusterIP and NodePort allocation, as upstream's allocators: ClusterIPs from the service CIDR
 * (the cluster's network plan; 10.96.0.0/16 by default; its first address is the `kubernetes` Service's, the
 * DNS address is kept for cluster DNS), NodePorts from 30000–32767. The allocated set is recomputed from the stored Services, so it is always consistent
 * with the store; callers serialize allocations (the registry runs Service writes one at a time).
 */
import { FieldErr, type Cause } from './errors.ts';

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

export const SERVICE_CIDR = '10.96.0.0/16';

/** A service IP range: base address, size, and offsets never handed out (network, broadcast, kubernetes, DNS). */
export interface ServiceRange {
  cidr: string;
  base: number;
  size: number;
  reserved: Set<number>;
}

function ipToNumber(ip: string): number | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

/** Parses `a.b.c.d/n`; `dnsIP` (inside the range) is reserved too. */
export function serviceRange(cidr: string = SERVICE_CIDR, dnsIP?: string): ServiceRange {
  const [ip, bits] = cidr.split('/');
  const base = ipToNumber(ip ?? '');
  const n = Number(bits);
  if (base === undefined || !Number.isInteger(n) || n < 8 || n > 30) throw new Error(`bad service CIDR ${cidr}`);
  const size = 2 ** (32 - n);
  const reserved = new Set([0, 1, size - 1]);
  const dns = dnsIP ? ipToNumber(dnsIP) : base + 10;
  if (dns !== undefined && dns - base > 0 && dns - base < size) reserved.add(dns - base);
  return { cidr, base, size, reserved };
}

const DEFAULT_RANGE = serviceRange();
export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

export function ipToString(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function ipToOffset(ip: string, range: ServiceRange): number | undefined {
  const n = ipToNumber(ip);
  if (n === undefined) return undefined;
  const off = n - range.base;
  return off >= 0 && off < range.size ? off : undefined;
}

export interface InUse {
  ips: Set<string>;
  nodePorts: Set<number>;
}

export function inUse(services: Obj[], except?: { namespace?: string; name?: string }): InUse {
  const ips = new Set<string>();
  const nodePorts = new Set<number>();
  for (const s of services) {
    const meta = o(s.metadata);
    if (except && meta.namespace === except.namespace && meta.name === except.name) continue;
    const spec = o(s.spec);
    for (const ip of [spec.clusterIP, ...arr(spec.clusterIPs)]) if (typeof ip === 'string') ips.add(ip);
    for (const p of arr(spec.ports)) if (typeof p.nodePort === 'number') nodePorts.add(p.nodePort);
  }
  return { ips, nodePorts };
}

/**
 * Fills spec.clusterIP(s) and nodePorts of a Service being created or updated; returns causes for
 * requested values that are out of range or taken. `old` keeps an existing allocation on update.
 */
export function allocate(svc: Obj, old: Obj | undefined, used: InUse, rand: () => number = Math.random, range: ServiceRange = DEFAULT_RANGE): Cause[] {
  const causes: Cause[] = [];
  const spec = o(svc.spec);
  svc.spec = spec;
  const oldSpec = old ? o(old.spec) : undefined;
  if (spec.type === 'ExternalName') {
    delete spec.clusterIP;
    delete spec.clusterIPs;
  } else {
    if ((spec.clusterIP === undefined || spec.clusterIP === '') && typeof oldSpec?.clusterIP === 'string' && oldSpec.clusterIP !== '') {
      spec.clusterIP = oldSpec.clusterIP;
    }
    const requested = spec.clusterIP;
    if (requested === 'None') {
      spec.clusterIPs = ['None'];
    } else if (typeof requested === 'string' && requested !== '') {
      if (requested !== oldSpec?.clusterIP) {
        const off = ipToOffset(requested, range);
        if (off === undefined) causes.push(FieldErr.invalid('spec.clusterIPs[0]', requested, `provided IP is not in the valid range. The range of valid IPs is ${range.cidr}`));
        else if (used.ips.has(requested)) causes.push(FieldErr.invalid('spec.clusterIPs[0]', requested, 'provided IP is already allocated'));
      }
      spec.clusterIPs = [requested];
    } else {
      let ip: string | undefined;
      for (let i = 0; i < 64 && !ip; i++) {
        const off = 2 + Math.floor(rand() * (range.size - 3));
        const cand = ipToString((range.base + off) >>> 0);
        if (!range.reserved.has(off) && !used.ips.has(cand)) ip = cand;
      }
      for (let off = 2; !ip && off < range.size - 1; off++) {
        const cand = ipToString((range.base + off) >>> 0);
        if (!range.reserved.has(off) && !used.ips.has(cand)) ip = cand;
      }
      if (!ip) causes.push(FieldErr.invalid('spec.clusterIPs', '', 'range is full'));
      else {
        spec.clusterIP = ip;
        spec.clusterIPs = [ip];
        used.ips.add(ip);
      }
    }
  }
  const wantsNodePorts = spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
  const oldPorts = arr(oldSpec?.ports);
  arr(spec.ports).forEach((p, i) => {
    if (!wantsNodePorts) {
      if (spec.type === 'ClusterIP' || spec.type === 'ExternalName') delete p.nodePort;
      return;
    }
    if (p.nodePort === undefined || p.nodePort === 0) {
      const prev = oldPorts.find((q) => q.port === p.port && q.protocol === p.protocol && typeof q.nodePort === 'number');
      if (prev) p.nodePort = prev.nodePort;
    }
    if (typeof p.nodePort === 'number' && p.nodePort !== 0) {
      const wasOurs = oldPorts.some((q) => q.nodePort === p.nodePort);
      if (!wasOurs) {
        if (p.nodePort < NODE_PORT_MIN || p.nodePort > NODE_PORT_MAX) {
          causes.push(FieldErr.invalid(`spec.ports[${i}].nodePort`, p.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`));
        } else if (used.nodePorts.has(p.nodePort)) {
          causes.push(FieldErr.invalid(`spec.ports[${i}].nodePort`, p.nodePort, 'provided port is already allocated'));
        }
      }
      used.nodePorts.add(p.nodePort);
      return;
    }
    const span = NODE_PORT_MAX - NODE_PORT_MIN + 1;
    let port: number | undefined;
    for (let k = 0; k < 64 && port === undefined; k++) {
      const cand = NODE_PORT_MIN + Math.floor(rand() * span);
      if (!used.nodePorts.has(cand)) port = cand;
    }
    for (let cand = NODE_PORT_MIN; port === undefined && cand <= NODE_PORT_MAX; cand++) if (!used.nodePorts.has(cand)) port = cand;
    if (port === undefined) causes.push(FieldErr.invalid(`spec.ports[${i}].nodePort`, 0, 'range is full'));
    else {
      p.nodePort = port;
      used.nodePorts.add(port);
    }
  });
  return causes;
}
