/**
 * Label selectors, as upstream (k8s.io/apimachinery/pkg/labels): the string form used in `?labelSelector=`
 * and `kubectl -l`, and the LabelSelector object of specs. One parser for the API server, controllers,
 * scheduler and network, so "matches" means the same everywhere.
 */
import type { LabelSelector } from 'kubernetes-types/meta/v1';

export type Requirement =
  | { key: string; op: 'In' | 'NotIn'; values: string[] }
  | { key: string; op: 'Exists' | 'DoesNotExist' };

/** A parsed selector: every requirement must hold. An empty list matches everything. */
export type Selector = Requirement[];

export class SelectorParseError extends Error {}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z.]*[a-z0-9A-Z])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;
const VALUE = /^([a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?)?$/;

function checkKey(key: string): string {
  if (!KEY.test(key) || key.length > 316) throw new SelectorParseError(`invalid label key "${key}"`);
  return key;
}
function checkValue(v: string): string {
  if (!VALUE.test(v) || v.length > 63) throw new SelectorParseError(`invalid label value "${v}"`);
  return v;
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t.length > 0);
}

/** Parses the string form (`a=b,c!=d,e in (f,g),!h`). Throws SelectorParseError on bad syntax. */
export function parseSelector(s: string | undefined): Selector {
  if (!s || !s.trim()) return [];
  const reqs: Selector = [];
  for (const term of splitTerms(s)) {
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      const values = m[3]!.split(',').map((v) => checkValue(v.trim()));
      reqs.push({ key: checkKey(m[1]!), op: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = term.match(/^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
      const value = checkValue(m[3]!);
      reqs.push({ key: checkKey(m[1]!), op: m[2] === '!=' ? 'NotIn' : 'In', values: [value] });
    } else if ((m = term.match(/^!\s*(\S+)$/))) {
      reqs.push({ key: checkKey(m[1]!), op: 'DoesNotExist' });
    } else if (/^\S+$/.test(term)) {
      reqs.push({ key: checkKey(term), op: 'Exists' });
    } else {
      throw new SelectorParseError(`unable to parse requirement: "${term}"`);
    }
  }
  return reqs;
}

/**
 * Converts a spec's LabelSelector. `undefined`/null selects nothing (as upstream for workloads);
 * `{}` selects everything.
 */
export function fromLabelSelector(sel: LabelSelector | undefined | null): Selector | null {
  if (!sel) return null;
  const reqs: Selector = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) reqs.push({ key, op: 'In', values: [value] });
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator === 'In' || e.operator === 'NotIn') reqs.push({ key: e.key, op: e.operator, values: e.values ?? [] });
    else if (e.operator === 'Exists' || e.operator === 'DoesNotExist') reqs.push({ key: e.key, op: e.operator });
    else throw new SelectorParseError(`"${e.operator}" is not a valid label selector operator`);
  }
  return reqs;
}

export function matches(selector: Selector | null, labels: Record<string, string> | undefined): boolean {
  if (selector === null) return false;
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case 'Exists':
        return has;
      case 'DoesNotExist':
        return !has;
      case 'In':
        return has && r.values.includes(l[r.key]!);
      case 'NotIn':
        return !has || !r.values.includes(l[r.key]!);
    }
  });
}

/** The string form, as kubectl prints it (`app=web,tier in (a,b)`). */
export function formatSelector(selector: Selector): string {
  return selector
    .map((r) => {
      switch (r.op) {
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
        case 'In':
          return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
        case 'NotIn':
          return r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${r.values.join(',')})`;
      }
    })
    .join(',');
}
