/** A pod as a tree row; shared by the Nodes and Workloads views. */
import type { Pod } from 'kubernetes-types/core/v1';
import { summarizePod } from './podStatus.ts';
import { contextValue, healthIcon, md, type TreeNodeModel } from './tree.ts';
import { refOf, age } from './objects.ts';
import { tryQuantity, formatCpu, formatBytes } from './quantity.ts';

export function podRow(cluster: string, pod: Pod, now: number, parentId: string, showNode = true): TreeNodeModel {
  const s = summarizePod(pod);
  const name = pod.metadata?.name ?? '';
  const ns = pod.metadata?.namespace ?? '';
  const desc = [`${s.ready}/${s.total}`, s.status];
  if (s.restarts) desc.push(`↻${s.restarts}`);
  if (showNode && s.node) desc.push(`on ${s.node}`);
  const req = podRequests(pod);
  const lines = [
    `**Pod** ${md(ns)}/${md(name)}`,
    '',
    `Status: **${md(s.status)}** · Ready ${s.ready}/${s.total} · Restarts ${s.restarts} · Age ${age(pod.metadata?.creationTimestamp, now)}`,
    `Node: ${md(s.node ?? 'not scheduled')} · IP: ${md(pod.status?.podIP ?? '—')}`,
    `Requests: cpu ${formatCpu(req.cpu)}, memory ${formatBytes(req.memory)}`,
  ];
  if (s.reason) lines.push('', md(s.reason));
  return {
    id: `${parentId}/pod:${ns}/${name}`,
    label: name,
    description: desc.join(' · '),
    tooltip: lines.join('\n\n'),
    icon: healthIcon(s.health),
    contextValue: contextValue('Pod', 'logs', 'exec', pod.spec?.nodeName ? 'scheduled' : 'unscheduled'),
    ref: refOf(pod, 'Pod', 'v1'),
    cluster,
  };
}

/** Sum of the containers' requests (init containers: the max, as the scheduler counts them). */
export function podRequests(pod: Pod): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const c of pod.spec?.containers ?? []) {
    cpu += tryQuantity(c.resources?.requests?.cpu) ?? 0;
    memory += tryQuantity(c.resources?.requests?.memory) ?? 0;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    cpu = Math.max(cpu, tryQuantity(c.resources?.requests?.cpu) ?? 0);
    memory = Math.max(memory, tryQuantity(c.resources?.requests?.memory) ?? 0);
  }
  return { cpu, memory };
}

/** Pods that hold node resources: not Succeeded/Failed. */
export function isActivePod(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}
