/**
 * Kubernetes resource quantities (`resource.Quantity`): "250m", "2", "1.5", "128Mi", "1G", "1e3".
 * Contract: `parseQuantity` returns the value in base units (cores for cpu, bytes for memory) and throws on
 * text that is not a quantity; formatters print the short forms kubectl users know.
 */
const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

const pattern = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

export function parseQuantity(text: string | number): number {
  if (typeof text === 'number') return text;
  const m = pattern.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a Kubernetes quantity`);
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  const suffix = m[3] ?? '';
  return n * (binary[suffix] ?? decimal[suffix] ?? 1);
}

/** Parses and returns undefined for missing or malformed values (cluster data is displayed, never trusted). */
export function tryQuantity(text: string | number | undefined): number | undefined {
  if (text === undefined) return undefined;
  try { return parseQuantity(text); } catch { return undefined; }
}

export function formatCpu(cores: number): string {
  if (cores === 0) return '0';
  if (cores < 1 || !Number.isInteger(cores)) return `${Math.round(cores * 1000)}m`;
  return String(cores);
}

export function formatBytes(bytes: number): string {
  const units = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  const s = v >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1);
  return `${s}${units[i]}`;
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? Math.round((part / whole) * 100) : 0;
}
