/** Paths of edit documents: `/<cluster>/<apiVersion>/<kind>/<namespace or _>/<name>.yaml` (pure, round-trips). */
import type { ObjectRef } from './objects.ts';

export function encodeEditUri(cluster: string, ref: ObjectRef): string {
  const parts = [cluster, ref.apiVersion, ref.kind, ref.namespace || '_', `${ref.name}.yaml`];
  return '/' + parts.map(encodeURIComponent).join('/');
}

export function decodeEditUri(path: string): { cluster: string; ref: ObjectRef } {
  const parts = path.replace(/^\//, '').split('/').map(decodeURIComponent);
  if (parts.length !== 5 || !parts[4].endsWith('.yaml')) throw new Error(`not a Wheelhouse edit document: ${path}`);
  const [cluster, apiVersion, kind, ns, file] = parts;
  return { cluster, ref: { apiVersion, kind, namespace: ns === '_' ? '' : ns, name: file.slice(0, -'.yaml'.length) } };
}
