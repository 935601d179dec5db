/**
 * The ResourceQuota controller (pkg/controller/resourcequota): keeps each quota's status — `hard` from
 * spec and `used` recomputed from the objects that exist in its namespace — so admission (which adds to
 * `used` as it admits) is corrected when objects go away. Recomputed on quota changes, on changes of the
 * objects it counts, and every resync period.
 */
import type { ResourceQuota } from 'kubernetes-types/core/v1';
import type { ApiClient, KubeObject, Writable } from '../../api/client.ts';
import { R, type ResourceType } from '../../api/resources.ts';
import { fmt, parseList, type Quantity } from '../../admission/quantity.ts';
import { quotaMatches, usageOf } from '../../admission/usage.ts';
import { Controller, type ReconcileResult } from '../framework/controller.ts';
import type { ControllerContext } from '../framework/context.ts';
import { canonicalJSON } from '../framework/hash.ts';
import { keyOf, splitKey, type Informer } from '../framework/informer.ts';

const COUNTED: ResourceType[] = [R.pods, R.services, R.persistentvolumeclaims, R.configmaps, R.secrets, R.resourcequotas];
const RESYNC_MS = 30_000;

export class ResourceQuotaController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly quotas: Informer<ResourceQuota>;
  private readonly informers: Map<ResourceType, Informer<KubeObject>>;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.quotas = ctx.informers.for<ResourceQuota>(R.resourcequotas);
    this.informers = new Map(COUNTED.map((t) => [t, ctx.informers.for<KubeObject>(t)]));
    this.controller = new Controller(
      { name: 'resourcequota', clock: ctx.clock, recorder: ctx.recorder('resourcequota-controller'), workers: ctx.workers, log: ctx.log },
      (key) => this.sync(key),
    );
    this.quotas.addEventHandler({ add: (q) => this.controller.enqueue(keyOf(q)), update: (_o, q) => this.controller.enqueue(keyOf(q)) });
    const touch = (o: KubeObject) => {
      for (const q of this.quotas.list(o.metadata?.namespace)) this.controller.enqueue(keyOf(q));
    };
    for (const [t, inf] of this.informers) {
      if (t === R.resourcequotas) continue;
      inf.addEventHandler({ add: touch, update: (_o, n) => touch(n), delete: touch });
    }
  }

  async sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const q = this.quotas.get(namespace, name);
    if (!q) return;
    const hard = parseList(q.spec?.hard as Record<string, string>);
    const used: Record<string, Quantity> = {};
    for (const k of Object.keys(hard)) used[k] = { value: 0, binary: hard[k]!.binary };
    for (const [t, inf] of this.informers) {
      for (const o of inf.list(namespace)) {
        if (!quotaMatches(q.spec?.scopes ?? [], t, o)) continue;
        for (const [k, v] of Object.entries(usageOf(t, o))) if (used[k]) used[k] = { value: used[k]!.value + v.value, binary: used[k]!.binary };
      }
    }
    const status = {
      hard: Object.fromEntries(Object.entries(q.spec?.hard ?? {}).map(([k, v]) => [k, String(v)])),
      used: Object.fromEntries(Object.entries(used).map(([k, v]) => [k, fmt(v)])),
    };
    if (canonicalJSON(status) !== canonicalJSON(q.status ?? {})) {
      const next = structuredClone(q) as Writable<ResourceQuota>;
      next.status = status;
      await this.client.updateStatus(R.resourcequotas, next);
    }
    return { requeueAfterMs: RESYNC_MS };
  }
}
