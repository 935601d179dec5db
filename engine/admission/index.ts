/**
 * Admission for the API server, as pure functions: `admit(op, type, obj, ctx)` returns the object to store
 * (with LimitRange defaults applied) and the quota usage to record, or throws an ApiError 403 with
 * upstream's message. The API server supplies the namespace's LimitRanges and ResourceQuotas and, when the
 * result carries quota updates, writes them to those quotas' status (compare-and-swap) before storing
 * the object, retrying admission on a conflict.
 */
import type { LimitRange, Pod, ResourceQuota } from 'kubernetes-types/core/v1';
import type { KubeObject, Writable } from '../api/client.ts';
import type { ResourceType } from '../api/resources.ts';
import { aggregate, forbidden } from './errors.ts';
import { applyLimitRangeDefaults, limitRangeViolations } from './limitrange.ts';
import { checkQuotas, QuotaExceeded, type QuotaUsageUpdate } from './resourcequota.ts';

export type { QuotaUsageUpdate } from './resourcequota.ts';

export interface AdmissionContext {
  limitRanges: readonly LimitRange[];
  resourceQuotas: readonly ResourceQuota[];
  /** The stored object, for UPDATE. */
  old?: KubeObject;
  dryRun?: boolean;
}

export interface AdmissionResult<T extends KubeObject> {
  object: T;
  quotaUpdates: QuotaUsageUpdate[];
}

export function admit<T extends KubeObject>(op: 'CREATE' | 'UPDATE', type: ResourceType, obj: T, ctx: AdmissionContext): AdmissionResult<T> {
  let out = obj;
  const name = obj.metadata?.name ?? obj.metadata?.generateName ?? '';
  if (type.kind === 'Pod' && op === 'CREATE' && ctx.limitRanges.length) {
    const pod = structuredClone(obj) as unknown as Writable<Pod>;
    applyLimitRangeDefaults(pod, ctx.limitRanges);
    const errs = limitRangeViolations(pod, ctx.limitRanges);
    if (errs.length) throw forbidden(type, name, aggregate(errs));
    out = pod as unknown as T;
  }
  let quotaUpdates: QuotaUsageUpdate[] = [];
  if (ctx.resourceQuotas.length && (op === 'CREATE' || type.kind !== 'Pod' || ctx.old)) {
    try {
      quotaUpdates = checkQuotas(type, out, op === 'UPDATE' ? ctx.old : undefined, ctx.resourceQuotas);
    } catch (err) {
      if (err instanceof QuotaExceeded) throw forbidden(type, name, err.message);
      throw err;
    }
  }
  return { object: out, quotaUpdates };
}
