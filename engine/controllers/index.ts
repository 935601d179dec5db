/**
 * The controller manager: builds every controller over one shared set of informers, starts the
 * informers, waits for their first list, then runs each controller's workers. The engine's composition
 * root calls startControllers(client, opts) and stop() on shutdown.
 */
import type { ApiClient } from '../api/client.ts';
import { realClock, type Clock } from './framework/clock.ts';
import type { ControllerContext } from './framework/context.ts';
import type { Controller } from './framework/controller.ts';
import { ApiEventRecorder, type EventRecorder } from './framework/events.ts';
import { InformerFactory, type Logger } from './framework/informer.ts';
import { DeploymentController } from './deployment/controller.ts';
import { GarbageCollector } from './garbagecollector/controller.ts';
import { NamespaceController } from './namespace/controller.ts';
import { ReplicaSetController } from './replicaset/controller.ts';
import { ServiceAccountController } from './serviceaccount/controller.ts';
import { JobController } from './job/controller.ts';
import { CronJobController } from './cronjob/controller.ts';
import { NodeLifecycleController } from './nodelifecycle/controller.ts';
import { EventTTLController } from './eventttl/controller.ts';
import { StatefulSetController } from './statefulset/controller.ts';
import { DaemonSetController } from './daemonset/controller.ts';
import { ResourceQuotaController } from './resourcequota/controller.ts';
import { HorizontalController, type MetricsSource } from './podautoscaler/controller.ts';

export type { MetricsSource, PodUsage, ContainerUsage } from './podautoscaler/metrics.ts';

export interface ControllersOptions {
  clock?: Clock;
  log?: Logger;
  /** Workers per controller (default 2). */
  workers?: number;
  /** Only these controllers (names as in CONTROLLERS); default all. */
  only?: string[];
  /** Heartbeat lapse before a node goes Unknown (default 40 s). */
  nodeMonitorGracePeriodMs?: number;
  /** Replaces the 300 s of the default not-ready/unreachable tolerations (e.g. 30 for a local cluster). */
  podEvictionTimeoutSeconds?: number;
  /** Event expiry (default 1 h). */
  eventTTLMs?: number;
  /** Pod usage for the HorizontalPodAutoscaler (container stats); without it HPAs report FailedGetResourceMetric. */
  metrics?: MetricsSource;
  /** HPA sync period (default 15 s). */
  hpaSyncPeriodMs?: number;
}

export interface RunningControllers {
  /** Resolves once every informer has listed and the workers run. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

interface Built {
  controller: Controller;
  /** Extra start/stop beyond the workers (periodic monitors). */
  start?(): void;
  stop?(): void;
}
type Factory = (ctx: ControllerContext, opts: ControllersOptions) => Built;

export const CONTROLLERS: Record<string, Factory> = {
  replicaset: (ctx) => new ReplicaSetController(ctx),
  deployment: (ctx) => new DeploymentController(ctx),
  garbagecollector: (ctx) => new GarbageCollector(ctx),
  namespace: (ctx) => new NamespaceController(ctx),
  serviceaccount: (ctx) => new ServiceAccountController(ctx),
  job: (ctx) => new JobController(ctx),
  cronjob: (ctx) => new CronJobController(ctx),
  statefulset: (ctx) => new StatefulSetController(ctx),
  daemonset: (ctx) => new DaemonSetController(ctx),
  resourcequota: (ctx) => new ResourceQuotaController(ctx),
  horizontalpodautoscaling: (ctx, o) => new HorizontalController(ctx, { metrics: o.metrics, syncPeriodMs: o.hpaSyncPeriodMs }),
  nodelifecycle: (ctx, o) => {
    const c = new NodeLifecycleController(ctx, { nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs, podEvictionTimeoutSeconds: o.podEvictionTimeoutSeconds });
    return { controller: c.controller, start: () => c.startMonitor(), stop: () => c.stopMonitor() };
  },
  eventttl: (ctx, o) => new EventTTLController(ctx, o.eventTTLMs),
};

export function startControllers(client: ApiClient, opts: ControllersOptions = {}): RunningControllers {
  const clock = opts.clock ?? realClock;
  const informers = new InformerFactory(client, { clock, log: opts.log });
  const recorders: ApiEventRecorder[] = [];
  const ctx: ControllerContext = {
    client,
    informers,
    clock,
    log: opts.log,
    workers: opts.workers,
    recorder(component: string): EventRecorder {
      const r = new ApiEventRecorder(client, component, clock, { log: opts.log });
      recorders.push(r);
      return r;
    },
  };
  const names = opts.only ?? Object.keys(CONTROLLERS);
  const built = names.map((n) => {
    const f = CONTROLLERS[n];
    if (!f) throw new Error(`unknown controller "${n}"; known: ${Object.keys(CONTROLLERS).join(', ')}`);
    return f(ctx, opts);
  });
  const controllers = built.map((b) => b.controller);
  let stopped = false;
  informers.start();
  const ready = informers.waitForSync().then(() => {
    if (stopped) return;
    for (const b of built) {
      b.controller.run();
      b.start?.();
    }
  });
  return {
    ready,
    async stop() {
      stopped = true;
      for (const b of built) b.stop?.();
      await Promise.all(controllers.map((c) => c.stop()));
      await informers.stop();
      await Promise.all(recorders.map((r) => r.flush()));
    },
  };
}
