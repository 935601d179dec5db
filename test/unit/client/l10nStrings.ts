/**
 * Extracts the runtime strings of the extension: every `vscode.l10n.t('…')` literal in client/**.ts.
 * Only single-quoted literals are allowed as the first argument (the test fails on anything else), so the
 * extraction is exact and the Korean bundle can be checked for completeness.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

export interface Extracted { strings: Set<string>; nonLiteral: string[] }

export function extractL10n(root: string): Extracted {
  const strings = new Set<string>();
  const nonLiteral: string[] = [];
  for (const file of walk(join(root, 'client'))) {
    const text = readFileSync(file, 'utf8');
    const re = /l10n\.t\(\s*/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text))) {
      const at = m.index + m[0].length;
      const lit = /^'((?:[^'\\]|\\.)*)'/.exec(text.slice(at));
      if (!lit) { nonLiteral.push(`${file}:${text.slice(0, at).split('\n').length}`); continue; }
      strings.add(lit[1].replace(/\\(.)/g, '$1'));
    }
  }
  return { strings, nonLiteral };
}
