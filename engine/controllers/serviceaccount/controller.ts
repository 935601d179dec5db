/**
 * The ServiceAccounts controller (pkg/controller/serviceaccount): every active namespace has a
 * ServiceAccount named `default`; it is created when a namespace appears and re-created if deleted.
 */
import type { Namespace, ServiceAccount } from 'kubernetes-types/core/v1';
import type { ApiClient } from '../../api/client.ts';
import { isAlreadyExists } from '../../api/client.ts';
import { R } from '../../api/resources.ts';
import { Controller } from '../framework/controller.ts';
import type { ControllerContext } from '../framework/context.ts';
import type { Informer } from '../framework/informer.ts';

export const DefaultServiceAccountName = 'default';

export class ServiceAccountController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly nsInformer: Informer<Namespace>;
  private readonly saInformer: Informer<ServiceAccount>;

  constructor(ctx: ControllerContext) {
    this.client = ctx.client;
    this.nsInformer = ctx.informers.for<Namespace>(R.namespaces);
    this.saInformer = ctx.informers.for<ServiceAccount>(R.serviceaccounts);
    this.controller = new Controller(
      { name: 'serviceaccount', clock: ctx.clock, recorder: ctx.recorder('serviceaccount-controller'), workers: ctx.workers, log: ctx.log },
      (key) => this.sync(key),
    );
    this.nsInformer.addEventHandler({
      add: (ns) => this.controller.enqueue(ns.metadata!.name!),
      update: (_o, ns) => this.controller.enqueue(ns.metadata!.name!),
    });
    this.saInformer.addEventHandler({
      delete: (sa) => sa.metadata?.name === DefaultServiceAccountName && this.controller.enqueue(sa.metadata.namespace!),
    });
  }

  async sync(namespace: string): Promise<void> {
    const ns = this.nsInformer.get(undefined, namespace);
    if (!ns || ns.metadata?.deletionTimestamp || ns.status?.phase === 'Terminating') return;
    if (this.saInformer.get(namespace, DefaultServiceAccountName)) return;
    try {
      await this.client.create<ServiceAccount>(R.serviceaccounts, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: DefaultServiceAccountName, namespace },
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
}
