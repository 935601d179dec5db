// Fuzz over the patch, apply, apply-body (YAML/JSON) and printer paths, in `npm test`: a fixed seed and a
// fixed number of inputs, so a failure reproduces (`npm run fuzz -- --seed S` runs many more).
// Passes when no input crashed (only PatchError / JSON SyntaxError rejections) and none hung.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runFuzz } from '../fuzz/harness.ts';
import { TARGETS } from '../fuzz/targets.ts';

/** A single input taking this long is a hang, not slowness: inputs are small and decoders bounded. */
const HANG_MS = 5000;
const INPUTS = Number(process.env.WHEELHOUSE_FUZZ_INPUTS ?? 55_000);

describe('fuzz: patches, server-side apply, apply bodies, printers', () => {
  it(`${INPUTS} inputs: 0 crashes, 0 hangs`, () => {
    const targets = TARGETS.filter((t) => !t.name.startsWith('protobuf'));
    const report = runFuzz(INPUTS, 20261122, targets);
    assert.deepEqual(report.crashes, [], 'crashes (reproduce with the seed, target and index)');
    assert.ok(report.slowestMs < HANG_MS, `slowest input took ${report.slowestMs} ms`);
    assert.ok(report.inputs >= INPUTS - targets.length);
    // The fuzz must exercise both outcomes of every decoder, or it is not testing much.
    for (const t of report.targets) {
      if (t.name === 'printers') continue;
      assert.ok(t.ok > 0 && t.rejected > 0, `${t.name}: ${t.ok} ok, ${t.rejected} rejected`);
    }
  });
});
