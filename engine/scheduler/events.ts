/**
 * Writes core/v1 Events the way upstream's recorders do: one Event per (object, reason, message, source),
 * later repeats bump `count` and `lastTimestamp` on the same Event instead of creating new ones. Recording
 * never throws: an Event that cannot be written is not worth failing the caller's work for.
 */
import { randomBytes } from 'node:crypto';
import type { Event, ObjectReference } from 'kubernetes-types/core/v1';
import type { ApiClient, KubeObject, Writable } from '../api/client.ts';
import { isNotFound } from '../api/client.ts';
import { R } from '../api/resources.ts';

export interface EventSource {
  component: string;
  host?: string;
}

export interface EventRecorder {
  /** Fire-and-forget; the returned promise settles when the write is done (tests await it). */
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): Promise<void>;
}

export function objectReference(obj: KubeObject): ObjectReference {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata?.name,
    namespace: obj.metadata?.namespace,
    uid: obj.metadata?.uid,
    resourceVersion: obj.metadata?.resourceVersion,
  };
}

export function createRecorder(client: ApiClient, source: EventSource, now: () => Date = () => new Date()): EventRecorder {
  const seen = new Map<string, { name: string; namespace: string; count: number }>();
  return {
    async event(obj, type, reason, message, fieldPath) {
      const ns = obj.metadata?.namespace ?? 'default';
      const key = `${obj.metadata?.uid}\0${fieldPath ?? ''}\0${reason}\0${message}\0${type}`;
      const ts = now().toISOString();
      const prev = seen.get(key);
      try {
        if (prev) {
          prev.count++;
          try {
            await client.patch(R.events, prev.name, prev.namespace, 'merge', { count: prev.count, lastTimestamp: ts });
            return;
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
        const name = `${obj.metadata?.name}.${(now().getTime() * 1e6 + Number.parseInt(randomBytes(3).toString('hex'), 16)).toString(16)}`;
        const ev: Writable<Event> = {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace: ns },
          involvedObject: fieldPath ? { ...objectReference(obj), fieldPath } : objectReference(obj),
          reason,
          message,
          type,
          source: source.host ? { component: source.component, host: source.host } : { component: source.component },
          reportingComponent: source.component,
          reportingInstance: source.host ?? '',
          firstTimestamp: ts,
          lastTimestamp: ts,
          count: 1,
        };
        await client.create(R.events, ev);
        if (seen.size > 4096) seen.delete(seen.keys().next().value!);
        seen.set(key, { name, namespace: ns, count: 1 });
      } catch {
        // Events are best effort (upstream drops them under pressure too).
      }
    },
  };
}
