/**
 * Image references as Docker reads them: `busybox` is `docker.io/library/busybox:latest`. Contract:
 * normalizeImageRef gives the fully qualified form (registry/path[:tag][@digest]) so two spellings of one
 * image compare equal; `isLatest` tells the kubelet when imagePullPolicy defaults to Always (upstream: tag
 * `latest` or no tag, and no digest).
 */

export interface ParsedImageRef {
  registry: string;
  path: string;
  tag?: string;
  digest?: string;
}

const DEFAULT_REGISTRY = 'docker.io';

export function parseImageRef(ref: string): ParsedImageRef {
  if (!ref || /\s/.test(ref) || ref !== ref.trim()) throw new Error(`invalid image reference ${JSON.stringify(ref)}`);
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^[a-z0-9]+:[a-fA-F0-9]{32,}$/.test(digest)) throw new Error(`invalid digest in image reference ${JSON.stringify(ref)}`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!/^[\w][\w.-]{0,127}$/.test(tag)) throw new Error(`invalid tag in image reference ${JSON.stringify(ref)}`);
  }
  const slash = rest.indexOf('/');
  let registry = DEFAULT_REGISTRY;
  let path = rest;
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      path = rest.slice(slash + 1);
    }
  }
  if (registry === DEFAULT_REGISTRY && !path.includes('/')) path = `library/${path}`;
  if (!/^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/.test(path)) {
    throw new Error(`invalid image reference ${JSON.stringify(ref)}: repository names are lowercase letters, digits and . _ - /`);
  }
  if (!tag && !digest) tag = 'latest';
  return { registry, path, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

export function normalizeImageRef(ref: string): string {
  const p = parseImageRef(ref);
  return `${p.registry}/${p.path}${p.tag ? `:${p.tag}` : ''}${p.digest ? `@${p.digest}` : ''}`;
}

/** The short form Docker shows in RepoTags (`busybox:latest`, `example.com/app:1`). */
export function familiarImageRef(ref: string): string {
  const p = parseImageRef(ref);
  const path = p.registry === DEFAULT_REGISTRY && p.path.startsWith('library/') ? p.path.slice('library/'.length) : p.path;
  const repo = p.registry === DEFAULT_REGISTRY ? path : `${p.registry}/${path}`;
  return `${repo}${p.tag ? `:${p.tag}` : ''}${p.digest ? `@${p.digest}` : ''}`;
}

/** Upstream's rule for the default imagePullPolicy: Always for `:latest` or untagged, else IfNotPresent. */
export function isLatest(ref: string): boolean {
  const p = parseImageRef(ref);
  return !p.digest && p.tag === 'latest';
}
