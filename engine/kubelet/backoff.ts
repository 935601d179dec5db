/**
 * Restart and image-pull backoff, as upstream's flowcontrol.Backoff used by the kubelet: the first failure
 * is retried at once and arms a 10 s delay; each later retry doubles it up to 300 s. An entry not touched
 * for twice the cap (10 minutes: the container ran cleanly that long) is forgotten, so the next failure
 * starts again at 10 s.
 */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const CRASH_LOOP_BACKOFF: BackoffPolicy = { initialMs: 10_000, maxMs: 300_000 };
export const IMAGE_PULL_BACKOFF: BackoffPolicy = { initialMs: 10_000, maxMs: 300_000 };

interface Entry {
  delayMs: number;
  lastUpdate: number;
}

export class Backoff {
  private readonly entries = new Map<string, Entry>();
  constructor(private readonly policy: BackoffPolicy = CRASH_LOOP_BACKOFF) {}

  private live(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && now - e.lastUpdate > 2 * this.policy.maxMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** Records a retry now and returns the delay the next failure will have to wait. */
  next(key: string, now: number): number {
    const e = this.live(key, now);
    const delayMs = e ? Math.min(e.delayMs * 2, this.policy.maxMs) : this.policy.initialMs;
    this.entries.set(key, { delayMs, lastUpdate: now });
    return delayMs;
  }

  /** The current delay for a key (0 when none). */
  delay(key: string, now: number): number {
    return this.live(key, now)?.delayMs ?? 0;
  }

  /**
   * Whether a failure at `since` is still inside its backoff window at `now`; if so, how long is left.
   * Upstream IsInBackOffSince.
   */
  remaining(key: string, since: number, now: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    if (since - e.lastUpdate > 2 * this.policy.maxMs) return 0;
    return Math.max(0, e.delayMs - (now - since));
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Forgets every key with this prefix (a pod's entries when it goes away). */
  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
