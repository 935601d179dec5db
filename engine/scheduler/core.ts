/**
 * One scheduling decision, pure: filter the nodes a pod can run on, score them, pick the best — or explain,
 * in upstream's exact words, why none fits (framework.FitError). Filters run in upstream's default-profile
 * order and a node is rejected by the first one that fails, so the reasons histogram matches kube-scheduler.
 */
import type { Node, Pod, PodAffinityTerm, Taint } from 'kubernetes-types/core/v1';
import { fromLabelSelector, matches } from '../api/labels.ts';
import type { ClusterState} from './cache.ts';
import { type NodeState, hostPorts, ownerKey, podKey, portsConflict } from './cache.ts';
import { matchNodeSelectorTerm, podMatchesNodeSelectorAndAffinity, tolerates, untoleratedTaint } from './match.ts';
import { podRequests } from './quantity.ts';

export type ScoringStrategy = 'LeastAllocated' | 'MostAllocated';

export interface ScheduleOptions {
  scoring?: ScoringStrategy;
}

/** Whether preemption could in principle help on a node that failed for this reason (upstream: Unschedulable vs UnschedulableAndUnresolvable). */
interface Rejection {
  reasons: string[];
  resolvable: boolean;
}

export type ScheduleResult =
  | { ok: true; node: string; feasible: number; scores: Map<string, number> }
  | { ok: false; message: string; reasons: Map<string, number> };

export const REASON = {
  unschedulable: 'node(s) were unschedulable',
  nodeAffinity: "node(s) didn't match Pod's node affinity/selector",
  ports: "node(s) didn't have free ports for the requested pod ports",
  tooManyPods: 'Too many pods',
  insufficient: (r: string) => `Insufficient ${r}`,
  taint: (t: Taint) => `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`,
  antiAffinity: "node(s) didn't match pod anti-affinity rules",
  existingAntiAffinity: "node(s) didn't satisfy existing pods anti-affinity rules",
  affinity: "node(s) didn't match pod affinity rules",
  spread: "node(s) didn't match pod topology spread constraints",
  spreadMissingLabel: "node(s) didn't match pod topology spread constraints (missing required label)",
} as const;

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

/** The namespaces a term applies to, relative to the pod that carries it; undefined = all namespaces. */
function termNamespaces(term: PodAffinityTerm, owner: Pod): Set<string> | undefined {
  if (term.namespaces?.length) return new Set(term.namespaces);
  // An empty namespaceSelector ({}) selects every namespace. Non-empty selectors would need namespace
  // labels; they are treated as "the pod's namespace", the conservative reading.
  if (term.namespaceSelector && !term.namespaceSelector.matchLabels && !term.namespaceSelector.matchExpressions) return undefined;
  return new Set([owner.metadata?.namespace ?? 'default']);
}

function termMatchesPod(term: PodAffinityTerm, owner: Pod, other: Pod): boolean {
  const ns = termNamespaces(term, owner);
  if (ns && !ns.has(other.metadata?.namespace ?? 'default')) return false;
  return matches(fromLabelSelector(term.labelSelector), other.metadata?.labels);
}

const topologyValue = (node: Node | undefined, key: string): string | undefined => node?.metadata?.labels?.[key];

interface SpreadPlan {
  key: string;
  maxSkew: number;
  hard: boolean;
  /** Matching pods per domain value, over the domains the pod may use. */
  counts: Map<string, number>;
  min: number;
  selfMatch: number;
}

/**
 * topologySpreadConstraints as upstream's PodTopologySpread: domains are the values of topologyKey on the
 * nodes the pod's nodeSelector/affinity allows (nodeAffinityPolicy Honor); counted pods are those in the
 * pod's namespace matching labelSelector (plus matchLabelKeys from the pod's own labels).
 */
function planSpread(pod: Pod, state: ClusterState): SpreadPlan[] {
  const out: SpreadPlan[] = [];
  for (const c of pod.spec?.topologySpreadConstraints ?? []) {
    const sel = fromLabelSelector(c.labelSelector);
    for (const k of c.matchLabelKeys ?? []) {
      const v = pod.metadata?.labels?.[k];
      if (v !== undefined && sel) sel.push({ key: k, op: 'In', values: [v] });
    }
    const counts = new Map<string, number>();
    for (const st of state.nodes.values()) {
      const v = st.node.metadata?.labels?.[c.topologyKey];
      if (v === undefined || !podMatchesNodeSelectorAndAffinity(pod, st.node)) continue;
      if (!counts.has(v)) counts.set(v, 0);
    }
    const ns = pod.metadata?.namespace ?? 'default';
    const self = podKey(pod);
    for (const { node, pod: other } of state.boundPods()) {
      if (podKey(other) === self || (other.metadata?.namespace ?? 'default') !== ns || other.metadata?.deletionTimestamp) continue;
      const v = state.nodes.get(node)?.node.metadata?.labels?.[c.topologyKey];
      if (v === undefined || !counts.has(v) || !matches(sel, other.metadata?.labels)) continue;
      counts.set(v, counts.get(v)! + 1);
    }
    let min = Infinity;
    for (const n of counts.values()) min = Math.min(min, n);
    out.push({
      key: c.topologyKey, maxSkew: c.maxSkew, hard: (c.whenUnsatisfiable ?? 'DoNotSchedule') === 'DoNotSchedule',
      counts, min: Number.isFinite(min) ? min : 0, selfMatch: matches(sel, pod.metadata?.labels) ? 1 : 0,
    });
  }
  return out;
}

interface AffinityPlan {
  /** "key\0value" pairs where an incoming pod's anti-affinity term finds a matching pod. */
  antiTopologies: Set<string>;
  /** "key\0value" pairs occupied by existing pods whose anti-affinity term matches the incoming pod. */
  existingAntiTopologies: Set<string>;
  /** Per required affinity term: the topology pairs holding a matching pod, or undefined when the term is waived. */
  affinity: { key: string; pairs: Set<string> }[];
}

function planAffinity(pod: Pod, state: ClusterState): AffinityPlan {
  const plan: AffinityPlan = { antiTopologies: new Set(), existingAntiTopologies: new Set(), affinity: [] };
  const self = podKey(pod);
  const anti = pod.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  const aff = pod.spec?.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  if (anti.length || aff.length) {
    const affPairs = aff.map(() => new Set<string>());
    for (const { node, pod: other } of state.boundPods()) {
      if (podKey(other) === self) continue;
      const n = state.nodes.get(node)?.node;
      for (const term of anti) {
        const v = topologyValue(n, term.topologyKey);
        if (v !== undefined && termMatchesPod(term, pod, other)) plan.antiTopologies.add(`${term.topologyKey}\0${v}`);
      }
      aff.forEach((term, i) => {
        const v = topologyValue(n, term.topologyKey);
        if (v !== undefined && termMatchesPod(term, pod, other)) affPairs[i]!.add(`${term.topologyKey}\0${v}`);
      });
    }
    aff.forEach((term, i) => {
      // Upstream: when no pod anywhere matches a term and the pod matches its own term, the term is
      // waived, so the first pod of a group that wants to be together can schedule.
      if (affPairs[i]!.size === 0 && termMatchesPod(term, pod, pod)) return;
      plan.affinity.push({ key: term.topologyKey, pairs: affPairs[i]! });
    });
  }
  for (const key of state.affinityPods) {
    if (key === self) continue;
    const other = state.getPod(key);
    const n = state.nodes.get(state.nodeOf(key) ?? '')?.node;
    if (!other) continue;
    for (const term of other.spec?.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      const v = topologyValue(n, term.topologyKey);
      if (v !== undefined && termMatchesPod(term, other, pod)) plan.existingAntiTopologies.add(`${term.topologyKey}\0${v}`);
    }
  }
  return plan;
}

function hasPair(set: Set<string>, node: Node): boolean {
  if (set.size === 0) return false;
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) if (set.has(`${k}\0${v}`)) return true;
  return false;
}

/** Upstream's filter plugins in default order; undefined = the node fits. */
function filter(pod: Pod, st: NodeState, req: { milliCpu: number; memory: number }, plan: AffinityPlan, spread: SpreadPlan[]): Rejection | undefined {
  const node = st.node;
  const tolerations = pod.spec?.tolerations ?? [];
  if (node.spec?.unschedulable && !tolerations.some((t) => tolerates(t, UNSCHEDULABLE_TAINT))) {
    return { reasons: [REASON.unschedulable], resolvable: false };
  }
  const taint = untoleratedTaint(node.spec?.taints ?? [], tolerations, ['NoSchedule', 'NoExecute']);
  if (taint) return { reasons: [REASON.taint(taint)], resolvable: false };
  if (!podMatchesNodeSelectorAndAffinity(pod, node)) return { reasons: [REASON.nodeAffinity], resolvable: false };
  const wanted = hostPorts(pod);
  if (wanted.some((w) => st.ports.some((p) => portsConflict(w, p)))) return { reasons: [REASON.ports], resolvable: true };
  const reasons: string[] = [];
  if (st.requested.pods + 1 > st.allocatable.pods) reasons.push(REASON.tooManyPods);
  if (req.milliCpu > 0 && st.requested.milliCpu + req.milliCpu > st.allocatable.milliCpu) reasons.push(REASON.insufficient('cpu'));
  if (req.memory > 0 && st.requested.memory + req.memory > st.allocatable.memory) reasons.push(REASON.insufficient('memory'));
  if (reasons.length) return { reasons, resolvable: true };
  for (const sp of spread) {
    if (!sp.hard) continue;
    const v = node.metadata?.labels?.[sp.key];
    if (v === undefined) return { reasons: [REASON.spreadMissingLabel], resolvable: false };
    if ((sp.counts.get(v) ?? 0) + sp.selfMatch - sp.min > sp.maxSkew) return { reasons: [REASON.spread], resolvable: true };
  }
  if (hasPair(plan.existingAntiTopologies, node)) return { reasons: [REASON.existingAntiAffinity], resolvable: true };
  if (hasPair(plan.antiTopologies, node)) return { reasons: [REASON.antiAffinity], resolvable: true };
  for (const term of plan.affinity) {
    const v = topologyValue(node, term.key);
    if (v === undefined || !term.pairs.has(`${term.key}\0${v}`)) return { reasons: [REASON.affinity], resolvable: false };
  }
  return undefined;
}

/** Normalizes raw scores to 0–100 (upstream DefaultNormalizeScore); reverse = fewer is better. */
function normalize(raw: Map<string, number>, reverse: boolean): Map<string, number> {
  let max = 0;
  for (const v of raw.values()) max = Math.max(max, v);
  const out = new Map<string, number>();
  for (const [k, v] of raw) {
    if (max === 0) out.set(k, reverse ? 100 : 0);
    else {
      const s = Math.floor((v * 100) / max);
      out.set(k, reverse ? 100 - s : s);
    }
  }
  return out;
}

/** Upstream default-profile weights. */
const WEIGHT = { fit: 1, balanced: 1, nodeAffinity: 2, taint: 3, spread: 2 };

function score(pod: Pod, feasible: NodeState[], scoring: ScoringStrategy, spreadPlan: SpreadPlan[]): Map<string, number> {
  const nz = podRequests(pod, true);
  const fit = new Map<string, number>();
  const balanced = new Map<string, number>();
  const affinity = new Map<string, number>();
  const taints = new Map<string, number>();
  const spread = new Map<string, number>();
  const preferred = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  const tolerations = (pod.spec?.tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
  const owner = ownerKey(pod);
  for (const st of feasible) {
    const fr = (req: number, alloc: number): number => {
      if (alloc <= 0) return 0;
      if (scoring === 'MostAllocated') return Math.floor((Math.min(req, alloc) * 100) / alloc);
      return req > alloc ? 0 : Math.floor(((alloc - req) * 100) / alloc);
    };
    const cpuReq = st.nonZero.milliCpu + nz.milliCpu;
    const memReq = st.nonZero.memory + nz.memory;
    fit.set(st.name, Math.floor((fr(cpuReq, st.allocatable.milliCpu) + fr(memReq, st.allocatable.memory)) / 2));
    const cf = st.allocatable.milliCpu > 0 ? Math.min(1, cpuReq / st.allocatable.milliCpu) : 1;
    const mf = st.allocatable.memory > 0 ? Math.min(1, memReq / st.allocatable.memory) : 1;
    balanced.set(st.name, Math.floor((1 - Math.abs(cf - mf) / 2) * 100));
    let w = 0;
    for (const p of preferred) if (p.weight && matchNodeSelectorTerm(p.preference, st.node)) w += p.weight;
    affinity.set(st.name, w);
    taints.set(st.name, (st.node.spec?.taints ?? []).filter((t) => t.effect === 'PreferNoSchedule' && !tolerations.some((tol) => tolerates(tol, t))).length);
    // Explicit constraints (ScheduleAnyway and DoNotSchedule alike) count their domains' matching pods;
    // without any, a workload's own pods per node (upstream's system-default spreading).
    let raw = 0;
    if (spreadPlan.length) for (const sp of spreadPlan) raw += sp.counts.get(st.node.metadata?.labels?.[sp.key] ?? '') ?? 0;
    else raw = owner ? st.owners.get(owner) ?? 0 : 0;
    spread.set(st.name, raw);
  }
  const nAff = normalize(affinity, false);
  const nTaint = normalize(taints, true);
  const nSpread = normalize(spread, true);
  const total = new Map<string, number>();
  for (const st of feasible) {
    total.set(st.name,
      WEIGHT.fit * fit.get(st.name)! + WEIGHT.balanced * balanced.get(st.name)! + WEIGHT.nodeAffinity * nAff.get(st.name)!
      + WEIGHT.taint * nTaint.get(st.name)! + WEIGHT.spread * nSpread.get(st.name)!);
  }
  return total;
}

function histogram(reasons: Map<string, number>): string {
  return [...reasons].map(([r, n]) => `${n} ${r}`).sort().join(', ');
}

/** Decides where a pod goes. Nodes are considered in name order, and ties go to the first, so results repeat. */
export function schedulePod(pod: Pod, state: ClusterState, opts: ScheduleOptions = {}): ScheduleResult {
  const nodes = [...state.nodes.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const req = podRequests(pod);
  const plan = planAffinity(pod, state);
  const spread = planSpread(pod, state);
  const feasible: NodeState[] = [];
  const reasons = new Map<string, number>();
  let unresolvable = 0;
  for (const st of nodes) {
    const rej = filter(pod, st, req, plan, spread);
    if (!rej) {
      feasible.push(st);
      continue;
    }
    if (!rej.resolvable) unresolvable++;
    for (const r of rej.reasons) reasons.set(r, (reasons.get(r) ?? 0) + 1);
  }
  if (feasible.length === 0) {
    const n = nodes.length;
    let message = `0/${n} nodes are available`;
    message += reasons.size ? `: ${histogram(reasons)}.` : '.';
    // No preemption here: every pod's priority is treated as equal, so preemption finds no victims, and
    // nodes rejected for unresolvable reasons (taints, selectors, cordons) are not worth preempting on.
    if (pod.spec?.preemptionPolicy === 'Never') message += ' preemption: not eligible due to preemptionPolicy=Never.';
    else if (n > 0) {
      const post = new Map<string, number>();
      if (unresolvable) post.set('Preemption is not helpful for scheduling', unresolvable);
      if (n - unresolvable) post.set('No preemption victims found for incoming pod', n - unresolvable);
      message += ` preemption: 0/${n} nodes are available: ${histogram(post)}.`;
    }
    return { ok: false, message, reasons };
  }
  const scores = score(pod, feasible, opts.scoring ?? 'LeastAllocated', spread);
  let best = feasible[0]!;
  for (const st of feasible) if (scores.get(st.name)! > scores.get(best.name)!) best = st;
  return { ok: true, node: best.name, feasible: feasible.length, scores };
}
