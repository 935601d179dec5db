/**
 * Resource quantities (k8s.io/apimachinery resource.Quantity) as the scheduler and kubelet need them:
 * CPU in millicores and memory/storage in bytes, rounded up as upstream's MilliValue()/Value() do.
 * Bad input throws, so a malformed request becomes a clear error instead of a silent zero.
 */
import type { Container, Pod } from 'kubernetes-types/core/v1';

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

export class QuantityError extends Error {}

/** The quantity as a plain number of base units (cores, bytes). */
export function parseQuantity(q: string | number | undefined | null): number {
  if (q === undefined || q === null) return 0;
  if (typeof q === 'number') return q;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/.exec(q.trim());
  if (!m) throw new QuantityError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': "${q}"`);
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  const suffix = m[3] ?? '';
  return n * (BINARY[suffix] ?? DECIMAL[suffix]!);
}

/** CPU quantity → millicores, rounded up (`0.1` → 100, `1m` → 1). */
export function milliCpu(q: string | number | undefined | null): number {
  return Math.ceil(Math.round(parseQuantity(q) * 1e9) / 1e6);
}

/** Memory/storage quantity → bytes, rounded up. */
export function bytes(q: string | number | undefined | null): number {
  return Math.ceil(parseQuantity(q));
}

export interface Resources {
  milliCpu: number;
  memory: number;
}

/** Upstream defaults used only for scoring pods with no requests (non-zero requests: 100m, 200MB). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** A container's requests; a limit with no request counts as the request (API defaulting does the same). */
export function containerRequests(c: Container): Resources {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  return {
    milliCpu: milliCpu(req.cpu ?? lim.cpu),
    memory: bytes(req.memory ?? lim.memory),
  };
}

function add(a: Resources, b: Resources): Resources {
  return { milliCpu: a.milliCpu + b.milliCpu, memory: a.memory + b.memory };
}
function max(a: Resources, b: Resources): Resources {
  return { milliCpu: Math.max(a.milliCpu, b.milliCpu), memory: Math.max(a.memory, b.memory) };
}

/**
 * The pod's effective request, as upstream (resourcehelper.PodRequests): app containers plus sidecar init
 * containers (restartPolicy Always) run together; each ordinary init container runs alone beside the sidecars
 * started before it; the pod needs the larger of the two, plus spec.overhead.
 */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const req = (c: Container): Resources => {
    const r = containerRequests(c);
    if (!nonZero) return r;
    const explicit = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    return {
      milliCpu: explicit.cpu === undefined && lim.cpu === undefined ? DEFAULT_MILLI_CPU_REQUEST : r.milliCpu,
      memory: explicit.memory === undefined && lim.memory === undefined ? DEFAULT_MEMORY_REQUEST : r.memory,
    };
  };
  let total: Resources = { milliCpu: 0, memory: 0 };
  for (const c of pod.spec?.containers ?? []) total = add(total, req(c));
  let sidecars: Resources = { milliCpu: 0, memory: 0 };
  let initMax: Resources = { milliCpu: 0, memory: 0 };
  for (const c of pod.spec?.initContainers ?? []) {
    if (c.restartPolicy === 'Always') {
      sidecars = add(sidecars, req(c));
      initMax = max(initMax, sidecars);
    } else {
      initMax = max(initMax, add(sidecars, req(c)));
    }
  }
  total = max(add(total, sidecars), initMax);
  const overhead = pod.spec?.overhead ?? {};
  return { milliCpu: total.milliCpu + milliCpu(overhead.cpu), memory: total.memory + bytes(overhead.memory) };
}
