/**
 * API discovery for one cluster: apiVersion + kind → plural and scope, from `/api/v1` and `/apis/<gv>`
 * (cached per group-version; a miss refetches once, so CRDs installed later are found).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeRequest } from './rest.ts';
import { groupPrefix, type ResourceInfo } from './paths.ts';

interface APIResourceList { resources?: { name: string; kind: string; namespaced: boolean }[] }

export class Discovery {
  private readonly cache = new Map<string, Promise<ResourceInfo[]>>();
  constructor(private readonly kc: KubeConfig) {}

  async resource(apiVersion: string, kind: string): Promise<ResourceInfo> {
    let found = (await this.groupVersion(apiVersion)).find((r) => r.kind === kind);
    if (!found) {
      this.cache.delete(apiVersion);
      found = (await this.groupVersion(apiVersion)).find((r) => r.kind === kind);
    }
    if (!found) throw new Error(`the server has no resource of kind "${kind}" in "${apiVersion}" (is its CRD installed?)`);
    return found;
  }

  private groupVersion(apiVersion: string): Promise<ResourceInfo[]> {
    let p = this.cache.get(apiVersion);
    if (!p) {
      p = kubeRequest<APIResourceList>(this.kc, groupPrefix(apiVersion)).then((list) => (list.resources ?? [])
        .filter((r) => !r.name.includes('/'))
        .map((r) => ({ apiVersion, kind: r.kind, plural: r.name, namespaced: r.namespaced })));
      p.catch(() => this.cache.delete(apiVersion));
      this.cache.set(apiVersion, p);
    }
    return p;
  }
}
