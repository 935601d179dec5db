/**
 * The HorizontalPodAutoscaler controller (autoscaling/v2, Resource metrics for cpu and memory): every sync
 * period it reads the target's replicas and selector, the pods' requests and their usage from a
 * MetricsSource, proposes a count per metric (replicas.ts), takes the largest, applies min/max and the
 * behavior (stabilization windows and rate policies), scales through the `scale` subresource and reports
 * status, conditions and SuccessfulRescale events in upstream's words.
 */
import type { Pod } from 'kubernetes-types/core/v1';
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, HorizontalPodAutoscalerStatus, HPAScalingRules, MetricStatus } from 'kubernetes-types/autoscaling/v2';
import type { ApiClient, KubeObject, Writable } from '../../api/client.ts';
import { fromLabelSelector } from '../../api/labels.ts';
import { apiVersionOf, R, type ResourceType } from '../../api/resources.ts';
import { formatQuantity, parseQuantity } from '../../admission/quantity.ts';
import { rfc3339 } from '../framework/clock.ts';
import { Controller, type ReconcileResult } from '../framework/controller.ts';
import type { ControllerContext } from '../framework/context.ts';
import type { EventRecorder } from '../framework/events.ts';
import { canonicalJSON } from '../framework/hash.ts';
import { keyOf, splitKey, type Informer } from '../framework/informer.ts';
import { isPodReady } from '../framework/pods.ts';
import type { MetricsSource } from './metrics.ts';
import { applyBehavior, calcReplicas, DefaultScaleDown, DefaultScaleUp, type PodSample, type Recommendation, type ScaleEvent, type ScalingRules } from './replicas.ts';

export type { MetricsSource } from './metrics.ts';

export interface HPAOptions {
  metrics?: MetricsSource;
  /** Upstream --horizontal-pod-autoscaler-sync-period: 15 s. */
  syncPeriodMs?: number;
}

type HPA = Writable<HorizontalPodAutoscaler>;

function rules(r: HPAScalingRules | undefined, d: ScalingRules): ScalingRules {
  if (!r) return d;
  return {
    stabilizationWindowSeconds: r.stabilizationWindowSeconds ?? d.stabilizationWindowSeconds,
    selectPolicy: (r.selectPolicy as ScalingRules['selectPolicy']) ?? 'Max',
    policies: r.policies?.length ? r.policies.map((p) => ({ type: p.type as 'Pods' | 'Percent', value: p.value, periodSeconds: p.periodSeconds })) : d.policies,
  };
}

export class HorizontalController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly hpas: Informer<HorizontalPodAutoscaler>;
  private readonly pods: Informer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleEvents = new Map<string, ScaleEvent[]>();
  private readonly period: number;

  constructor(private readonly ctx: ControllerContext, private readonly opts: HPAOptions = {}) {
    this.client = ctx.client;
    this.period = opts.syncPeriodMs ?? 15_000;
    this.recorder = ctx.recorder('horizontal-pod-autoscaler');
    this.hpas = ctx.informers.for<HorizontalPodAutoscaler>(R.horizontalpodautoscalers);
    this.pods = ctx.informers.for<Pod>(R.pods);
    this.controller = new Controller(
      { name: 'horizontalpodautoscaler', clock: ctx.clock, recorder: this.recorder, workers: ctx.workers, log: ctx.log },
      (key) => this.sync(key),
    );
    this.hpas.addEventHandler({
      add: (h) => this.controller.enqueue(keyOf(h)),
      update: (o, h) => o.metadata?.generation !== h.metadata?.generation && this.controller.enqueue(keyOf(h)),
      delete: (h) => {
        this.recommendations.delete(keyOf(h));
        this.scaleEvents.delete(keyOf(h));
      },
    });
  }

  private targetType(ref: { apiVersion?: string; kind: string }): ResourceType | undefined {
    return Object.values(R).find((t) => t.kind === ref.kind && (!ref.apiVersion || apiVersionOf(t) === ref.apiVersion));
  }

  async sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.hpas.get(namespace, name);
    if (!cached) return;
    const hpa = structuredClone(cached) as HPA;
    const now = this.ctx.clock.now();
    const conditions: HorizontalPodAutoscalerCondition[] = [...(hpa.status?.conditions ?? [])];
    const setCond = (type: string, status: 'True' | 'False', reason: string, message: string) => {
      const i = conditions.findIndex((c) => c.type === type);
      const old = i >= 0 ? conditions[i] : undefined;
      const c = { type, status, reason, message, lastTransitionTime: old?.status === status ? old.lastTransitionTime : rfc3339(now) };
      if (i >= 0) conditions[i] = c;
      else conditions.push(c);
    };
    const ref = hpa.spec!.scaleTargetRef;
    const type = this.targetType(ref);
    const requeue = { requeueAfterMs: this.period };
    if (!type) {
      setCond('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: no matches for kind "${ref.kind}" in group "${ref.apiVersion ?? ''}"`);
      this.recorder.event(hpa, 'Warning', 'FailedGetScale', `no matches for kind "${ref.kind}" in group "${ref.apiVersion ?? ''}"`);
      await this.writeStatus(hpa, { ...hpa.status, desiredReplicas: hpa.status?.desiredReplicas ?? 0, conditions });
      return requeue;
    }
    let target: KubeObject & { spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } } };
    try {
      target = await this.client.get(type, ref.name, namespace);
    } catch (err) {
      setCond('AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${(err as Error).message}`);
      this.recorder.event(hpa, 'Warning', 'FailedGetScale', (err as Error).message);
      await this.writeStatus(hpa, { ...hpa.status, desiredReplicas: hpa.status?.desiredReplicas ?? 0, conditions });
      return requeue;
    }
    const current = target.spec?.replicas ?? 1;
    const minR = hpa.spec?.minReplicas ?? 1;
    const maxR = hpa.spec!.maxReplicas;
    let selector;
    try {
      selector = fromLabelSelector(target.spec?.selector);
    } catch {
      selector = null;
    }
    const pods = selector ? this.pods.list(namespace, selector).filter((p) => !p.metadata?.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded') : [];
    const metricsSpecs = hpa.spec?.metrics?.length ? hpa.spec.metrics : [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];

    let desired = 0;
    let reason = '';
    const currentMetrics: MetricStatus[] = [];
    let metricError: string | undefined;
    if (current === 0 && minR > 0) {
      // Scaled to zero by hand: autoscaling is off, as upstream.
      setCond('ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero');
      await this.writeStatus(hpa, { ...hpa.status, currentReplicas: 0, desiredReplicas: 0, conditions });
      return requeue;
    }
    for (const m of metricsSpecs) {
      if (m.type !== 'Resource' || !m.resource) {
        metricError ??= `metric type ${m.type} is not supported yet (only Resource metrics)`;
        continue;
      }
      const res = m.resource.name;
      try {
        if (!this.opts.metrics) throw new Error(`unable to get metrics for resource ${res}: no metrics returned from resource metrics API`);
        const usage = await this.opts.metrics.podUsage(namespace!, pods.map((p) => p.metadata!.name!));
        const byPod = new Map(usage.map((u) => [u.name, u]));
        const samples: PodSample[] = pods.map((p) => {
          let request = 0;
          for (const c of p.spec?.containers ?? []) {
            const r = c.resources?.requests?.[res];
            if (r === undefined && m.resource!.target.type === 'Utilization') throw new Error(`failed to get ${res} utilization: missing request for ${res} in container ${c.name} of Pod ${p.metadata?.name}`);
            if (r !== undefined) request += res === 'cpu' ? parseQuantity(r).value * 1000 : parseQuantity(r).value;
          }
          const u = byPod.get(p.metadata!.name!);
          const used = u ? u.containers.reduce((n, c) => n + (res === 'cpu' ? c.cpuMilli : c.memoryBytes), 0) : undefined;
          return { name: p.metadata!.name!, ready: isPodReady(p), request, usage: used };
        });
        const t = m.resource.target;
        const avgTarget = t.averageValue !== undefined ? parseQuantity(t.averageValue).value * (res === 'cpu' ? 1000 : 1) : undefined;
        const proposal = calcReplicas(current, samples, t.type === 'Utilization' ? { utilization: t.averageUtilization ?? 80 } : { averageValue: avgTarget });
        currentMetrics.push({
          type: 'Resource',
          resource: {
            name: res,
            current: {
              averageUtilization: t.type === 'Utilization' ? proposal.utilization : undefined,
              averageValue: formatQuantity(res === 'cpu' ? Math.round(proposal.averageValue) / 1000 : Math.round(proposal.averageValue), res !== 'cpu'),
            },
          },
        });
        if (!reason || proposal.replicas > desired) {
          desired = proposal.replicas;
          reason = `${res} resource${t.type === 'Utilization' ? ' utilization (percentage of request)' : ''}`;
        }
      } catch (err) {
        metricError ??= (err as Error).message;
      }
    }
    if (!reason) {
      const msg = metricError ?? 'no metrics';
      setCond('ScalingActive', 'False', 'FailedGetResourceMetric', `the HPA was unable to compute the replica count: ${msg}`);
      this.recorder.event(hpa, 'Warning', 'FailedGetResourceMetric', msg);
      await this.writeStatus(hpa, { ...hpa.status, currentReplicas: current, desiredReplicas: hpa.status?.desiredReplicas ?? current, currentMetrics: currentMetrics.length ? currentMetrics : undefined, conditions });
      return requeue;
    }
    setCond('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${reason}`);

    // Behavior: remember this recommendation, stabilize, rate-limit, then bound.
    const hist = (this.recommendations.get(key) ?? []).filter((r) => r.at > now - 3600_000);
    const events = (this.scaleEvents.get(key) ?? []).filter((e) => e.at > now - 3600_000);
    const up = rules(hpa.spec?.behavior?.scaleUp, DefaultScaleUp);
    const down = rules(hpa.spec?.behavior?.scaleDown, DefaultScaleDown);
    const bounded = Math.min(maxR, Math.max(minR, desired));
    hist.push({ at: now, replicas: bounded });
    this.recommendations.set(key, hist);
    const { replicas: next, limitedBy } = applyBehavior(current, bounded, now, hist.slice(0, -1), events, up, down, minR, maxR);
    if (desired > maxR) setCond('ScalingLimited', 'True', 'TooManyReplicas', 'the desired replica count is more than the maximum replica count');
    else if (desired < minR) setCond('ScalingLimited', 'True', 'TooFewReplicas', 'the desired replica count is less than the minimum replica count');
    else if (limitedBy) setCond('ScalingLimited', 'True', limitedBy, `the desired replica count is ${limitedBy === 'ScaleUpLimit' ? 'increasing' : 'decreasing'} faster than the maximum scale rate`);
    else setCond('ScalingLimited', 'False', 'DesiredWithinRange', 'the desired count is within the acceptable range');

    const st: Writable<HorizontalPodAutoscalerStatus> = { ...hpa.status, observedGeneration: hpa.metadata?.generation, currentReplicas: current, desiredReplicas: next, currentMetrics, conditions };
    if (next !== current) {
      try {
        await this.client.patch(type, ref.name, namespace, 'merge', { spec: { replicas: next } }, { subresource: 'scale' });
      } catch (err) {
        setCond('AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${(err as Error).message}`);
        this.recorder.event(hpa, 'Warning', 'FailedRescale', `New size: ${next}; reason: ${reason}; error: ${(err as Error).message}`);
        await this.writeStatus(hpa, { ...st, conditions });
        return requeue;
      }
      events.push({ at: now, change: next - current });
      this.scaleEvents.set(key, events);
      const why = next > current ? `${reason} above target` : 'All metrics below target';
      this.recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${next}; reason: ${why}`);
      setCond('AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${next}`);
      st.lastScaleTime = rfc3339(now);
    } else {
      setCond('AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size');
    }
    st.conditions = conditions;
    await this.writeStatus(hpa, st);
    return requeue;
  }

  private async writeStatus(hpa: HPA, st: HorizontalPodAutoscalerStatus): Promise<void> {
    const clean = JSON.parse(JSON.stringify(st)) as HorizontalPodAutoscalerStatus;
    if (canonicalJSON(clean) === canonicalJSON(hpa.status ?? {})) return;
    hpa.status = clean;
    await this.client.updateStatus(R.horizontalpodautoscalers, hpa);
  }
}
