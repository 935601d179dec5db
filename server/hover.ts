/** Hover: a field's description, type, default and required-ness; on a reference, the object it names. */
import { MarkupKind } from 'vscode-languageserver';
import type { Hover } from 'vscode-languageserver';
import { isScalar } from 'yaml';
import { formatPath } from '../schema/index.ts';
import { locate } from './ast.ts';
import type { FileModel } from './model.ts';
import { docAt } from './model.ts';
import { defaultFromDescription, propertyAt, typeLabel } from './schemaNav.ts';
import { effectiveNamespace, isObj, referencesOf } from './workspace.ts';
import { customKindSchema } from './crd.ts';
import type { WorkspaceIndex } from './workspace.ts';

export function hover(model: FileModel, off: number, index: WorkspaceIndex): Hover | null {
  const slot = docAt(model, off);
  if (!slot) return null;
  const p = slot.parsed;
  const loc = locate(p.doc, off - slot.start);
  if (!loc || !loc.node?.range || loc.path.length === 0) return null;
  const range = { start: model.text.positionAt(slot.start + loc.node.range[0]), end: model.text.positionAt(slot.start + loc.node.range[1]) };
  const parts: string[] = [];
  const ks = p.kindSchema ?? (p.isObject ? customKindSchema(index, p.apiVersion!, p.kind!) : undefined);
  if (ks) {
    const last = loc.path[loc.path.length - 1];
    if (loc.path.length === 1 && last === 'kind') {
      parts.push(`**${ks.kind}** (${ks.apiVersion})`, ks.schema.description ?? '');
    } else if (typeof last === 'string') {
      const prop = propertyAt(ks.schema, loc.path);
      if (prop) {
        const def = defaultFromDescription(prop.prop.description);
        parts.push(`**${last}** \`${typeLabel(prop.prop)}\`${prop.required ? ' — required' : ''}${prop.prop.readOnly ? ' — read-only' : ''}`);
        if (prop.prop.description) parts.push(prop.prop.description);
        if (prop.prop.enum) parts.push(`Values: ${prop.prop.enum.map((v) => `\`${String(v)}\``).join(', ')}`);
        if (def) parts.push(`Default: \`${def}\``);
        parts.push(`\`${ks.kind}.${formatPath(loc.path)}\``);
      }
    }
  }
  // On a reference: the object it names.
  if (!loc.onKey && isScalar(loc.node) && p.isObject && isObj(p.value)) {
    const at = formatPath(loc.path);
    const ref = referencesOf(p.kind!, p.value, effectiveNamespace(p.kind!, p.namespace)).find((r) => formatPath(r.path) === at);
    if (ref) {
      const found = index.find(ref.kind, ref.namespace, ref.name);
      if (found.length === 0) parts.push(`---\n${ref.kind} \`${ref.name}\`: not defined in the workspace.`);
      for (const o of found.slice(0, 3)) {
        const v = isObj(o.parsed.value) ? o.parsed.value : {};
        const keys = [...Object.keys(isObj(v.data) ? v.data : {}), ...Object.keys(isObj(v.stringData) ? v.stringData : {})];
        const file = o.uri.slice(o.uri.lastIndexOf('/') + 1);
        parts.push(`---\n${o.kind} \`${o.name}\` in namespace \`${o.namespace || 'cluster'}\` — ${file}${keys.length ? `\n\nKeys: ${keys.map((k) => `\`${k}\``).join(', ')}` : ''}`);
      }
    }
  }
  if (parts.length === 0) return null;
  return { contents: { kind: MarkupKind.Markdown, value: parts.filter(Boolean).join('\n\n') }, range };
}
