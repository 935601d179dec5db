/**
 * Workloads view: namespace → kind folder → Deployments → ReplicaSets (revision) → pods; StatefulSets,
 * DaemonSets, Jobs → pods; CronJobs → Jobs → pods; and bare pods (no controller).
 */
import type { Pod, Namespace } from 'kubernetes-types/core/v1';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import type { ViewInput } from './viewInput.ts';
import type { KObject } from './objects.ts';
import { controllerOf, refOf, age } from './objects.ts';
import { summarizeWorkload } from './workloadStatus.ts';
import { contextValue, healthIcon, md, worse, type Health, type TreeNodeModel } from './tree.ts';
import { podRow } from './podNodes.ts';
import { byName } from './relations.ts';

const folders: { kind: string; label: string; icon: string }[] = [
  { kind: 'Deployment', label: 'Deployments', icon: 'layers' },
  { kind: 'StatefulSet', label: 'StatefulSets', icon: 'database' },
  { kind: 'DaemonSet', label: 'DaemonSets', icon: 'server-process' },
  { kind: 'Job', label: 'Jobs', icon: 'run-all' },
  { kind: 'CronJob', label: 'CronJobs', icon: 'watch' },
  { kind: 'Pod', label: 'Pods (no controller)', icon: 'symbol-constructor' },
];

export const revisionAnnotation = 'deployment.kubernetes.io/revision';
export const changeCauseAnnotation = 'kubernetes.io/change-cause';

export function namespacesOf(input: ViewInput, kinds: readonly string[]): string[] {
  const names = new Set<string>();
  for (const ns of input.store.list<Namespace>('Namespace')) names.add(ns.metadata?.name ?? '');
  for (const k of kinds) for (const o of input.store.list(k)) names.add(o.metadata?.namespace ?? '');
  names.delete('');
  return [...names].sort();
}

export function workloadRoots(input: ViewInput): TreeNodeModel[] {
  const kinds = folders.map((f) => f.kind);
  if (input.namespace !== undefined) return namespaceChildren(input, input.namespace);
  return namespacesOf(input, kinds)
    .filter((ns) => kinds.some((k) => input.store.list(k, ns).some((o) => k !== 'Pod' || !controllerOf(o))))
    .map((ns) => ({
      id: `${input.cluster}/wl/ns:${ns}`,
      label: ns,
      icon: { id: 'symbol-namespace' },
      contextValue: contextValue('Namespace'),
      ref: { apiVersion: 'v1', kind: 'Namespace', namespace: '', name: ns },
      cluster: input.cluster,
      collapsed: ns !== 'default',
      children: () => namespaceChildren(input, ns),
    }));
}

function namespaceChildren(input: ViewInput, ns: string): TreeNodeModel[] {
  const out: TreeNodeModel[] = [];
  for (const f of folders) {
    let objs = input.store.list(f.kind, ns);
    if (f.kind === 'Pod') objs = objs.filter((p) => !controllerOf(p));
    if (f.kind === 'Job') objs = objs.filter((j) => controllerOf(j)?.kind !== 'CronJob');
    if (objs.length === 0) continue;
    const id = `${input.cluster}/wl/ns:${ns}/${f.kind}`;
    out.push({
      id,
      label: f.label,
      description: String(objs.length),
      icon: { id: f.icon },
      contextValue: contextValue('Folder', f.kind),
      cluster: input.cluster,
      collapsed: f.kind !== 'Deployment',
      children: () => objs.sort(byName).map((o) => f.kind === 'Pod'
        ? podRow(input.cluster, o as Pod, input.now, id)
        : workloadRow(input, f.kind, o, id)),
    });
  }
  return out;
}

export function workloadRow(input: ViewInput, kind: string, obj: KObject, parentId: string): TreeNodeModel {
  const s = summarizeWorkload(kind, obj);
  const name = obj.metadata?.name ?? '';
  const ns = obj.metadata?.namespace ?? '';
  const id = `${parentId}/${kind}:${name}`;
  const rollout = kind === 'Deployment' || kind === 'StatefulSet' || kind === 'DaemonSet';
  const paused = kind === 'Deployment' && (obj as { spec?: { paused?: boolean } }).spec?.paused;
  let health: Health = s.health;
  const children = (): TreeNodeModel[] => childrenOf(input, kind, obj, id);
  const tooltip = [`**${kind}** ${md(ns)}/${md(name)}`, `Ready: ${md(s.ready || '—')} · Age ${age(obj.metadata?.creationTimestamp, input.now)}`];
  if (kind === 'ReplicaSet') {
    const rev = obj.metadata?.annotations?.[revisionAnnotation];
    const cause = obj.metadata?.annotations?.[changeCauseAnnotation];
    tooltip.push(`Revision ${md(rev ?? '?')}${cause ? ` — ${md(cause)}` : ''}`);
    const want = (obj as ReplicaSet).spec?.replicas ?? 0;
    if (want === 0) health = 'idle';
  }
  if (s.detail) tooltip.push(md(s.detail));
  if (paused) tooltip.push('The rollout is paused: template changes wait until it is resumed.');
  const desc = [s.ready, s.detail].filter(Boolean);
  const label = kind === 'ReplicaSet' ? `${name}` : name;
  if (kind === 'ReplicaSet') desc.unshift(`rev ${obj.metadata?.annotations?.[revisionAnnotation] ?? '?'}`);
  return {
    id,
    label,
    description: desc.join(' · '),
    tooltip: tooltip.join('\n\n'),
    icon: healthIcon(health),
    contextValue: contextValue(kind, rollout && 'rollout', (kind === 'Deployment' || kind === 'StatefulSet' || kind === 'ReplicaSet') && 'scalable',
      kind === 'Deployment' && (paused ? 'paused' : 'running'), 'logs'),
    ref: refOf(obj, kind),
    cluster: input.cluster,
    collapsed: true,
    children,
  };
}

function childrenOf(input: ViewInput, kind: string, obj: KObject, id: string): TreeNodeModel[] {
  const uid = obj.metadata?.uid;
  if (kind === 'Deployment') {
    const sets = input.relations.owned<ReplicaSet>('ReplicaSet', uid)
      .sort((a, b) => revisionOf(b) - revisionOf(a));
    return sets.map((rs) => workloadRow(input, 'ReplicaSet', rs as KObject, id));
  }
  if (kind === 'CronJob') {
    return input.relations.owned('Job', uid).sort(byName).reverse().map((j) => workloadRow(input, 'Job', j, id));
  }
  return input.relations.owned<Pod>('Pod', uid).sort(byName).map((p) => podRow(input.cluster, p, input.now, id));
}

export function revisionOf(rs: KObject): number {
  return Number(rs.metadata?.annotations?.[revisionAnnotation] ?? 0) || 0;
}

/** Rolls pod health up (used by tests and the status bar). */
export function rollup(rows: readonly TreeNodeModel[]): Health {
  let h: Health = 'idle';
  for (const r of rows) {
    const id = r.icon?.id;
    const rh: Health = id === 'error' ? 'error' : id === 'warning' ? 'warning' : id === 'sync~spin' ? 'progressing' : id === 'pass-filled' ? 'ok' : 'idle';
    h = worse(h, rh);
  }
  return h;
}
