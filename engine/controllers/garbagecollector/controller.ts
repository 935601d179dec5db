/**
 * The garbage collector (pkg/controller/garbagecollector): a graph of ownerReferences built from
 * informers over every built-in resource, and three kinds of work:
 * - attempt to delete a dependent whose owners are all gone (Background) or all being deleted in the
 *   foreground (the dependent goes first, itself in the foreground when it has dependents);
 * - finish a Foreground deletion: remove the owner's `foregroundDeletion` finalizer once no dependent
 *   with `blockOwnerDeletion: true` remains;
 * - finish an Orphan deletion: strip the owner's reference from every dependent, then remove the
 *   owner's `orphan` finalizer.
 * The graph only says where to look; every decision re-reads the objects live, so a cache that lags
 * (or an owner whose informer has not synced) never deletes something that still has an owner.
 * Custom resources are not watched yet: an ownerReference to a kind outside `R` counts as a live owner.
 */
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import type { ApiClient, DeleteOptions, KubeObject } from '../../api/client.ts';
import { isNotFound } from '../../api/client.ts';
import { R, type ResourceType } from '../../api/resources.ts';
import { Controller } from '../framework/controller.ts';
import type { ControllerContext } from '../framework/context.ts';
import { canonicalJSON } from '../framework/hash.ts';

export const FinalizerOrphanDependents = 'orphan';
export const FinalizerDeleteDependents = 'foregroundDeletion';

interface Node {
  uid: string;
  type: ResourceType;
  namespace?: string;
  name: string;
  owners: OwnerReference[];
  deletingDependents: boolean;
}

const hasFinalizer = (o: KubeObject, f: string): boolean => !!o.metadata?.finalizers?.includes(f);
const groupOf = (apiVersion: string): string => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/** Resources the collector watches: everything in R except Events, which churn and are TTL-collected. */
export function collectedTypes(): ResourceType[] {
  return Object.values(R).filter((t) => t.resource !== 'events');
}

export class GarbageCollector {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly nodes = new Map<string, Node>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly byGroupKind = new Map<string, ResourceType>();

  constructor(ctx: ControllerContext, types: ResourceType[] = collectedTypes()) {
    this.client = ctx.client;
    const recorder = ctx.recorder('garbage-collector-controller');
    this.controller = new Controller(
      { name: 'garbagecollector', clock: ctx.clock, recorder, workers: ctx.workers, log: ctx.log, rateLimiter: { maxDelayMs: 60_000 } },
      (key) => this.process(key),
    );
    for (const t of types) {
      this.byGroupKind.set(`${t.group}/${t.kind}`, t);
      ctx.informers.for(t).addEventHandler({
        add: (o) => this.upsert(t, o),
        update: (_old, o) => this.upsert(t, o),
        delete: (o) => this.remove(o),
      });
    }
  }

  /** The resource an ownerReference points at, when the engine serves it. */
  resolve(ref: OwnerReference): ResourceType | undefined {
    return this.byGroupKind.get(`${groupOf(ref.apiVersion)}/${ref.kind}`);
  }

  private upsert(type: ResourceType, o: KubeObject): void {
    const uid = o.metadata?.uid;
    if (!uid) return;
    const prev = this.nodes.get(uid);
    const owners = o.metadata?.ownerReferences ?? [];
    const deleting = !!o.metadata?.deletionTimestamp;
    const node: Node = {
      uid, type, namespace: o.metadata?.namespace, name: o.metadata!.name!, owners: [...owners],
      deletingDependents: deleting && hasFinalizer(o, FinalizerDeleteDependents),
    };
    for (const r of prev?.owners ?? []) this.dependents.get(r.uid)?.delete(uid);
    for (const r of owners) {
      let s = this.dependents.get(r.uid);
      if (!s) this.dependents.set(r.uid, (s = new Set()));
      s.add(uid);
    }
    this.nodes.set(uid, node);
    // A dependent whose owner we have not seen (or that changed its references) may be dangling.
    const ownersChanged = canonicalJSON(prev?.owners ?? []) !== canonicalJSON(owners);
    if (owners.length && (ownersChanged || owners.some((r) => !this.nodes.has(r.uid)))) this.controller.enqueue(`delete:${uid}`);
    if (deleting && hasFinalizer(o, FinalizerOrphanDependents)) this.controller.enqueue(`orphan:${uid}`);
    if (node.deletingDependents) {
      this.controller.enqueue(`delete:${uid}`);
      for (const d of this.dependents.get(uid) ?? []) this.controller.enqueue(`delete:${d}`);
    }
  }

  private remove(o: KubeObject): void {
    const uid = o.metadata?.uid;
    if (!uid) return;
    const node = this.nodes.get(uid);
    this.nodes.delete(uid);
    for (const r of node?.owners ?? []) {
      this.dependents.get(r.uid)?.delete(uid);
      // An owner waiting in the foreground may now be free to go.
      if (this.nodes.get(r.uid)?.deletingDependents) this.controller.enqueue(`delete:${r.uid}`);
    }
    for (const d of this.dependents.get(uid) ?? []) this.controller.enqueue(`delete:${d}`);
    if (!this.dependents.get(uid)?.size) this.dependents.delete(uid);
  }

  private async process(key: string): Promise<void> {
    const i = key.indexOf(':');
    const kind = key.slice(0, i);
    const uid = key.slice(i + 1);
    if (kind === 'orphan') return this.attemptToOrphan(uid);
    return this.attemptToDelete(uid);
  }

  private async live(type: ResourceType, name: string, namespace: string | undefined, uid: string): Promise<KubeObject | undefined> {
    try {
      const o = await this.client.get(type, name, namespace);
      return o.metadata?.uid === uid ? o : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async attemptToDelete(uid: string): Promise<void> {
    const node = this.nodes.get(uid);
    if (!node) return;
    const obj = await this.live(node.type, node.name, node.namespace, uid);
    if (!obj) return;
    const deleting = !!obj.metadata?.deletionTimestamp;
    if (deleting && hasFinalizer(obj, FinalizerDeleteDependents)) return this.processDeletingDependents(obj, node);
    if (deleting) return;
    const refs = obj.metadata?.ownerReferences ?? [];
    if (!refs.length) return;
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const t = this.resolve(ref);
      if (!t) {
        solid.push(ref);
        continue;
      }
      if (t.namespaced && !node.namespace) {
        // A cluster-scoped object cannot be owned by a namespaced one: upstream ignores such references.
        solid.push(ref);
        continue;
      }
      const owner = await this.live(t, ref.name, t.namespaced ? node.namespace : undefined, ref.uid);
      if (!owner) dangling.push(ref);
      else if (owner.metadata?.deletionTimestamp && hasFinalizer(owner, FinalizerDeleteDependents)) waiting.push(ref);
      else solid.push(ref);
    }
    if (solid.length) {
      if (!dangling.length && !waiting.length) return;
      // Still owned by someone: just drop the references to owners that are gone or going.
      const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
      const next = structuredClone(obj);
      next.metadata!.ownerReferences = refs.filter((r) => !drop.has(r.uid));
      await this.client.update(node.type, next);
      return;
    }
    const hasDependents = (this.dependents.get(uid)?.size ?? 0) > 0;
    let policy: DeleteOptions['propagationPolicy'];
    if (waiting.length && hasDependents) {
      // Our owner waits for us, and we have dependents of our own: go in the foreground too, but stop
      // blocking the owner on us in the meantime (upstream's unblockOwnerReferences).
      if (refs.some((r) => r.blockOwnerDeletion && waiting.some((w) => w.uid === r.uid))) {
        const next = structuredClone(obj);
        next.metadata!.ownerReferences = refs.map((r) => (waiting.some((w) => w.uid === r.uid) ? { ...r, blockOwnerDeletion: false } : r));
        await this.client.update(node.type, next);
      }
      policy = 'Foreground';
    } else if (hasFinalizer(obj, FinalizerOrphanDependents)) policy = 'Orphan';
    else if (hasFinalizer(obj, FinalizerDeleteDependents)) policy = 'Foreground';
    else policy = 'Background';
    try {
      await this.client.delete(node.type, node.name, node.namespace, { propagationPolicy: policy, preconditions: { uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** An owner deleted in the foreground: release it once nothing blocks it; otherwise push its dependents. */
  private async processDeletingDependents(obj: KubeObject, node: Node): Promise<void> {
    const blocking: Node[] = [];
    for (const d of this.dependents.get(node.uid) ?? []) {
      const dep = this.nodes.get(d);
      if (dep?.owners.some((r) => r.uid === node.uid && r.blockOwnerDeletion)) blocking.push(dep);
    }
    if (!blocking.length) {
      await this.removeFinalizer(node.type, obj, FinalizerDeleteDependents);
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.controller.enqueue(`delete:${dep.uid}`);
  }

  async attemptToOrphan(uid: string): Promise<void> {
    const node = this.nodes.get(uid);
    if (!node) return;
    const owner = await this.live(node.type, node.name, node.namespace, uid);
    if (!owner || !owner.metadata?.deletionTimestamp || !hasFinalizer(owner, FinalizerOrphanDependents)) return;
    for (const d of [...(this.dependents.get(uid) ?? [])]) {
      const dep = this.nodes.get(d);
      if (!dep) continue;
      const live = await this.live(dep.type, dep.name, dep.namespace, d);
      if (!live) continue;
      const refs = live.metadata?.ownerReferences ?? [];
      if (!refs.some((r) => r.uid === uid)) continue;
      const next = structuredClone(live);
      const rest = refs.filter((r) => r.uid !== uid);
      if (rest.length) next.metadata!.ownerReferences = rest;
      else delete next.metadata!.ownerReferences;
      await this.client.update(dep.type, next);
    }
    await this.removeFinalizer(node.type, owner, FinalizerOrphanDependents);
  }

  private async removeFinalizer(type: ResourceType, obj: KubeObject, f: string): Promise<void> {
    const next = structuredClone(obj);
    const rest = (next.metadata?.finalizers ?? []).filter((x) => x !== f);
    if (rest.length) next.metadata!.finalizers = rest;
    else delete next.metadata!.finalizers;
    try {
      await this.client.update(type, next);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
