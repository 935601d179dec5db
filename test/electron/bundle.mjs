// Shared by the two runners of the extension-host suite (mocha inside VS Code): test/electron/run.mjs
// (@vscode/test-electron, `npm run test:electron`) and test/e2e/ui-exthost.test.ts (code-server, in `npm test`).
// Types for TypeScript callers: bundle.d.mts.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

/** The workspace's one file: a Service with a misspelt field, on which the suite expects a diagnostic. */
export const brokenYaml = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: broken\nspec:\n  selectorr: {app: web}\n  ports:\n  - port: 80\n';

/** Writes the suite's workspace files into `dir` (an existing, empty folder). */
export function writeSuiteWorkspace(dir) {
  writeFileSync(join(dir, 'broken.yaml'), brokenYaml);
}

/**
 * The environment the extension host must run the suite with, for a workspace made by writeSuiteWorkspace:
 * a private engine data dir and an empty kubeconfig list, so the extension never sees the machine's clusters.
 */
export function suiteEnv(workspace) {
  return { WHEELHOUSE_HOME: join(workspace, '.wheelhouse'), KUBECONFIG: join(workspace, '.no-kubeconfig') };
}

/**
 * Bundles test/electron/suite/index.ts (mocha and the test files; `vscode` stays external) into `outDir` as
 * CommonJS, as VS Code's `extensionTestsPath` requires it. Resolves to the entry file's absolute path.
 */
export async function bundleSuite(outDir) {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: { index: join(repoRoot, 'test', 'electron', 'suite', 'index.ts') },
    bundle: true, platform: 'node', format: 'cjs', target: 'node20', outdir: outDir, external: ['vscode'], logLevel: 'error',
    // mocha loads optional pieces with dynamic requires it guards itself.
    mainFields: ['module', 'main'],
  });
  writeFileSync(join(outDir, 'package.json'), '{ "type": "commonjs" }\n');
  return join(outDir, 'index.js');
}
