/**
 * Event recording as client-go's record package: core/v1 Events named `<object>.<hex nanoseconds>`,
 * correlated so a repeated event bumps `count` and `lastTimestamp` on the existing Event instead of
 * creating another (EventCorrelator), and similar events — same object, type and reason, differing only
 * in message — collapsed once more than 10 arrive within 10 minutes
 * ("(combined from similar events): …", EventAggregator).
 *
 * Writes are asynchronous and never fail the caller; `flush()` waits for those in flight.
 */
import type { ApiClient, KubeObject } from '../../api/client.ts';
import { R } from '../../api/resources.ts';
import type { Clock } from './clock.ts';
import { rfc3339 } from './clock.ts';
import type { Logger } from './informer.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  event(obj: KubeObject, type: EventType, reason: string, message: string): void;
}

const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_INTERVAL_MS = 600_000;
const CACHE_SIZE = 4096;

interface CachedEvent {
  name: string;
  namespace: string;
  count: number;
  firstTimestamp: string;
}

interface Aggregate {
  localKeys: Set<string>;
  lastSeen: number;
}

/** Records Events through the API, deduplicated as upstream. */
export class ApiEventRecorder implements EventRecorder {
  private readonly seen = new Map<string, CachedEvent>();
  private readonly aggregates = new Map<string, Aggregate>();
  private tail: Promise<void> = Promise.resolve();
  private lastNanos = 0n;

  constructor(
    private readonly client: ApiClient,
    private readonly component: string,
    private readonly clock: Clock,
    private readonly opts: { host?: string; log?: Logger } = {},
  ) {}

  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const m = obj.metadata ?? {};
    const involvedObject = {
      kind: obj.kind,
      namespace: m.namespace,
      name: m.name,
      uid: m.uid,
      apiVersion: obj.apiVersion,
      resourceVersion: m.resourceVersion,
    };
    const ns = m.namespace || 'default';
    const objKey = [this.component, this.opts.host ?? '', obj.kind, m.namespace ?? '', m.name, m.uid, obj.apiVersion, type, reason].join('\u0000');
    // Aggregation: the key without the message; more than 10 distinct messages within 10 min collapse.
    const now = this.clock.now();
    let agg = this.aggregates.get(objKey);
    if (!agg || now - agg.lastSeen > AGGREGATE_INTERVAL_MS) this.aggregates.set(objKey, (agg = { localKeys: new Set(), lastSeen: now }));
    agg.lastSeen = now;
    agg.localKeys.add(message);
    let key = `${objKey}\u0000${message}`;
    if (agg.localKeys.size >= AGGREGATE_MAX_EVENTS) {
      key = objKey;
      message = `(combined from similar events): ${message}`;
    }
    const ts = rfc3339(now);
    const prev = this.seen.get(key);
    this.seen.delete(key);
    if (prev) {
      prev.count++;
      this.seen.set(key, prev);
      const count = prev.count;
      this.enqueue(async () => {
        try {
          await this.client.patch(R.events, prev.name, prev.namespace, 'merge', { count, lastTimestamp: ts, message });
        } catch {
          // The Event expired (TTL) or was deleted: start over with a fresh one.
          const name = this.newName(involvedObject.name);
          this.seen.set(key, { name, namespace: ns, count: 1, firstTimestamp: ts });
          await this.create(key, name, ns, involvedObject, type, reason, message, ts);
        }
      });
    } else {
      const name = this.newName(involvedObject.name);
      this.seen.set(key, { name, namespace: ns, count: 1, firstTimestamp: ts });
      this.enqueue(() => this.create(key, name, ns, involvedObject, type, reason, message, ts));
    }
    if (this.seen.size > CACHE_SIZE) this.seen.delete(this.seen.keys().next().value!);
    if (this.aggregates.size > CACHE_SIZE) this.aggregates.delete(this.aggregates.keys().next().value!);
  }

  /** Unique, increasing names as upstream's `fmt.Sprintf("%v.%x", ref.Name, t.UnixNano())`. */
  private newName(objName: string | undefined): string {
    let nanos = BigInt(this.clock.now()) * 1_000_000n;
    if (nanos <= this.lastNanos) nanos = this.lastNanos + 1n;
    this.lastNanos = nanos;
    return `${objName}.${nanos.toString(16)}`;
  }

  private async create(
    key: string, name: string, ns: string, involvedObject: Record<string, string | undefined>, type: EventType, reason: string, message: string, ts: string,
  ): Promise<void> {
    const ev = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: ns },
      involvedObject: Object.fromEntries(Object.entries(involvedObject).filter(([, v]) => v !== undefined)),
      reason,
      message,
      source: this.opts.host ? { component: this.component, host: this.opts.host } : { component: this.component },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type,
      reportingComponent: this.component,
      reportingInstance: this.opts.host ?? '',
    };
    try {
      await this.client.create(R.events, ev);
    } catch (err) {
      if (this.seen.get(key)?.name === name) this.seen.delete(key);
      this.opts.log?.('warn', `event ${reason} for ${involvedObject.kind} ${involvedObject.name} not recorded: ${(err as Error).message}`);
    }
  }

  private enqueue(fn: () => Promise<void>): void {
    this.tail = this.tail.then(fn, fn);
  }

  /** Resolves when every event recorded so far has been written (or given up). */
  flush(): Promise<void> {
    return this.tail;
  }
}

/** Keeps events in memory as `"<type> <reason> <message>"` strings (client-go's FakeRecorder), for tests. */
export class MemoryRecorder implements EventRecorder {
  readonly events: string[] = [];
  readonly objects: KubeObject[] = [];
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    this.events.push(`${type} ${reason} ${message}`);
    this.objects.push(obj);
  }
}
