/**
 * What an object counts against a ResourceQuota (pkg/quota/v1/evaluator/core): pods (count, requests and
 * limits of cpu/memory/ephemeral-storage, with init containers and overhead as upstream's effective
 * requests), services (count, node ports, load balancers), persistent volume claims (count, storage, per
 * storage class) and `count/<resource>[.<group>]` for everything.
 */
import type { PersistentVolumeClaim, Pod, Service } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../api/client.ts';
import type { ResourceType } from '../api/resources.ts';
import { addLists, parseList, type Quantity } from './quantity.ts';

const one: Quantity = { value: 1, binary: false };

export function isTerminalPod(p: Pod): boolean {
  return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
}

/** Effective pod requests or limits: max(sum of app containers, largest init container) + overhead. */
export function podResources(p: Pod, which: 'requests' | 'limits'): Record<string, Quantity> {
  let sum: Record<string, Quantity> = {};
  for (const c of p.spec?.containers ?? []) sum = addLists(sum, parseList(c.resources?.[which] as Record<string, string>));
  for (const c of p.spec?.initContainers ?? []) {
    for (const [k, q] of Object.entries(parseList(c.resources?.[which] as Record<string, string>))) {
      if (!sum[k] || sum[k]!.value < q.value) sum[k] = q;
    }
  }
  return addLists(sum, parseList(p.spec?.overhead as Record<string, string>));
}

export function qosClass(p: Pod): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const all = [...(p.spec?.containers ?? []), ...(p.spec?.initContainers ?? [])];
  const any = all.some((c) => Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = all.every((c) => ['cpu', 'memory'].every((r) => {
    const l = c.resources?.limits?.[r];
    const q = c.resources?.requests?.[r];
    return l !== undefined && (q === undefined || String(q) === String(l));
  }));
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export function usageOf(type: ResourceType, obj: KubeObject): Record<string, Quantity> {
  const count = `count/${type.resource}${type.group ? `.${type.group}` : ''}`;
  const u: Record<string, Quantity> = { [count]: one };
  if (type.kind === 'Pod') {
    const p = obj as Pod;
    if (isTerminalPod(p)) return {};
    u.pods = one;
    const req = podResources(p, 'requests');
    const lim = podResources(p, 'limits');
    for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
      if (req[r]) {
        u[`requests.${r}`] = req[r]!;
        u[r] = req[r]!;
      }
      if (lim[r]) u[`limits.${r}`] = lim[r]!;
    }
  } else if (type.kind === 'Service') {
    const s = obj as Service;
    u.services = one;
    const t = s.spec?.type ?? 'ClusterIP';
    if (t === 'NodePort' || t === 'LoadBalancer') u['services.nodeports'] = { value: (s.spec?.ports ?? []).length, binary: false };
    if (t === 'LoadBalancer') u['services.loadbalancers'] = one;
  } else if (type.kind === 'PersistentVolumeClaim') {
    const c = obj as PersistentVolumeClaim;
    u.persistentvolumeclaims = one;
    const storage = parseList(c.spec?.resources?.requests as Record<string, string>).storage;
    if (storage) u['requests.storage'] = storage;
    const sc = c.spec?.storageClassName;
    if (sc) {
      u[`${sc}.storageclass.storage.k8s.io/persistentvolumeclaims`] = one;
      if (storage) u[`${sc}.storageclass.storage.k8s.io/requests.storage`] = storage;
    }
  } else if (type.kind === 'ConfigMap') u.configmaps = one;
  else if (type.kind === 'Secret') u.secrets = one;
  else if (type.kind === 'ReplicationController') u.replicationcontrollers = one;
  else if (type.kind === 'ResourceQuota') u.resourcequotas = one;
  return u;
}

/** Whether a quota with these scopes counts this object (only pods are scoped). */
export function quotaMatches(scopes: readonly string[], type: ResourceType, obj: KubeObject): boolean {
  if (!scopes.length) return true;
  if (type.kind !== 'Pod') return false;
  const p = obj as Pod;
  return scopes.every((s) => {
    switch (s) {
      case 'Terminating': return p.spec?.activeDeadlineSeconds !== undefined && p.spec?.activeDeadlineSeconds !== null;
      case 'NotTerminating': return p.spec?.activeDeadlineSeconds === undefined || p.spec?.activeDeadlineSeconds === null;
      case 'BestEffort': return qosClass(p) === 'BestEffort';
      case 'NotBestEffort': return qosClass(p) !== 'BestEffort';
      default: return false;
    }
  });
}
