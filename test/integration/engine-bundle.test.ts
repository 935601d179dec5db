/**
 * What keeps the engine's idle memory down (esbuild.mjs; issue 3: idle RSS ≤ 80 MB), checked on the bundle the
 * tests run (dist/engine.js, built by `npm test` / `node esbuild.mjs`):
 *  - the bundle is pure ASCII, so V8 keeps its source one byte per character instead of as UTF-16;
 *  - loading it instantiates no WebAssembly: ssh2 (docker-modem's ssh:// transport, a 16 MB wasm memory) is
 *    required on its first use only, and so is dockerode's BuildKit session (grpc, protobufjs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const BUNDLE = resolve('dist/engine.js');

test('dist/engine.js is ASCII only', () => {
  const text = readFileSync(BUNDLE, 'utf8');
  const at = text.search(/[^\x00-\x7f]/);
  assert.equal(at, -1, `non-ASCII character at offset ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 40), at + 10))}`);
});

test('loading dist/engine.js instantiates no WebAssembly (ssh2 and the BuildKit session load on first use)', async () => {
  // Counts WebAssembly compilations, then loads the bundle as `wheelhouse --help` (module initialisation runs in full).
  const probe = `
    let n = 0;
    for (const k of ['compile', 'instantiate']) { const f = WebAssembly[k]; WebAssembly[k] = function (...a) { n++; return f.apply(this, a); }; }
    const M = WebAssembly.Module; WebAssembly.Module = function (...a) { n++; return new M(...a); };
    process.argv = [process.argv[0], ${JSON.stringify(BUNDLE)}, '--help'];
    require(${JSON.stringify(BUNDLE)});
    setTimeout(() => console.error('wasm:' + n), 200);`;
  const { stdout, stderr } = await run(process.execPath, ['-e', probe], { timeout: 60_000 });
  assert.match(stdout, /usage: wheelhouse/);
  assert.match(stderr, /wasm:0/);
});
