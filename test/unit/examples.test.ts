// Every example manifest is exemplary: the language server finds nothing to say about it (no errors and
// no best-practice warnings), with all examples loaded as one workspace so references resolve.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LanguageService } from '../../server/service.ts';

const root = 'examples';
const folders = readdirSync(root).filter((d) => /^\d\d-/.test(d)).sort();
const files = folders.flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith('.yaml')).map((f) => join(root, d, f)));

test('every concept folder has a README and manifests', () => {
  assert.ok(folders.length >= 10);
  for (const d of folders) {
    assert.ok(existsSync(join(root, d, 'README.md')), `${d}/README.md`);
    assert.ok(readdirSync(join(root, d)).some((f) => f.endsWith('.yaml')), `${d} has manifests`);
  }
});

test('example manifests get no diagnostics', () => {
  const s = new LanguageService();
  for (const f of files) s.update(`file:///${f}`, 1, readFileSync(f, 'utf8'), false);
  const got = files.flatMap((f) => s.diagnostics(`file:///${f}`).map((d) => `${f}:${d.range.start.line + 1} ${String(d.code)}: ${d.message}`));
  assert.deepEqual(got, []);
});
