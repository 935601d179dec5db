/**
 * The EndpointSlice controller (pkg/controller/endpointslice): for every Service with a selector,
 * discovery.k8s.io/v1 EndpointSlices labelled `kubernetes.io/service-name`, one per distinct port
 * mapping, owned by the Service. Endpoints carry ready/serving/terminating conditions. Slices it
 * manages are matched by their ports, updated in place when their endpoints change, created when a
 * mapping appears and deleted when it goes.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { isNotFound, type ApiClient, type Writable } from '../api/client.ts';
import { R } from '../api/resources.ts';
import { Controller } from '../controllers/framework/controller.ts';
import type { ControllerContext } from '../controllers/framework/context.ts';
import { keyOf, splitKey, type Informer } from '../controllers/framework/informer.ts';
import { newControllerRef } from '../controllers/framework/owner.ts';
import { computeSlices } from './endpoints-compute.ts';
import { desiredLabels } from './endpoints-controller.ts';
import { serviceSelector, selects, watchPodsForServices } from './service-pods.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';

export class EndpointSliceController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly slices: Informer<EndpointSlice>;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.services = ctx.informers.for<Service>(R.services);
    this.pods = ctx.informers.for<Pod>(R.pods);
    this.slices = ctx.informers.for<EndpointSlice>(R.endpointslices);
    this.slices.addIndexer('service', (s) => {
      const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      return svc && s.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY ? [`${s.metadata?.namespace}/${svc}`] : [];
    });
    this.controller = new Controller(
      { name: 'endpointslice', clock: ctx.clock, recorder: ctx.recorder('endpointslice-controller'), workers: ctx.workers, log: ctx.log },
      (key) => this.sync(key),
    );
    const enqueue = (s: Service) => this.controller.enqueue(keyOf(s));
    this.services.addEventHandler({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
    const forSlice = (s: EndpointSlice) => {
      const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (svc && s.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY) this.controller.enqueue(`${s.metadata?.namespace}/${svc}`);
    };
    this.slices.addEventHandler({ update: (_o, n) => forSlice(n), delete: forSlice });
    watchPodsForServices(this.pods, this.services, (k) => this.controller.enqueue(k));
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const existing = this.slices.byIndex('service', key);
    const svc = this.services.get(namespace, name);
    if (!svc || !serviceSelector(svc)) {
      // The Service is gone (its slices are also garbage-collected through ownerReferences) or has no selector.
      for (const s of existing) await this.remove(s);
      return;
    }
    const desired = computeSlices(svc, this.pods.list(namespace).filter((p) => selects(svc, p.metadata?.labels)));
    // An empty Service still gets one (empty) slice, as upstream, so consumers can tell "no endpoints" from "not synced".
    if (desired.length === 0) desired.push({ ports: [], endpoints: [] });
    const labels = { ...desiredLabels(svc), [SERVICE_NAME_LABEL]: name, [MANAGED_BY_LABEL]: MANAGED_BY };
    const unused = [...existing];
    for (const want of desired) {
      const i = unused.findIndex((s) => JSON.stringify(s.ports ?? []) === JSON.stringify(want.ports));
      const match = i >= 0 ? unused.splice(i, 1)[0] : undefined;
      if (match) {
        const same = JSON.stringify(match.endpoints ?? []) === JSON.stringify(want.endpoints) && JSON.stringify(match.metadata?.labels ?? {}) === JSON.stringify(labels);
        if (same) continue;
        const next = structuredClone(match) as Writable<EndpointSlice>;
        next.endpoints = want.endpoints;
        next.metadata = { ...next.metadata, labels };
        await this.client.update(R.endpointslices, next);
        continue;
      }
      const slice: Writable<EndpointSlice> = {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { generateName: `${name}-`, namespace, labels, ownerReferences: [newControllerRef(svc, 'v1', 'Service')] },
        addressType: 'IPv4',
        ports: want.ports,
        endpoints: want.endpoints,
      };
      await this.client.create(R.endpointslices, slice);
    }
    for (const s of unused) await this.remove(s);
  }

  private async remove(s: EndpointSlice): Promise<void> {
    await this.client.delete(R.endpointslices, s.metadata!.name!, s.metadata?.namespace).catch((e) => {
      if (!isNotFound(e)) throw e;
    });
  }
}
