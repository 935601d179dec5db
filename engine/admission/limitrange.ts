/**
 * The LimitRanger admission plugin (plugin/pkg/admission/limitranger) for pods: fills in each
 * container's missing limits from `default` and requests from `defaultRequest` (recording what it set in
 * the `kubernetes.io/limit-ranger` annotation), then enforces min, max and maxLimitRequestRatio per
 * Container and per Pod, refusing with upstream's messages.
 */
import type { Container, LimitRange, LimitRangeItem, Pod } from 'kubernetes-types/core/v1';
import type { Writable } from '../api/client.ts';
import { fmt, parseList, parseQuantity, type Quantity } from './quantity.ts';
import { podResources } from './usage.ts';

export const LimitRangerAnnotation = 'kubernetes.io/limit-ranger';

/**
 * LimitRangeItem defaulting (SetDefaults_LimitRangeItem), in case the API did not apply it: default limits
 * come from max, default requests from default, then from min.
 */
export function defaultedItem(item: LimitRangeItem): LimitRangeItem {
  if (item.type !== 'Container') return item;
  const def: Record<string, string> = { ...(item.default ?? {}) };
  const req: Record<string, string> = { ...(item.defaultRequest ?? {}) };
  for (const [k, v] of Object.entries(item.max ?? {})) if (def[k] === undefined) def[k] = v;
  for (const [k, v] of Object.entries(def)) if (req[k] === undefined) req[k] = v;
  for (const [k, v] of Object.entries(item.min ?? {})) if (req[k] === undefined) req[k] = v;
  return { ...item, default: def, defaultRequest: req };
}

/** Mutates the pod (a copy the caller owns): defaults from every Container-type item. */
export function applyLimitRangeDefaults(pod: Writable<Pod>, ranges: readonly LimitRange[]): void {
  const items = ranges.flatMap((r) => r.spec?.limits ?? []).filter((i) => i.type === 'Container').map(defaultedItem);
  const notes: string[] = [];
  const apply = (c: Writable<Container>) => {
    const setReq: string[] = [];
    const setLim: string[] = [];
    for (const item of items) {
      const res = { ...(c.resources ?? {}) } as { requests?: Record<string, string>; limits?: Record<string, string> };
      const lim = { ...(res.limits ?? {}) };
      const req = { ...(res.requests ?? {}) };
      for (const [k, v] of Object.entries(item.default ?? {})) {
        if (lim[k] !== undefined) continue;
        lim[k] = String(v);
        setLim.push(k);
      }
      for (const [k, v] of Object.entries(item.defaultRequest ?? {})) {
        if (req[k] !== undefined) continue;
        req[k] = String(v);
        setReq.push(k);
      }
      if (Object.keys(lim).length) res.limits = lim;
      if (Object.keys(req).length) res.requests = req;
      c.resources = res;
    }
    const parts: string[] = [];
    if (setReq.length) parts.push(`${[...new Set(setReq)].join(', ')} request for container ${c.name}`);
    if (setLim.length) parts.push(`${[...new Set(setLim)].join(', ')} limit for container ${c.name}`);
    if (parts.length) notes.push(parts.join('; '));
  };
  const spec = pod.spec as Writable<NonNullable<Pod['spec']>>;
  spec.containers = spec.containers.map((c) => {
    const x = structuredClone(c) as Writable<Container>;
    apply(x);
    return x;
  });
  if (spec.initContainers) {
    spec.initContainers = spec.initContainers.map((c) => {
      const x = structuredClone(c) as Writable<Container>;
      apply(x);
      return x;
    });
  }
  if (notes.length) {
    pod.metadata = { ...pod.metadata, annotations: { ...(pod.metadata?.annotations ?? {}), [LimitRangerAnnotation]: `LimitRanger plugin set: ${notes.join('; ')}` } };
  }
}

function checkItem(kind: 'Container' | 'Pod', item: LimitRangeItem, req: Record<string, Quantity>, lim: Record<string, Quantity>): string[] {
  const errs: string[] = [];
  for (const [r, v] of Object.entries(item.min ?? {})) {
    const min = parseQuantity(v);
    if (!req[r]) errs.push(`minimum ${r} usage per ${kind} is ${fmt(min)}.  No request is specified`);
    else if (req[r]!.value < min.value) errs.push(`minimum ${r} usage per ${kind} is ${fmt(min)}, but request is ${fmt(req[r]!)}`);
    if (lim[r] && lim[r]!.value < min.value) errs.push(`minimum ${r} usage per ${kind} is ${fmt(min)}, but limit is ${fmt(lim[r]!)}`);
  }
  for (const [r, v] of Object.entries(item.max ?? {})) {
    const max = parseQuantity(v);
    if (!lim[r]) errs.push(`maximum ${r} usage per ${kind} is ${fmt(max)}.  No limit is specified`);
    else if (lim[r]!.value > max.value) errs.push(`maximum ${r} usage per ${kind} is ${fmt(max)}, but limit is ${fmt(lim[r]!)}`);
    if (req[r] && req[r]!.value > max.value) errs.push(`maximum ${r} usage per ${kind} is ${fmt(max)}, but request is ${fmt(req[r]!)}`);
  }
  for (const [r, v] of Object.entries(item.maxLimitRequestRatio ?? {})) {
    const ratio = parseQuantity(v);
    if (!req[r] || req[r]!.value === 0) errs.push(`${r} max limit to request ratio per ${kind} is ${fmt(ratio)}, but no request is specified or request is 0`);
    else if (lim[r] && lim[r]!.value / req[r]!.value > ratio.value) {
      errs.push(`${r} max limit to request ratio per ${kind} is ${fmt(ratio)}, but provided ratio is ${(lim[r]!.value / req[r]!.value).toFixed(6)}`);
    }
  }
  return errs;
}

/** The violations of a (defaulted) pod against the namespace's LimitRanges. */
export function limitRangeViolations(pod: Pod, ranges: readonly LimitRange[]): string[] {
  const errs: string[] = [];
  for (const item of ranges.flatMap((r) => r.spec?.limits ?? [])) {
    if (item.type === 'Container') {
      for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
        errs.push(...checkItem('Container', item, parseList(c.resources?.requests as Record<string, string>), parseList(c.resources?.limits as Record<string, string>)));
      }
    } else if (item.type === 'Pod') {
      errs.push(...checkItem('Pod', item, podResources(pod, 'requests'), podResources(pod, 'limits')));
    }
  }
  return errs;
}
