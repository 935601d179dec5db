/**
 * ControllerExpectations (controller_utils.go): after a controller creates or deletes N pods it waits until
 * its informer has seen those N events before acting on that owner again, so a stale cache does not make
 * it create or delete twice. Expectations expire after 5 minutes, as upstream, so a lost watch event cannot
 * wedge an owner. Deletions are tracked by pod key (UIDTrackingControllerExpectations) so an unrelated
 * delete does not count.
 */
import type { Clock } from './clock.ts';

const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Expectation {
  add: number;
  del: number;
  at: number;
  deleting: Set<string>;
}

export class Expectations {
  private readonly m = new Map<string, Expectation>();
  constructor(private readonly clock: Clock) {}

  satisfied(key: string): boolean {
    const e = this.m.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.at > EXPECTATIONS_TIMEOUT_MS;
  }

  expectCreations(key: string, n: number): void {
    this.m.set(key, { add: n, del: 0, at: this.clock.now(), deleting: new Set() });
  }

  expectDeletions(key: string, podKeys: string[]): void {
    this.m.set(key, { add: 0, del: podKeys.length, at: this.clock.now(), deleting: new Set(podKeys) });
  }

  creationObserved(key: string): void {
    const e = this.m.get(key);
    if (e) e.add--;
  }

  deletionObserved(key: string, podKey: string): void {
    const e = this.m.get(key);
    if (e && e.deleting.delete(podKey)) e.del--;
  }

  delete(key: string): void {
    this.m.delete(key);
  }
}
