// `npm run test:electron`: the extension-host suite (mocha inside VS Code) with @vscode/test-electron.
// test-electron downloads a VS Code build at run time, so this needs internet access. Machines without it run
// the same suite in code-server instead: test/e2e/ui-exthost.test.ts, part of `npm test`.
// Steps: build the package's bundles, bundle the suite into .cache/electron-suite/ (bundle.mjs, shared with the
// code-server runner), run VS Code on a temp workspace with only this extension enabled.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runTests } from '@vscode/test-electron';
import { bundleSuite, repoRoot as root, suiteEnv, writeSuiteWorkspace } from './bundle.mjs';

execFileSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
const suite = await bundleSuite(join(root, '.cache', 'electron-suite'));

const workspace = mkdtempSync(join(tmpdir(), 'wh-electron-ws-'));
writeSuiteWorkspace(workspace);
try {
  const code = await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: suite,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: suiteEnv(workspace),
  });
  process.exitCode = code;
} catch (err) {
  console.error(`test:electron could not run VS Code: ${err instanceof Error ? err.message : err}`);
  console.error('It needs to download VS Code; on machines without internet the same suite runs in code-server: node test/run.mjs test/e2e/ui-exthost.test.ts');
  process.exitCode = 1;
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
