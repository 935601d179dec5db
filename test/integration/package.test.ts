/**
 * The packaged extension (`npm run package`): the .vsix holds the bundles and the manifest, nothing from
 * the source tree or node_modules, stays under 10 MB, and its bundles run on their own (no node_modules).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';

const run = promisify(execFile);

interface Entry { name: string; method: number; size: number; offset: number; compressedSize: number }

/** Reads a zip's central directory (a .vsix is a zip). */
function zipEntries(buf: Buffer): Entry[] {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, 'end of central directory found');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out: Entry[] = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, 'central directory entry');
    const method = buf.readUInt16LE(p + 10);
    const compressedSize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const offset = buf.readUInt32LE(p + 42);
    out.push({ name: buf.toString('utf8', p + 46, p + 46 + nameLen), method, size, offset, compressedSize });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

function extract(buf: Buffer, e: Entry): Buffer {
  const nameLen = buf.readUInt16LE(e.offset + 26);
  const extraLen = buf.readUInt16LE(e.offset + 28);
  const data = buf.subarray(e.offset + 30 + nameLen + extraLen, e.offset + 30 + nameLen + extraLen + e.compressedSize);
  return e.method === 8 ? inflateRawSync(data) : Buffer.from(data);
}

test('npm run package writes a .vsix with the bundles only, under 10 MB, that runs without node_modules', async () => {
  // `npm test` packages before running the tests (rebuilding dist/ here would race the tests that use it).
  const vsix = join('dist', 'wheelhouse.vsix');
  if (!existsSync(vsix)) await run('npm', ['run', 'package'], { maxBuffer: 64 << 20, timeout: 300_000 });
  const size = statSync(vsix).size;
  assert.ok(size < 10 * 1024 * 1024, `${size} bytes`);
  const buf = readFileSync(vsix);
  const entries = zipEntries(buf);
  const names = entries.map((e) => e.name);
  for (const f of ['client.js', 'server.js', 'engine.js', 'agent.js', 'package.json', 'client-commands.js', 'client-cluster.js', 'client-lsp.js']) {
    assert.ok(names.includes(`extension/dist/${f}`), `has dist/${f}`);
  }
  assert.ok(names.includes('extension/package.json'));
  assert.ok(names.includes('extension/package.nls.ko.json'), 'Korean manifest strings');
  assert.ok(names.some((n) => n.startsWith('extension/l10n/')), 'Korean runtime strings');
  const forbidden = names.filter((n) => /node_modules\/|\.ts$|^extension\/(test|engine|server|client|schema)\//.test(n));
  assert.deepEqual(forbidden, [], 'no sources, tests or node_modules');

  // The bundles run from the extracted package alone.
  const dir = mkdtempSync(join(tmpdir(), 'wh-vsix-'));
  try {
    for (const e of entries.filter((x) => x.name.startsWith('extension/dist/'))) {
      const target = join(dir, e.name.slice('extension/'.length));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, extract(buf, e));
    }
    const help = await run(process.execPath, [join(dir, 'dist', 'engine.js'), '--help']);
    assert.match(help.stdout, /usage: wheelhouse/);
    const agent = await run(process.execPath, [join(dir, 'dist', 'agent.js')]).catch((e: { code: number; stderr: string }) => e);
    assert.match((agent as { stderr: string }).stderr, /usage: agent/);
    // The language server answers an LSP initialize over stdio.
    const server = spawn(process.execPath, [join(dir, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
    const reply = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no initialize reply: ${out}`)), 15_000);
      server.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('"capabilities"')) {
          clearTimeout(timer);
          resolve(out);
        }
      });
      server.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
    server.kill();
    assert.match(reply, /"completionProvider"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
