/**
 * Line diff (longest common subsequence, trimmed of common head and tail first, so typical template
 * edits cost little) and a unified-style rendering. Used for revision previews and apply summaries.
 */
export type DiffOp = { op: ' ' | '+' | '-'; line: string };

export function diffLines(a: string, b: string): DiffOp[] {
  const x = a === '' ? [] : a.split('\n');
  const y = b === '' ? [] : b.split('\n');
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
  const xs = x.slice(head, x.length - tail);
  const ys = y.slice(head, y.length - tail);
  if (xs.length * ys.length > 4_000_000) {
    // Too large for the quadratic table: report as replaced (still correct, just not minimal).
    return [...x.slice(0, head).map((line) => ({ op: ' ' as const, line })), ...xs.map((line) => ({ op: '-' as const, line })),
      ...ys.map((line) => ({ op: '+' as const, line })), ...x.slice(x.length - tail).map((line) => ({ op: ' ' as const, line }))];
  }
  const n = xs.length;
  const m = ys.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = xs[i] === ys[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const mid: DiffOp[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (xs[i] === ys[j]) { mid.push({ op: ' ', line: xs[i] }); i++; j++; }
    else if (lcs[i + 1][j] >= lcs[i][j + 1]) { mid.push({ op: '-', line: xs[i++] }); }
    else { mid.push({ op: '+', line: ys[j++] }); }
  }
  while (i < n) mid.push({ op: '-', line: xs[i++] });
  while (j < m) mid.push({ op: '+', line: ys[j++] });
  return [...x.slice(0, head).map((line) => ({ op: ' ' as const, line })), ...mid, ...x.slice(x.length - tail).map((line) => ({ op: ' ' as const, line }))];
}

export function diffStats(ops: readonly DiffOp[]): { added: number; removed: number } {
  let added = 0;
  let removed = 0;
  for (const o of ops) {
    if (o.op === '+') added++;
    else if (o.op === '-') removed++;
  }
  return { added, removed };
}

/** Changed lines with `context` lines around them; "…" between distant hunks. */
export function renderDiff(ops: readonly DiffOp[], context = 2): string {
  const keep = new Array<boolean>(ops.length).fill(false);
  ops.forEach((o, i) => {
    if (o.op === ' ') return;
    for (let k = Math.max(0, i - context); k <= Math.min(ops.length - 1, i + context); k++) keep[k] = true;
  });
  const out: string[] = [];
  let skipped = false;
  ops.forEach((o, i) => {
    if (!keep[i]) { skipped = true; return; }
    if (skipped && out.length) out.push('…');
    skipped = false;
    out.push(`${o.op} ${o.line}`);
  });
  return out.join('\n');
}
