/**
 * The extension-host test entry (`extensionTestsPath`): VS Code calls `run()` inside its extension host,
 * with the real `vscode` API. Mocha (BDD) runs the suites registered by the imported files.
 * Contract: `run()` resolves when every test passed and rejects otherwise (VS Code turns that into the exit
 * code @vscode/test-electron reads); when WHEELHOUSE_EXTHOST_RESULTS names a file, the per-test results are
 * also written there as JSON (results.ts) before `run()` settles — the way code-server runs report back.
 */
import Mocha from 'mocha';
import { describeError, writeResults, type ExtHostTestResult } from './results.ts';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', color: true, timeout: 60_000 });
  try {
    // Install describe/it as globals before the test files evaluate (they are bundled, so loaded by import()).
    mocha.suite.emit('pre-require', globalThis, 'extension.test', mocha);
    await import('./extension.test.ts');
  } catch (err) {
    writeResults({ tests: [], failures: 1, error: `the suite failed to load: ${describeError(err)}` });
    throw err;
  }
  const tests: ExtHostTestResult[] = [];
  const failures = await new Promise<number>((resolve) => {
    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } = Mocha.Runner.constants;
    const runner = mocha.run(resolve);
    runner.on(EVENT_TEST_PASS, (t) => tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }));
    // Also emitted for a failed hook (t.type === 'hook'), whose tests then never run: it is reported as a failure.
    runner.on(EVENT_TEST_FAIL, (t, err) => tests.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration, error: describeError(err) }));
    runner.on(EVENT_TEST_PENDING, (t) => tests.push({ title: t.fullTitle(), state: 'pending' }));
  });
  writeResults({ tests, failures });
  if (failures) throw new Error(`${failures} extension-host tests failed`);
}
