/**
 * Maps pod changes to the Services that select them, for the controllers that follow endpoints
 * (Endpoints, EndpointSlices): a pod event enqueues every Service in its namespace whose selector
 * matches its old or new labels.
 */
import type { Pod, Service } from 'kubernetes-types/core/v1';
import { keyOf, type Informer } from '../controllers/framework/informer.ts';

/** A Service's selector as a label map; undefined = the Service has no selector (endpoints are managed by hand). */
export function serviceSelector(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  return sel && Object.keys(sel).length > 0 ? sel : undefined;
}

export function selects(svc: Service, labels: Record<string, string> | undefined): boolean {
  const sel = serviceSelector(svc);
  if (!sel) return false;
  return Object.entries(sel).every(([k, v]) => labels?.[k] === v);
}

export function watchPodsForServices(
  pods: Informer<Pod>,
  services: Informer<Service>,
  enqueue: (key: string) => void,
): void {
  const forPod = (p: Pod, also?: Pod) => {
    for (const svc of services.list(p.metadata?.namespace)) {
      if (selects(svc, p.metadata?.labels) || (also && selects(svc, also.metadata?.labels))) enqueue(keyOf(svc));
    }
  };
  pods.addEventHandler({
    add: (p) => forPod(p),
    update: (o, p) => {
      // Only what the endpoints depend on: labels, IP, readiness, deletion, phase, ports/hostname.
      if (JSON.stringify([o.metadata?.labels, o.status?.podIP, o.status?.conditions, o.metadata?.deletionTimestamp, o.status?.phase, o.spec?.nodeName]) ===
        JSON.stringify([p.metadata?.labels, p.status?.podIP, p.status?.conditions, p.metadata?.deletionTimestamp, p.status?.phase, p.spec?.nodeName])) return;
      forPod(p, o);
    },
    delete: (p) => forPod(p),
  });
}
