// The manifest corpus (test/fixtures/manifests): every valid manifest gets no diagnostics at all, with the whole
// valid set loaded as one workspace (so references resolve); every broken variant, added to that workspace, gets
// exactly the diagnostics its `# <- code` markers name, on those lines.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LanguageService } from '../../../server/service.ts';
import { schemaCatalog } from '../../../schema/index.ts';

const root = join('test', 'fixtures', 'manifests');
const list = (d: string) => readdirSync(join(root, d)).filter((f) => f.endsWith('.yaml')).sort();
const uriOf = (d: string, f: string) => `file:///corpus/${d}/${f}`;

function workspace(): LanguageService {
  const s = new LanguageService();
  for (const f of list('valid')) s.update(uriOf('valid', f), 1, readFileSync(join(root, 'valid', f), 'utf8'), false);
  return s;
}

describe('manifest corpus', () => {
  const s = workspace();

  it('has at least 60 valid and 60 broken manifests', () => {
    assert.ok(list('valid').length >= 60, `${list('valid').length} valid`);
    assert.ok(list('broken').length >= 60, `${list('broken').length} broken`);
  });

  it('covers every built-in kind', () => {
    const seen = new Set<string>();
    for (const f of list('valid')) for (const d of s.model(uriOf('valid', f))!.docs) if (d.parsed.kindSchema) seen.add(d.parsed.kind!);
    const missing = [...new Set(schemaCatalog().kinds().filter((k) => !k.list).map((k) => k.kind))].filter((k) => !seen.has(k));
    assert.deepEqual(missing, []);
  });

  for (const f of list('valid')) {
    it(`valid/${f}: no diagnostics`, () => {
      const got = s.diagnostics(uriOf('valid', f)).map((d) => `${d.range.start.line + 1} ${String(d.code)}: ${d.message}`);
      assert.deepEqual(got, []);
    });
  }

  for (const f of list('broken')) {
    it(`broken/${f}: exactly the marked diagnostics`, () => {
      const text = readFileSync(join(root, 'broken', f), 'utf8');
      const expected = text.split('\n').flatMap((l, i) => [...l.matchAll(/# <- ([a-z-]+)/g)].map((m) => `${i + 1} ${m[1]}`)).sort();
      assert.ok(expected.length > 0, 'the file marks what it expects');
      const uri = uriOf('broken', f);
      s.update(uri, 1, text, false);
      try {
        const got = s.diagnostics(uri);
        assert.deepEqual(got.map((d) => `${d.range.start.line + 1} ${String(d.code)}`).sort(), expected, got.map((d) => `${d.range.start.line + 1} ${String(d.code)}: ${d.message}`).join('\n'));
      } finally {
        s.index.delete(uri);
      }
    });
  }
});
