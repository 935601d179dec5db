/** Nodes view: node → its pods, with CPU/memory requests against allocatable (what the scheduler compares). */
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { ViewInput } from './viewInput.ts';
import { contextValue, healthIcon, md, type Health, type TreeNodeModel } from './tree.ts';
import { podRow, podRequests, isActivePod } from './podNodes.ts';
import { byName } from './relations.ts';
import { refOf } from './objects.ts';
import { tryQuantity, formatCpu, formatBytes, percent } from './quantity.ts';

/** The bundled engine's virtual-node power switch: a Node annotation its node agents watch (engine/nodes). */
export const powerAnnotation = 'wheelhouse.io/power';

export function nodePowered(node: Node): boolean {
  return node.metadata?.annotations?.[powerAnnotation] !== 'stopped';
}

export interface NodeUsage {
  cpuRequested: number;
  cpuAllocatable: number;
  memoryRequested: number;
  memoryAllocatable: number;
  pods: number;
  podsAllocatable: number;
}

export function nodeUsage(node: Node, pods: readonly Pod[]): NodeUsage {
  const active = pods.filter(isActivePod);
  let cpu = 0;
  let mem = 0;
  for (const p of active) {
    const r = podRequests(p);
    cpu += r.cpu;
    mem += r.memory;
  }
  const alloc = node.status?.allocatable ?? node.status?.capacity ?? {};
  return {
    cpuRequested: cpu,
    cpuAllocatable: tryQuantity(alloc.cpu) ?? 0,
    memoryRequested: mem,
    memoryAllocatable: tryQuantity(alloc.memory) ?? 0,
    pods: active.length,
    podsAllocatable: tryQuantity(alloc.pods) ?? 0,
  };
}

export function nodeHealth(node: Node): { health: Health; status: string; reason?: string } {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  const parts: string[] = [];
  let health: Health;
  if (ready?.status === 'True') { parts.push('Ready'); health = 'ok'; }
  else if (ready?.status === 'False') { parts.push('NotReady'); health = 'error'; }
  else { parts.push(ready ? 'Unknown' : 'NotReady'); health = ready ? 'warning' : 'unknown'; }
  if (node.spec?.unschedulable) { parts.push('SchedulingDisabled'); if (health === 'ok') health = 'warning'; }
  const pressure = node.status?.conditions?.filter((c) => c.type !== 'Ready' && c.status === 'True').map((c) => c.type) ?? [];
  if (pressure.length && health === 'ok') health = 'warning';
  parts.push(...pressure);
  const reason = ready?.status !== 'True' ? (ready?.message ?? 'The node has not reported Ready; its kubelet may be stopped.') : undefined;
  return { health, status: parts.join(','), reason };
}

export function nodeRoots(input: ViewInput): TreeNodeModel[] {
  const nodes = input.store.list<Node>('Node').sort(byName);
  const rows = nodes.map((n) => nodeRow(input, n));
  const unscheduled = input.store.list<Pod>('Pod').filter((p) => !p.spec?.nodeName && isActivePod(p) && inNs(input, p));
  if (unscheduled.length) {
    rows.push({
      id: `${input.cluster}/nodes/unscheduled`,
      label: 'Not scheduled',
      description: `${unscheduled.length} pending`,
      tooltip: 'Pods the scheduler has not placed on any node. Each pod\'s tooltip gives the scheduler\'s reason.',
      icon: healthIcon('warning'),
      contextValue: contextValue('Unscheduled'),
      cluster: input.cluster,
      collapsed: false,
      children: () => unscheduled.sort(byName).map((p) => podRow(input.cluster, p, input.now, `${input.cluster}/nodes/unscheduled`, false)),
    });
  }
  return rows;
}

function inNs(input: ViewInput, o: { metadata?: { namespace?: string } }): boolean {
  return input.namespace === undefined || o.metadata?.namespace === input.namespace;
}

function nodeRow(input: ViewInput, node: Node): TreeNodeModel {
  const name = node.metadata?.name ?? '';
  const pods = input.relations.podsOnNode(name);
  const u = nodeUsage(node, pods);
  const h = nodeHealth(node);
  const id = `${input.cluster}/node:${name}`;
  const roles = Object.keys(node.metadata?.labels ?? {})
    .filter((l) => l.startsWith('node-role.kubernetes.io/')).map((l) => l.slice('node-role.kubernetes.io/'.length));
  const tooltip = [
    `**Node** ${md(name)}${roles.length ? ` (${md(roles.join(', '))})` : ''}`,
    `Status: **${md(h.status)}**`,
    `CPU requests: ${formatCpu(u.cpuRequested)} of ${formatCpu(u.cpuAllocatable)} allocatable (${percent(u.cpuRequested, u.cpuAllocatable)}%)`,
    `Memory requests: ${formatBytes(u.memoryRequested)} of ${formatBytes(u.memoryAllocatable)} allocatable (${percent(u.memoryRequested, u.memoryAllocatable)}%)`,
    `Pods: ${u.pods} of ${u.podsAllocatable}`,
    'The scheduler places a pod only where its requests fit in what is left of allocatable.',
  ];
  if (h.reason) tooltip.push(md(h.reason));
  if (!nodePowered(node)) tooltip.push('Stopped from Wheelhouse: its kubelet is off, so after the grace period its pods are evicted and rescheduled on other nodes.');
  return {
    id,
    label: name,
    description: `${h.status} · cpu ${percent(u.cpuRequested, u.cpuAllocatable)}% · mem ${percent(u.memoryRequested, u.memoryAllocatable)}% · ${u.pods} pods`,
    tooltip: tooltip.join('\n\n'),
    icon: { id: 'server', color: healthIcon(h.health).color },
    contextValue: contextValue('Node', node.spec?.unschedulable ? 'cordoned' : 'schedulable', input.bundled && 'bundled',
      input.bundled && (nodePowered(node) ? 'started' : 'stopped')),
    ref: refOf(node, 'Node', 'v1'),
    cluster: input.cluster,
    collapsed: true,
    children: () => pods.filter((p) => inNs(input, p)).sort(byName).map((p) => podRow(input.cluster, p, input.now, id, false)),
  };
}
