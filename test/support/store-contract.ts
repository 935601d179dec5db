/**
 * The Store contract (engine/store/types.ts) as a test suite, run against every backend so they cannot
 * drift apart: CRUD, compare-and-swap, revisions, list paging, watch replay → live, history expiry,
 * close, and 32 concurrent read-modify-write writers.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HistoryOptions } from '../../engine/store/mvcc.ts';
import type { KeyValue, Store, WatchChange } from '../../engine/store/types.ts';
import { StoreError } from '../../engine/store/types.ts';

export type OpenForTest = (opts?: HistoryOptions) => Promise<Store>;

export async function rejectsWith(p: Promise<unknown>, code: string): Promise<StoreError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StoreError, `expected a StoreError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return e;
  }
  assert.fail(`expected StoreError ${code}, but it succeeded`);
}

/** Collects watch events until `n` have arrived (or rejects after `ms`). */
export function collect(store: Store, prefix: string, from: number, n: number, ms = 10_000): { events: WatchChange[]; done: Promise<WatchChange[]>; stop: () => void } {
  const events: WatchChange[] = [];
  let resolve!: (v: WatchChange[]) => void;
  let reject!: (e: Error) => void;
  const done = new Promise<WatchChange[]>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const timer = setTimeout(() => reject(new Error(`watch got ${events.length} of ${n} events`)), ms);
  const check = () => {
    if (events.length >= n) {
      clearTimeout(timer);
      resolve(events);
    }
  };
  const w = store.watch(prefix, from, (c) => {
    events.push(c);
    check();
  }, (e) => reject(e));
  if (n === 0) queueMicrotask(check);
  return {
    events,
    done,
    stop: () => {
      clearTimeout(timer);
      w.stop();
    },
  };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

export function storeContract(name: string, open: OpenForTest): void {
  describe(`Store contract: ${name}`, () => {
    it('create, get, AlreadyExists; a rejected write changes nothing', async () => {
      const s = await open();
      try {
        const r0 = s.revision();
        const kv = await s.create('/registry/pods/default/a', '{"a":1}');
        assert.deepEqual({ ...kv }, { key: '/registry/pods/default/a', value: '{"a":1}', createRevision: r0 + 1, modRevision: r0 + 1 });
        assert.equal(s.revision(), r0 + 1);
        assert.deepEqual(await s.get('/registry/pods/default/a'), kv);
        assert.equal(await s.get('/registry/pods/default/b'), undefined);
        await rejectsWith(s.create('/registry/pods/default/a', 'x'), 'AlreadyExists');
        assert.equal(s.revision(), r0 + 1);
        assert.equal((await s.get('/registry/pods/default/a'))?.value, '{"a":1}');
      } finally {
        await s.close();
      }
    });

    it('update is compare-and-swap on modRevision', async () => {
      const s = await open();
      try {
        const a = await s.create('/k', 'v1');
        const b = await s.update('/k', 'v2', a.modRevision);
        assert.equal(b.modRevision, a.modRevision + 1);
        assert.equal(b.createRevision, a.createRevision);
        const err = await rejectsWith(s.update('/k', 'v3', a.modRevision), 'Conflict');
        assert.equal(err.revision, b.modRevision);
        await rejectsWith(s.update('/missing', 'v', 1), 'NotFound');
        assert.equal((await s.get('/k'))?.value, 'v2');
        assert.equal(s.revision(), b.modRevision);
      } finally {
        await s.close();
      }
    });

    it('delete, with and without a precondition', async () => {
      const s = await open();
      try {
        const a = await s.create('/d', 'v');
        await rejectsWith(s.delete('/d', a.modRevision + 5), 'Conflict');
        const d = await s.delete('/d', a.modRevision);
        assert.deepEqual(d.kv, a);
        assert.equal(d.revision, a.modRevision + 1);
        assert.equal(await s.get('/d'), undefined);
        await rejectsWith(s.delete('/d'), 'NotFound');
        const again = await s.create('/d', 'w');
        assert.equal(again.createRevision, d.revision + 1);
        const d2 = await s.delete('/d');
        assert.equal(d2.kv.value, 'w');
      } finally {
        await s.close();
      }
    });

    it('revision rises by exactly one per successful write, in call order, also when writes are concurrent', async () => {
      const s = await open();
      try {
        const r0 = s.revision();
        const writes = Array.from({ length: 50 }, (_, i) => s.create(`/c/${String(i).padStart(2, '0')}`, String(i)));
        const dup = s.create('/c/00', 'dup').catch((e: unknown) => e);
        const kvs = await Promise.all(writes);
        assert.deepEqual(kvs.map((k) => k.modRevision), kvs.map((_, i) => r0 + 1 + i));
        assert.ok((await dup) instanceof StoreError);
        assert.equal(s.revision(), r0 + 50);
      } finally {
        await s.close();
      }
    });

    it('values and keys round-trip exactly (unicode, empty, large)', async () => {
      const s = await open();
      try {
        const big = 'x'.repeat(300_000) + 'é';
        const cases: [string, string][] = [['/u/ключ/🙂', 'значение 🙂 \u0000 "q"'], ['/u/empty', ''], ['/u/big', big]];
        for (const [k, v] of cases) await s.create(k, v);
        for (const [k, v] of cases) assert.equal((await s.get(k))?.value, v);
      } finally {
        await s.close();
      }
    });

    it('list: prefix, key order, limit + startAfter paging, consistent revision', async () => {
      const s = await open();
      try {
        const names = Array.from({ length: 25 }, (_, i) => `/l/a/${String(i).padStart(3, '0')}`);
        for (const n of [...names].reverse()) await s.create(n, n);
        await s.create('/l/b/1', 'b');
        await s.create('/l/a', 'exact prefix key');
        const all = await s.list('/l/a/');
        assert.deepEqual(all.items.map((k) => k.key), names);
        assert.equal(all.more, false);
        assert.equal(all.revision, s.revision());
        const pages: string[][] = [];
        let after: string | undefined;
        for (;;) {
          const page = await s.list('/l/a/', { limit: 10, ...(after === undefined ? {} : { startAfter: after }) });
          pages.push(page.items.map((k) => k.key));
          if (!page.more) break;
          after = page.items[page.items.length - 1].key;
        }
        assert.deepEqual(pages.map((p) => p.length), [10, 10, 5]);
        assert.deepEqual(pages.flat(), names);
        const exact = await s.list('/l/a/', { limit: 25 });
        assert.equal(exact.more, false);
        assert.equal((await s.list('/l/', {})).items.length, 27);
        assert.deepEqual((await s.list('/l/a/', { startAfter: '/a' })).items.length, 25);
        assert.deepEqual((await s.list('/l/a/', { startAfter: '/z' })).items, []);
        assert.deepEqual((await s.list('/nothing/')).items, []);
      } finally {
        await s.close();
      }
    });

    it('list at a past revision: consistent pages while the store changes; Expired once compacted', async () => {
      const s = await open({ minHistoryRevisions: 100, minHistoryMs: 0 });
      try {
        const mods = new Map<string, number>();
        for (let i = 0; i < 20; i++) mods.set(`/p/${String(i).padStart(2, '0')}`, (await s.create(`/p/${String(i).padStart(2, '0')}`, `v${i}`)).modRevision);
        const first = await s.list('/p/', { limit: 7 });
        const at = first.revision;
        const expected = (await s.list('/p/')).items;
        // Change the store between pages: update, delete, create (inside and outside the listed range).
        await s.update('/p/10', 'changed', mods.get('/p/10') as number);
        await s.delete('/p/03');
        await s.delete('/p/15');
        await s.create('/p/05a', 'new');
        await s.create('/p/99', 'new');
        await s.create('/q/0', 'other prefix');
        const pages = [first.items];
        let page = first;
        while (page.more) {
          page = await s.list('/p/', { limit: 7, startAfter: page.items[page.items.length - 1].key, revision: at });
          assert.equal(page.revision, at);
          pages.push(page.items);
        }
        assert.deepEqual(pages.flat(), expected);
        assert.deepEqual(pages.map((p) => p.length), [7, 7, 6]);
        // The latest view differs.
        const now = await s.list('/p/');
        assert.deepEqual(now.items.map((k) => k.key).filter((k) => !expected.some((e) => e.key === k)), ['/p/05a', '/p/99']);
        assert.equal((await s.list('/p/', { revision: s.revision() })).items.length, now.items.length);
        // A revision in the middle of the changes.
        const mid = await s.list('/p/', { revision: at + 2 });
        assert.deepEqual(mid.items.map((k) => k.key), expected.map((k) => k.key).filter((k) => k !== '/p/03'));
        assert.equal(mid.items.find((k) => k.key === '/p/10')?.value, 'changed');
        await assert.rejects(s.list('/p/', { revision: s.revision() + 1 }), TypeError);
        let mod = (await s.create('/p/churn', '0')).modRevision;
        for (let i = 0; i < 120; i++) mod = (await s.update('/p/churn', String(i), mod)).modRevision;
        await rejectsWith(s.list('/p/', { revision: at }), 'Expired');
      } finally {
        await s.close();
      }
    });

    it('list at a past revision agrees with a model at every revision (random writes, paged)', async () => {
      const s = await open();
      try {
        const model = new Map<string, KeyValue>();
        const states = new Map<number, KeyValue[]>();
        let seed = 7;
        const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
        for (let i = 0; i < 300; i++) {
          const key = `/m/${rnd(30)}`;
          const cur = model.get(key);
          if (!cur) model.set(key, await s.create(key, `c${i}`));
          else if (rnd(3) === 0) {
            await s.delete(key, cur.modRevision);
            model.delete(key);
          } else model.set(key, await s.update(key, `u${i}`, cur.modRevision));
          states.set(s.revision(), [...model.values()].sort((a, b) => (a.key < b.key ? -1 : 1)));
        }
        for (const [rev, want] of states) {
          const got: KeyValue[] = [];
          let after: string | undefined;
          for (;;) {
            const page = await s.list('/m/', { limit: 1 + (rev % 4), revision: rev, ...(after === undefined ? {} : { startAfter: after }) });
            got.push(...page.items);
            if (!page.more) break;
            after = page.items[page.items.length - 1].key;
          }
          assert.deepEqual(got, want, `at revision ${rev}`);
        }
      } finally {
        await s.close();
      }
    });

    it('watch replays history after fromRevision, then goes live, in order, filtered by prefix', async () => {
      const s = await open();
      try {
        const base = s.revision();
        const a = await s.create('/w/a', '1');
        await s.create('/other/x', 'o');
        const a2 = await s.update('/w/a', '2', a.modRevision);
        const w = collect(s, '/w/', base, 4);
        await s.create('/w/b', 'b');
        await s.delete('/w/a');
        const ev = await w.done;
        w.stop();
        assert.deepEqual(ev.map((e) => [e.type, e.kv.key, e.revision]), [
          ['put', '/w/a', base + 1],
          ['put', '/w/a', base + 3],
          ['put', '/w/b', base + 4],
          ['delete', '/w/a', base + 5],
        ]);
        assert.equal(ev[0].prev, undefined);
        assert.deepEqual(ev[1].prev, a);
        assert.equal(ev[3].kv.value, '2');
        assert.equal(ev[3].kv.modRevision, base + 5);
        assert.deepEqual(ev[3].prev, a2);
        for (const e of ev) assert.equal(e.kv.modRevision, e.revision);
      } finally {
        await s.close();
      }
    });

    it('watch never loses or duplicates an event across the replay → live switch', async () => {
      const s = await open();
      try {
        const base = s.revision();
        const total = 400;
        const watchers: { from: number; w: ReturnType<typeof collect> }[] = [];
        const writers = Array.from({ length: 4 }, async (_, wi) => {
          for (let i = 0; i < total / 4; i++) {
            await s.create(`/s/${wi}/${i}`, String(i));
            if (i % 10 === wi) {
              const from = base + Math.floor(Math.random() * (s.revision() - base + 1));
              watchers.push({ from, w: collect(s, '/s/', from, base + total - from) });
            }
          }
        });
        await Promise.all(writers);
        for (const { from, w } of watchers) {
          const ev = await w.done;
          w.stop();
          assert.deepEqual(ev.map((e) => e.revision), Array.from({ length: base + total - from }, (_, i) => from + 1 + i));
        }
        assert.ok(watchers.length >= 10);
      } finally {
        await s.close();
      }
    });

    it('watch from the current or a future revision delivers only later changes', async () => {
      const s = await open();
      try {
        await s.create('/f/a', '1');
        const now = collect(s, '/f/', s.revision(), 2);
        const future = collect(s, '/f/', s.revision() + 1, 1);
        await s.create('/f/b', '2');
        await s.create('/f/c', '3');
        assert.deepEqual((await now.done).map((e) => e.kv.key), ['/f/b', '/f/c']);
        assert.deepEqual((await future.done).map((e) => e.kv.key), ['/f/c']);
        now.stop();
        future.stop();
      } finally {
        await s.close();
      }
    });

    it('history keeps at least minHistoryRevisions; older watches get Expired', async () => {
      const s = await open({ minHistoryRevisions: 10, minHistoryMs: 0 });
      try {
        const base = s.revision();
        const kv = await s.create('/e/k', '0');
        let mod = kv.modRevision;
        for (let i = 1; i < 50; i++) mod = (await s.update('/e/k', String(i), mod)).modRevision;
        assert.equal(s.revision(), base + 50);
        assert.equal(s.compactedRevision(), s.revision() - 10);
        const from = s.compactedRevision();
        assert.throws(() => s.watch('/e/', from - 1, () => undefined), (e: unknown) => e instanceof StoreError && e.code === 'Expired' && e.revision === from);
        const w = collect(s, '/e/', from, 10);
        assert.deepEqual((await w.done).map((e) => e.kv.value), Array.from({ length: 10 }, (_, i) => String(40 + i)));
        w.stop();
      } finally {
        await s.close();
      }
    });

    it('history keeps at least minHistoryMs even beyond minHistoryRevisions', async () => {
      let now = 1_000_000;
      const s = await open({ minHistoryRevisions: 5, minHistoryMs: 60_000, now: () => now });
      try {
        const c0 = s.compactedRevision();
        for (let i = 0; i < 30; i++) await s.create(`/t/${i}`, 'v');
        assert.equal(s.compactedRevision(), c0);
        now += 61_000;
        await s.create('/t/last', 'v');
        assert.equal(s.compactedRevision(), s.revision() - 5);
      } finally {
        await s.close();
      }
    });

    it('a throwing watch callback stops only that watch', async () => {
      const s = await open();
      try {
        const errors: StoreError[] = [];
        s.watch('/x/', s.revision(), () => {
          throw new Error('boom');
        }, (e) => errors.push(e));
        const ok = collect(s, '/x/', s.revision(), 2);
        await s.create('/x/1', '1');
        await s.create('/x/2', '2');
        await ok.done;
        ok.stop();
        assert.equal(errors.length, 1);
        assert.equal(errors[0].code, 'Closed');
      } finally {
        await s.close();
      }
    });

    it('close: accepted writes finish, then everything fails with Closed and watches hear it', async () => {
      const s = await open();
      const errors: StoreError[] = [];
      s.watch('/', s.revision(), () => undefined, (e) => errors.push(e));
      const pending = s.create('/z', 'v');
      await s.close();
      assert.equal((await pending).value, 'v');
      assert.equal(errors.length, 1);
      assert.equal(errors[0].code, 'Closed');
      await rejectsWith(s.create('/y', 'v'), 'Closed');
      await rejectsWith(s.get('/z'), 'Closed');
      await rejectsWith(s.list('/'), 'Closed');
      assert.throws(() => s.watch('/', 0, () => undefined), (e: unknown) => e instanceof StoreError && e.code === 'Closed');
      await s.close();
    });

    it('bad arguments are rejected', async () => {
      const s = await open();
      try {
        await assert.rejects(s.create('', 'v'), TypeError);
        await assert.rejects(s.create('/k', 5 as unknown as string), TypeError);
        await assert.rejects(s.create('/k', 'half a pair \ud800'), TypeError);
        await assert.rejects(s.create('/k\udc00', 'v'), TypeError);
        await s.create('/k', 'v');
        await assert.rejects(s.update('/k', 'v', -1), TypeError);
        await assert.rejects(s.list('/', { limit: 1.5 }), TypeError);
        assert.throws(() => s.watch('/', Number.NaN, () => undefined), TypeError);
      } finally {
        await s.close();
      }
    });

    it('32 writers, 10,000 read-modify-write attempts on one key: 0 lost updates, every loser gets Conflict', async () => {
      const s = await open();
      try {
        await s.create('/counter', '0');
        let attempts = 0;
        let wins = 0;
        let conflicts = 0;
        const writer = async () => {
          while (attempts < 10_000) {
            attempts++;
            const cur = (await s.get('/counter')) as KeyValue;
            try {
              await s.update('/counter', String(Number(cur.value) + 1), cur.modRevision);
              wins++;
            } catch (e) {
              assert.ok(e instanceof StoreError && e.code === 'Conflict', `loser got ${String(e)}`);
              conflicts++;
            }
            // Each attempt is a separate request in real life; let I/O (the commit) interleave.
            await tick();
          }
        };
        await Promise.all(Array.from({ length: 32 }, writer));
        assert.equal(wins + conflicts, 10_000);
        assert.ok(wins > 0 && conflicts > 0);
        assert.equal(Number((await s.get('/counter'))?.value), wins);
      } finally {
        await s.close();
      }
    });
  });
}
