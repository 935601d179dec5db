/** The engine's store: open the file-backed one for the engine, the memory one for unit tests. */
export type { KeyValue, ListResult, Store, StoreErrorCode, StoreWatch, WatchChange } from './types.ts';
export { StoreError } from './types.ts';
export { openStore } from './file.ts';
export type { FileStoreOptions } from './file.ts';
export { openMemoryStore } from './memory.ts';
export type { HistoryOptions } from './mvcc.ts';
export { StoreLockedError } from './lock.ts';
