// Fuzz over the protobuf body decoder, in `npm test` (fixed seed; `npm run fuzz` runs many more): mutated
// real kubectl bodies, random messages in valid envelopes, random bytes. Passes when every input either
// decodes or is refused with a ProtobufError, and none hangs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from '../fuzz/harness.ts';
import { TARGETS } from '../fuzz/targets.ts';

const HANG_MS = 5000;
const INPUTS = Number(process.env.WHEELHOUSE_FUZZ_INPUTS ?? 50_000);

describe('fuzz: protobuf request bodies', () => {
  it(`${INPUTS} inputs: 0 crashes, 0 hangs`, () => {
    const targets = TARGETS.filter((t) => t.name.startsWith('protobuf'));
    const report = runFuzz(INPUTS, 20261122, targets);
    assert.deepEqual(report.crashes, [], 'crashes (reproduce with the seed, target and index)');
    assert.ok(report.slowestMs < HANG_MS, `slowest input took ${report.slowestMs} ms`);
    assert.ok(report.inputs >= INPUTS - targets.length);
    const mutated = report.targets.find((t) => t.name === 'protobuf: mutated kubectl bodies');
    assert.ok(mutated && mutated.ok > 0 && mutated.rejected > 0);
  });
});
