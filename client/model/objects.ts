/**
 * The object shapes the views read, and identity helpers. Objects come from the API as plain JSON
 * (informer lists are normalised to JSON too), typed with `kubernetes-types`.
 */
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1';

export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  // Each kind has its own spec/status; readers narrow with the kubernetes-types shapes.
}

/** Names an object in a cluster. `namespace` is '' for cluster-scoped objects. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export function refOf(obj: KObject, fallbackKind?: string, fallbackApiVersion?: string): ObjectRef {
  return {
    apiVersion: obj.apiVersion ?? fallbackApiVersion ?? 'v1',
    kind: obj.kind ?? fallbackKind ?? '',
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
  };
}

export function keyOf(namespace: string | undefined, name: string | undefined): string {
  return namespace ? `${namespace}/${name ?? ''}` : (name ?? '');
}

export function objectKey(obj: KObject): string {
  return keyOf(obj.metadata?.namespace, obj.metadata?.name);
}

export function controllerOf(obj: KObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((o) => o.controller);
}

/** "2 minutes" style age, from a timestamp string, relative to `now` (ms). */
export function age(timestamp: string | undefined, now: number): string {
  if (!timestamp) return '';
  const t = Date.parse(timestamp);
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.floor((now - t) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}
