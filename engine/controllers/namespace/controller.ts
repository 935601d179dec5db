/**
 * The Namespace controller (pkg/controller/namespace): when a namespace is being deleted (Terminating),
 * delete everything inside it, report progress in the upstream conditions, and once nothing is left,
 * remove the `kubernetes` finalizer through the `finalize` subresource so the API server removes it.
 * Objects held by their own finalizers or grace periods keep the namespace Terminating meanwhile.
 */
import type { Namespace, NamespaceCondition } from 'kubernetes-types/core/v1';
import type { ApiClient, KubeObject, Writable } from '../../api/client.ts';
import { isNotFound } from '../../api/client.ts';
import { R, type ResourceType } from '../../api/resources.ts';
import { rfc3339 } from '../framework/clock.ts';
import { Controller, type ReconcileResult } from '../framework/controller.ts';
import type { ControllerContext } from '../framework/context.ts';
import type { Informer } from '../framework/informer.ts';
import { canonicalJSON } from '../framework/hash.ts';

export const FinalizerKubernetes = 'kubernetes';
/** How often a namespace with content still terminating is looked at again. */
const RECHECK_MS = 2000;

export function namespacedTypes(): ResourceType[] {
  return Object.values(R).filter((t) => t.namespaced);
}

export class NamespaceController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly nsInformer: Informer<Namespace>;

  constructor(private readonly ctx: ControllerContext, private readonly types: ResourceType[] = namespacedTypes()) {
    this.client = ctx.client;
    this.nsInformer = ctx.informers.for<Namespace>(R.namespaces);
    this.controller = new Controller(
      { name: 'namespace', clock: ctx.clock, recorder: ctx.recorder('namespace-controller'), workers: ctx.workers, log: ctx.log },
      (key) => this.sync(key),
    );
    this.nsInformer.addEventHandler({
      add: (ns) => ns.metadata?.deletionTimestamp && this.controller.enqueue(ns.metadata.name!),
      update: (_o, ns) => ns.metadata?.deletionTimestamp && this.controller.enqueue(ns.metadata.name!),
    });
  }

  async sync(name: string): Promise<ReconcileResult | void> {
    const cached = this.nsInformer.get(undefined, name);
    if (!cached?.metadata?.deletionTimestamp) return;
    // Re-read: the cache may predate a finalize that already happened.
    let ns: Namespace;
    try {
      ns = await this.client.get<Namespace>(R.namespaces, name);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (ns.metadata?.uid !== cached.metadata.uid || !ns.metadata?.deletionTimestamp) return;
    if (!(ns.spec?.finalizers ?? []).includes(FinalizerKubernetes)) return;

    const remaining = new Map<string, number>();
    const finalizersLeft = new Map<string, number>();
    const failures: string[] = [];
    for (const t of this.types) {
      let items: KubeObject[];
      try {
        items = (await this.client.list(t, name)).items;
      } catch (err) {
        failures.push(`${t.resource}: ${(err as Error).message}`);
        continue;
      }
      for (const o of items) {
        const label = t.group ? `${t.resource}.${t.group}` : `${t.resource}.`;
        remaining.set(label, (remaining.get(label) ?? 0) + 1);
        for (const f of o.metadata?.finalizers ?? []) finalizersLeft.set(f, (finalizersLeft.get(f) ?? 0) + 1);
        if (o.metadata?.deletionTimestamp) continue;
        try {
          await this.client.delete(t, o.metadata!.name!, name, { propagationPolicy: 'Background', preconditions: { uid: o.metadata?.uid } });
        } catch (err) {
          if (!isNotFound(err)) failures.push(`${t.resource} "${o.metadata?.name}": ${(err as Error).message}`);
        }
      }
    }
    await this.updateConditions(ns, remaining, finalizersLeft, failures);
    if (remaining.size || failures.length) {
      // Check again soon: deletes just issued, grace periods and finalizers take a moment.
      return { requeueAfterMs: RECHECK_MS };
    }
    // Nothing left (a last re-list confirms): release the namespace.
    for (const t of this.types) {
      if ((await this.client.list(t, name)).items.length) return { requeueAfterMs: RECHECK_MS };
    }
    const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== FinalizerKubernetes);
    await this.client.patch(R.namespaces, name, undefined, 'merge', { metadata: { resourceVersion: ns.metadata?.resourceVersion }, spec: { finalizers } }, { subresource: 'finalize' });
  }

  private async updateConditions(ns: Namespace, remaining: Map<string, number>, finalizersLeft: Map<string, number>, failures: string[]): Promise<void> {
    const now = rfc3339(this.ctx.clock.now());
    const fmt = (m: Map<string, number>, what: string) =>
      [...m.entries()].sort().map(([k, n]) => `${k} has ${n} ${what}`).join(', ');
    const want: NamespaceCondition[] = [
      { type: 'NamespaceDeletionDiscoveryFailure', status: 'False', reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
      { type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'False', reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
      failures.length
        ? { type: 'NamespaceDeletionContentFailure', status: 'True', reason: 'ContentDeletionFailed', message: `Failed to delete all resource types, ${failures.length} remaining: ${failures.join(', ')}` }
        : { type: 'NamespaceDeletionContentFailure', status: 'False', reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
      remaining.size
        ? { type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${fmt(remaining, 'resource instances')}` }
        : { type: 'NamespaceContentRemaining', status: 'False', reason: 'ContentRemoved', message: 'All content successfully removed' },
      finalizersLeft.size
        ? { type: 'NamespaceFinalizersRemaining', status: 'True', reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${fmt(finalizersLeft, 'resource instances')}` }
        : { type: 'NamespaceFinalizersRemaining', status: 'False', reason: 'ContentHasNoFinalizers', message: 'All content-preserving finalizers finished' },
    ];
    const cur = ns.status?.conditions ?? [];
    const merged = want.map((c) => {
      const old = cur.find((x) => x.type === c.type);
      return old && old.status === c.status && old.reason === c.reason && old.message === c.message ? old : { ...c, lastTransitionTime: old?.status === c.status ? old.lastTransitionTime : now };
    });
    if (canonicalJSON(merged) === canonicalJSON(cur) && ns.status?.phase === 'Terminating') return;
    const next = structuredClone(ns) as Writable<Namespace>;
    next.status = { ...next.status, phase: 'Terminating', conditions: merged };
    await this.client.updateStatus(R.namespaces, next);
  }
}
