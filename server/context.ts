/**
 * Where the caret is, read from the lines around it rather than from the parse: while a user types, the document
 * is often not valid YAML yet (`    repl`), but its indentation still says which map or list the caret is in.
 */

export interface CaretContext {
  /** Keys from the document root to the map (or list item) the caret is in; `'[]'` for a list item. */
  readonly path: string[];
  /** 'key' when typing a key (no colon before the caret on this line), else 'value' of `key`. */
  readonly at: 'key' | 'value';
  /** The key whose value is being typed (at === 'value'). */
  readonly key?: string;
  /** What was typed so far (key prefix or value prefix) and its start offset in the text. */
  readonly prefix: string;
  readonly prefixStart: number;
  /** End of the word under the caret (so a completion replaces the whole word). */
  readonly wordEnd: number;
  /** Keys already present in the same map (not offered again). */
  readonly siblings: Set<string>;
  /** Column where keys of this map start (for indenting inserted text). */
  readonly column: number;
}

interface LineInfo {
  readonly blank: boolean;
  readonly indent: number;
  /** Columns of `- ` list markers before the content. */
  readonly dashes: number[];
  readonly keyCol: number;
  readonly key?: string;
  /** The value after `key:` (comments stripped), '' when the key opens a block. */
  readonly value?: string;
}

const KEY = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[\]}][^#]*?)[ \t]*:(?:[ \t]+|$)(.*)$/;

function parseLine(line: string): LineInfo {
  const m = /^( *)((?:-[ \t]+)*)(.*)$/.exec(line)!;
  const indent = m[1].length;
  const dashes: number[] = [];
  let col = indent;
  for (const d of m[2].match(/-[ \t]+/g) ?? []) { dashes.push(col); col += d.length; }
  const rest = m[3];
  if (!rest.trim() && dashes.length === 0) return { blank: true, indent, dashes, keyCol: indent };
  if (rest.startsWith('#') && dashes.length === 0) return { blank: true, indent, dashes, keyCol: indent };
  const k = KEY.exec(rest);
  let key: string | undefined;
  let value: string | undefined;
  if (k) {
    key = k[1].replace(/^["']|["']$/g, '');
    value = k[2].replace(/(^|\s)#.*$/, '').trim();
  }
  return { blank: false, indent, dashes, keyCol: col, key, value };
}

function lineBounds(text: string, off: number): [number, number] {
  const s = text.lastIndexOf('\n', off - 1) + 1;
  let e = text.indexOf('\n', off);
  if (e < 0) e = text.length;
  return [s, e];
}

/** Lines of `text` before line start `s`, nearest first (stopping at a document marker). */
function* linesAbove(text: string, s: number): Generator<string> {
  let end = s - 1;
  while (end >= 0) {
    const start = text.lastIndexOf('\n', end - 1) + 1;
    const line = text.slice(start, end).replace(/\r$/, '');
    if (/^(---|\.\.\.)(\s|$)/.test(line)) return;
    yield line;
    end = start - 1;
  }
}

function* linesBelow(text: string, e: number): Generator<string> {
  let start = e + 1;
  while (start <= text.length && start > 0) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).replace(/\r$/, '');
    if (/^(---|\.\.\.)(\s|$)/.test(line)) return;
    yield line;
    if (end >= text.length) return;
    start = end + 1;
  }
}

export function caretContext(text: string, off: number): CaretContext {
  const [ls, le] = lineBounds(text, off);
  const before = text.slice(ls, off);
  const whole = text.slice(ls, le).replace(/\r$/, '');
  const lead = /^( *)((?:-[ \t]+)*)/.exec(before)!;
  const indent = lead[1].length;
  const dashes: number[] = [];
  let col = indent;
  for (const d of lead[2].match(/-[ \t]+/g) ?? []) { dashes.push(col); col += d.length; }
  const content = before.slice(col);
  const kv = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"{[\]}][^:#]*?)[ \t]*:[ \t]*(.*)$/.exec(content);
  let at: 'key' | 'value';
  let key: string | undefined;
  let prefix: string;
  let prefixStart: number;
  if (kv) {
    at = 'value';
    key = kv[1].replace(/^["']|["']$/g, '');
    prefix = kv[2].replace(/^["']/, '');
    prefixStart = off - prefix.length;
  } else {
    at = 'key';
    prefix = content.trimStart();
    prefixStart = off - prefix.length;
  }
  const wordEnd = off + (/^[^\s:#]*/.exec(text.slice(off, le))?.[0].length ?? 0);

  // Ancestors, from the indentation of the lines above.
  const suffix: string[] = dashes.map(() => '[]');
  const path: string[] = [];
  let target = dashes.length ? dashes[0] : col;
  if (target > 0) {
    for (const line of linesAbove(text, ls)) {
      const info = parseLine(line);
      if (info.blank) continue;
      const firstCol = info.dashes.length ? info.dashes[0] : info.keyCol;
      if (firstCol >= target && info.keyCol >= target) continue;
      if (info.key !== undefined && info.keyCol < target && (info.value === '' || info.value === undefined)) {
        path.unshift(...info.dashes.map(() => '[]'), info.key);
        target = firstCol;
      } else if (info.dashes.length && info.dashes[info.dashes.length - 1] < target && target <= info.keyCol) {
        path.unshift(...info.dashes.map(() => '[]'));
        target = info.dashes[0];
      } else {
        break; // inconsistent indentation (a scalar line above): stop where we are
      }
      if (target === 0) break;
    }
  }
  path.push(...suffix);
  if (at === 'value' && key !== undefined) path.push(key);

  // Keys already present at the caret's level.
  const siblings = new Set<string>();
  const ownCol = col;
  const here = parseLine(whole);
  if (dashes.length === 0 || at === 'value') {
    for (const line of linesAbove(text, ls)) {
      const info = parseLine(line);
      if (info.blank) continue;
      if (info.keyCol === ownCol && info.key !== undefined) siblings.add(info.key);
      if (info.keyCol < ownCol || (info.dashes.length && info.dashes[info.dashes.length - 1] < ownCol)) break;
    }
  }
  for (const line of linesBelow(text, le)) {
    const info = parseLine(line);
    if (info.blank) continue;
    if (info.keyCol < ownCol || (info.dashes.length && info.dashes[0] < ownCol)) break;
    if (info.keyCol === ownCol && info.key !== undefined) siblings.add(info.key);
  }
  if (at === 'key' && here.key && here.keyCol === ownCol) siblings.delete(here.key);
  return { path, at, key, prefix, prefixStart, wordEnd, siblings, column: ownCol };
}
