/** Events view: warnings first, then newest first; optionally only those about one object. */
import type { Event } from 'kubernetes-types/core/v1';
import type { ViewInput } from './viewInput.ts';
import { age } from './objects.ts';
import { contextValue, healthIcon, md, type TreeNodeModel } from './tree.ts';

export function eventTime(e: Event): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  const n = t ? Date.parse(String(t)) : NaN;
  return Number.isNaN(n) ? 0 : n;
}

/** "Kind/name", "name" or "namespace/name" against the involved object. Case-insensitive substring on the name. */
export function eventMatches(e: Event, filter: string | undefined): boolean {
  if (!filter) return true;
  const f = filter.toLowerCase();
  const o = e.involvedObject;
  const candidates = [`${o.kind}/${o.name}`, `${o.namespace}/${o.name}`, o.name ?? '', `${o.namespace}/${o.kind}/${o.name}`];
  return candidates.some((c) => c.toLowerCase().includes(f));
}

export function sortEvents(events: Event[]): Event[] {
  return events.sort((a, b) => {
    const wa = a.type === 'Warning' ? 0 : 1;
    const wb = b.type === 'Warning' ? 0 : 1;
    return wa - wb || eventTime(b) - eventTime(a);
  });
}

export const maxEvents = 500;

export function eventRoots(input: ViewInput): TreeNodeModel[] {
  const events = input.store.list<Event>('Event')
    .filter((e) => input.namespace === undefined || e.metadata?.namespace === input.namespace)
    .filter((e) => eventMatches(e, input.eventFilter));
  return sortEvents(events).slice(0, maxEvents).map((e) => {
    const o = e.involvedObject;
    const warn = e.type === 'Warning';
    const count = e.count && e.count > 1 ? ` ×${e.count}` : '';
    return {
      id: `${input.cluster}/ev:${e.metadata?.namespace}/${e.metadata?.name}`,
      label: `${e.reason ?? ''}: ${o.kind}/${o.name}`,
      description: `${age(new Date(eventTime(e)).toISOString(), input.now)}${count} · ${e.message ?? ''}`,
      tooltip: `**${md(e.type ?? 'Normal')} ${md(e.reason ?? '')}** on ${md(`${o.kind}/${o.namespace ? o.namespace + '/' : ''}${o.name}`)}\n\n${md(e.message ?? '')}\n\nFrom ${md(e.source?.component ?? e.reportingComponent ?? '')}${count}`,
      icon: healthIcon(warn ? 'warning' : 'ok'),
      contextValue: contextValue('Event'),
      ref: o.kind && o.name ? { apiVersion: o.apiVersion ?? 'v1', kind: o.kind, namespace: o.namespace ?? '', name: o.name } : undefined,
      cluster: input.cluster,
    };
  });
}
