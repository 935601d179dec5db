/**
 * The extension-host suite's machine-readable results, for runners that cannot read VS Code's exit code
 * (code-server: test/e2e/ui-exthost.test.ts). No `vscode` import: the e2e test imports the types from here.
 *
 * Contract: when the environment variable `resultsEnvVar` names a file, the suite (index.ts) writes one
 * `ExtHostResults` JSON document there once mocha has finished — or once the suite failed to load — and never
 * before, by writing a sibling temp file and renaming it, so a reader that sees the file sees all of it.
 */
import { renameSync, writeFileSync } from 'node:fs';

export const resultsEnvVar = 'WHEELHOUSE_EXTHOST_RESULTS';

export interface ExtHostTestResult {
  /** Mocha's full title ("suite title test title"); for a failed hook, the hook's full title. */
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  /** The failure's message (with its stack when mocha has one). */
  error?: string;
}

export interface ExtHostResults {
  /** Every test mocha ran or skipped, and every hook that failed, in the order mocha reported them. */
  tests: ExtHostTestResult[];
  /** Mocha's failure count (failed tests and failed hooks). */
  failures: number;
  /** Set when the suite could not run at all (e.g. a test file threw on import); `tests` is then empty. */
  error?: string;
}

/** Writes `results` to the file named by `resultsEnvVar`, if any; atomic (temp file + rename). */
export function writeResults(results: ExtHostResults): void {
  const file = process.env[resultsEnvVar];
  if (!file) return;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(results, null, 2) + '\n');
  renameSync(tmp, file);
}

/** The message of an error-like value, with its stack when it has one. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.stack && err.stack.includes(err.message) ? err.stack : `${err.message}\n${err.stack ?? ''}`.trim();
  return String(err);
}
