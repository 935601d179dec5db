/**
 * The engine's etcd: a revisioned key-value store. The API server is its only user.
 *
 * Contract:
 * - One global revision, strictly increasing by one for every successful write (create, update, delete).
 *   An object's resourceVersion is the decimal string of its modRevision.
 * - A write resolves only after it is durable (on disk, fsynced); a rejected write changes nothing.
 * - Values are opaque UTF-8 strings (the API server stores JSON).
 * - Keys are '/'-separated strings such as `/registry/apps/deployments/default/web`; list and watch take a
 *   prefix. Lists are ordered by key.
 * - Watch delivers, in revision order, every change under the prefix after `fromRevision`; when that
 *   revision has been compacted away it fails with StoreError code 'Expired' (the API's 410).
 * - History is kept for at least `minHistoryRevisions` revisions and `minHistoryMs` milliseconds.
 */
export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
}

export type StoreErrorCode = 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Expired' | 'Closed' | 'Corrupt';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  /** For Conflict: the current modRevision; for Expired: the oldest revision still kept. */
  readonly revision?: number;
  constructor(code: StoreErrorCode, message: string, revision?: number) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
    this.revision = revision;
  }
}

export interface ListResult {
  items: KeyValue[];
  /** The store revision the list is consistent with. */
  revision: number;
  /** True when `limit` cut the list; continue from the last item's key. */
  more: boolean;
}

export interface WatchChange {
  type: 'put' | 'delete';
  /** For a delete: the last value, with modRevision = the delete's revision (Kubernetes' DELETED event). */
  kv: KeyValue;
  /** The value before this change (absent for a create). */
  prev?: KeyValue;
  revision: number;
}

export interface StoreWatch {
  stop(): void;
}

export interface Store {
  /** The revision of the last acknowledged write. */
  revision(): number;
  /** The oldest revision a watch may start after. */
  compactedRevision(): number;
  get(key: string): Promise<KeyValue | undefined>;
  /**
   * Keys with the prefix, ordered; `startAfter` is exclusive (for continue tokens). With `revision`, the
   * list shows the store as it was at that revision (for consistent continue pages); it fails with
   * StoreError('Expired') when that revision has been compacted away, and with a TypeError when it is in
   * the future.
   */
  list(prefix: string, opts?: { limit?: number; startAfter?: string; revision?: number }): Promise<ListResult>;
  /** Fails with AlreadyExists. Resolves to the stored kv (its modRevision is the new revision). */
  create(key: string, value: string): Promise<KeyValue>;
  /** Compare-and-swap: fails with Conflict unless the key's modRevision equals expectedModRevision; NotFound if absent. */
  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue>;
  /** Deletes; with expectedModRevision, fails with Conflict when it differs. Resolves to the deleted kv and the delete's revision. */
  delete(key: string, expectedModRevision?: number): Promise<{ kv: KeyValue; revision: number }>;
  /**
   * Calls onChange for each change under prefix with revision > fromRevision, first replaying history,
   * then live. Throws StoreError('Expired') when fromRevision < compactedRevision().
   * onError receives 'Closed' when the store closes.
   * onChange is called synchronously, in revision order, and the store keeps no per-watcher buffer: a
   * consumer that cannot keep up (a slow HTTP client) must buffer on its side with a bound and, past it,
   * stop the watch and close its client, which then re-lists — so memory never grows with a stalled reader.
   * A callback that throws stops its watch (onError gets 'Closed'). The replay starts after watch() has
   * returned (a microtask later), so the callback may use the returned handle.
   */
  watch(prefix: string, fromRevision: number, onChange: (c: WatchChange) => void, onError?: (e: StoreError) => void): StoreWatch;
  /** Flushes, stops watches and releases files. */
  close(): Promise<void>;
}
