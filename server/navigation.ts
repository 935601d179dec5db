/** Document and workspace symbols, folding ranges, go to definition and find references. */
import { SymbolKind } from 'vscode-languageserver';
import type { DocumentSymbol, FoldingRange, Location, SymbolInformation } from 'vscode-languageserver';
import { isMap, isPair, isSeq } from 'yaml';
import type { Node } from 'yaml';
import { formatPath } from '../schema/index.ts';
import { keyText, locate } from './ast.ts';
import type { DocSlot, FileModel } from './model.ts';
import { docAt } from './model.ts';
import { rangeOf } from './validation.ts';
import { effectiveNamespace, isObj, labelsOf, podTemplateOf, referencesOf, selectorMatches } from './workspace.ts';
import type { ObjectEntry, WorkspaceIndex } from './workspace.ts';

const MAX_SYMBOLS = 5000;

function childSymbols(model: FileModel, slot: DocSlot, node: Node | null, depth: number, budget: { n: number }): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  if (!node || depth > 6 || !isMap(node)) return out;
  for (const item of node.items) {
    if (!isPair(item) || budget.n <= 0) break;
    const key = item.key as Node | null;
    const value = item.value as Node | null;
    const name = keyText(item);
    if (!key?.range || name === undefined) continue;
    budget.n--;
    const end = value?.range ? value.range[1] : key.range[1];
    const range = { start: model.text.positionAt(slot.start + key.range[0]), end: model.text.positionAt(slot.start + end) };
    let children = childSymbols(model, slot, value, depth + 1, budget);
    if (isSeq(value)) {
      children = [];
      value.items.forEach((it, i) => {
        const n = it as Node;
        if (!n?.range || budget.n <= 0) return;
        budget.n--;
        const label = isMap(n) ? (n.items.find((x) => isPair(x) && keyText(x) === 'name') as { value?: { value?: unknown } } | undefined)?.value?.value : undefined;
        const r = { start: model.text.positionAt(slot.start + n.range[0]), end: model.text.positionAt(slot.start + n.range[1]) };
        children.push({ name: typeof label === 'string' ? label : `[${i}]`, kind: SymbolKind.Object, range: r, selectionRange: r, children: childSymbols(model, slot, n, depth + 2, budget) });
      });
    }
    const kind = isMap(value) ? SymbolKind.Module : isSeq(value) ? SymbolKind.Array : SymbolKind.Property;
    out.push({ name, kind, range, selectionRange: { start: range.start, end: model.text.positionAt(slot.start + key.range[1]) }, children });
  }
  return out;
}

export function documentSymbols(model: FileModel): DocumentSymbol[] {
  const out: DocumentSymbol[] = [];
  const budget = { n: MAX_SYMBOLS };
  for (const slot of model.docs) {
    const p = slot.parsed;
    const c = p.doc.contents as Node | null;
    if (!c?.range) continue;
    const range = { start: model.text.positionAt(slot.start), end: model.text.positionAt(slot.start + Math.max(c.range[2], c.range[0])) };
    const children = childSymbols(model, slot, c, 0, budget);
    if (p.isObject) {
      const [s, e] = p.name ? rangeOf(p, ['metadata', 'name']) : rangeOf(p, ['kind']);
      out.push({ name: `${p.kind}${p.name ? ` ${p.name}` : ''}`, detail: p.apiVersion, kind: SymbolKind.Class, range, selectionRange: { start: model.text.positionAt(slot.start + s), end: model.text.positionAt(slot.start + e) }, children });
    } else {
      out.push(...children);
    }
  }
  return out;
}

export function foldingRanges(model: FileModel): FoldingRange[] {
  const out: FoldingRange[] = [];
  const visit = (slot: DocSlot, n: Node | null, depth: number) => {
    if (!n || depth > 200 || out.length > MAX_SYMBOLS) return;
    const items = isMap(n) || isSeq(n) ? n.items : [];
    for (const it of items) {
      const value = (isPair(it) ? it.value : it) as Node | null;
      const start = (isPair(it) ? (it.key as Node | null)?.range?.[0] : value?.range?.[0]);
      if (start === undefined || !value?.range) continue;
      const sl = model.text.positionAt(slot.start + start).line;
      const el = model.text.positionAt(slot.start + Math.max(start, value.range[1] - 1)).line;
      if (el > sl) out.push({ startLine: sl, endLine: el });
      visit(slot, value, depth + 1);
    }
  };
  for (const slot of model.docs) {
    const c = slot.parsed.doc.contents as Node | null;
    if (!c?.range) continue;
    const sl = model.text.positionAt(slot.start).line;
    const el = model.text.positionAt(slot.start + Math.max(0, slot.parsed.text.trimEnd().length - 1)).line;
    if (el > sl && slot.parsed.isObject) out.push({ startLine: sl, endLine: el });
    visit(slot, c, 0);
  }
  return out;
}

function locationOf(index: WorkspaceIndex, o: ObjectEntry): Location {
  const m = index.get(o.uri)!;
  const [s, e] = rangeOf(o.parsed, ['metadata', 'name']);
  return { uri: o.uri, range: { start: m.text.positionAt(o.slot.start + s), end: m.text.positionAt(o.slot.start + e) } };
}

export function definition(model: FileModel, off: number, index: WorkspaceIndex): Location[] {
  const slot = docAt(model, off);
  if (!slot) return [];
  const p = slot.parsed;
  if (!p.isObject || !isObj(p.value)) return [];
  const loc = locate(p.doc, off - slot.start);
  if (!loc) return [];
  const ns = effectiveNamespace(p.kind!, p.namespace);
  const at = formatPath(loc.path);
  const ref = referencesOf(p.kind!, p.value, ns).find((r) => formatPath(r.path) === at || (r.keyPath && formatPath(r.keyPath) === at) || (r.portPath && formatPath(r.portPath) === at));
  if (ref) return index.find(ref.kind, ref.namespace, ref.name).map((o) => locationOf(index, o));
  // From a Service's selector (or a workload's selector) to the pod templates it selects.
  const pathStr = loc.path.join('.');
  if ((p.kind === 'Service' && pathStr.startsWith('spec.selector')) || pathStr.startsWith('spec.selector.matchLabels')) {
    const spec = p.value.spec;
    const selector = isObj(spec) ? spec.selector : undefined;
    const plain = p.kind === 'Service';
    const out: Location[] = [];
    for (const o of index.objects()) {
      if (o.namespace !== ns || !isObj(o.parsed.value)) continue;
      const t = podTemplateOf(o.kind, o.parsed.value);
      if (t && selectorMatches(selector, t.labels, plain)) out.push(locationOf(index, o));
    }
    return out;
  }
  return [];
}

/** From an object (caret on its name or kind) to the objects that refer to it or select its pods. */
export function references(model: FileModel, off: number, index: WorkspaceIndex): Location[] {
  const slot = docAt(model, off);
  if (!slot) return [];
  const p = slot.parsed;
  if (!p.isObject || !p.name || !isObj(p.value)) return [];
  const ns = effectiveNamespace(p.kind!, p.namespace);
  const out: Location[] = [];
  const tpl = podTemplateOf(p.kind!, p.value);
  for (const o of index.objects()) {
    if (!isObj(o.parsed.value)) continue;
    const m = index.get(o.uri)!;
    for (const r of referencesOf(o.kind, o.parsed.value, o.namespace)) {
      if (r.kind === p.kind && r.name === p.name && r.namespace === ns) {
        const [s, e] = rangeOf(o.parsed, r.path);
        out.push({ uri: o.uri, range: { start: m.text.positionAt(o.slot.start + s), end: m.text.positionAt(o.slot.start + e) } });
      }
    }
    if (tpl && o.kind === 'Service' && o.namespace === ns && isObj(o.parsed.value.spec)) {
      const sel = labelsOf(o.parsed.value.spec.selector);
      if (Object.keys(sel).length && selectorMatches(sel, tpl.labels, true)) out.push(locationOf(index, o));
    }
  }
  return out;
}

export function workspaceSymbols(index: WorkspaceIndex, query: string): SymbolInformation[] {
  const q = query.toLowerCase();
  const out: SymbolInformation[] = [];
  for (const o of index.objects()) {
    const name = `${o.kind} ${o.name}`;
    if (q && !name.toLowerCase().includes(q)) continue;
    out.push({ name, kind: SymbolKind.Class, containerName: o.namespace || undefined, location: locationOf(index, o) });
    if (out.length >= 1000) break;
  }
  return out;
}
