/**
 * Object operations on a connection, through the Kubernetes API: get, list, server-side apply, patches,
 * replace (with resourceVersion: the API answers 409 on a conflict), delete, scale subresource.
 */
import type { Connection } from './clusters.ts';
import type { KObject, ObjectRef } from '../model/objects.ts';
import { kindInfo } from '../model/kinds.ts';
import { kubeRequest, isConflict } from './rest.ts';
import { objectUrl, collectionUrl, type ResourceInfo } from './paths.ts';

export const fieldManager = 'wheelhouse';

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';
const contentTypes: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export async function resourceOf(c: Connection, apiVersion: string, kind: string): Promise<ResourceInfo> {
  const known = kindInfo(kind);
  if (known && known.apiVersion === apiVersion) return known;
  return c.discovery.resource(apiVersion, kind);
}

async function url(c: Connection, ref: ObjectRef, sub?: string): Promise<string> {
  const r = await resourceOf(c, ref.apiVersion, ref.kind);
  return objectUrl(r, ref.namespace, ref.name, sub);
}

export async function getObject<T = KObject>(c: Connection, ref: ObjectRef): Promise<T> {
  return kubeRequest<T>(c.kc, await url(c, ref));
}

export async function listObjects<T = KObject>(c: Connection, apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<T[]> {
  const r = await resourceOf(c, apiVersion, kind);
  const list = await kubeRequest<{ items?: T[] }>(c.kc, collectionUrl(r, namespace), { query: { labelSelector } });
  return list.items ?? [];
}

export async function patchObject<T = KObject>(c: Connection, ref: ObjectRef, type: PatchType, body: unknown, opts: { dryRun?: boolean; force?: boolean; subresource?: string } = {}): Promise<T> {
  const path = await url(c, ref, opts.subresource);
  const send = (): Promise<T> => kubeRequest<T>(c.kc, path, {
    method: 'PATCH', body, contentType: contentTypes[type],
    query: { fieldManager: type === 'apply' || opts.dryRun ? fieldManager : undefined, dryRun: opts.dryRun ? 'All' : undefined, force: type === 'apply' && opts.force ? true : undefined },
  });
  return retryConflicts(send, carriesPrecondition(body));
}

/**
 * A patch without a resourceVersion precondition means "apply to whatever is current". Upstream API servers
 * retry such a patch internally when a concurrent write wins; a server that answers 409 instead gets the same
 * patch resent a few times. Patches that carry a resourceVersion are never retried: there 409 is the answer.
 */
export async function retryConflicts<T>(send: () => Promise<T>, precondition: boolean, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await send();
    } catch (err) {
      if (precondition || !isConflict(err) || i >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 50 * i));
    }
  }
}

function carriesPrecondition(body: unknown): boolean {
  if (Array.isArray(body)) return body.some((op) => (op as { path?: string }).path === '/metadata/resourceVersion' || (op as { op?: string }).op === 'test');
  return !!(body as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion;
}

/**
 * Server-side apply of one manifest object. The namespace is filled in for namespaced kinds that name none
 * (the connection's default namespace), as kubectl does.
 */
export async function applyObject(c: Connection, obj: KObject, opts: { dryRun?: boolean; force?: boolean; namespace?: string } = {}): Promise<KObject> {
  const r = await resourceOf(c, obj.apiVersion ?? '', obj.kind ?? '');
  const ns = r.namespaced ? obj.metadata?.namespace ?? opts.namespace ?? c.defaultNamespace : undefined;
  const body: KObject = { ...obj, metadata: { ...obj.metadata, ...(ns ? { namespace: ns } : {}) } };
  if (!r.namespaced && body.metadata) delete body.metadata.namespace;
  return kubeRequest<KObject>(c.kc, objectUrl(r, ns, obj.metadata?.name ?? ''), {
    method: 'PATCH', body, contentType: contentTypes.apply,
    query: { fieldManager, force: opts.force ? true : undefined, dryRun: opts.dryRun ? 'All' : undefined },
  });
}

/** PUT with the object's resourceVersion: the API rejects it with 409 Conflict when the object changed since. */
export async function replaceObject(c: Connection, obj: KObject, opts: { dryRun?: boolean } = {}): Promise<KObject> {
  const r = await resourceOf(c, obj.apiVersion ?? '', obj.kind ?? '');
  return kubeRequest<KObject>(c.kc, objectUrl(r, obj.metadata?.namespace, obj.metadata?.name ?? ''), {
    method: 'PUT', body: obj, query: { fieldManager, dryRun: opts.dryRun ? 'All' : undefined },
  });
}

export async function deleteObject(c: Connection, ref: ObjectRef, opts: { propagationPolicy?: 'Foreground' | 'Background' | 'Orphan'; gracePeriodSeconds?: number } = {}): Promise<void> {
  await kubeRequest(c.kc, await url(c, ref), {
    method: 'DELETE', body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: opts.propagationPolicy ?? 'Background', gracePeriodSeconds: opts.gracePeriodSeconds },
  });
}

export async function createObject(c: Connection, ref: Omit<ObjectRef, 'name'>, body: unknown, subresourceOf?: { name: string; sub: string }): Promise<unknown> {
  const r = await resourceOf(c, ref.apiVersion, ref.kind);
  const path = subresourceOf ? objectUrl(r, ref.namespace, subresourceOf.name, subresourceOf.sub) : collectionUrl(r, ref.namespace);
  return kubeRequest(c.kc, path, { method: 'POST', body });
}

/** Sets replicas through the scale subresource (works for any scalable kind, custom resources included). */
export async function scaleObject(c: Connection, ref: ObjectRef, replicas: number): Promise<void> {
  if (!Number.isInteger(replicas) || replicas < 0) throw new Error(`replicas must be a whole number ≥ 0, not ${replicas}`);
  await patchObject(c, ref, 'merge', { spec: { replicas } }, { subresource: 'scale' });
}
