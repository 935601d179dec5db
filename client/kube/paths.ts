/**
 * REST paths for objects (pure). Discovery (kube/discovery.ts) supplies plural and scope for kinds
 * the built-in table does not know.
 */
export interface ResourceInfo {
  apiVersion: string;
  kind: string;
  plural: string;
  namespaced: boolean;
}

export function groupPrefix(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

export function collectionUrl(r: ResourceInfo, namespace?: string): string {
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupPrefix(r.apiVersion)}${ns}/${r.plural}`;
}

export function objectUrl(r: ResourceInfo, namespace: string | undefined, name: string, subresource?: string): string {
  if (r.namespaced && !namespace) throw new Error(`${r.kind} "${name}" is namespaced: a namespace is required`);
  return `${collectionUrl(r, namespace)}/${encodeURIComponent(name)}${subresource ? `/${subresource}` : ''}`;
}
