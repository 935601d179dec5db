/**
 * Load helpers shared by the store tests and bench/store: churn (many updates over a fixed key set, with
 * one worker per slice of keys so there are no conflicts) and on-disk / live-data sizes.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyValue, Store } from '../../engine/store/types.ts';

export function value(i: number, round: number, bytes: number): string {
  const head = `{"i":${i},"round":${round},"pad":"`;
  return head + 'p'.repeat(Math.max(0, bytes - head.length - 2)) + '"}';
}

export const key = (i: number): string => `/registry/configmaps/default/cm-${String(i).padStart(5, '0')}`;

export interface ChurnOptions {
  keys: number;
  updates: number;
  valueBytes: number;
  concurrency: number;
  /** Called after every `every` updates (e.g. to sample the disk size). */
  every?: number;
  onProgress?: (done: number) => void | Promise<void>;
}

/**
 * Creates `keys` keys (if absent) then applies `updates` updates spread over them; resolves to the last
 * value written to each key.
 */
export async function churn(store: Store, o: ChurnOptions): Promise<string[]> {
  const mods: number[] = [];
  const last: string[] = [];
  for (let i = 0; i < o.keys; i += o.concurrency) {
    const batch: Promise<KeyValue>[] = [];
    for (let j = i; j < Math.min(o.keys, i + o.concurrency); j++) {
      const cur = await store.get(key(j));
      batch.push(cur ? Promise.resolve(cur) : store.create(key(j), value(j, 0, o.valueBytes)));
    }
    for (const kv of await Promise.all(batch)) {
      mods.push(kv.modRevision);
      last.push(kv.value);
    }
  }
  let done = 0;
  let nextReport = o.every ?? Infinity;
  const worker = async (w: number) => {
    for (let round = 1; ; round++) {
      for (let i = w; i < o.keys; i += o.concurrency) {
        if (done >= o.updates) return;
        done++;
        const v = value(i, round, o.valueBytes);
        mods[i] = (await store.update(key(i), v, mods[i])).modRevision;
        last[i] = v;
        if (done >= nextReport && o.onProgress) {
          nextReport += o.every ?? Infinity;
          await o.onProgress(done);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, (_, w) => worker(w)));
  return last;
}

/** Bytes of key + value over all live keys (what the store must hold at minimum). */
export async function liveDataBytes(store: Store): Promise<number> {
  let total = 0;
  for (const kv of (await store.list('')).items) total += Buffer.byteLength(kv.key) + Buffer.byteLength(kv.value);
  return total;
}

/** Total size of the store's files. */
export function diskBytes(dir: string): number {
  let total = 0;
  for (const f of readdirSync(dir)) total += statSync(join(dir, f)).size;
  return total;
}
