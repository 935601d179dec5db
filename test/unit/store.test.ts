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
