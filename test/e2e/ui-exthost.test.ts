// The extension-host suite (test/electron/suite: mocha inside VS Code, with the real `vscode` API — the suite
// `npm run test:electron` runs with @vscode/test-electron where VS Code can be downloaded) run in code-server's
// extension host instead, so it runs offline as part of `npm test`:
//   - the packaged .vsix (dist/wheelhouse.vsix), unpacked, is the extension in development mode (what users get,
//     and immune to a dist/ rebuild while the test runs); the suite is bundled by test/electron/bundle.mjs, as for
//     test:electron;
//   - Chromium opens the workbench with VS Code's extension-test `payload` (extensionTestsUrl); the extension host
//     inherits code-server's environment, where WHEELHOUSE_EXTHOST_RESULTS names the file the suite writes its
//     per-test results to (test/electron/suite/results.ts);
//   - each mocha test becomes its own node:test subtest, failing when the mocha test failed.
// The suite itself needs no Docker (the engine does not auto-start here), but like every e2e file it is skipped
// with the reason when Docker, Chromium or code-server is unavailable, unless WHEELHOUSE_REQUIRE_DOCKER=1.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dockerSkip } from '../support/docker.ts';
import { chromiumPath, extensionTestsUrl, installCodeServer, installExtension, repoRoot, startCodeServer, type CodeServer } from '../support/code-server.ts';
import { bundleSuite, suiteEnv, writeSuiteWorkspace } from '../electron/bundle.mjs';
import { resultsEnvVar, type ExtHostResults } from '../electron/suite/results.ts';

const run = promisify(execFile);
const vsix = join(repoRoot, 'dist', 'wheelhouse.vsix');
/**
 * From opening the page to the results file: workbench load, extension host start, activation and the suite —
 * ≈ 50-60 s measured on a 2-core machine at a load average of 20-30 (a CI run of the other e2e files alongside).
 */
const resultsTimeoutMs = 150_000;
/** From the results file to VS Code's exit callback (it first stops the extension hosts). */
const exitTimeoutMs = 15_000;
let entry = '';

async function uiSkip(): Promise<string | false> {
  const docker = await dockerSkip();
  if (docker) return docker;
  try {
    entry = await installCodeServer((l) => console.log(`# ${l}`));
    return false;
  } catch (err) {
    const reason = `UI tests need code-server and Chromium: ${(err as Error).message.split('\n')[0]}`;
    if (process.env.WHEELHOUSE_REQUIRE_DOCKER === '1') throw new Error(reason);
    return reason;
  }
}

const tail = (text: string, chars = 4000): string => (text.length > chars ? `…${text.slice(-chars)}` : text);

/** The one folder installExtension unpacked into `dir`. */
function unpackedExtension(dir: string): string {
  const found = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name.startsWith('wheelhouse.wheelhouse-'));
  assert.equal(found.length, 1, `one unpacked wheelhouse extension in ${dir}: ${found.map((e) => e.name).join(', ')}`);
  return join(dir, found[0]!.name);
}

describe('the extension-host suite in code-server', { skip: await uiSkip() }, () => {
  test('runs the mocha suite in the extension host; each mocha test is a subtest', async (t) => {
    const dirs: string[] = [];
    const tmp = (prefix: string): string => { const d = mkdtempSync(join(tmpdir(), prefix)); dirs.push(d); return d; };
    let cs: CodeServer | undefined;
    let browser: Browser | undefined;
    let page: Page | undefined;
    const consoleLines: string[] = [];
    /** VS Code's own verdict (0 when run() resolved), passed to window.codeAutomationExit once the suite settled. */
    let exitCode: number | undefined;
    let results: ExtHostResults;
    const diagnostics = (): string => `\n--- code-server's output:\n${tail(cs?.output() ?? '')}\n--- the page's console (the extension host's console is forwarded there):\n${tail(consoleLines.join('\n'))}`;
    const started = Date.now();
    const phase = (what: string): void => t.diagnostic(`${what} at ${((Date.now() - started) / 1000).toFixed(1)} s`);
    try {
      // `npm test` and `npm run test:ui` package first; packaging here too would rebuild dist/ under other tests.
      if (!existsSync(vsix)) await run('npm', ['run', 'package'], { cwd: repoRoot, maxBuffer: 64 << 20 });
      const unpacked = tmp('wh-exthost-dev-');
      const suiteDir = tmp('wh-exthost-suite-');
      const workspace = tmp('wh-exthost-ws-');
      writeSuiteWorkspace(workspace);
      const resultsFile = join(tmp('wh-exthost-out-'), 'results.json');
      const extensionsDir = tmp('wh-exthost-ext-'); // empty: the extension under test is the development one
      // Independent steps in parallel; all settle before any error is thrown, so `finally` sees what started.
      const [installed, bundled, ...others] = await Promise.allSettled([
        installExtension(entry, vsix, unpacked),
        bundleSuite(suiteDir),
        startCodeServer({
          entry, workspace, extensionsDir,
          env: { ...suiteEnv(workspace), [resultsEnvVar]: resultsFile },
          settings: { 'wheelhouse.engine.autoStart': false },
        }).then((c) => { cs = c; }),
        chromium.launch({
          executablePath: chromiumPath,
          args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
        }).then((b) => { browser = b; }),
      ]);
      for (const r of [installed, bundled, ...others]) if (r.status === 'rejected') throw r.reason;
      assert.ok(cs && browser && bundled.status === 'fulfilled');
      const extensionDevelopmentPath = unpackedExtension(unpacked);
      const extensionTestsPath = bundled.value;
      phase('code-server answering, extension unpacked, suite bundled, browser open');
      page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
      page.on('console', (m) => { consoleLines.push(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${m.text()}`); if (consoleLines.length > 300) consoleLines.shift(); });
      await page.exposeFunction('codeAutomationExit', (code: number) => { exitCode = code; });
      await page.goto(extensionTestsUrl(cs, { folder: workspace, extensionDevelopmentPath, extensionTestsPath }));

      const deadline = Date.now() + resultsTimeoutMs;
      let exitSeenAt: number | undefined;
      while (!existsSync(resultsFile)) {
        const now = Date.now();
        if (exitCode !== undefined) exitSeenAt ??= now;
        // The suite writes its results before run() settles; a little slack for the rename to show.
        if (exitSeenAt !== undefined && now - exitSeenAt > 2000) {
          throw new Error(`the extension host finished the tests (exit code ${exitCode}) but wrote no results to ${resultsFile}${diagnostics()}`);
        }
        if (now > deadline) throw new Error(`no extension-host test results in ${resultsFile} after ${resultsTimeoutMs / 1000} s${diagnostics()}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      results = JSON.parse(readFileSync(resultsFile, 'utf8')) as ExtHostResults;
      phase('results written');
      const exitDeadline = Date.now() + exitTimeoutMs;
      while (exitCode === undefined && Date.now() < exitDeadline) await new Promise((r) => setTimeout(r, 100));
      phase(`exit code ${exitCode}`);
    } catch (err) {
      await page?.screenshot({ path: join(repoRoot, 'test-results', 'ui-exthost.png') }).catch(() => {});
      throw err;
    } finally {
      await browser?.close().catch(() => {});
      await cs?.stop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }

    assert.ok(results.error === undefined, `the suite did not run: ${results.error}`);
    assert.ok(results.tests.length > 0, 'mocha reported no tests');
    for (const r of results.tests) {
      await t.test(r.title, { skip: r.state === 'pending' ? 'pending in mocha' : false }, (st) => {
        if (r.durationMs !== undefined) st.diagnostic(`${r.title}: ${r.durationMs} ms in the extension host`);
        if (r.state !== 'failed') return;
        // The extension host's stack is the one that matters, not this callback's.
        const err = new Error(`failed in the extension host after ${r.durationMs ?? '?'} ms: ${r.error}`);
        err.stack = err.message;
        throw err;
      });
    }
    await t.test('VS Code reports the same outcome when the suite ends', () => {
      assert.notEqual(exitCode, undefined, `window.codeAutomationExit was not called within ${exitTimeoutMs / 1000} s of the results`);
      assert.equal(exitCode === 0, results.failures === 0, `exit code ${exitCode} for ${results.failures} mocha failures`);
    });
  });
});
