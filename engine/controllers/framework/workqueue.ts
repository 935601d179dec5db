/**
 * A rate-limited work queue with client-go's semantics (util/workqueue):
 * - a key is queued at most once (dirty set) and is never handed to two workers at once (processing set):
 *   a key added while it is being processed is queued again when the worker calls done();
 * - addAfter() delays, keeping the earliest pending time per key;
 * - addRateLimited() delays by a per-key exponential backoff (base · 2^failures, capped) until forget().
 */
import type { Clock } from './clock.ts';

export interface RateLimiterOptions {
  /** First retry delay (client-go: 5 ms). */
  baseDelayMs?: number;
  /** Cap (client-go: 1000 s). */
  maxDelayMs?: number;
}

export class ItemExponentialFailureRateLimiter {
  private readonly failures = new Map<string, number>();
  private readonly base: number;
  private readonly max: number;

  constructor(opts: RateLimiterOptions = {}) {
    this.base = opts.baseDelayMs ?? 5;
    this.max = opts.maxDelayMs ?? 1000_000;
  }

  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.max, this.base * 2 ** n);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }
}

export class WorkQueue {
  private queue: string[] = [];
  private readonly dirty = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly waiting = new Map<string, { due: number; cancel: () => void }>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private shuttingDown = false;
  readonly limiter: ItemExponentialFailureRateLimiter;

  constructor(private readonly clock: Clock, limiter?: RateLimiterOptions) {
    this.limiter = new ItemExponentialFailureRateLimiter(limiter);
  }

  get length(): number {
    return this.queue.length;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    const w = this.waiters.shift();
    if (w) {
      this.dirty.delete(key);
      this.processing.add(key);
      w(key);
    } else this.queue.push(key);
  }

  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const due = this.clock.now() + ms;
    const cur = this.waiting.get(key);
    if (cur && cur.due <= due) return;
    cur?.cancel();
    const cancel = this.clock.after(ms, () => {
      this.waiting.delete(key);
      this.add(key);
    });
    this.waiting.set(key, { due, cancel });
  }

  addRateLimited(key: string): void {
    this.addAfter(key, this.limiter.when(key));
  }

  forget(key: string): void {
    this.limiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.limiter.numRequeues(key);
  }

  /** Next key to work on; undefined once shut down. The caller must call done(key) afterwards. */
  get(): Promise<string | undefined> {
    const key = this.queue.shift();
    if (key !== undefined) {
      this.dirty.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Takes the next key without waiting (tests and drain loops). */
  tryGet(): string | undefined {
    const key = this.queue.shift();
    if (key === undefined) return undefined;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }

  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.has(key) && !this.shuttingDown) {
      this.dirty.delete(key);
      this.add(key);
    }
  }

  shutDown(): void {
    this.shuttingDown = true;
    for (const w of this.waiting.values()) w.cancel();
    this.waiting.clear();
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w(undefined);
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }
}
