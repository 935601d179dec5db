/**
 * Event expiry: upstream stores Events in etcd with a TTL (`--event-ttl`, 1 h). The engine's store has no
 * TTLs, so this loop deletes each Event once its last occurrence is older than the TTL.
 */
import type { Event } from 'kubernetes-types/core/v1';
import type { ApiClient } from '../../api/client.ts';
import { isNotFound } from '../../api/client.ts';
import { R } from '../../api/resources.ts';
import { parseTime } from '../framework/clock.ts';
import { Controller, type ReconcileResult } from '../framework/controller.ts';
import type { ControllerContext } from '../framework/context.ts';
import { keyOf, splitKey, type Informer } from '../framework/informer.ts';

export const DefaultEventTTLMs = 3600_000;

/** The last time an Event was seen: lastTimestamp, series, eventTime, firstTimestamp or creation. */
export function lastSeen(e: Event): number | undefined {
  return parseTime(e.lastTimestamp) ?? parseTime(e.series?.lastObservedTime) ?? parseTime(e.eventTime) ?? parseTime(e.firstTimestamp) ?? parseTime(e.metadata?.creationTimestamp);
}

export class EventTTLController {
  readonly controller: Controller;
  private readonly client: ApiClient;
  private readonly events: Informer<Event>;

  constructor(private readonly ctx: ControllerContext, private readonly ttlMs = DefaultEventTTLMs) {
    this.client = ctx.client;
    this.events = ctx.informers.for<Event>(R.events);
    this.controller = new Controller(
      { name: 'eventttl', clock: ctx.clock, recorder: ctx.recorder('event-ttl'), workers: 1, log: ctx.log },
      (key) => this.sync(key),
    );
    this.events.addEventHandler({
      add: (e) => this.controller.enqueue(keyOf(e)),
      update: (_o, e) => this.controller.enqueue(keyOf(e)),
    });
  }

  async sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const e = this.events.get(namespace, name);
    if (!e) return;
    const seen = lastSeen(e) ?? this.ctx.clock.now();
    const expires = seen + this.ttlMs;
    const now = this.ctx.clock.now();
    if (expires > now) return { requeueAfterMs: expires - now };
    try {
      await this.client.delete(R.events, name, namespace, { preconditions: { uid: e.metadata?.uid } });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
