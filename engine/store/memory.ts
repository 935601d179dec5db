/**
 * The in-memory Store: the same MVCC core as the file store with a journal that keeps nothing, so other
 * modules' unit tests get identical semantics (revisions, conflicts, batching, history, watch) without disk.
 * Everything is lost when the process ends.
 */
import type { HistoryOptions } from './mvcc.ts';
import { MvccStore } from './mvcc.ts';
import type { Store } from './types.ts';

export function openMemoryStore(opts: HistoryOptions = {}): Store {
  const store = new MvccStore(opts);
  store.start({
    commit: () => Promise.resolve(),
    afterCommit: () => Promise.resolve(),
    close: () => Promise.resolve(),
  });
  return store;
}
