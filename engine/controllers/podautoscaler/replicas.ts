/**
 * The HPA's replica arithmetic (pkg/controller/podautoscaler/replica_calculator.go) for Resource
 * metrics: utilization = Σusage·100/Σrequests over pods with samples; inside the 10 % tolerance nothing
 * changes; pods without samples count as 100 % when scaling down and 0 % when scaling up, unready pods as
 * 0 % when scaling up, and if that reverses the direction or lands inside the tolerance nothing changes.
 */
export const Tolerance = 0.1;

export interface PodSample {
  name: string;
  ready: boolean;
  /** Sum of container requests for the resource (base units: millicores or bytes). */
  request: number;
  /** Usage in the same units; undefined when there is no sample. */
  usage?: number;
}

export interface Proposal {
  replicas: number;
  /** Current average utilization in percent (of requests), over pods with samples. */
  utilization: number;
  averageValue: number;
}

/** For a target utilization (percent) or, with targetAverageValue, a raw per-pod average. */
export function calcReplicas(currentReplicas: number, pods: readonly PodSample[], target: { utilization?: number; averageValue?: number }): Proposal {
  const sampled = pods.filter((p) => p.usage !== undefined);
  const ready = sampled.filter((p) => p.ready);
  const missing = pods.filter((p) => p.usage === undefined);
  const unready = sampled.filter((p) => !p.ready);
  if (!sampled.length) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const ratioOf = (set: readonly { usage: number; request: number }[]): { ratio: number; util: number; avg: number } => {
    const usage = set.reduce((n, p) => n + p.usage, 0);
    const req = set.reduce((n, p) => n + p.request, 0);
    // Integer percent, as upstream's int32((metricsTotal * 100) / requestsTotal).
    const util = req > 0 ? Math.floor((usage * 100) / req) : 0;
    const avg = set.length ? usage / set.length : 0;
    const ratio = target.utilization !== undefined ? util / target.utilization : avg / target.averageValue!;
    return { ratio, util, avg };
  };
  const readySet = ready.map((p) => ({ usage: p.usage!, request: p.request }));
  const base = ratioOf(readySet.length ? readySet : sampled.map((p) => ({ usage: p.usage!, request: p.request })));
  const reported = ratioOf(sampled.map((p) => ({ usage: p.usage!, request: p.request })));
  const result = (replicas: number): Proposal => ({ replicas, utilization: Math.floor(reported.util), averageValue: reported.avg });
  const scaleUp = base.ratio > 1;
  if (!missing.length && !(scaleUp && unready.length)) {
    if (Math.abs(1 - base.ratio) <= Tolerance) return result(currentReplicas);
    return result(Math.ceil(base.ratio * readySet.length));
  }
  if (Math.abs(1 - base.ratio) <= Tolerance && !missing.length) return result(currentReplicas);
  // Rebalance with the missing and unready pods at their pessimistic values.
  const full = (p: PodSample) => (target.utilization !== undefined ? (p.request * target.utilization) / 100 : target.averageValue!);
  const set = [
    ...readySet,
    ...missing.map((p) => ({ usage: scaleUp ? 0 : full(p), request: p.request })),
    ...(scaleUp ? unready.map((p) => ({ usage: 0, request: p.request })) : unready.map((p) => ({ usage: p.usage!, request: p.request }))),
  ];
  const adj = ratioOf(set);
  if (Math.abs(1 - adj.ratio) <= Tolerance || (scaleUp && adj.ratio < 1) || (!scaleUp && adj.ratio > 1)) return result(currentReplicas);
  const proposed = Math.ceil(adj.ratio * set.length);
  if ((scaleUp && proposed < currentReplicas) || (!scaleUp && proposed > currentReplicas)) return result(currentReplicas);
  return result(proposed);
}

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: 'Max' | 'Min' | 'Disabled';
  policies: ScalingPolicy[];
}

/** autoscaling/v2 defaults: up 100 % or 4 pods per 15 s (max), no window; down 100 % per 15 s, 300 s window. */
export const DefaultScaleUp: ScalingRules = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] };
export const DefaultScaleDown: ScalingRules = { stabilizationWindowSeconds: 300, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };

export interface Recommendation {
  at: number;
  replicas: number;
}

export interface ScaleEvent {
  at: number;
  /** Positive for additions, negative for removals. */
  change: number;
}

/**
 * stabilizeRecommendationWithBehaviors + convertDesiredReplicasWithBehaviorRate: the stabilized desired
 * count (scale down only to the highest recommendation inside the down window, up only to the lowest
 * inside the up window) limited by the rate policies over the recent scale events.
 */
export function applyBehavior(
  current: number, desired: number, now: number, history: readonly Recommendation[], events: readonly ScaleEvent[],
  up: ScalingRules, down: ScalingRules, min: number, max: number,
): { replicas: number; limitedBy?: 'ScaleUpLimit' | 'ScaleDownLimit' } {
  let upRec = desired;
  let downRec = desired;
  for (const r of history) {
    if (r.at >= now - up.stabilizationWindowSeconds * 1000) upRec = Math.min(upRec, r.replicas);
    if (r.at >= now - down.stabilizationWindowSeconds * 1000) downRec = Math.max(downRec, r.replicas);
  }
  let stabilized = current;
  if (current < upRec) stabilized = upRec;
  if (current > downRec) stabilized = downRec;
  if (stabilized > current) {
    if (up.selectPolicy === 'Disabled') return { replicas: current, limitedBy: 'ScaleUpLimit' };
    const limits = up.policies.map((p) => {
      const added = events.filter((e) => e.change > 0 && e.at > now - p.periodSeconds * 1000).reduce((n, e) => n + e.change, 0);
      const base = current - added;
      return p.type === 'Pods' ? base + p.value : Math.ceil(base * (1 + p.value / 100));
    });
    const limit = Math.min(max, up.selectPolicy === 'Min' ? Math.min(...limits) : Math.max(...limits));
    return stabilized > limit ? { replicas: Math.max(limit, current), limitedBy: 'ScaleUpLimit' } : { replicas: stabilized };
  }
  if (stabilized < current) {
    if (down.selectPolicy === 'Disabled') return { replicas: current, limitedBy: 'ScaleDownLimit' };
    const limits = down.policies.map((p) => {
      const removed = events.filter((e) => e.change < 0 && e.at > now - p.periodSeconds * 1000).reduce((n, e) => n - e.change, 0);
      const base = current + removed;
      return p.type === 'Pods' ? base - p.value : Math.ceil(base * (1 - p.value / 100));
    });
    const limit = Math.max(min, down.selectPolicy === 'Min' ? Math.max(...limits) : Math.min(...limits));
    return stabilized < limit ? { replicas: Math.min(limit, current), limitedBy: 'ScaleDownLimit' } : { replicas: stabilized };
  }
  return { replicas: current };
}
