/**
 * What a Service's endpoints are, computed as upstream's endpoints and endpointslice controllers do
 * (pkg/controller/endpoint, pkg/controller/endpointslice): which pods back it, on which port numbers,
 * and which of them are ready. Pure functions, shared by both controllers and by the Service proxies.
 */
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service, ServicePort } from 'kubernetes-types/core/v1';
import type { Endpoint as SliceEndpoint, EndpointPort as SlicePort } from 'kubernetes-types/discovery/v1';
import { isPodReady } from '../controllers/framework/pods.ts';

/** Upstream's TolerateUnreadyEndpoints: publishNotReadyAddresses makes every pod count as ready. */
export function publishesNotReady(svc: Service): boolean {
  return svc.spec?.publishNotReadyAddresses === true;
}

/**
 * ShouldPodBeInEndpoints: a pod with an IP, not finished (unless it restarts anyway), and, unless the
 * Service publishes not-ready addresses, not being deleted (`includeTerminating` keeps those for slices,
 * which carry a `terminating` condition instead).
 */
export function podBelongs(pod: Pod, includeTerminating: boolean): boolean {
  if (!pod.status?.podIP) return false;
  const phase = pod.status.phase;
  if ((phase === 'Failed' || phase === 'Succeeded') && pod.spec?.restartPolicy !== 'Always') return false;
  if (pod.metadata?.deletionTimestamp && !includeTerminating) return false;
  return true;
}

/** The pod's port number a Service port targets (number, or a container port's name); undefined when none. */
export function findPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  const protocol = sp.protocol ?? 'TCP';
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

function address(pod: Pod, svc: Service): EndpointAddress {
  const hostname =
    pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && pod.metadata?.namespace === svc.metadata?.namespace ? pod.spec.hostname : undefined;
  return {
    ip: pod.status!.podIP!,
    ...(hostname ? { hostname } : {}),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
}

const portKey = (ports: EndpointPort[]) => JSON.stringify([...ports].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port));

/**
 * The Endpoints subsets for a Service, repacked as upstream's RepackSubsets: addresses grouped by identical
 * port sets, each list sorted, so an unchanged world yields an identical object (and no write).
 */
export function computeSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const tolerate = publishesNotReady(svc);
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();
  const add = (ports: EndpointPort[], addr: EndpointAddress, ready: boolean) => {
    const k = portKey(ports);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ports, ready: [], notReady: [] }));
    (ready ? g.ready : g.notReady).push(addr);
  };
  for (const pod of pods) {
    if (!podBelongs(pod, tolerate)) continue;
    const ready = tolerate || isPodReady(pod);
    const addr = address(pod, svc);
    const svcPorts = svc.spec?.ports ?? [];
    if (svcPorts.length === 0) {
      // A headless Service without ports still lists its pods (for DNS).
      if (svc.spec?.clusterIP === 'None') add([], addr, ready);
      continue;
    }
    const ports: EndpointPort[] = [];
    for (const sp of svcPorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      ports.push({ ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    if (ports.length) add(ports, addr, ready);
  }
  const byIp = (a: EndpointAddress, b: EndpointAddress) => a.ip.localeCompare(b.ip, 'en', { numeric: true }) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, g]) => ({
      ...(g.ready.length ? { addresses: g.ready.sort(byIp) } : {}),
      ...(g.notReady.length ? { notReadyAddresses: g.notReady.sort(byIp) } : {}),
      ...(g.ports.length ? { ports: [...g.ports].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port) } : {}),
    }));
}

export interface SliceContent {
  ports: SlicePort[];
  endpoints: SliceEndpoint[];
}

/** EndpointSlice contents: one slice per distinct port mapping; terminating pods carry their conditions. */
export function computeSlices(svc: Service, pods: readonly Pod[]): SliceContent[] {
  const tolerate = publishesNotReady(svc);
  const groups = new Map<string, SliceContent>();
  for (const pod of pods) {
    if (!podBelongs(pod, true)) continue;
    const terminating = !!pod.metadata?.deletionTimestamp;
    const serving = isPodReady(pod) || tolerate;
    const ports: SlicePort[] = [];
    for (const sp of svc.spec?.ports ?? []) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      ports.push({ name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP', ...(sp.appProtocol ? { appProtocol: sp.appProtocol } : {}) });
    }
    if (!ports.length && (svc.spec?.ports?.length ?? 0) > 0) continue;
    const k = JSON.stringify(ports);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { ports, endpoints: [] }));
    const addr = address(pod, svc);
    g.endpoints.push({
      addresses: [addr.ip],
      conditions: { ready: serving && (!terminating || tolerate), serving, terminating },
      ...(addr.hostname ? { hostname: addr.hostname } : {}),
      ...(addr.nodeName ? { nodeName: addr.nodeName } : {}),
      targetRef: addr.targetRef,
    });
  }
  for (const g of groups.values()) g.endpoints.sort((a, b) => a.addresses[0]!.localeCompare(b.addresses[0]!, 'en', { numeric: true }));
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, g]) => g);
}

/** Ready backends per Service port name, from an Endpoints object: what a Service proxy forwards to. */
export function readyBackends(subsets: readonly EndpointSubset[] | undefined, portName: string, protocol: string): { ip: string; port: number; node?: string }[] {
  const out: { ip: string; port: number; node?: string }[] = [];
  for (const s of subsets ?? []) {
    const p = (s.ports ?? []).find((x) => (x.name ?? '') === portName && (x.protocol ?? 'TCP') === protocol);
    if (!p) continue;
    for (const a of s.addresses ?? []) out.push({ ip: a.ip, port: p.port, ...(a.nodeName ? { node: a.nodeName } : {}) });
  }
  return out;
}
