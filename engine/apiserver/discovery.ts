/**
 * API discovery documents, built from the catalog (so CRDs appear as soon as they are established):
 * legacy `/api`, `/apis`, `/api/v1`, `/apis/<g>/<v>`, and the aggregated APIGroupDiscoveryList that
 * kubectl ≥1.29 asks for (v2beta1 or v2, whichever the client offered first; see kubectl-compat.md §2).
 */
import type { Catalog, ResourceInfo } from '../registry/catalog.ts';

export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function apiGroupList(catalog: Catalog): object {
  const groups = catalog.groups().filter((g) => g.name !== '').map((g) => ({
    name: g.name,
    versions: g.versions.map((v) => ({ groupVersion: groupVersion(g.name, v), version: v })),
    preferredVersion: { groupVersion: groupVersion(g.name, g.versions[0]!), version: g.versions[0] },
  }));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(catalog: Catalog, name: string): object | undefined {
  const g = catalog.groups().find((x) => x.name === name);
  if (!g) return undefined;
  return {
    kind: 'APIGroup', apiVersion: 'v1', name,
    versions: g.versions.map((v) => ({ groupVersion: groupVersion(name, v), version: v })),
    preferredVersion: { groupVersion: groupVersion(name, g.versions[0]!), version: g.versions[0] },
  };
}

function resourcesOf(catalog: Catalog, group: string, version: string): ResourceInfo[] {
  return catalog.all().filter((r) => r.group === group && r.version === version).sort((a, b) => a.resource.localeCompare(b.resource));
}

/** `/api/v1`, `/apis/<g>/<v>`: undefined when the group/version is not served. */
export function apiResourceList(catalog: Catalog, group: string, version: string): object | undefined {
  const infos = resourcesOf(catalog, group, version);
  if (infos.length === 0) return undefined;
  const resources: object[] = [];
  for (const r of infos) {
    const entry: Record<string, unknown> = {
      name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs,
    };
    if (r.shortNames.length) entry.shortNames = r.shortNames;
    if (r.categories.length) entry.categories = r.categories;
    resources.push(entry);
    for (const s of r.subresources) {
      const sub: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs };
      if (s.group !== undefined) {
        sub.group = s.group;
        sub.version = s.version;
      }
      resources.push(sub);
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}

/** The aggregated document for the core group (`/api`) or all other groups (`/apis`). */
export function aggregatedDiscovery(catalog: Catalog, core: boolean, apiVersion: 'v2' | 'v2beta1'): object {
  const items = catalog.groups().filter((g) => (core ? g.name === '' : g.name !== '')).map((g) => ({
    metadata: { name: g.name },
    versions: g.versions.map((v) => ({
      version: v,
      freshness: 'Current',
      resources: resourcesOf(catalog, g.name, v).map((r) => {
        const entry: Record<string, unknown> = {
          resource: r.resource,
          responseKind: { group: r.group, version: r.version, kind: r.kind },
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singular,
          verbs: r.verbs,
        };
        if (r.shortNames.length) entry.shortNames = r.shortNames;
        if (r.categories.length) entry.categories = r.categories;
        if (r.subresources.length) {
          entry.subresources = r.subresources.map((s) => ({
            subresource: s.name,
            responseKind: { group: s.group ?? r.group, version: s.version ?? r.version, kind: s.kind },
            verbs: s.verbs,
          }));
        }
        return entry;
      }),
    })),
  }));
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${apiVersion}`, metadata: {}, items };
}

/**
 * Which aggregated version the client asked for first in Accept, or undefined for legacy discovery.
 * `application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,…`
 */
export function aggregatedRequested(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const params = new Map<string, string>();
    const [mt, ...rest] = part.split(';').map((s) => s.trim());
    if (mt !== 'application/json') continue;
    for (const p of rest) {
      const [k, v] = p.split('=');
      if (k && v) params.set(k.trim(), v.trim());
    }
    if (params.get('g') === 'apidiscovery.k8s.io' && params.get('as') === 'APIGroupDiscoveryList') {
      const v = params.get('v');
      if (v === 'v2' || v === 'v2beta1') return v;
    }
    if (!params.has('g')) return undefined;
  }
  return undefined;
}
