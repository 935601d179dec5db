/**
 * ownerReferences helpers (apimachinery metav1 + controller_ref_manager.go): the controllerRef, and the
 * claim step every workload controller runs: adopt orphans whose labels match, release owned objects whose
 * labels no longer match, ignore objects another controller owns.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import type { ApiClient, KubeObject } from '../../api/client.ts';
import { isNotFound } from '../../api/client.ts';
import { matches, type Selector } from '../../api/labels.ts';
import type { ResourceType } from '../../api/resources.ts';

export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = getControllerOf(obj);
  return !!ref && ref.uid === owner.metadata?.uid;
}

/** The ownerReference a controller puts on what it creates (controller and blockOwnerDeletion true). */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: owner.metadata!.name!, uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: true };
}

export interface ClaimOptions<T extends KubeObject> {
  client: ApiClient;
  /** The resource of the objects being claimed. */
  type: ResourceType;
  owner: KubeObject;
  ownerApiVersion: string;
  ownerKind: string;
  selector: Selector | null;
  /**
   * Re-reads the owner before the first adoption (upstream's RecheckDeletionTimestamp): an owner being
   * deleted, or replaced by a namesake with another uid, must not adopt.
   */
  canAdopt?: () => Promise<boolean>;
  objects: readonly T[];
  /** Extra filter for adoption (e.g. a Job only adopts pods it could own). */
  adoptable?: (o: T) => boolean;
}

/**
 * Returns the objects that belong to the owner after adopting and releasing as upstream's
 * ClaimObject: owned+matching → kept; owned+not matching → released (unless the owner is being deleted);
 * orphan+matching+not being deleted → adopted. Objects that vanished while patching are dropped.
 */
export async function claimObjects<T extends KubeObject>(o: ClaimOptions<T>): Promise<T[]> {
  const claimed: T[] = [];
  const ownerUid = o.owner.metadata?.uid;
  const ownerDeleting = !!o.owner.metadata?.deletionTimestamp;
  let adoptOk: boolean | undefined;
  for (const obj of o.objects) {
    const ref = getControllerOf(obj);
    const labelsMatch = matches(o.selector, obj.metadata?.labels);
    if (ref) {
      if (ref.uid !== ownerUid) continue;
      if (labelsMatch) {
        claimed.push(obj);
        continue;
      }
      if (ownerDeleting) continue;
      try {
        await release(o.client, o.type, obj, ownerUid!);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      continue;
    }
    if (!labelsMatch || ownerDeleting || obj.metadata?.deletionTimestamp) continue;
    if (o.adoptable && !o.adoptable(obj)) continue;
    if (adoptOk === undefined) adoptOk = o.canAdopt ? await o.canAdopt() : true;
    if (!adoptOk) continue;
    try {
      const adopted = await adopt(o.client, o.type, obj, newControllerRef(o.owner, o.ownerApiVersion, o.ownerKind));
      claimed.push(adopted);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return claimed;
}

/** Adds the controllerRef; the resourceVersion in the patch makes it fail (409) if the object changed meanwhile. */
export async function adopt<T extends KubeObject>(client: ApiClient, type: ResourceType, obj: T, ref: OwnerReference): Promise<T> {
  const refs = [...(obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== ref.uid), ref];
  return client.patch<T>(type, obj.metadata!.name!, obj.metadata?.namespace, 'merge', {
    metadata: { ownerReferences: refs, uid: obj.metadata?.uid, resourceVersion: obj.metadata?.resourceVersion },
  });
}

/** Removes the owner's reference. */
export async function release<T extends KubeObject>(client: ApiClient, type: ResourceType, obj: T, ownerUid: string): Promise<T> {
  const refs = (obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
  return client.patch<T>(type, obj.metadata!.name!, obj.metadata?.namespace, 'merge', {
    metadata: { ownerReferences: refs.length ? refs : null, uid: obj.metadata?.uid, resourceVersion: obj.metadata?.resourceVersion },
  });
}

/** A canAdopt check: GET the owner live; it must have the same uid and no deletionTimestamp. */
export function recheckOwner(client: ApiClient, type: ResourceType, owner: KubeObject): () => Promise<boolean> {
  return async () => {
    try {
      const fresh = await client.get(type, owner.metadata!.name!, owner.metadata?.namespace);
      return fresh.metadata?.uid === owner.metadata?.uid && !fresh.metadata?.deletionTimestamp;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  };
}
