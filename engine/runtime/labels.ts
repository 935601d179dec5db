/**
 * Docker labels on everything the engine creates. Contract: every key starts with `io.wheelhouse.`; the
 * well-known fields of ContainerLabels map to the fixed keys in LABELS; any extra field `fooBar` maps to
 * `io.wheelhouse.foo-bar`. `fromDockerLabels(toDockerLabels(x))` gives back x (attempt as a number).
 * A restarted engine finds its containers with `labelFilter({ cluster })` and nothing else.
 */
import { LABEL_PREFIX, type ContainerLabels } from './types.ts';

export const LABELS = {
  cluster: `${LABEL_PREFIX}.cluster`,
  namespace: `${LABEL_PREFIX}.namespace`,
  podName: `${LABEL_PREFIX}.pod-name`,
  podUid: `${LABEL_PREFIX}.pod-uid`,
  container: `${LABEL_PREFIX}.container`,
  attempt: `${LABEL_PREFIX}.attempt`,
  node: `${LABEL_PREFIX}.node`,
  role: `${LABEL_PREFIX}.role`,
} as const;

const known = new Map<string, string>(Object.entries(LABELS));
const knownByKey = new Map<string, string>(Object.entries(LABELS).map(([field, key]) => [key, field]));

function kebab(field: string): string {
  return field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function camel(suffix: string): string {
  return suffix.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The Docker label key for one ContainerLabels field. */
export function labelKey(field: string): string {
  return known.get(field) ?? `${LABEL_PREFIX}.${kebab(field)}`;
}

/** ContainerLabels → Docker labels (undefined fields are left out). */
export function toDockerLabels(labels: Partial<ContainerLabels>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, value] of Object.entries(labels)) {
    if (value === undefined) continue;
    if (field === 'attempt' && (!Number.isInteger(value) || (value as number) < 0)) {
      throw new Error(`container label attempt must be a non-negative integer, got ${String(value)}`);
    }
    out[labelKey(field)] = String(value);
  }
  return out;
}

/**
 * Docker labels → ContainerLabels. Keys without our prefix are ignored; a container with no cluster label
 * is not ours, and gives undefined.
 */
export function fromDockerLabels(labels: Record<string, string>): ContainerLabels | undefined {
  const cluster = labels[LABELS.cluster];
  if (cluster === undefined) return undefined;
  const out: ContainerLabels = { cluster };
  for (const [key, value] of Object.entries(labels)) {
    if (!key.startsWith(`${LABEL_PREFIX}.`) || key === LABELS.cluster) continue;
    const field = knownByKey.get(key) ?? camel(key.slice(LABEL_PREFIX.length + 1));
    if (field === 'attempt') {
      const n = Number(value);
      if (Number.isInteger(n) && n >= 0) out.attempt = n;
    } else if (field === 'role') {
      if (value === 'sandbox' || value === 'container' || value === 'infra') out.role = value;
    } else {
      out[field] = value;
    }
  }
  return out;
}

/** The filter for Runtime.listContainers: every given field must match. */
export function labelFilter(labels: Partial<ContainerLabels>): Record<string, string> {
  return toDockerLabels(labels);
}

/** Whether a set of Docker labels contains every key=value of the filter. */
export function labelsMatch(labels: Record<string, string>, filter: Record<string, string>): boolean {
  return Object.entries(filter).every(([k, v]) => labels[k] === v);
}
