/**
 * The JSONPath subset CRD `additionalPrinterColumns` use (upstream validates them as "simple" paths):
 * `.spec.replicas`, `.metadata.labels.app\.kubernetes\.io/name`, `.a['b.c']`, `.items[0]`, `.items[*].name`,
 * `.status.conditions[?(@.type=="Ready")].status`. Answers every match in document order; a path it cannot
 * parse throws (the caller renders an empty cell, as upstream does for a failing column).
 */

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; value: unknown };

export function parseJsonPath(path: string): Step[] {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1);
  if (p.startsWith('$')) p = p.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < p.length) {
    const ch = p[i];
    if (ch === '.') {
      i++;
      let name = '';
      while (i < p.length && p[i] !== '.' && p[i] !== '[') {
        if (p[i] === '\\' && i + 1 < p.length) {
          name += p[i + 1];
          i += 2;
        } else name += p[i++];
      }
      if (name === '') throw new Error(`invalid JSONPath ${path}: empty field name`);
      steps.push(name === '*' ? { kind: 'all' } : { kind: 'field', name });
    } else if (ch === '[') {
      const end = p.indexOf(']', i);
      if (end < 0) throw new Error(`invalid JSONPath ${path}: unclosed [`);
      const inner = p.slice(i + 1, end).trim();
      i = end + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner)) steps.push({ kind: 'field', name: inner.slice(1, -1) });
      else {
        const m = /^\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*==\s*("[^"]*"|'[^']*'|-?\d+(?:\.\d+)?|true|false)\)$/.exec(inner);
        if (!m) throw new Error(`invalid JSONPath ${path}: unsupported [${inner}]`);
        const raw = m[2];
        const value = raw.startsWith("'") ? raw.slice(1, -1) : JSON.parse(raw);
        steps.push({ kind: 'filter', path: m[1].slice(1).split('.'), value });
      }
    } else {
      throw new Error(`invalid JSONPath ${path}: unexpected ${JSON.stringify(ch)}`);
    }
  }
  return steps;
}

function member(v: unknown, name: string): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  return Object.prototype.hasOwnProperty.call(v, name) ? (v as Record<string, unknown>)[name] : undefined;
}

export function evaluateJsonPath(steps: Step[], root: unknown): unknown[] {
  let cur: unknown[] = [root];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      switch (s.kind) {
        case 'field': {
          const x = member(v, s.name);
          if (x !== undefined) next.push(x);
          break;
        }
        case 'index':
          if (Array.isArray(v)) {
            const idx = s.index < 0 ? v.length + s.index : s.index;
            if (idx >= 0 && idx < v.length) next.push(v[idx]);
          }
          break;
        case 'all':
          if (Array.isArray(v)) next.push(...v);
          else if (typeof v === 'object' && v !== null) next.push(...Object.values(v));
          break;
        case 'filter':
          if (Array.isArray(v)) {
            for (const e of v) {
              let x: unknown = e;
              for (const n of s.path) x = member(x, n);
              if (x === s.value) next.push(e);
            }
          }
          break;
      }
    }
    cur = next;
  }
  return cur;
}
