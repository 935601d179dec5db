// Every UI string exists in English and Korean: package.json %keys% in package.nls.json and package.nls.ko.json,
// and every vscode.l10n.t() string of client/ in l10n/bundle.l10n.ko.json (English is the source string itself).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { extractL10n } from './l10nStrings.ts';

const root = resolve(import.meta.dirname, '..', '..', '..');
const json = (p: string): Record<string, unknown> => JSON.parse(readFileSync(join(root, p), 'utf8')) as Record<string, unknown>;

function manifestKeys(): Set<string> {
  const text = JSON.stringify(json('package.json').contributes);
  return new Set([...text.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]));
}

test('every %key% of package.json contributes is in package.nls.json and package.nls.ko.json', () => {
  const keys = manifestKeys();
  assert.ok(keys.size > 50, `expected the manifest to be localized, found ${keys.size} keys`);
  for (const file of ['package.nls.json', 'package.nls.ko.json']) {
    const nls = json(file);
    const missing = [...keys].filter((k) => typeof nls[k] !== 'string' || (nls[k] as string).trim() === '');
    assert.deepEqual(missing, [], `${file} lacks keys`);
  }
});

test('the two nls files have the same keys and no unused ones', () => {
  const en = Object.keys(json('package.nls.json')).sort();
  const ko = Object.keys(json('package.nls.ko.json')).sort();
  assert.deepEqual(ko, en);
  const used = manifestKeys();
  assert.deepEqual(en.filter((k) => !used.has(k)), []);
});

test('every runtime string (vscode.l10n.t) has a Korean translation, with the same placeholders', () => {
  const { strings, nonLiteral } = extractL10n(root);
  assert.deepEqual(nonLiteral, [], 'l10n.t must be called with a string literal');
  assert.ok(strings.size > 50);
  const ko = json('l10n/bundle.l10n.ko.json') as Record<string, string>;
  const missing = [...strings].filter((s) => typeof ko[s] !== 'string');
  assert.deepEqual(missing, [], 'l10n/bundle.l10n.ko.json lacks strings');
  for (const s of strings) {
    const ph = (t: string): string[] => [...t.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();
    assert.deepEqual(ph(ko[s]), ph(s), `placeholders differ for "${s}"`);
  }
  const stale = Object.keys(ko).filter((k) => !strings.has(k));
  assert.deepEqual(stale, [], 'Korean bundle has strings the code no longer uses');
});

test('Korean translations are Korean (not copies of the English)', () => {
  const ko = json('package.nls.ko.json') as Record<string, string>;
  const hangul = Object.values(ko).filter((v) => /[\uac00-\ud7a3]/.test(v)).length;
  assert.ok(hangul / Object.keys(ko).length > 0.85, `only ${hangul} of ${Object.keys(ko).length} strings contain Hangul`);
});
