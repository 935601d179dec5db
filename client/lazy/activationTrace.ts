/**
 * Activation timing for bench/extension: when WHEELHOUSE_ACTIVATION_TRACE names a file, activate() appends one
 * JSON line there with the time each step took (ms) and the time the activation bundle took to initialise its modules
 * (extension.ts imports this module first and calls bundleReady() as its last top-level statement; VS Code's own
 * work between loading the code and calling activate() is not included, as in its "Show Running Extensions").
 * Without the variable it records nothing beyond a few performance.now() calls.
 */
import { appendFileSync } from 'node:fs';

const loadedAt = performance.now();
// The extension host builds this extension's `vscode` API object on the first require('vscode'): a cost every
// extension pays, measured apart from our own modules' initialisation. (Required here, cached for the others.)
// eslint-disable-next-line @typescript-eslint/no-require-imports
require('vscode');
const apiAt = performance.now();
let readyAt = apiAt;

/** Called once all of the activation bundle's modules have initialised. */
export function bundleReady(): void { readyAt = performance.now(); }

export class ActivationTrace {
  private readonly steps: Record<string, number> = {};
  private readonly start = performance.now();
  private last = this.start;

  /** Records the time since the previous mark (or activate()'s start) under `step`. */
  mark(step: string): void {
    const now = performance.now();
    this.steps[step] = Math.round((now - this.last) * 10) / 10;
    this.last = now;
  }

  /** Writes the line when the variable is set; never throws (tracing must not break activation). */
  finish(): void {
    const file = process.env.WHEELHOUSE_ACTIVATION_TRACE;
    if (!file) return;
    const round = (x: number): number => Math.round(x * 10) / 10;
    const line = { vscodeApi: round(apiAt - loadedAt), moduleInit: round(readyAt - apiAt), activate: round(this.last - this.start), steps: this.steps };
    try { appendFileSync(file, JSON.stringify(line) + '\n'); } catch { /* best effort */ }
  }
}
