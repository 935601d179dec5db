// The split client bundles (esbuild.mjs): dist/client.js, which VS Code loads at activation, must not pull in
// client-node, vscode-languageclient or yaml; the bundles it requires on first use must export what the
// activation bundle asks of them. Reads dist/ as built by `node esbuild.mjs` (npm test builds it first).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import { join } from 'node:path';
import { builtinModules } from 'node:module';

const dist = join(import.meta.dirname, '..', '..', '..', 'dist');
const built = existsSync(join(dist, 'client.js')) && existsSync(join(dist, 'client-yaml.js'));
const skip = built ? false : 'dist/ has no split client bundles: run `node esbuild.mjs` first';

/** Any property, call or construction gives itself: enough for the bundles' top-level code. */
const stub: unknown = new Proxy(function vscodeStub() {}, {
  get: (_t, k) => (k === '__esModule' ? false : k === Symbol.toPrimitive ? () => '' : stub),
  apply: () => stub,
  construct: () => stub as object,
});

interface Loader { _load(request: string, parent: unknown, isMain: boolean): unknown }

/** Requires `file` with a stub `vscode` and returns the module plus every request made while it loaded. */
function load(file: string): { exports: Record<string, unknown>; requests: string[] } {
  const loader = Module as unknown as Loader;
  const original = loader._load;
  const requests: string[] = [];
  loader._load = function (request, parent, isMain) {
    requests.push(request);
    if (request === 'vscode') return stub;
    return original.call(this, request, parent, isMain);
  };
  try {
    const req = createRequire(import.meta.url);
    delete req.cache[file];
    return { exports: req(file) as Record<string, unknown>, requests };
  } finally {
    loader._load = original;
  }
}

const builtin = (r: string): boolean => r.startsWith('node:') || builtinModules.includes(r);

describe('split client bundles', { skip }, () => {
  test('dist/client.js loads only vscode and Node built-ins; the heavy bundles are not required at load', () => {
    const { exports, requests } = load(join(dist, 'client.js'));
    assert.equal(typeof exports.activate, 'function');
    const foreign = requests.filter((r) => r !== 'vscode' && r !== join(dist, 'client.js') && !builtin(r));
    // client-rest.js is tiny and shared on purpose (one KubeError class for both bundles).
    assert.deepEqual([...new Set(foreign)], ['./client-rest.js']);
    const text = readFileSync(join(dist, 'client.js'), 'utf8');
    for (const lazy of ['./client-cluster.js', './client-lsp.js', './client-yaml.js', './client-commands.js']) {
      assert.ok(text.includes(`require("${lazy}")`), `dist/client.js requires ${lazy} on first use`);
    }
    assert.ok(!/makeInformer|class LanguageClient|YAMLMap/.test(text), 'client-node, the language client and yaml stay out of the activation bundle');
    assert.ok(!text.includes('wheelhouse.rolloutRestart'), 'the command modules stay out of the activation bundle');
  });

  test('dist/client-commands.js registers the command modules and reaches the other bundles as externals', () => {
    const { exports, requests } = load(join(dist, 'client-commands.js'));
    assert.equal(typeof exports.registerCommands, 'function');
    assert.ok(requests.includes('./client-rest.js'));
    const text = readFileSync(join(dist, 'client-commands.js'), 'utf8');
    assert.ok(text.includes('require("./client-cluster.js")') && !text.includes('makeInformer') && !text.includes('YAMLMap'), 'no second copy of client-node or yaml');
  });

  test('dist/client-cluster.js exports kube/connect.ts and kube/streams.ts, and shares kube/rest.ts', async () => {
    const { exports, requests } = load(join(dist, 'client-cluster.js'));
    const connect = await import('../../../client/kube/connect.ts');
    for (const name of [...Object.keys(connect), 'Log', 'Exec', 'PortForward']) {
      assert.equal(typeof exports[name], 'function', `client-cluster.js exports ${name}`);
    }
    assert.ok(requests.includes('./client-rest.js'), 'KubeError comes from the shared dist/client-rest.js');
    const text = readFileSync(join(dist, 'client-cluster.js'), 'utf8');
    assert.ok(text.includes('require("./client-yaml.js")') && !text.includes('YAMLMap'), 'yaml comes from the shared dist/client-yaml.js');
  });

  test('dist/client-lsp.js exports what lsp/languageClient.ts uses; dist/client-yaml.js what client/lazy/yaml.ts forwards', () => {
    const lsp = load(join(dist, 'client-lsp.js')).exports;
    assert.equal(typeof lsp.LanguageClient, 'function');
    assert.equal(typeof (lsp.TransportKind as Record<string, unknown> | undefined)?.ipc, 'number');
    const yaml = load(join(dist, 'client-yaml.js')).exports;
    const standIn = readFileSync(join(import.meta.dirname, '..', '..', '..', 'client', 'lazy', 'yaml.ts'), 'utf8');
    const names = [...standIn.matchAll(/^export const (\w+)/gm)].map((m) => m[1] ?? '');
    assert.ok(names.length >= 6, `stand-in exports: ${names.join(', ')}`);
    for (const n of names) assert.equal(typeof yaml[n], 'function', `client-yaml.js exports ${n}`);
    const { LineCounter, parseAllDocuments } = yaml as { LineCounter: new () => { lineStarts: number[] }; parseAllDocuments: (s: string, o: object) => unknown[] };
    const lc = new LineCounter();
    assert.equal(parseAllDocuments('a: 1\n---\nb: 2\n', { lineCounter: lc }).length, 2);
    assert.deepEqual(lc.lineStarts, [0, 5, 9, 14]);
  });

  test('.vscodeignore ships every client bundle', () => {
    const ignore = readFileSync(join(import.meta.dirname, '..', '..', '..', '.vscodeignore'), 'utf8');
    for (const f of ['client.js', 'client-cluster.js', 'client-lsp.js', 'client-rest.js', 'client-yaml.js', 'client-commands.js']) {
      assert.ok(ignore.includes(`!dist/${f}\n`), `.vscodeignore keeps dist/${f}`);
    }
  });
});
