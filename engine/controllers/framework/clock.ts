/**
 * Time for controllers, injectable so tests can step it (as k8s.io/utils/clock). Every delay a
 * controller takes — requeue-after, backoff, deadlines, cron schedules — goes through a Clock.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs fn after ms; the returned function cancels it (a no-op once it has run). */
  after(ms: number, fn: () => void): () => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, Math.max(0, ms));
    t.unref?.();
    return () => clearTimeout(t);
  },
};

interface FakeTimer {
  due: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that only moves when told. `step(ms)` fires due timers in due order, each seeing now() equal
 * to its due time, and lets promise callbacks run between them so async work started by a timer settles.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(start: number | Date = Date.UTC(2026, 0, 1)) {
    this.t = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const timer: FakeTimer = { due: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Number of timers waiting to fire. */
  pending(): number {
    return this.timers.length;
  }

  async step(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const next = this.timers.filter((x) => x.due <= end).sort((a, b) => a.due - b.due || a.seq - b.seq)[0];
      if (!next) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.due);
      next.fn();
    }
    this.t = end;
    await settle();
  }

  /** Sets the time (forward only) and fires what became due. */
  async set(to: number | Date): Promise<void> {
    const ms = (typeof to === 'number' ? to : to.getTime()) - this.t;
    if (ms < 0) throw new Error('FakeClock only moves forward');
    await this.step(ms);
  }
}

/** Lets queued promise callbacks and immediates run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((r) => setImmediate(r));
}

/** RFC 3339 with second precision, as Kubernetes serializes metav1.Time. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Parses a metav1.Time; undefined for absent or malformed values. */
export function parseTime(s: string | undefined | null | Date): number | undefined {
  if (!s) return undefined;
  const t = s instanceof Date ? s.getTime() : Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}
