/**
 * Parses a Kubernetes REST path into what it names: a discovery document, an OpenAPI document, or a
 * resource request (group, version, namespace, resource, name, subresource), as upstream's
 * RequestInfoFactory does. Pure: no catalog lookups beyond telling `namespaces/{n}/status` from
 * `namespaces/{ns}/{resource}`.
 */
export type Route =
  | { kind: 'health'; which: 'healthz' | 'livez' | 'readyz' }
  | { kind: 'version' }
  | { kind: 'api' }
  | { kind: 'apis' }
  | { kind: 'group'; group: string }
  | { kind: 'groupVersion'; group: string; version: string }
  | { kind: 'openapiIndex' }
  | { kind: 'openapiDoc'; group: string; version: string }
  | { kind: 'openapiV2' }
  | {
      kind: 'resource';
      group: string;
      version: string;
      namespace?: string;
      resource: string;
      name?: string;
      subresource?: string;
    }
  | { kind: 'notFound' };

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function route(pathname: string): Route {
  let parts: string[];
  try {
    parts = pathname.split('/').filter((p) => p.length > 0).map((p) => decodeURIComponent(p));
  } catch {
    return { kind: 'notFound' };
  }
  const [first, ...rest] = parts;
  if (first === 'healthz' || first === 'livez' || first === 'readyz') return { kind: 'health', which: first };
  if (first === 'version' && rest.length === 0) return { kind: 'version' };
  if (first === 'openapi') {
    if (rest[0] === 'v2' && rest.length === 1) return { kind: 'openapiV2' };
    if (rest[0] !== 'v3') return { kind: 'notFound' };
    if (rest.length === 1) return { kind: 'openapiIndex' };
    if (rest[1] === 'api' && rest.length === 3) return { kind: 'openapiDoc', group: '', version: rest[2]! };
    if (rest[1] === 'apis' && rest.length === 4) return { kind: 'openapiDoc', group: rest[2]!, version: rest[3]! };
    return { kind: 'notFound' };
  }
  let group: string;
  let version: string;
  let tail: string[];
  if (first === 'api') {
    if (rest.length === 0) return { kind: 'api' };
    group = '';
    version = rest[0]!;
    tail = rest.slice(1);
  } else if (first === 'apis') {
    if (rest.length === 0) return { kind: 'apis' };
    if (rest.length === 1) return { kind: 'group', group: rest[0]! };
    group = rest[0]!;
    version = rest[1]!;
    tail = rest.slice(2);
  } else return { kind: 'notFound' };
  if (tail.length === 0) return { kind: 'groupVersion', group, version };
  if (tail[0] === 'namespaces' && tail.length >= 3 && !(tail.length === 3 && group === '' && NAMESPACE_SUBRESOURCES.has(tail[2]!))) {
    const [, namespace, resource, name, subresource, ...more] = tail;
    if (more.length) return { kind: 'notFound' };
    return { kind: 'resource', group, version, namespace, resource: resource!, name, subresource };
  }
  const [resource, name, subresource, ...more] = tail;
  if (more.length) return { kind: 'notFound' };
  return { kind: 'resource', group, version, resource: resource!, name, subresource };
}
