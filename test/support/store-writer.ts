/**
 * Child process for the store crash tests: opens the store in argv[2] and writes under load (writeLoad in
 * store-crash.ts) until it is killed, printing one JSON line per *acknowledged* write to stdout (pipes are
 * synchronous on POSIX, so a printed line is in the parent's hands before the next write starts):
 *   {"ready":<revision>}                        once open
 *   {"op":"put"|"del","key":…,"rev":…,"value":…}  per acknowledged write
 * argv[3] is compactMinBytes (small, so crashes also hit log rotation and snapshots).
 * Run: node --import tsx test/support/store-writer.ts DIR [compactMinBytes]
 */
import { openStore } from '../../engine/store/file.ts';
import { writeLoad } from './store-crash.ts';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: store-writer.ts DIR [compactMinBytes]');
  process.exit(2);
}
const compactMinBytes = Number(process.argv[3] ?? 16384);
const store = await openStore(dir, { compactMinBytes });
const out = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`);
out({ ready: store.revision() });
await writeLoad(store, String(process.pid), 8, out);
console.error('store-writer: the write load stopped (store failed)');
process.exit(1);
