/**
 * The Endpoints controller (pkg/controller/endpoint): for every Service with a selector, an Endpoints
 * object of the same name listing its pods' addresses — ready ones in `addresses`, the rest in
 * `notReadyAddresses` — per port, with named target ports resolved per pod. Services without a selector
 * are left alone: their Endpoints belong to the user. Writes only when the content changes.
 */
import type { Endpoints, Pod, Service } from 'kubernetes-types/core/v1';
import { isNotFound, type ApiClient, type Writable } from '../api/client.ts';
import { R } from '../api/resources.ts';
import { Controller } from '../controllers/framework/controller.ts';
import type { ControllerContext } from '../controllers/framework/context.ts';
import { keyOf, splitKey, type Informer } from '../controllers/framework/informer.ts';
import { computeSubsets } from './endpoints-compute.ts';
import { serviceSelector, selects, watchPodsForServices } from './service-pods.ts';

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export function desiredLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  return labels;
}

export class EndpointsController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly services: Informer<Service>;
  private readonly pods: Informer<Pod>;
  private readonly endpoints: Informer<Endpoints>;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.services = ctx.informers.for<Service>(R.services);
    this.pods = ctx.informers.for<Pod>(R.pods);
    this.endpoints = ctx.informers.for<Endpoints>(R.endpoints);
    this.controller = new Controller(
      { name: 'endpoints', clock: ctx.clock, recorder: ctx.recorder('endpoint-controller'), workers: ctx.workers, log: ctx.log },
      (key) => this.sync(key),
    );
    const enqueue = (o: Service | Endpoints) => this.controller.enqueue(keyOf(o));
    this.services.addEventHandler({ add: enqueue, update: (_o, n) => enqueue(n), delete: enqueue });
    // Someone deleting or editing a managed Endpoints object gets it put back.
    this.endpoints.addEventHandler({ update: (_o, n) => enqueue(n), delete: enqueue });
    watchPodsForServices(this.pods, this.services, (k) => this.controller.enqueue(k));
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const svc = this.services.get(namespace, name);
    if (!svc) {
      // Upstream removes the Endpoints of a deleted Service.
      if (this.endpoints.get(namespace, name)) {
        await this.client.delete(R.endpoints, name, namespace).catch((e) => {
          if (!isNotFound(e)) throw e;
        });
      }
      return;
    }
    if (!serviceSelector(svc)) return;
    const pods = this.pods.list(namespace).filter((p) => selects(svc, p.metadata?.labels));
    const subsets = computeSubsets(svc, pods);
    const labels = desiredLabels(svc);
    const current = this.endpoints.get(namespace, name);
    if (current && JSON.stringify(current.subsets ?? []) === JSON.stringify(subsets) && JSON.stringify(current.metadata?.labels ?? {}) === JSON.stringify(labels)) {
      return;
    }
    const ep: Writable<Endpoints> = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace, labels, ...(current ? { resourceVersion: current.metadata?.resourceVersion, annotations: current.metadata?.annotations } : {}) },
      subsets,
    };
    if (current) await this.client.update(R.endpoints, ep);
    else await this.client.create(R.endpoints, ep);
  }
}
