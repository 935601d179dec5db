/**
 * The ResourceQuota admission plugin: a create (or an update that grows usage) is refused when it would
 * take any quota in the namespace past `spec.hard`, or when a quota limits compute resources the pod does
 * not specify; otherwise the new usage is returned for the caller to record in the quotas' status.used
 * before the object is stored (upstream increments used at admission so concurrent creates cannot both
 * squeeze under the limit; the ResourceQuota controller later recomputes it from what exists).
 */
import type { Pod, ResourceQuota } from 'kubernetes-types/core/v1';
import type { KubeObject } from '../api/client.ts';
import type { ResourceType } from '../api/resources.ts';
import { fmt, parseList, type Quantity } from './quantity.ts';
import { quotaMatches, usageOf } from './usage.ts';

export interface QuotaUsageUpdate {
  name: string;
  /** status.used after this admission, as quantity strings. */
  used: Record<string, string>;
}

export class QuotaExceeded extends Error {}

const COMPUTE = ['requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory', 'cpu', 'memory'];

/** Resources a pod's containers must state because some quota limits them ("must specify"). */
function missingCompute(pod: Pod, hard: Record<string, Quantity>): string[] {
  const out: string[] = [];
  for (const r of COMPUTE.filter((x) => hard[x])) {
    const [kind, res] = r.includes('.') ? (r.split('.') as ['requests' | 'limits', string]) : (['requests', r] as const);
    const missing = (pod.spec?.containers ?? []).filter((c) => c.resources?.[kind]?.[res] === undefined).map((c) => c.name);
    if (missing.length) out.push(`${r} for: ${missing.join(',')}`);
  }
  return out;
}

/**
 * Checks the object against the quotas. `old` is the previous object on updates (only growth counts).
 * Throws QuotaExceeded with upstream's message; returns the usage updates for quotas that count it.
 */
export function checkQuotas(type: ResourceType, obj: KubeObject, old: KubeObject | undefined, quotas: readonly ResourceQuota[]): QuotaUsageUpdate[] {
  const now = usageOf(type, obj);
  const before = old ? usageOf(type, old) : {};
  const delta: Record<string, Quantity> = {};
  for (const [k, q] of Object.entries(now)) {
    const d = q.value - (before[k]?.value ?? 0);
    if (d > 0) delta[k] = { value: d, binary: q.binary };
  }
  const updates: QuotaUsageUpdate[] = [];
  for (const quota of [...quotas].sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1))) {
    const scopes = quota.spec?.scopes ?? [];
    if (!quotaMatches(scopes, type, obj)) continue;
    const hard = parseList((quota.status?.hard ?? quota.spec?.hard) as Record<string, string>);
    if (type.kind === 'Pod' && !old) {
      const missing = missingCompute(obj as Pod, hard);
      if (missing.length) throw new QuotaExceeded(`failed quota: ${quota.metadata!.name}: must specify ${missing.join('; ')}`);
    }
    const used = parseList(quota.status?.used as Record<string, string>);
    const relevant = Object.keys(delta).filter((k) => hard[k]);
    if (!relevant.length) continue;
    const over = relevant.filter((k) => (used[k]?.value ?? 0) + delta[k]!.value > hard[k]!.value + 1e-9).sort();
    if (over.length) {
      const list = (src: Record<string, Quantity>) => over.map((k) => `${k}=${fmt(src[k] ?? { value: 0, binary: hard[k]!.binary })}`).join(',');
      throw new QuotaExceeded(`exceeded quota: ${quota.metadata!.name}, requested: ${list(delta)}, used: ${list(used)}, limited: ${list(hard)}`);
    }
    const next: Record<string, string> = { ...((quota.status?.used as Record<string, string>) ?? {}) };
    for (const k of relevant) next[k] = fmt({ value: (used[k]?.value ?? 0) + delta[k]!.value, binary: hard[k]!.binary || delta[k]!.binary });
    updates.push({ name: quota.metadata!.name!, used: next });
  }
  return updates;
}
