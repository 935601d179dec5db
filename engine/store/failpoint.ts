/**
 * Crash failpoints for the store's crash tests (etcd's gofail, in miniature). When the environment variable
 * WHEELHOUSE_STORE_FAILPOINT is `name` or `name:N`, the process kills itself with SIGKILL the N-th time
 * (default 1st) it reaches `failpoint(name)`. Unset — always, outside those tests — it is a no-op.
 */
const spec = process.env.WHEELHOUSE_STORE_FAILPOINT;
const [armed, count] = spec ? [spec.split(':')[0], Number(spec.split(':')[1] ?? 1)] : [undefined, 0];
let remaining = count;

/** The named points, in the order a write, a log rotation, a snapshot and a recovery reach them. */
export const FAILPOINTS = [
  'wal-before-write',
  'wal-before-sync',
  'wal-after-sync',
  'rotate-before-rename',
  'rotate-after-rename',
  'snapshot-mid-write',
  'snapshot-before-rename',
  'snapshot-after-rename',
  'snapshot-mid-cleanup',
  'recover-after-truncate',
] as const;
export type Failpoint = (typeof FAILPOINTS)[number];

export function failpoint(name: Failpoint): void {
  if (armed !== name) return;
  if (--remaining > 0) return;
  process.kill(process.pid, 'SIGKILL');
}
