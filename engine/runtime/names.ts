/**
 * Deterministic Docker names for what the engine creates, in the spirit of dockershim's
 * `k8s_<container>_<pod>_<namespace>_<uid>_<attempt>`. Contract:
 * - the same inputs always give the same name, and different inputs give different names (parts are
 *   joined with `_`, which Kubernetes names cannot contain; anything outside Docker's name alphabet is
 *   replaced and then disambiguated by a hash);
 * - every name matches Docker's `[a-zA-Z0-9][a-zA-Z0-9_.-]+` and is at most MAX_NAME_LENGTH characters:
 *   a longer one keeps a readable prefix and ends with a hash of the full name.
 * Adoption never relies on parsing names: labels (labels.ts) carry the identity.
 */
import { createHash } from 'node:crypto';

export const NAME_PREFIX = 'wh';
export const MAX_NAME_LENGTH = 128;
/** The container name used for a pod's sandbox, as dockershim's `k8s_POD_…`. */
export const SANDBOX_CONTAINER = 'POD';

const DOCKER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

function hash(s: string, len = 10): string {
  return createHash('sha256').update(s).digest('hex').slice(0, len);
}

function part(what: string, value: string): string {
  if (value === '') throw new Error(`a Docker name needs a non-empty ${what}`);
  const clean = value.replace(/[^a-zA-Z0-9.-]/g, '-');
  // A rewritten part could collide with another input that was already clean: tag it with a hash.
  return clean === value ? value : `${clean}-${hash(value, 6)}`;
}

/** Joins parts into a valid, bounded Docker name. */
function join(parts: string[]): string {
  const full = [NAME_PREFIX, ...parts].join('_');
  if (full.length <= MAX_NAME_LENGTH) return full;
  const suffix = `_${hash(full)}`;
  return full.slice(0, MAX_NAME_LENGTH - suffix.length).replace(/[_.-]+$/, '') + suffix;
}

export interface PodContainerRef {
  cluster: string;
  namespace: string;
  pod: string;
  /** When given, its first 8 characters join the name, so a re-created pod of the same name never collides. */
  podUid?: string;
  container: string;
  attempt: number;
}

/** The Docker name of one attempt of one container of a pod. */
export function containerName(ref: PodContainerRef): string {
  if (!Number.isInteger(ref.attempt) || ref.attempt < 0) throw new Error(`attempt must be a non-negative integer, got ${ref.attempt}`);
  const parts = [part('cluster', ref.cluster), part('namespace', ref.namespace), part('pod name', ref.pod)];
  if (ref.podUid) parts.push(part('pod uid', ref.podUid.replace(/-/g, '').slice(0, 8)));
  parts.push(part('container name', ref.container), String(ref.attempt));
  return join(parts);
}

/** The Docker name of a pod's sandbox (the container that owns the pod's network namespace). */
export function sandboxName(ref: Omit<PodContainerRef, 'container'>): string {
  return containerName({ ...ref, container: SANDBOX_CONTAINER });
}

/** The Docker name of an infrastructure container of a cluster (service proxy, DNS, …). */
export function infraName(cluster: string, component: string, name?: string): string {
  const parts = [part('cluster', cluster), 'infra', part('component', component)];
  if (name !== undefined) parts.push(part('name', name));
  return join(parts);
}

/** The Docker name of a volume the engine provisions for a cluster (e.g. a PersistentVolume). */
export function volumeName(cluster: string, name: string): string {
  return join([part('cluster', cluster), 'vol', part('volume name', name)]);
}

/** Whether a string is a valid Docker container/volume name. */
export function isDockerName(name: string): boolean {
  return DOCKER_NAME.test(name);
}
