/**
 * `npm run fuzz`: the fuzz targets over many more inputs than `npm test` runs, with a fresh seed.
 *   npm run fuzz -- [--inputs N] [--seed S]
 * Exits 1 when any input crashed; prints each crash with what reproduces it (seed, target, index, input).
 */
import { runFuzz } from './harness.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : dflt;
};
const inputs = opt('--inputs', 2_000_000);
const seed = opt('--seed', Math.floor(Math.random() * 2 ** 31));
const started = Date.now();
const report = runFuzz(inputs, seed);
for (const t of report.targets) {
  console.log(`${t.name.padEnd(44)} inputs ${String(t.inputs).padStart(9)}  ok ${String(t.ok).padStart(9)}  rejected ${String(t.rejected).padStart(9)}  crashes ${t.crashes}  slowest ${t.slowestMs.toFixed(1)} ms`);
}
console.log(`seed ${seed}: ${report.inputs} inputs in ${((Date.now() - started) / 1000).toFixed(1)} s, ${report.crashes.length} crashes, slowest input ${report.slowestMs.toFixed(1)} ms`);
for (const c of report.crashes) console.log(`CRASH ${c.target} seed=${c.seed} index=${c.index}: ${c.error}\n  input: ${c.input}`);
process.exit(report.crashes.length > 0 ? 1 : 0);
