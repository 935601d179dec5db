/** Network view: namespace → Services → endpoints (ready / not ready, from core/v1 Endpoints), Ingresses → rules. */
import type { Service, Endpoints, EndpointAddress } from 'kubernetes-types/core/v1';
import type { Ingress } from 'kubernetes-types/networking/v1';
import type { ViewInput } from './viewInput.ts';
import { refOf } from './objects.ts';
import { contextValue, healthIcon, md, type TreeNodeModel } from './tree.ts';
import { byName } from './relations.ts';
import { namespacesOf } from './workloadsView.ts';

export function networkRoots(input: ViewInput): TreeNodeModel[] {
  if (input.namespace !== undefined) return nsChildren(input, input.namespace);
  return namespacesOf(input, ['Service', 'Ingress'])
    .filter((ns) => input.store.list('Service', ns).length + input.store.list('Ingress', ns).length > 0)
    .map((ns) => ({
      id: `${input.cluster}/net/ns:${ns}`,
      label: ns,
      icon: { id: 'symbol-namespace' },
      contextValue: contextValue('Namespace'),
      cluster: input.cluster,
      collapsed: ns !== 'default',
      children: () => nsChildren(input, ns),
    }));
}

function nsChildren(input: ViewInput, ns: string): TreeNodeModel[] {
  const base = `${input.cluster}/net/ns:${ns}`;
  const services = input.store.list<Service>('Service', ns).sort(byName).map((s) => serviceRow(input, s, base));
  const ingresses = input.store.list<Ingress>('Ingress', ns).sort(byName).map((i) => ingressRow(input, i, base));
  return [...services, ...ingresses];
}

export interface EndpointCounts { ready: number; notReady: number }

export function endpointCounts(ep: Endpoints | undefined): EndpointCounts {
  let ready = 0;
  let notReady = 0;
  for (const s of ep?.subsets ?? []) {
    ready += s.addresses?.length ?? 0;
    notReady += s.notReadyAddresses?.length ?? 0;
  }
  return { ready, notReady };
}

function ports(svc: Service): string {
  return (svc.spec?.ports ?? []).map((p) => {
    const target = p.targetPort !== undefined && String(p.targetPort) !== String(p.port) ? `→${p.targetPort}` : '';
    const node = p.nodePort ? `:${p.nodePort}` : '';
    return `${p.port}${node}${target}/${p.protocol ?? 'TCP'}`;
  }).join(', ');
}

export function serviceRow(input: ViewInput, svc: Service, parentId: string): TreeNodeModel {
  const name = svc.metadata?.name ?? '';
  const ns = svc.metadata?.namespace ?? '';
  const ep = input.store.get<Endpoints>('Endpoints', ns, name);
  const c = endpointCounts(ep);
  const type = svc.spec?.type ?? 'ClusterIP';
  const hasSelector = !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0;
  const health = type === 'ExternalName' ? 'idle' : c.ready > 0 ? (c.notReady ? 'warning' : 'ok') : hasSelector ? 'warning' : 'idle';
  const id = `${parentId}/svc:${name}`;
  const tooltip = [
    `**Service** ${md(ns)}/${md(name)} (${type})`,
    `ClusterIP: ${md(svc.spec?.clusterIP ?? '—')} · Ports: ${md(ports(svc) || '—')}`,
    hasSelector ? `Selector: ${md(Object.entries(svc.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(', '))}` : 'No selector: endpoints are managed by hand.',
    `Endpoints: ${c.ready} ready, ${c.notReady} not ready.`,
  ];
  if (hasSelector && c.ready === 0) tooltip.push('No ready pod matches the selector, so connections to this Service fail. Check the pods\' labels and readiness.');
  return {
    id,
    label: name,
    description: `${type} · ${ports(svc)} · ${c.ready}/${c.ready + c.notReady} ready`,
    tooltip: tooltip.join('\n\n'),
    icon: { id: 'plug', color: healthIcon(health).color },
    contextValue: contextValue('Service', 'forward'),
    ref: refOf(svc, 'Service', 'v1'),
    cluster: input.cluster,
    collapsed: true,
    children: () => endpointRows(input, ep, id),
  };
}

function endpointRows(input: ViewInput, ep: Endpoints | undefined, parentId: string): TreeNodeModel[] {
  const rows: TreeNodeModel[] = [];
  const add = (a: EndpointAddress, ready: boolean, portText: string): void => {
    const target = a.targetRef ? `${a.targetRef.kind}/${a.targetRef.name}` : a.hostname ?? '';
    rows.push({
      id: `${parentId}/ep:${a.ip}:${portText}`,
      label: `${a.ip}${portText ? `:${portText}` : ''}`,
      description: [target, ready ? 'ready' : 'not ready', a.nodeName].filter(Boolean).join(' · '),
      tooltip: ready ? `Ready endpoint ${md(target)}: receives traffic.` : `Not ready endpoint ${md(target)}: receives no traffic until its readiness probe passes.`,
      icon: healthIcon(ready ? 'ok' : 'warning'),
      contextValue: contextValue('Endpoint', ready ? 'ready' : 'notready'),
      ref: a.targetRef?.kind === 'Pod' ? { apiVersion: 'v1', kind: 'Pod', namespace: a.targetRef.namespace ?? ep?.metadata?.namespace ?? '', name: a.targetRef.name ?? '' } : undefined,
      cluster: input.cluster,
    });
  };
  for (const s of ep?.subsets ?? []) {
    const portText = (s.ports ?? []).map((p) => String(p.port)).join(',');
    for (const a of s.addresses ?? []) add(a, true, portText);
    for (const a of s.notReadyAddresses ?? []) add(a, false, portText);
  }
  return rows;
}

function ingressRow(input: ViewInput, ing: Ingress, parentId: string): TreeNodeModel {
  const name = ing.metadata?.name ?? '';
  const ns = ing.metadata?.namespace ?? '';
  const id = `${parentId}/ing:${name}`;
  const rules = ing.spec?.rules ?? [];
  const hosts = rules.map((r) => r.host ?? '*');
  return {
    id,
    label: name,
    description: `Ingress · ${hosts.join(', ') || '*'}`,
    tooltip: `**Ingress** ${md(ns)}/${md(name)}\n\nClass: ${md(ing.spec?.ingressClassName ?? 'default')}`,
    icon: { id: 'globe' },
    contextValue: contextValue('Ingress'),
    ref: refOf(ing, 'Ingress', 'networking.k8s.io/v1'),
    cluster: input.cluster,
    collapsed: true,
    children: () => rules.flatMap((r, i) => (r.http?.paths ?? []).map((p, j) => {
      const backend = p.backend.service ? `${p.backend.service.name}:${p.backend.service.port?.number ?? p.backend.service.port?.name ?? ''}` : 'resource';
      const svc = p.backend.service ? input.store.get<Service>('Service', ns, p.backend.service.name) : undefined;
      return {
        id: `${id}/rule:${i}:${j}`,
        label: `${r.host ?? '*'}${p.path ?? '/'}`,
        description: `→ ${backend}${p.backend.service && !svc ? ' (missing Service)' : ''}`,
        icon: healthIcon(p.backend.service && !svc ? 'warning' : 'ok'),
        contextValue: contextValue('IngressRule'),
        cluster: input.cluster,
      };
    })),
  };
}
