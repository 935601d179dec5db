// Bundles the three programs of the extension, plus the engine's in-container agent (dist/agent.js:
// Service proxy and cluster DNS, copied into infrastructure containers). Each bundle must run with no node_modules:
// the .vsix ships only dist/. `vscode` is provided by the extension host.
import { build } from 'esbuild';
import { mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const production = process.argv.includes('--production');
// The server and the engine bundle schema/generated/kubernetes.json (gitignored): generate it from kubernetes-types first.
execFileSync(process.execPath, ['--import', 'tsx', 'schema/generate.ts'], { stdio: 'inherit' });
mkdirSync('dist', { recursive: true });
// The bundles are CommonJS (VS Code's extension host require()s them) while the sources are ESM.
writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');

/** Optional native add-ons that libraries try to load and fall back from; never bundled. */
const optionalNative = ['cpu-features', './crypto/build/Release/sshcrypto.node'];

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  minify: production,
  logLevel: 'warning',
  external: optionalNative,
  // Some ESM-only dependencies read import.meta.url; give them a CommonJS equivalent.
  define: { 'import.meta.url': '__import_meta_url' },
  banner: { js: 'const __import_meta_url = require("url").pathToFileURL(__filename).href;' },
};

await Promise.all([
  build({ ...common, entryPoints: { client: 'client/extension.ts' }, outdir: 'dist', external: [...optionalNative, 'vscode'] }),
  build({ ...common, entryPoints: { server: 'server/main.ts' }, outdir: 'dist' }),
  build({
    ...common,
    entryPoints: { engine: 'engine/main.ts' },
    outdir: 'dist',
    banner: { js: '#!/usr/bin/env node\n' + common.banner.js },
  }),
  // Runs inside containers on the image's own Node: only Node built-ins, no banner needed.
  build({ ...common, entryPoints: { agent: 'engine/network/agent/main.ts' }, outdir: 'dist', define: {}, banner: {} }),
]);
