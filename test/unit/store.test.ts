import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { crc32, crc32Portable } from '../../engine/store/crc32.ts';
import { openMemoryStore } from '../../engine/store/memory.ts';
import { storeContract } from '../support/store-contract.ts';

storeContract('memory', async (opts) => openMemoryStore(opts));

describe('crc32', () => {
  it('matches the standard check value and zlib', () => {
    assert.equal(crc32Portable(Buffer.from('123456789')), 0xcbf43926);
    for (let i = 0; i < 50; i++) {
      const b = randomBytes(i * 37);
      assert.equal(crc32Portable(b), crc32(b));
    }
  });
});

describe('MVCC core: a failing journal stops the store', () => {
  it('rejects the failed batch with the cause and everything after with Closed; watches hear it; reads stop', async () => {
    const { MvccStore } = await import('../../engine/store/mvcc.ts');
    const { StoreError } = await import('../../engine/store/types.ts');
    let failNext = false;
    const s = new MvccStore();
    s.start({
      commit: () => (failNext ? Promise.reject(new Error('EIO: i/o error, fdatasync')) : Promise.resolve()),
      afterCommit: () => Promise.resolve(),
      close: () => Promise.resolve(),
    });
    await s.create('/ok', '1');
    const errors: string[] = [];
    s.watch('/', s.revision(), () => undefined, (e) => errors.push(e.code));
    failNext = true;
    const a = s.create('/a', '1');
    const b = s.create('/b', '1');
    await assert.rejects(a, /EIO/);
    await assert.rejects(b, /EIO/);
    await assert.rejects(s.create('/c', '1'), (e: unknown) => e instanceof StoreError && e.code === 'Closed' && e.message.includes('EIO'));
    await assert.rejects(s.get('/ok'), (e: unknown) => e instanceof StoreError && e.code === 'Closed');
    assert.deepEqual(errors, ['Closed']);
    assert.equal(s.revision(), 1);
    await s.close();
  });
});
