/**
 * Completion: keys (with their docs and a required marker), enum values, booleans, apiVersion/kind pairs (a kind
 * also sets the matching apiVersion), snippets for common resources, and names from the workspace in reference
 * fields (ConfigMaps, Secrets, Services, PVCs, ServiceAccounts, ConfigMap keys, container port names, labels).
 */
import { CompletionItemKind, InsertTextFormat, MarkupKind } from 'vscode-languageserver';
import type { CompletionItem, TextEdit } from 'vscode-languageserver';
import { schemaCatalog } from '../schema/index.ts';
import type { JsonSchema, KindSchema } from '../schema/index.ts';
import { caretContext } from './context.ts';
import { allKindNames, versionsOfKind } from './kinds.ts';
import type { FileModel } from './model.ts';
import { docAt } from './model.ts';
import { defaultFromDescription, schemaAt, typeLabel } from './schemaNav.ts';
import { SNIPPETS } from './snippets.ts';
import { customKindSchema } from './crd.ts';
import { selectedTemplates } from './crossref.ts';
import { effectiveNamespace, isObj, labelsOf, podTemplateOf } from './workspace.ts';
import type { WorkspaceIndex } from './workspace.ts';

const cat = schemaCatalog();

function headerValue(text: string, key: string): string | undefined {
  const m = new RegExp(`^${key}:[ \\t]*["']?([^\\s"'#]+)`, 'm').exec(text);
  return m?.[1];
}

function docOf(s: JsonSchema, required: boolean): { detail: string; documentation?: { kind: 'markdown'; value: string } } {
  const detail = `${typeLabel(s)}${required ? ' (required)' : ''}`;
  const desc = s.description;
  return { detail, documentation: desc ? { kind: MarkupKind.Markdown, value: desc } : undefined };
}

/** The text inserted for a key: a block for objects and lists, `key: ` for scalars. */
function keyInsert(name: string, s: JsonSchema): string {
  const r = cat.resolve(s);
  if (r.type === 'array') {
    const item = r.items ? cat.resolve(r.items) : undefined;
    return item?.type === 'object' ? `${name}:\n  - ` : `${name}:\n  - `;
  }
  if (r.type === 'object') return `${name}:\n  `;
  return `${name}: `;
}

/** Which kind a reference field names, by the path's tail. */
function referenceKind(path: string[]): string | undefined {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  if (last === 'name' && (parent === 'configMapKeyRef' || parent === 'configMapRef' || parent === 'configMap')) return 'ConfigMap';
  if (last === 'name' && (parent === 'secretKeyRef' || parent === 'secretRef' || parent === 'imagePullSecrets' || (parent === 'secret' && path.includes('sources')))) return 'Secret';
  if (last === 'secretName') return 'Secret';
  if (last === 'claimName') return 'PersistentVolumeClaim';
  if (last === 'serviceAccountName') return 'ServiceAccount';
  if (last === 'name' && parent === 'service' && path.includes('backend')) return 'Service';
  if (last === 'serviceName') return 'Service';
  return undefined;
}

export function complete(model: FileModel, off: number, index: WorkspaceIndex): CompletionItem[] {
  const slot = docAt(model, off);
  if (!slot) return [];
  const text = slot.parsed.text;
  const rel = off - slot.start;
  const ctx = caretContext(text, rel);
  const pos = (o: number) => model.text.positionAt(slot.start + o);
  const replace = { start: pos(ctx.prefixStart), end: pos(Math.max(ctx.wordEnd, rel)) };
  const apiVersion = headerValue(text, 'apiVersion');
  const kind = headerValue(text, 'kind');
  const ks: Pick<KindSchema, 'kind' | 'apiVersion' | 'schema'> | undefined = apiVersion && kind ? cat.byApiVersionKind(apiVersion, kind) ?? customKindSchema(index, apiVersion, kind) : undefined;
  const items: CompletionItem[] = [];
  const top = ctx.path.length === (ctx.at === 'value' ? 1 : 0);

  if (ctx.at === 'value' && top && ctx.key === 'kind') {
    const apiLine = /^apiVersion:[ \t]*(.*)$/m.exec(text);
    for (const k of allKindNames()) {
      const v = versionsOfKind(k)[0];
      const edits: TextEdit[] = [];
      if (apiLine) {
        const valStart = apiLine.index + apiLine[0].length - apiLine[1].length;
        if (apiLine[1].trim() !== v.apiVersion) edits.push({ range: { start: pos(valStart), end: pos(apiLine.index + apiLine[0].length) }, newText: v.apiVersion });
      } else {
        const kindLine = text.lastIndexOf('\n', rel - 1) + 1;
        edits.push({ range: { start: pos(kindLine), end: pos(kindLine) }, newText: `apiVersion: ${v.apiVersion}\n` });
      }
      items.push({ label: k, kind: CompletionItemKind.Class, detail: v.apiVersion, documentation: v.schema.description ? { kind: MarkupKind.Markdown, value: v.schema.description } : undefined, textEdit: { range: replace, newText: k }, additionalTextEdits: edits });
    }
    return items;
  }
  if (ctx.at === 'value' && top && ctx.key === 'apiVersion') {
    const versions = kind && versionsOfKind(kind).length ? versionsOfKind(kind).map((v) => v.apiVersion) : [...new Set(cat.kinds().map((k) => k.apiVersion))].sort();
    versions.forEach((v, i) => items.push({ label: v, kind: CompletionItemKind.Module, sortText: String(i).padStart(4, '0'), textEdit: { range: replace, newText: v } }));
    return items;
  }

  if (!ks) {
    if (ctx.at === 'key' && ctx.path.length === 0) {
      for (const k of ['apiVersion', 'kind', 'metadata', 'spec']) if (!ctx.siblings.has(k)) items.push({ label: k, kind: CompletionItemKind.Property, textEdit: { range: replace, newText: k === 'metadata' || k === 'spec' ? `${k}:\n  ` : `${k}: ` } });
      if (!kind && !apiVersion && ctx.column === 0) {
        for (const s of SNIPPETS) items.push({ label: s.label, kind: CompletionItemKind.Snippet, detail: s.detail, insertTextFormat: InsertTextFormat.Snippet, textEdit: { range: replace, newText: s.body }, sortText: `~${s.label}` });
      }
    }
    return items;
  }

  if (ctx.at === 'key') {
    const s = schemaAt(ks.schema, ctx.path);
    if (!s) return items;
    // Labels in selectors: offer the label pairs of the workspace's pod templates.
    const last = ctx.path[ctx.path.length - 1];
    if ((last === 'matchLabels' || (ks.kind === 'Service' && ctx.path.join('.') === 'spec.selector')) && typeof s.additionalProperties === 'object') {
      const seen = new Set<string>();
      for (const o of index.objects()) {
        const t = isObj(o.parsed.value) ? podTemplateOf(o.kind, o.parsed.value) : undefined;
        for (const [k, v] of Object.entries(t?.labels ?? {})) {
          const pair = `${k}: ${v}`;
          if (seen.has(pair) || ctx.siblings.has(k)) continue;
          seen.add(pair);
          items.push({ label: pair, kind: CompletionItemKind.Value, detail: `label of ${o.kind} ${o.name}`, textEdit: { range: replace, newText: pair } });
        }
      }
      return items;
    }
    for (const [name, prop] of Object.entries(s.properties ?? {})) {
      if (ctx.siblings.has(name)) continue;
      const required = s.required?.includes(name) ?? false;
      if (top && name === 'status') continue;
      items.push({
        label: name, kind: CompletionItemKind.Property, ...docOf(prop, required),
        sortText: `${required ? '0' : '1'}${name}`,
        textEdit: { range: replace, newText: keyInsert(name, prop) },
        ...(cat.resolve(prop).type === 'object' || cat.resolve(prop).type === 'array' ? { command: { title: 'Suggest', command: 'editor.action.triggerSuggest' } } : {}),
      });
    }
    return items;
  }

  // Values.
  const s = schemaAt(ks.schema, ctx.path);
  if (s?.enum) {
    const def = defaultFromDescription(s.description);
    s.enum.map(String).forEach((v) => items.push({ label: v, kind: CompletionItemKind.EnumMember, detail: v === def ? 'default' : undefined, textEdit: { range: replace, newText: v } }));
  } else if (s?.type === 'boolean') {
    for (const v of ['true', 'false']) items.push({ label: v, kind: CompletionItemKind.Value, textEdit: { range: replace, newText: v } });
  }
  const ns = effectiveNamespace(ks.kind, headerNamespace(text));
  const refKind = referenceKind(ctx.path);
  if (refKind) {
    for (const o of index.ofKind(refKind)) {
      if (o.namespace !== ns) continue;
      items.push({ label: o.name, kind: CompletionItemKind.Reference, detail: `${o.kind} in ${o.namespace}`, textEdit: { range: replace, newText: o.name } });
    }
  }
  if (ctx.path[ctx.path.length - 1] === 'key' && (ctx.path[ctx.path.length - 2] === 'configMapKeyRef' || ctx.path[ctx.path.length - 2] === 'secretKeyRef')) {
    const refName = siblingValue(text, rel, 'name');
    const target = refName ? index.find(ctx.path[ctx.path.length - 2] === 'configMapKeyRef' ? 'ConfigMap' : 'Secret', ns, refName)[0] : undefined;
    const v = target && isObj(target.parsed.value) ? target.parsed.value : undefined;
    for (const k of [...Object.keys(isObj(v?.data) ? v!.data : {}), ...Object.keys(isObj(v?.stringData) ? v!.stringData : {})]) {
      items.push({ label: k, kind: CompletionItemKind.Field, detail: `key of ${target!.kind} ${target!.name}`, textEdit: { range: replace, newText: k } });
    }
  }
  if (ks.kind === 'Service' && ctx.path[ctx.path.length - 1] === 'targetPort' && isObj(slot.parsed.value)) {
    const spec = slot.parsed.value.spec;
    const selector = isObj(spec) ? labelsOf(spec.selector) : {};
    const names = new Set<string>();
    for (const t of selectedTemplates(index, ns, selector)) {
      for (const c of Array.isArray(t.spec.containers) ? t.spec.containers : []) {
        for (const p of isObj(c) && Array.isArray(c.ports) ? c.ports : []) if (isObj(p) && typeof p.name === 'string') names.add(p.name);
      }
    }
    for (const n of names) items.push({ label: n, kind: CompletionItemKind.Reference, detail: 'container port', textEdit: { range: replace, newText: n } });
  }
  return items;
}

function headerNamespace(text: string): string | undefined {
  const m = /^metadata:\s*\n((?:[ \t]+.*\n?)*)/m.exec(text);
  const ns = m ? /^[ \t]+namespace:[ \t]*["']?([^\s"'#]+)/m.exec(m[1]) : null;
  return ns?.[1];
}

/** The value of a sibling key in the same block as the caret (e.g. `name` beside `key`). */
function siblingValue(text: string, off: number, key: string): string | undefined {
  const lineStart = text.lastIndexOf('\n', off - 1) + 1;
  const indent = /^[ -]*/.exec(text.slice(lineStart))![0].length;
  const lines = text.split('\n');
  const lineNo = text.slice(0, lineStart).split('\n').length - 1;
  const re = new RegExp(`^[ -]*${key}:[ \\t]*["']?([^\\s"'#]+)`);
  for (const dir of [-1, 1]) {
    for (let i = lineNo + dir; i >= 0 && i < lines.length; i += dir) {
      const l = lines[i];
      if (!l.trim()) continue;
      const ind = /^[ -]*/.exec(l)![0].length;
      if (ind < indent) break;
      if (ind === indent) { const m = re.exec(l); if (m) return m[1]; }
    }
  }
  return undefined;
}
