/**
 * Runs fuzz targets for a number of inputs and collects what happened: per target the inputs, clean
 * rejections and crashes (with seed, index and a JSON rendering of the input to reproduce), and the
 * slowest single input (a hang shows up there; a synchronous decoder cannot be interrupted).
 */
import { FuzzCrash, TARGETS } from './targets.ts';
import type { Target } from './targets.ts';
import { rngFrom, seedOf } from './random.ts';

export interface Crash {
  target: string;
  seed: number;
  index: number;
  error: string;
  input: string;
}

export interface TargetStats {
  name: string;
  inputs: number;
  ok: number;
  rejected: number;
  crashes: number;
  slowestMs: number;
}

export interface FuzzReport {
  inputs: number;
  crashes: Crash[];
  targets: TargetStats[];
  slowestMs: number;
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message).split('\n').slice(0, 4).join(' | ') : String(err);
}

function render(input: unknown): string {
  try {
    if (Buffer.isBuffer(input)) return `base64:${input.toString('base64')}`;
    const s = JSON.stringify(input);
    return s.length > 2000 ? `${s.slice(0, 2000)}…` : s;
  } catch {
    return String(input);
  }
}

/** Spreads `total` inputs over the targets by weight. */
export function runFuzz(total: number, seed: number, targets: Target[] = TARGETS, maxCrashes = 20): FuzzReport {
  const weight = targets.reduce((s, t) => s + t.weight, 0);
  const report: FuzzReport = { inputs: 0, crashes: [], targets: [], slowestMs: 0 };
  for (const t of targets) {
    const n = Math.max(1, Math.round((total * t.weight) / weight));
    const stats: TargetStats = { name: t.name, inputs: 0, ok: 0, rejected: 0, crashes: 0, slowestMs: 0 };
    for (let i = 0; i < n; i++) {
      const r = rngFrom(seedOf(seed, t.name, i));
      const start = performance.now();
      try {
        const { outcome } = t.run(r);
        if (outcome === 'ok') stats.ok++;
        else stats.rejected++;
      } catch (err) {
        stats.crashes++;
        if (report.crashes.length < maxCrashes) {
          report.crashes.push({
            target: t.name, seed, index: i,
            error: describe(err instanceof FuzzCrash ? err.reason : err),
            input: render(err instanceof FuzzCrash ? err.input : undefined),
          });
        }
      }
      stats.slowestMs = Math.max(stats.slowestMs, performance.now() - start);
      stats.inputs++;
    }
    report.inputs += stats.inputs;
    report.slowestMs = Math.max(report.slowestMs, stats.slowestMs);
    report.targets.push(stats);
  }
  return report;
}
