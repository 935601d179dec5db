/**
 * ControllerRevisions (pkg/controller/history) for StatefulSets and DaemonSets: each distinct pod template
 * is a revision named `<owner>-<hash>` whose `data` is the patch `{"spec":{"template":{…,"$patch":"replace"}}}`
 * (what `kubectl rollout undo` applies back) and whose `revision` number grows; re-using an old template
 * renumbers its revision to the newest, as a rollback does.
 */
import type { ControllerRevision } from 'kubernetes-types/apps/v1';
import type { ApiClient, KubeObject, Writable } from '../../api/client.ts';
import { isAlreadyExists } from '../../api/client.ts';
import { R } from '../../api/resources.ts';
import { canonicalJSON, computeHash, normalizeEmpty } from './hash.ts';
import { newControllerRef } from './owner.ts';

export const ControllerRevisionHashLabel = 'controller.kubernetes.io/hash';
/** The pod label naming its revision (StatefulSet: the revision's name; DaemonSet: its hash). */
export const PodRevisionHashLabel = 'controller-revision-hash';
export const StatefulSetRevisionLabel = PodRevisionHashLabel;

export interface Owner extends KubeObject {
  spec?: { template?: unknown; selector?: { matchLabels?: Record<string, string> } };
}

/** The revision data for an owner: only its pod template, marked to replace on apply. */
export function revisionData(owner: Owner): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...(structuredClone(owner.spec?.template) as Record<string, unknown>), $patch: 'replace' } } };
}

const dataKey = (d: unknown): string => canonicalJSON(normalizeEmpty(d));

export function sortRevisions(revs: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort((a, b) => a.revision - b.revision || (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
}

export function nextRevisionNumber(revs: readonly ControllerRevision[]): number {
  return revs.reduce((m, r) => Math.max(m, r.revision), 0) + 1;
}

/**
 * Finds or creates the revision for the owner's current template. Returns it with the number it must
 * carry (renumbered when an older identical revision is reused). collisionCount as in the owner status.
 */
export async function ensureRevision(
  client: ApiClient, owner: Owner, ownerKind: string, revisions: readonly ControllerRevision[], collisionCount: number,
): Promise<{ revision: ControllerRevision; created: boolean }> {
  const data = revisionData(owner);
  const key = dataKey(data);
  const sorted = sortRevisions(revisions);
  const next = nextRevisionNumber(sorted);
  const equal = sorted.filter((r) => dataKey(r.data) === key);
  if (equal.length) {
    const latest = equal[equal.length - 1]!;
    if (latest === sorted[sorted.length - 1]) return { revision: latest, created: false };
    const renumbered = structuredClone(latest) as Writable<ControllerRevision>;
    renumbered.revision = next;
    return { revision: await client.update<ControllerRevision>(R.controllerrevisions, renumbered), created: false };
  }
  const hash = computeHash(data, collisionCount || undefined);
  const labels = { ...(owner.spec?.selector?.matchLabels ?? {}), [ControllerRevisionHashLabel]: hash };
  const cr: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: { name: `${owner.metadata!.name}-${hash}`, namespace: owner.metadata?.namespace, labels, ownerReferences: [newControllerRef(owner, 'apps/v1', ownerKind)] },
    data,
    revision: next,
  };
  try {
    return { revision: await client.create<ControllerRevision>(R.controllerrevisions, cr), created: true };
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const existing = await client.get<ControllerRevision>(R.controllerrevisions, cr.metadata!.name!, owner.metadata?.namespace);
    if (dataKey(existing.data) === key) return { revision: existing, created: false };
    throw new HashCollisionError(cr.metadata!.name!);
  }
}

/** A different template hashed to an existing revision's name: bump collisionCount and retry. */
export class HashCollisionError extends Error {
  constructor(name: string) {
    super(`controller revision ${name} exists with different data (hash collision)`);
  }
}

/** Deletes the oldest revisions beyond the limit that no live pod or status refers to. */
export async function truncateHistory(client: ApiClient, revisions: readonly ControllerRevision[], live: Set<string>, limit: number): Promise<void> {
  const unused = sortRevisions(revisions).filter((r) => !live.has(r.metadata!.name!));
  for (const r of unused.slice(0, Math.max(0, unused.length - limit))) {
    try {
      await client.delete(R.controllerrevisions, r.metadata!.name!, r.metadata?.namespace);
    } catch {
      // already gone
    }
  }
}
