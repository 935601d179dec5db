/**
 * Polls until a condition holds, for e2e tests on real processes and containers. `fn` answers the awaited
 * value, or undefined/false for "not yet"; a throw also means "not yet", and the last error is quoted when
 * the wait times out, so a failure says what was being waited for and what was last seen.
 */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
