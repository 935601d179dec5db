// Bundles the three programs of the extension, plus the engine's in-container agent (dist/agent.js:
// Service proxy and cluster DNS, copied into infrastructure containers). Each bundle must run with no node_modules:
// the .vsix ships only dist/. `vscode` is provided by the extension host.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, relative, resolve, sep } from 'node:path';

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

/**
 * The client is split so activation compiles only what registers commands, views and providers (issue: activation
 * ≤ 150 ms). In CommonJS output esbuild inlines `import()`, so this plugin turns chosen imports into `require()`s of
 * sibling bundles instead (resolved next to dist/client.js, loaded on first use and cached by Node):
 *   dist/client-cluster.js  client-node + the kube layer's connect half (client/lazy/cluster.ts)
 *   dist/client-lsp.js      vscode-languageclient (client/lazy/lsp.ts)
 *   dist/client-rest.js     kube/rest.ts, shared by client.js and client-cluster.js so KubeError is one class
 *   dist/client-yaml.js     the yaml package, reached through client/lazy/yaml.ts (forwards each call)
 *   dist/client-commands.js the command modules (client/lazy/commands.ts), required by the first command run
 *                           (extension.ts registers thin stand-ins, client/lazy/lazyCommands.ts)
 * `lazy` maps apply to dynamic imports only (a static import would defeat the split); `shared` to every import;
 * `redirect` swaps a package for a bundled stand-in (not for imports made by the stand-in itself).
 * Other client modules may be duplicated in client-cluster.js: they hold no module state.
 */
function splitClient({ lazy = {}, shared = {}, redirect = {} }) {
  const abs = (m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k.startsWith('client/') ? resolve(k) : k, v]));
  const lazyAbs = abs(lazy);
  const sharedAbs = abs(shared);
  return {
    name: 'split-client',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const standIn = redirect[args.path];
        if (standIn && resolve(args.importer) !== resolve(standIn)) return { path: resolve(standIn) };
        const key = args.path.startsWith('.') ? resolve(args.resolveDir, args.path) : args.path;
        const target = sharedAbs[key] ?? (args.kind === 'dynamic-import' ? lazyAbs[key] : undefined);
        return target ? { path: target, external: true } : undefined;
      });
    },
  };
}
/**
 * The engine's idle memory (issue 3: idle RSS ≤ 80 MB). Node keeps dist/engine.js in memory as source text for as
 * long as the engine runs (V8 compiles functions lazily from it), and whatever the bundle runs at load stays resident.
 *
 * deferRequire: CommonJS modules of dependencies that only rare Docker setups use are required on their first call
 * instead of when their parent loads. Each listed module must export one function (the stand-in forwards calls to it):
 *   docker-modem/lib/ssh.js   ssh:// DOCKER_HOSTs only; loading it loads ssh2, which instantiates a WebAssembly
 *                             module with a 16 MB memory (about 4 MB resident)
 *   dockerode/lib/session.js  BuildKit sessions (`buildImage` with `version: '2'`) only; loads @grpc/grpc-js and
 *                             protobufjs (about 3 MB resident)
 * Keys are the requiring file (relative to node_modules), values the specifier it requires.
 */
const engineDeferred = { 'docker-modem/lib/modem.js': './ssh', 'dockerode/lib/docker.js': './session' };
function deferRequire(deferred) {
  const wanted = Object.entries(deferred).map(([importer, spec]) => [`${sep}node_modules${sep}${importer.split('/').join(sep)}`, spec]);
  return {
    name: 'defer-require',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind !== 'require-call' || !wanted.some(([imp, spec]) => args.importer.endsWith(imp) && args.path === spec)) return undefined;
        return { path: relative(process.cwd(), resolve(args.resolveDir, `${args.path}.js`)), namespace: 'deferred' };
      });
      // The stand-in's own require() names the real file by its absolute path, which the filter above leaves alone.
      b.onLoad({ filter: /.*/, namespace: 'deferred' }, (args) => ({
        contents: `module.exports = function () { return require(${JSON.stringify(resolve(args.path))}).apply(this, arguments); };\n`,
        resolveDir: dirname(resolve(args.path)),
        loader: 'js',
      }));
    },
  };
}

/**
 * Rewrites every non-ASCII character of a bundle as a \u escape. esbuild already escapes them in strings,
 * templates, regular expressions and identifiers (charset ascii), where \u escapes mean the same character, so
 * what remains is in comments it keeps; but one such character makes V8 hold the whole script as UTF-16, twice
 * its ASCII size (about 4 MB more for the engine). Columns after a rewritten character shift on its line only.
 */
function asciiOnly(file) {
  const text = readFileSync(file, 'utf8');
  const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (ascii !== text) writeFileSync(file, ascii);
}

const sharedRest = { 'client/kube/rest.ts': './client-rest.js' };
const lazyYaml = { yaml: 'client/lazy/yaml.ts' };
const clusterLazy = { 'client/kube/connect.ts': './client-cluster.js', 'client/kube/streams.ts': './client-cluster.js' };
// './client-yaml.js' is required by client/lazy/yaml.ts itself.
const clientCommon = { ...common, outdir: 'dist', external: [...optionalNative, 'vscode', './client-yaml.js', './client-commands.js'] };

await Promise.all([
  build({
    ...clientCommon,
    entryPoints: { client: 'client/extension.ts' },
    // External `import()`s become `require()`s: the extension host provides `vscode` to required modules only.
    supported: { 'dynamic-import': false },
    plugins: [splitClient({
      lazy: { ...clusterLazy, 'vscode-languageclient/node': './client-lsp.js' },
      shared: sharedRest,
      redirect: lazyYaml,
    })],
  }),
  build({ ...clientCommon, entryPoints: { 'client-cluster': 'client/lazy/cluster.ts' }, plugins: [splitClient({ shared: sharedRest, redirect: lazyYaml })] }),
  build({
    ...clientCommon,
    entryPoints: { 'client-commands': 'client/lazy/commands.ts' },
    supported: { 'dynamic-import': false },
    plugins: [splitClient({ lazy: clusterLazy, shared: sharedRest, redirect: lazyYaml })],
  }),
  build({ ...clientCommon, entryPoints: { 'client-lsp': 'client/lazy/lsp.ts' } }),
  build({ ...clientCommon, entryPoints: { 'client-rest': 'client/lazy/rest.ts' } }),
  build({ ...clientCommon, entryPoints: { 'client-yaml': 'client/lazy/yamlLib.ts' } }),
  build({ ...common, entryPoints: { server: 'server/main.ts' }, outdir: 'dist' }),
  build({
    ...common,
    entryPoints: { engine: 'engine/main.ts' },
    outdir: 'dist',
    banner: { js: '#!/usr/bin/env node\n' + common.banner.js },
    plugins: [deferRequire(engineDeferred)],
  }).then(() => asciiOnly('dist/engine.js')),
  // Runs inside containers on the image's own Node: only Node built-ins, no banner needed.
  build({ ...common, entryPoints: { agent: 'engine/network/agent/main.ts' }, outdir: 'dist', define: {}, banner: {} }),
]);
