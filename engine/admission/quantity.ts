/**
 * Kubernetes resource quantities (apimachinery resource.Quantity), enough for admission arithmetic:
 * parse `100m`, `1.5`, `128Mi`, `1G`, `1e3` to a number of base units and print a sum or a limit the
 * way the API prints canonical quantities (largest exact suffix, binary or decimal like the input).
 */
export class QuantityError extends Error {}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

export interface Quantity {
  value: number;
  binary: boolean;
}

export function parseQuantity(s: string | number): Quantity {
  if (typeof s === 'number') return { value: s, binary: false };
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([eE][+-]?\d+)|(n|u|m|k|M|G|T|P|E))?$/.exec(s.trim());
  if (!m) throw new QuantityError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const n = Number(m[1]);
  if (m[2]) return { value: n * BINARY[m[2]]!, binary: true };
  if (m[3]) return { value: n * 10 ** Number(m[3].slice(1)), binary: false };
  return { value: n * DECIMAL[m[4] ?? '']!, binary: false };
}

const near = (a: number, b: number) => Math.abs(a - b) <= Math.max(1e-9, Math.abs(b) * 1e-12);

/** Canonical text for a value (as Quantity.String()). */
export function formatQuantity(value: number, binary = false): string {
  if (value === 0) return '0';
  if (binary && Number.isInteger(value)) {
    for (const suf of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
      const n = value / BINARY[suf]!;
      if (Number.isInteger(n)) return `${n}${suf}`;
    }
    if (Math.abs(value) < 1024) return String(value);
  }
  for (const suf of ['E', 'P', 'T', 'G', 'M', 'k', '', 'm', 'u', 'n']) {
    const n = value / DECIMAL[suf]!;
    if (near(n, Math.round(n)) && Math.abs(Math.round(n)) >= 1) return `${Math.round(n)}${suf}`;
  }
  return String(value);
}

export type ResourceList = Record<string, string | number>;

export function addLists(a: Record<string, Quantity>, b: Record<string, Quantity>): Record<string, Quantity> {
  const out = { ...a };
  for (const [k, q] of Object.entries(b)) out[k] = { value: (out[k]?.value ?? 0) + q.value, binary: out[k]?.binary ?? q.binary };
  return out;
}

export function parseList(l: ResourceList | undefined): Record<string, Quantity> {
  const out: Record<string, Quantity> = {};
  for (const [k, v] of Object.entries(l ?? {})) out[k] = parseQuantity(v);
  return out;
}

export const fmt = (q: Quantity): string => formatQuantity(q.value, q.binary);
