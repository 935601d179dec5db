/**
 * The built-in ingress controller (IngressClass `wheelhouse`, the cluster's default class): turns the
 * Ingresses of its class into the routing table of one agent container whose HTTP and HTTPS ports are
 * published on 127.0.0.1, and reports that address in each Ingress's status. Backends are Service
 * ClusterIP:port (the Service proxy then balances over ready pods); TLS certificates come from
 * `kubernetes.io/tls` Secrets. The container only exists while some Ingress needs it.
 * Secret material goes into the container's configuration only, never into logs or Events.
 */
import type { Secret, Service } from 'kubernetes-types/core/v1';
import type { Ingress, IngressBackend as K8sBackend, IngressClass } from 'kubernetes-types/networking/v1';
import { isAlreadyExists, type ApiClient, type Writable } from '../api/client.ts';
import { R } from '../api/resources.ts';
import { Controller } from '../controllers/framework/controller.ts';
import type { ControllerContext } from '../controllers/framework/context.ts';
import type { EventRecorder } from '../controllers/framework/events.ts';
import type { Informer } from '../controllers/framework/informer.ts';
import { infraName } from '../runtime/names.ts';
import type { AgentContainers } from './agent-containers.ts';
import type { IngressBackend, IngressConfig } from './agent/ingress.ts';

export const INGRESS_CLASS = 'wheelhouse';
export const INGRESS_CONTROLLER = 'wheelhouse.io/ingress-controller';
export const DEFAULT_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export interface Problem {
  ingress: Ingress;
  message: string;
}

/** Whether this controller serves the Ingress: its class is ours, or it has none and ours is the default. */
export function isOurs(ing: Ingress, classes: readonly IngressClass[]): boolean {
  const cls = ing.spec?.ingressClassName ?? ing.metadata?.annotations?.['kubernetes.io/ingress.class'];
  if (cls) return classes.some((c) => c.metadata?.name === cls && c.spec?.controller === INGRESS_CONTROLLER) || cls === INGRESS_CLASS;
  const defaults = classes.filter((c) => c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  return defaults.length === 0 || defaults.some((c) => c.spec?.controller === INGRESS_CONTROLLER);
}

export function buildIngressConfig(
  ingresses: readonly Ingress[],
  services: (ns: string, name: string) => Service | undefined,
  secrets: (ns: string, name: string) => Secret | undefined,
): { config: IngressConfig; problems: Problem[] } {
  const config: IngressConfig = { rules: [], tls: [] };
  const problems: Problem[] = [];
  const sorted = [...ingresses].sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') || `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`));
  const resolve = (ing: Ingress, b: K8sBackend | undefined): IngressBackend | undefined => {
    const ns = ing.metadata!.namespace!;
    if (!b?.service) {
      if (b?.resource) problems.push({ ingress: ing, message: `resource backends (${b.resource.kind} ${b.resource.name}) are not supported` });
      return undefined;
    }
    const svc = services(ns, b.service.name);
    if (!svc) {
      problems.push({ ingress: ing, message: `service "${b.service.name}" not found` });
      return undefined;
    }
    const ip = svc.spec?.clusterIP;
    if (!ip || ip === 'None') {
      problems.push({ ingress: ing, message: `service "${b.service.name}" has no ClusterIP (headless or ExternalName)` });
      return undefined;
    }
    const want = b.service.port;
    const port = (svc.spec?.ports ?? []).find((p) => (want?.name ? p.name === want.name : p.port === want?.number));
    if (!port) {
      problems.push({ ingress: ing, message: `service "${b.service.name}" has no port ${want?.name ?? want?.number}` });
      return undefined;
    }
    return { host: ip, port: port.port };
  };
  for (const ing of sorted) {
    const ns = ing.metadata!.namespace!;
    if (ing.spec?.defaultBackend && !config.defaultBackend) {
      const b = resolve(ing, ing.spec.defaultBackend);
      if (b) config.defaultBackend = b;
    }
    for (const rule of ing.spec?.rules ?? []) {
      const paths = [];
      for (const p of rule.http?.paths ?? []) {
        const b = resolve(ing, p.backend);
        if (b) paths.push({ path: p.path || '/', pathType: p.pathType as 'Exact' | 'Prefix' | 'ImplementationSpecific', backend: b });
      }
      if (paths.length) config.rules.push({ ...(rule.host ? { host: rule.host.toLowerCase() } : {}), paths });
    }
    for (const t of ing.spec?.tls ?? []) {
      if (!t.secretName) continue;
      const s = secrets(ns, t.secretName);
      const crt = s?.data?.['tls.crt'];
      const key = s?.data?.['tls.key'];
      if (!crt || !key) {
        problems.push({ ingress: ing, message: `TLS secret "${t.secretName}" not found or has no tls.crt/tls.key` });
        continue;
      }
      config.tls.push({ hosts: t.hosts ?? [], cert: Buffer.from(crt, 'base64').toString('utf8'), key: Buffer.from(key, 'base64').toString('utf8') });
    }
  }
  return { config, problems };
}

export interface IngressControllerOptions {
  clusterName: string;
  network: string;
  image: string;
  hostIP: string;
  httpPort: number;
  httpsPort: number;
}

const ALL = 'all';

export class IngressController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly recorder: EventRecorder;
  private readonly ingresses: Informer<Ingress>;
  private readonly services: Informer<Service>;
  private readonly secrets: Informer<Secret>;
  private readonly classes: Informer<IngressClass>;
  private reported = new Set<string>();

  constructor(
    ctx: ControllerContext,
    private readonly agents: AgentContainers,
    private readonly opts: IngressControllerOptions,
  ) {
    this.client = ctx.client;
    this.recorder = ctx.recorder('ingress-controller');
    this.ingresses = ctx.informers.for<Ingress>(R.ingresses);
    this.services = ctx.informers.for<Service>(R.services);
    this.secrets = ctx.informers.for<Secret>(R.secrets);
    this.classes = ctx.informers.for<IngressClass>(R.ingressclasses);
    this.controller = new Controller(
      { name: 'ingress', clock: ctx.clock, recorder: this.recorder, workers: 1, log: ctx.log },
      () => this.sync(),
    );
    const enqueue = () => this.controller.enqueue(ALL);
    this.ingresses.addEventHandler({ add: enqueue, update: enqueue, delete: enqueue });
    this.services.addEventHandler({ add: enqueue, update: enqueue, delete: enqueue });
    this.classes.addEventHandler({ add: enqueue, update: enqueue, delete: enqueue });
    // Only TLS Secrets matter; other Secret churn does not rebuild the table.
    const tls = (s: Secret) => s.type === 'kubernetes.io/tls' && enqueue();
    this.secrets.addEventHandler({ add: tls, update: (_o, n) => tls(n), delete: tls });
    enqueue();
  }

  /** Creates the `wheelhouse` IngressClass (the default class) unless it exists. */
  async ensureClass(): Promise<void> {
    const cls: IngressClass = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'IngressClass',
      metadata: { name: INGRESS_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
      spec: { controller: INGRESS_CONTROLLER },
    };
    await this.client.create(R.ingressclasses, cls).catch((e) => {
      if (!isAlreadyExists(e)) throw e;
    });
  }

  get containerName(): string {
    return infraName(this.opts.clusterName, 'ingress');
  }

  async sync(): Promise<void> {
    const ours = this.ingresses.list().filter((i) => isOurs(i, this.classes.list()));
    if (ours.length === 0) {
      for (const c of await this.agents.list('ingress')) await this.agents.remove(c.id);
      return;
    }
    const { config, problems } = buildIngressConfig(ours, (ns, n) => this.services.get(ns, n), (ns, n) => this.secrets.get(ns, n));
    const seen = new Set<string>();
    for (const p of problems) {
      const key = `${p.ingress.metadata?.uid}:${p.message}`;
      seen.add(key);
      if (!this.reported.has(key)) this.recorder.event(p.ingress, 'Warning', 'BackendNotFound', p.message);
    }
    this.reported = seen;
    const { hostIP, httpPort, httpsPort } = this.opts;
    await this.agents.ensure(
      {
        name: this.containerName,
        component: 'ingress',
        image: this.opts.image,
        network: this.opts.network,
        ports: [
          { containerPort: 80, protocol: 'tcp', hostIP, hostPort: httpPort },
          { containerPort: 443, protocol: 'tcp', hostIP, hostPort: httpsPort },
        ],
        args: ['--http-port', '80', '--https-port', '443'],
      },
      config,
    );
    for (const ing of ours) {
      const cur = ing.status?.loadBalancer?.ingress ?? [];
      if (cur.length === 1 && cur[0]!.ip === hostIP) continue;
      const next = structuredClone(ing) as Writable<Ingress>;
      next.status = { loadBalancer: { ingress: [{ ip: hostIP, ports: [{ port: httpPort, protocol: 'TCP' }, { port: httpsPort, protocol: 'TCP' }] }] } };
      await this.client.updateStatus(R.ingresses, next);
    }
  }
}
