// `npm run test:electron`: the extension-host suite (mocha inside VS Code) with @vscode/test-electron.
// test-electron downloads a VS Code build at run time, so this needs internet access (these CI machines have
// none: there the same extension runs in code-server, driven by test/e2e/ui.test.ts).
// Steps: build the package's bundles, bundle the suite into .cache/electron-suite/, run VS Code on a temp
// workspace with only this extension enabled.
import { build } from 'esbuild';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { runTests } from '@vscode/test-electron';

const root = resolve(import.meta.dirname, '..', '..');
const out = join(root, '.cache', 'electron-suite');
execFileSync(process.execPath, [join(root, 'esbuild.mjs')], { cwd: root, stdio: 'inherit' });
await build({
  entryPoints: { index: join(root, 'test', 'electron', 'suite', 'index.ts') },
  bundle: true, platform: 'node', format: 'cjs', target: 'node20', outdir: out, external: ['vscode'], logLevel: 'error',
  // mocha loads optional pieces with dynamic requires it guards itself.
  mainFields: ['module', 'main'],
});
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');

const workspace = mkdtempSync(join(tmpdir(), 'wh-electron-ws-'));
writeFileSync(join(workspace, 'broken.yaml'), 'apiVersion: v1\nkind: Service\nmetadata:\n  name: broken\nspec:\n  selectorr: {app: web}\n  ports:\n  - port: 80\n');
try {
  const code = await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(out, 'index.js'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { WHEELHOUSE_HOME: join(workspace, '.wheelhouse'), KUBECONFIG: join(workspace, '.no-kubeconfig') },
  });
  process.exitCode = code;
} catch (err) {
  console.error(`test:electron could not run VS Code: ${err instanceof Error ? err.message : err}`);
  console.error('It needs to download VS Code; on machines without internet the UI tests run in code-server (npm run test:ui).');
  process.exitCode = 1;
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
