/**
 * Runs a reconcile function over a work queue with N workers, with the error policy of
 * ARCHITECTURE.md "Reconcile loop shape":
 * - success → forget the key's backoff (or requeue after `requeueAfterMs` when asked);
 * - 409 Conflict → requeue (rate-limited, not logged: the cache was stale, the next pass sees the new state);
 * - 404 NotFound → stop: the object is gone, its delete handler cleans up;
 * - InvalidSpecError → a Warning Event on the object and no retry until the object changes;
 * - 403 with cause NamespaceTerminating → stop quietly: the namespace controller is emptying it;
 * - anything else → logged and requeued with per-key exponential backoff.
 */
import { ApiError, isConflict, isNotFound, type KubeObject } from '../../api/client.ts';
import type { Clock } from './clock.ts';
import type { EventRecorder } from './events.ts';
import type { Logger } from './informer.ts';
import { WorkQueue, type RateLimiterOptions } from './workqueue.ts';

export interface ReconcileResult {
  /** Reconcile this key again after this long (deadlines, minReadySeconds, schedules). */
  requeueAfterMs?: number;
}

/** A spec the controller cannot act on; retrying will not help until the user changes it. */
export class InvalidSpecError extends Error {
  constructor(
    readonly object: KubeObject,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidSpecError';
  }
}

/** Creating in a namespace being deleted (upstream's NamespaceTerminatingCause). */
export function isNamespaceTerminating(err: unknown): boolean {
  return err instanceof ApiError && err.code === 403 && !!err.status.details?.causes?.some((c) => c.reason === 'NamespaceTerminating');
}

export type Reconcile = (key: string) => Promise<ReconcileResult | void>;

export interface ControllerOptions {
  name: string;
  clock: Clock;
  recorder: EventRecorder;
  workers?: number;
  log?: Logger;
  rateLimiter?: RateLimiterOptions;
}

export class Controller {
  readonly queue: WorkQueue;
  private running: Promise<void>[] = [];

  constructor(
    private readonly opts: ControllerOptions,
    private readonly reconcile: Reconcile,
  ) {
    this.queue = new WorkQueue(opts.clock, opts.rateLimiter);
  }

  get name(): string {
    return this.opts.name;
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(key: string, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  run(): void {
    const n = this.opts.workers ?? 2;
    for (let i = 0; i < n; i++) this.running.push(this.worker());
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.all(this.running);
    this.running = [];
  }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.processKey(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** One pass over a key, applying the error policy. Exposed so tests can drive a controller step by step. */
  async processKey(key: string): Promise<void> {
    try {
      const res = await this.reconcile(key);
      this.queue.forget(key);
      if (res?.requeueAfterMs !== undefined) this.queue.addAfter(key, res.requeueAfterMs);
    } catch (err) {
      if (this.queue.isShuttingDown()) return;
      if (err instanceof InvalidSpecError) {
        this.opts.recorder.event(err.object, 'Warning', err.reason, err.message);
        this.queue.forget(key);
      } else if (isNotFound(err) || isNamespaceTerminating(err)) {
        this.queue.forget(key);
      } else if (isConflict(err)) {
        this.queue.addRateLimited(key);
      } else {
        this.opts.log?.('error', `${this.opts.name}: error syncing "${key}": ${(err as Error)?.stack ?? err}`);
        this.queue.addRateLimited(key);
      }
    }
  }

  /** Processes queued keys until the queue is empty (tests). */
  async drain(maxRounds = 1000): Promise<number> {
    let n = 0;
    for (let key = this.queue.tryGet(); key !== undefined && n < maxRounds; key = this.queue.tryGet(), n++) {
      try {
        await this.processKey(key);
      } finally {
        this.queue.done(key);
      }
    }
    return n;
  }
}
