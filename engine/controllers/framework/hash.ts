/**
 * The `pod-template-hash` (controller.ComputeHash): FNV-1a 32 over a canonical serialization of the pod
 * template, then the collisionCount (4 bytes little-endian, in an 8-byte buffer, as upstream), printed in
 * decimal and mapped through rand.SafeEncodeString's alphabet (no vowels, no 0/1/3, so no words and no
 * look-alikes). The canonical form is sorted-key JSON (empty values dropped) rather than Go's spew output, so values differ from a
 * real cluster's, but the properties are upstream's: stable across restarts, changes with the template.
 */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export const DefaultDeploymentUniqueLabelKey = 'pod-template-hash';

/** JSON with object keys sorted at every level and undefined dropped: equal templates give equal text. */
export function canonicalJSON(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJSON(x))).join(',')}]`;
  const entries = Object.entries(v as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJSON(x)}`).join(',')}}`;
}

/**
 * Drops null, empty lists and empty objects at every level: API semantics treat them as absent
 * (Go decodes `creationTimestamp: null` to the zero time, and apimachinery's Semantic.DeepEqual treats
 * nil and empty slices and maps alike), and clients such as `kubectl rollout undo` send them.
 */
export function normalizeEmpty(v: unknown): unknown {
  if (Array.isArray(v)) {
    const xs = v.map(normalizeEmpty);
    return xs;
  }
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const n = normalizeEmpty(x);
    if (n === null || n === undefined) continue;
    if (Array.isArray(n) && n.length === 0) continue;
    if (typeof n === 'object' && !Array.isArray(n) && Object.keys(n as object).length === 0) continue;
    out[k] = n;
  }
  return out;
}

export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of Buffer.from(s, 'utf8')) out += ALPHANUMS[ch % ALPHANUMS.length];
  return out;
}

export function computeHash(template: unknown, collisionCount?: number | null): string {
  const body = Buffer.from(canonicalJSON(normalizeEmpty(template)), 'utf8');
  let h = fnv32a(body);
  if (collisionCount !== undefined && collisionCount !== null) {
    const extra = Buffer.alloc(8);
    extra.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv32a(extra, h);
  }
  return safeEncodeString(String(h));
}
