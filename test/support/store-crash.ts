/**
 * Crash-test support: run test/support/store-writer.ts as a child (`node --import tsx`), collect the writes
 * it acknowledged, kill it (or let a failpoint kill it), and check a reopened store against everything
 * acknowledged so far.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Store } from '../../engine/store/types.ts';
import { StoreError } from '../../engine/store/types.ts';

const writer = fileURLToPath(new URL('./store-writer.ts', import.meta.url));

export interface Ack {
  op: 'put' | 'del';
  key: string;
  rev: number;
  value?: string;
}

export interface WriterRun {
  ready: boolean;
  acks: Ack[];
  stderr: string;
  /** The signal that ended the child, and whether we sent it. */
  signal: NodeJS.Signals | null;
  killedByUs: boolean;
}

/**
 * Starts the writer on `dir`. With `killAfterMs` it is SIGKILLed that long after it is ready (or after the
 * start when `waitReady` is false); without, it is left to die on its own (a failpoint) and SIGKILLed after
 * `timeoutMs` as a failure.
 */
export async function runWriter(
  dir: string,
  o: { waitReady?: boolean; killAfterMs?: number; timeoutMs?: number; env?: Record<string, string>; compactMinBytes?: number },
): Promise<WriterRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', writer, dir, String(o.compactMinBytes ?? 8192)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...o.env },
  });
  const run: WriterRun = { ready: false, acks: [], stderr: '', signal: null, killedByUs: false };
  child.stderr.on('data', (d: Buffer) => (run.stderr += d.toString()));
  const exited = new Promise<void>((r) =>
    child.on('exit', (_code, signal) => {
      run.signal = signal;
      r();
    }),
  );
  let onReady!: () => void;
  const ready = new Promise<void>((r) => (onReady = r));
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const m = JSON.parse(line) as Ack | { ready: number };
    if ('ready' in m) {
      run.ready = true;
      onReady();
    } else run.acks.push(m);
  });
  const drained = new Promise<void>((r) => lines.on('close', () => r()));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) {
      run.killedByUs = true;
      child.kill('SIGKILL');
    }
  };
  if (o.killAfterMs !== undefined) {
    if (o.waitReady !== false) await Promise.race([ready, exited]);
    await new Promise((r) => setTimeout(r, o.killAfterMs));
    kill();
  } else {
    const timer = setTimeout(kill, o.timeoutMs ?? 20_000);
    await exited;
    clearTimeout(timer);
  }
  await exited;
  await drained;
  return run;
}

/**
 * The write load of the crash tests: `workers` loops of counter read-modify-writes on /c/0…/c/19 (60%),
 * creates of unique temporary keys /t/<tag>-… (20%) and deletes of those (20%). Calls `ack` once per
 * acknowledged write; ends (resolves) at the first error other than a lost race (Conflict/AlreadyExists),
 * e.g. the store failing or closing.
 */
export async function writeLoad(store: Store, tag: string, workers: number, ack: (a: Ack) => void): Promise<void> {
  let seq = 0;
  const worker = async (id: number): Promise<void> => {
    const mine: string[] = [];
    for (;;) {
      const r = Math.random();
      try {
        if (r < 0.6) {
          const key = `/c/${Math.floor(Math.random() * 20)}`;
          const cur = await store.get(key);
          const value = String(cur ? Number(cur.value) + 1 : 1);
          const kv = cur ? await store.update(key, value, cur.modRevision) : await store.create(key, value);
          ack({ op: 'put', key, rev: kv.modRevision, value });
        } else if (r < 0.8 || mine.length === 0) {
          const key = `/t/${tag}-${id}-${seq++}`;
          const value = `v${seq}-${'x'.repeat(Math.floor(Math.random() * 200))}`;
          const kv = await store.create(key, value);
          mine.push(key);
          ack({ op: 'put', key, rev: kv.modRevision, value });
        } else {
          const key = mine.splice(Math.floor(Math.random() * mine.length), 1)[0];
          const d = await store.delete(key);
          ack({ op: 'del', key, rev: d.revision });
        }
      } catch (e) {
        if (e instanceof StoreError && (e.code === 'Conflict' || e.code === 'AlreadyExists')) continue;
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, i) => worker(i)));
}

/** Everything acknowledged across runs, and the checks a reopened store must pass. */
export class AckLedger {
  private readonly byRev = new Map<number, Ack>();
  private readonly lastPut = new Map<string, Ack>();
  private readonly deleted = new Set<string>();
  private maxRev = 0;
  private lastOpenRevision = 0;
  count = 0;

  add(acks: readonly Ack[], ctx: string): void {
    for (const a of acks) {
      assert.ok(!this.byRev.has(a.rev), `${ctx}: revision ${a.rev} acknowledged twice (${JSON.stringify(this.byRev.get(a.rev))} and ${JSON.stringify(a)})`);
      this.byRev.set(a.rev, a);
      if (a.op === 'put') this.lastPut.set(a.key, a);
      else this.deleted.add(a.key);
      this.maxRev = Math.max(this.maxRev, a.rev);
      this.count++;
    }
  }

  /** 0 acknowledged writes lost, the revision never goes back. */
  async verify(s: Store, ctx: string): Promise<void> {
    const rev = s.revision();
    assert.ok(rev >= this.lastOpenRevision, `${ctx}: revision went back from ${this.lastOpenRevision} to ${rev}`);
    assert.ok(rev >= this.maxRev, `${ctx}: revision ${rev} is below the acknowledged ${this.maxRev}`);
    this.lastOpenRevision = rev;
    for (const [key, a] of this.lastPut) {
      const kv = await s.get(key);
      if (this.deleted.has(key)) {
        assert.equal(kv, undefined, `${ctx}: ${key} was deleted (acknowledged) but is back`);
        continue;
      }
      if (key.startsWith('/t/')) {
        // Temporary keys are written once; a later delete may have reached disk unacknowledged.
        if (kv) assert.deepEqual([kv.value, kv.modRevision], [a.value, a.rev], `${ctx}: ${key}`);
        continue;
      }
      assert.ok(kv, `${ctx}: acknowledged ${key}@${a.rev} is missing`);
      assert.ok(kv.modRevision >= a.rev, `${ctx}: ${key} is at ${kv.modRevision}, acknowledged ${a.rev}`);
      if (kv.modRevision === a.rev) assert.equal(kv.value, a.value, `${ctx}: ${key}@${a.rev} has a different value`);
      assert.ok(Number(kv.value) >= Number(a.value), `${ctx}: counter ${key} went back`);
    }
  }
}
