/**
 * Child process for the store crash tests: opens the store in argv[2] and writes under load until it is
 * killed, printing one JSON line per *acknowledged* write to stdout (pipes are synchronous on POSIX, so a
 * printed line is in the parent's hands before the next write starts):
 *   {"ready":<revision>}                        once open
 *   {"op":"put"|"del","key":…,"rev":…,"value":…}  per acknowledged write
 * Load: 8 workers; counters /c/0…/c/19 are read-modify-written (+1), temporary keys /t/<pid>-<n> are created
 * and later deleted. argv[3] is compactMinBytes (small, so crashes also hit log rotation and snapshots).
 * Run: node --import tsx test/support/store-writer.ts DIR [compactMinBytes]
 */
import { openStore } from '../../engine/store/file.ts';
import { StoreError } from '../../engine/store/types.ts';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: store-writer.ts DIR [compactMinBytes]');
  process.exit(2);
}
const compactMinBytes = Number(process.argv[3] ?? 16384);
const store = await openStore(dir, { compactMinBytes });
const out = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
out({ ready: store.revision() });

let seq = 0;
async function worker(id: number): Promise<never> {
  const mine: string[] = [];
  for (;;) {
    const r = Math.random();
    try {
      if (r < 0.6) {
        const key = `/c/${Math.floor(Math.random() * 20)}`;
        const cur = await store.get(key);
        const value = String(cur ? Number(cur.value) + 1 : 1);
        const kv = cur ? await store.update(key, value, cur.modRevision) : await store.create(key, value);
        out({ op: 'put', key, rev: kv.modRevision, value });
      } else if (r < 0.85 || mine.length === 0) {
        const key = `/t/${process.pid}-${id}-${seq++}`;
        const value = `v${seq}-${'x'.repeat(Math.floor(Math.random() * 200))}`;
        const kv = await store.create(key, value);
        mine.push(key);
        out({ op: 'put', key, rev: kv.modRevision, value });
      } else {
        const key = mine.splice(Math.floor(Math.random() * mine.length), 1)[0];
        const d = await store.delete(key);
        out({ op: 'del', key, rev: d.revision });
      }
    } catch (e) {
      if (!(e instanceof StoreError && (e.code === 'Conflict' || e.code === 'AlreadyExists'))) throw e;
    }
  }
}
await Promise.all(Array.from({ length: 8 }, (_, i) => worker(i)));
