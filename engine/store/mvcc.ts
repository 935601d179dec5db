/**
 * The backend-neutral heart of every Store: the live key index, the global revision, serialized
 * compare-and-swap writes with group commit, the history window and watches. A backend supplies only a
 * `Journal` that makes a batch of changes durable (the file store) or does nothing (the memory store), so
 * both backends share one implementation of the semantics in types.ts.
 *
 * Write path: a write is validated against the latest state *including* writes accepted but not yet
 * durable (so conflicting writes are rejected at once and the order of revisions is the order of
 * acceptance), gets the next revision, and joins the open batch. One flush at a time hands a batch to the
 * journal (one fsync for all of it), then applies it to the readable state, records history, notifies
 * watchers and resolves the writers. Reads and watches therefore only ever see durable data.
 * If the journal fails, the store stops (like etcd after a failed WAL save): the batch and every later write
 * are rejected, because revisions already handed out can no longer be made good.
 *
 * Watch callbacks are synchronous and the store buffers nothing per watcher: a consumer that cannot keep up
 * must buffer itself and cut its client off when that buffer is too large (the API server closes stalled
 * watch connections; the client re-lists). This keeps store memory independent of slow readers.
 */
import type { JournalChange } from './codec.ts';
import type { KeyValue, ListResult, Store, StoreWatch, WatchChange } from './types.ts';
import { StoreError } from './types.ts';

export interface HistoryOptions {
  /** Keep at least this many revisions of history (default 1,000). */
  minHistoryRevisions?: number;
  /** Keep at least this much history by age in ms (default 5 minutes). */
  minHistoryMs?: number;
  /** Clock in ms; tests inject one. */
  now?: () => number;
}

export interface ListOptions {
  limit?: number;
  startAfter?: string;
  revision?: number;
}

/** What a journal may look at between batches (to decide on and take a snapshot). */
export interface CommittedView {
  revision(): number;
  /** Sum of key and value lengths of the live keys (UTF-16 units; a cheap estimate of bytes). */
  liveBytes(): number;
  /** The live key-values at `revision`, ordered by key. The objects are immutable. */
  entries(): KeyValue[];
}

export interface Journal {
  /** Makes the changes durable, in order; resolves only once they are on stable storage. */
  commit(changes: readonly JournalChange[]): Promise<void>;
  /** Called after a batch is applied and before the next one is committed (e.g. to rotate the log). */
  afterCommit(view: CommittedView): Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  revision: number;
  kv: KeyValue | undefined;
}

interface Queued {
  change: JournalChange;
  event: WatchChange;
  resolve: () => void;
  reject: (e: unknown) => void;
}

interface Watcher {
  prefix: string;
  onChange: (c: WatchChange) => void;
  onError: ((e: StoreError) => void) | undefined;
  /** Highest revision delivered or skipped; events after it are still due. */
  cursor: number;
  replaying: boolean;
  stopped: boolean;
}

interface HistEntry {
  c: WatchChange;
  t: number;
}

export const DEFAULT_MIN_HISTORY_REVISIONS = 1000;
export const DEFAULT_MIN_HISTORY_MS = 5 * 60 * 1000;

function lowerBound(a: readonly string[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function upperBound(a: readonly string[], k: string): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A lone surrogate cannot be stored as UTF-8 (it would come back as U+FFFD), so it is refused up front. */
const LONE_SURROGATE = /\p{Surrogate}/u;

function checkKey(key: unknown): Error | undefined {
  if (typeof key !== 'string' || key.length === 0) return new TypeError('store key must be a non-empty string');
  if (LONE_SURROGATE.test(key)) return new TypeError('store key is not well-formed UTF-16 (lone surrogate)');
  return undefined;
}

function checkValue(value: unknown): Error | undefined {
  if (typeof value !== 'string') return new TypeError('store value must be a string');
  if (LONE_SURROGATE.test(value)) return new TypeError('store value is not well-formed UTF-16 (lone surrogate)');
  return undefined;
}

function checkRevision(name: string, r: unknown): Error | undefined {
  if (typeof r !== 'number' || !Number.isSafeInteger(r) || r < 0) return new TypeError(`${name} must be a non-negative integer, got ${String(r)}`);
  return undefined;
}

export class MvccStore implements Store {
  private readonly live = new Map<string, KeyValue>();
  /** Live keys in ascending order (UTF-16 code-unit order, which is byte order for ASCII keys). */
  private keys: string[] = [];
  private liveBytes = 0;
  private rev = 0;
  private nextRev = 0;
  private compacted = 0;
  private readonly pending = new Map<string, Pending>();
  private batch: Queued[] = [];
  private flushing: Promise<void> | undefined;
  private hist: (HistEntry | undefined)[] = [];
  private histStart = 0;
  private readonly watchers = new Set<Watcher>();
  private state: 'loading' | 'open' | 'closing' | 'closed' | 'failed' = 'loading';
  private failure: string | undefined;
  private closing: Promise<void> | undefined;
  private journal: Journal | undefined;
  private readonly minRevs: number;
  private readonly minMs: number;
  private readonly now: () => number;
  private readonly view: CommittedView;

  constructor(opts: HistoryOptions = {}) {
    this.minRevs = opts.minHistoryRevisions ?? DEFAULT_MIN_HISTORY_REVISIONS;
    this.minMs = opts.minHistoryMs ?? DEFAULT_MIN_HISTORY_MS;
    this.now = opts.now ?? Date.now;
    for (const [n, v] of [['minHistoryRevisions', this.minRevs], ['minHistoryMs', this.minMs]] as const) {
      const e = checkRevision(n, v);
      if (e) throw e;
    }
    this.view = {
      revision: () => this.rev,
      liveBytes: () => this.liveBytes,
      entries: () => this.keys.map((k) => this.live.get(k) as KeyValue),
    };
  }

  // ---- loading (recovery) -------------------------------------------------------------------------------

  /** Installs the state of a snapshot taken at `revision`; history starts after it. Only while loading. */
  loadSnapshot(kvs: readonly KeyValue[], revision: number): void {
    if (this.state !== 'loading') throw new Error('loadSnapshot after start');
    for (const kv of kvs) {
      const frozen = Object.freeze({ key: kv.key, value: kv.value, createRevision: kv.createRevision, modRevision: kv.modRevision });
      if (!this.live.has(kv.key)) this.keys.push(kv.key);
      this.live.set(kv.key, frozen);
      this.liveBytes += kv.key.length + kv.value.length;
    }
    this.keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    this.rev = this.nextRev = this.compacted = revision;
  }

  /**
   * Re-applies a journaled change during recovery (no watchers exist yet). Returns a description of the
   * inconsistency when the change cannot follow the current state; the caller reports it as Corrupt.
   */
  replay(c: JournalChange): string | undefined {
    if (this.state !== 'loading') throw new Error('replay after start');
    if (c.revision !== this.rev + 1) return `record has revision ${c.revision}, expected ${this.rev + 1}`;
    const prev = this.live.get(c.key);
    let event: WatchChange;
    if (c.op === 'put') {
      const kv = Object.freeze({ key: c.key, value: c.value, createRevision: prev ? prev.createRevision : c.revision, modRevision: c.revision });
      event = prev ? { type: 'put', kv, prev, revision: c.revision } : { type: 'put', kv, revision: c.revision };
    } else {
      if (!prev) return `record deletes key ${JSON.stringify(c.key)}, which does not exist`;
      const kv = Object.freeze({ key: c.key, value: prev.value, createRevision: prev.createRevision, modRevision: c.revision });
      event = { type: 'delete', kv, prev, revision: c.revision };
    }
    this.nextRev = c.revision;
    this.applyEvent(Object.freeze(event), c.time, false);
    return undefined;
  }

  /** Ends loading: from now on writes go to `journal`. */
  start(journal: Journal): void {
    if (this.state !== 'loading') throw new Error('start twice');
    this.journal = journal;
    this.state = 'open';
    this.trimHistory();
  }

  // ---- reads --------------------------------------------------------------------------------------------

  revision(): number {
    return this.rev;
  }

  compactedRevision(): number {
    return this.compacted;
  }

  private readable(): StoreError | undefined {
    if (this.state === 'open') return undefined;
    return new StoreError('Closed', this.failure ? `store stopped after a failure: ${this.failure}` : 'store is closed');
  }

  async get(key: string): Promise<KeyValue | undefined> {
    const err = this.readable() ?? checkKey(key);
    if (err) throw err;
    return this.live.get(key);
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    const err = this.readable();
    if (err) throw err;
    if (typeof prefix !== 'string') throw new TypeError('list prefix must be a string');
    const limit = opts.limit ?? 0;
    if (!Number.isSafeInteger(limit) || limit < 0) throw new TypeError(`list limit must be a non-negative integer, got ${String(limit)}`);
    if (opts.startAfter !== undefined && typeof opts.startAfter !== 'string') throw new TypeError('list startAfter must be a string');
    const at = opts.revision ?? this.rev;
    const rerr = checkRevision('list revision', at);
    if (rerr) throw rerr;
    if (at > this.rev) throw new TypeError(`list revision ${at} is in the future (the store is at ${this.rev})`);
    if (at < this.compacted) {
      throw new StoreError('Expired', `required revision ${at} has been compacted; the oldest available is ${this.compacted}`, this.compacted);
    }
    const from = opts.startAfter !== undefined && opts.startAfter >= prefix ? opts.startAfter : undefined;
    const keys = this.keys;
    let i = from !== undefined ? upperBound(keys, from) : lowerBound(keys, prefix);
    // Listing the past: the keys changed after `at` take their value as of `at` from the first later event.
    const past = new Map<string, KeyValue | undefined>();
    if (at < this.rev) {
      for (let h = this.histStart + (at + 1 - (this.compacted + 1)); h < this.hist.length; h++) {
        const c = (this.hist[h] as HistEntry).c;
        const k = c.kv.key;
        if (k.startsWith(prefix) && (from === undefined || k > from) && !past.has(k)) past.set(k, c.prev);
      }
    }
    const pastKeys = [...past.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let j = 0;
    const items: KeyValue[] = [];
    let more = false;
    for (;;) {
      const live = i < keys.length && keys[i].startsWith(prefix) ? keys[i] : undefined;
      const old = j < pastKeys.length ? pastKeys[j] : undefined;
      if (live === undefined && old === undefined) break;
      let kv: KeyValue | undefined;
      if (old !== undefined && (live === undefined || old <= live)) {
        kv = past.get(old);
        j++;
        if (old === live) i++;
      } else {
        kv = this.live.get(live as string);
        i++;
      }
      if (!kv) continue;
      if (limit > 0 && items.length === limit) {
        more = true;
        break;
      }
      items.push(kv);
    }
    return { items, revision: at, more };
  }

  // ---- writes -------------------------------------------------------------------------------------------

  private writable(): Error | undefined {
    if (this.state === 'open') return undefined;
    return new StoreError('Closed', this.failure ? `store stopped after a failure: ${this.failure}` : 'store is closed');
  }

  /** The latest accepted state of a key, durable or not. */
  private latest(key: string): KeyValue | undefined {
    const p = this.pending.get(key);
    return p ? p.kv : this.live.get(key);
  }

  create(key: string, value: string): Promise<KeyValue> {
    const err = this.writable() ?? checkKey(key) ?? checkValue(value);
    if (err) return Promise.reject(err);
    const cur = this.latest(key);
    if (cur) return Promise.reject(new StoreError('AlreadyExists', `key ${key} already exists`, cur.modRevision));
    const revision = ++this.nextRev;
    const kv: KeyValue = Object.freeze({ key, value, createRevision: revision, modRevision: revision });
    return this.enqueue({ op: 'put', key, value, revision, time: this.now() }, { type: 'put', kv, revision }).then(() => kv);
  }

  update(key: string, value: string, expectedModRevision: number): Promise<KeyValue> {
    const err = this.writable() ?? checkKey(key) ?? checkValue(value) ?? checkRevision('expectedModRevision', expectedModRevision);
    if (err) return Promise.reject(err);
    const cur = this.latest(key);
    if (!cur) return Promise.reject(new StoreError('NotFound', `key ${key} not found`));
    if (cur.modRevision !== expectedModRevision) {
      return Promise.reject(new StoreError('Conflict', `key ${key} has modRevision ${cur.modRevision}, not ${expectedModRevision}`, cur.modRevision));
    }
    const revision = ++this.nextRev;
    const kv: KeyValue = Object.freeze({ key, value, createRevision: cur.createRevision, modRevision: revision });
    return this.enqueue({ op: 'put', key, value, revision, time: this.now() }, { type: 'put', kv, prev: cur, revision }).then(() => kv);
  }

  delete(key: string, expectedModRevision?: number): Promise<{ kv: KeyValue; revision: number }> {
    const err =
      this.writable() ?? checkKey(key) ?? (expectedModRevision === undefined ? undefined : checkRevision('expectedModRevision', expectedModRevision));
    if (err) return Promise.reject(err);
    const cur = this.latest(key);
    if (!cur) return Promise.reject(new StoreError('NotFound', `key ${key} not found`));
    if (expectedModRevision !== undefined && cur.modRevision !== expectedModRevision) {
      return Promise.reject(new StoreError('Conflict', `key ${key} has modRevision ${cur.modRevision}, not ${expectedModRevision}`, cur.modRevision));
    }
    const revision = ++this.nextRev;
    // The delete event carries the last value with modRevision = the delete's revision (what Kubernetes
    // reports as the resourceVersion of a DELETED watch event); `prev` is the kv as it was.
    const kv: KeyValue = Object.freeze({ key, value: cur.value, createRevision: cur.createRevision, modRevision: revision });
    return this.enqueue({ op: 'delete', key, value: '', revision, time: this.now() }, { type: 'delete', kv, prev: cur, revision }).then(() => ({
      kv: cur,
      revision,
    }));
  }

  private enqueue(change: JournalChange, event: WatchChange): Promise<void> {
    Object.freeze(event);
    this.pending.set(change.key, { revision: change.revision, kv: change.op === 'put' ? event.kv : undefined });
    return new Promise<void>((resolve, reject) => {
      this.batch.push({ change, event, resolve, reject });
      this.flushing ??= this.flush();
    });
  }

  /** The single committer: one batch at a time, each made durable with one journal commit. */
  private async flush(): Promise<void> {
    // Let writes issued in the same turn of the event loop join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    const journal = this.journal as Journal;
    while (this.batch.length > 0 && this.state !== 'failed') {
      const b = this.batch;
      this.batch = [];
      try {
        await journal.commit(b.map((q) => q.change));
      } catch (e) {
        this.fail(e, b);
        break;
      }
      for (const q of b) {
        const p = this.pending.get(q.change.key);
        if (p && p.revision === q.change.revision) this.pending.delete(q.change.key);
        this.applyEvent(q.event, q.change.time, true);
      }
      this.trimHistory();
      for (const q of b) q.resolve();
      try {
        await journal.afterCommit(this.view);
      } catch (e) {
        this.fail(e, []);
        break;
      }
    }
    this.flushing = undefined;
  }

  private fail(e: unknown, inFlight: Queued[]): void {
    this.failure = e instanceof Error ? e.message : String(e);
    this.state = 'failed';
    for (const q of inFlight) q.reject(e);
    const rest = this.batch;
    this.batch = [];
    const closed = new StoreError('Closed', `store stopped after a failure: ${this.failure}`);
    for (const q of rest) q.reject(closed);
    this.pending.clear();
    this.stopWatchers(closed);
  }

  private applyEvent(event: WatchChange, time: number, notify: boolean): void {
    const key = event.kv.key;
    const prev = this.live.get(key);
    if (prev) this.liveBytes -= key.length + prev.value.length;
    if (event.type === 'put') {
      this.live.set(key, event.kv);
      this.liveBytes += key.length + event.kv.value.length;
      if (!prev) this.keys.splice(lowerBound(this.keys, key), 0, key);
    } else {
      this.live.delete(key);
      this.keys.splice(lowerBound(this.keys, key), 1);
    }
    this.rev = event.revision;
    this.hist.push({ c: event, t: time });
    if (!notify) return;
    for (const w of this.watchers) if (!w.replaying) this.deliver(w, event);
  }

  private trimHistory(): void {
    let pin = Infinity;
    for (const w of this.watchers) if (w.replaying && w.cursor < pin) pin = w.cursor;
    const now = this.now();
    while (this.hist.length - this.histStart > this.minRevs) {
      const e = this.hist[this.histStart] as HistEntry;
      if (now - e.t < this.minMs || e.c.revision > pin) break;
      this.compacted = e.c.revision;
      this.hist[this.histStart++] = undefined;
    }
    if (this.histStart > 1024 && this.histStart * 2 > this.hist.length) {
      this.hist = this.hist.slice(this.histStart);
      this.histStart = 0;
    }
  }

  // ---- watch --------------------------------------------------------------------------------------------

  watch(prefix: string, fromRevision: number, onChange: (c: WatchChange) => void, onError?: (e: StoreError) => void): StoreWatch {
    const err = this.readable() ?? checkRevision('fromRevision', fromRevision);
    if (err) throw err;
    if (typeof prefix !== 'string') throw new TypeError('watch prefix must be a string');
    if (fromRevision < this.compacted) {
      throw new StoreError('Expired', `required revision ${fromRevision} has been compacted; the oldest available is ${this.compacted}`, this.compacted);
    }
    const w: Watcher = { prefix, onChange, onError, cursor: fromRevision, replaying: true, stopped: false };
    this.watchers.add(w);
    // Replay runs after watch() returns so the callback may already use the returned handle. History is
    // pinned (trimHistory) until then, and live events are held back until the replay has caught up.
    queueMicrotask(() => {
      if (w.stopped) return;
      const first = this.compacted + 1;
      for (let i = this.histStart + Math.max(0, w.cursor + 1 - first); i < this.hist.length && !w.stopped; i++) {
        this.deliver(w, (this.hist[i] as HistEntry).c);
      }
      w.replaying = false;
    });
    return {
      stop: () => {
        w.stopped = true;
        this.watchers.delete(w);
      },
    };
  }

  private deliver(w: Watcher, c: WatchChange): void {
    if (w.stopped || c.revision <= w.cursor) return;
    w.cursor = c.revision;
    if (!c.kv.key.startsWith(w.prefix)) return;
    try {
      w.onChange(c);
    } catch (e) {
      w.stopped = true;
      this.watchers.delete(w);
      w.onError?.(new StoreError('Closed', `watch stopped: its callback threw: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  private stopWatchers(e: StoreError): void {
    const ws = [...this.watchers];
    this.watchers.clear();
    for (const w of ws) {
      w.stopped = true;
      try {
        w.onError?.(e);
      } catch {
        // A failing error callback must not keep the others from hearing about the close.
      }
    }
  }

  // ---- close --------------------------------------------------------------------------------------------

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    if (this.state === 'open') this.state = 'closing';
    // Writes already accepted are committed (or fail) before the journal closes.
    while (this.flushing) await this.flushing;
    if (this.state !== 'failed') this.state = 'closed';
    this.stopWatchers(new StoreError('Closed', 'store is closed'));
    await this.journal?.close();
  }
}
