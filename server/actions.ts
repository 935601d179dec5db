/**
 * Code actions for the server's own diagnostics: did-you-mean replacements, apiVersion upgrades (with the field
 * moves they need), adding a missing required field, making template labels match the selector, adding a
 * resources skeleton, and creating a stub for a missing ConfigMap/Secret.
 */
import { CodeActionKind } from 'vscode-languageserver';
import type { CodeAction, Diagnostic, Range, TextEdit } from 'vscode-languageserver';
import { parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { DiagData } from './diag.ts';
import type { FileModel } from './model.ts';
import { docAt } from './model.ts';
import { isObj, labelsOf, podTemplateOf } from './workspace.ts';

type Obj = Record<string, unknown>;

function editDoc(model: FileModel, off: number, change: (doc: Document, value: Obj) => boolean): TextEdit | undefined {
  const slot = docAt(model, off);
  if (!slot) return undefined;
  const doc = parseDocument(slot.parsed.text, { version: '1.1' });
  const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (doc.errors.length || !isObj(value) || !change(doc, value)) return undefined;
  const start = model.text.positionAt(slot.start);
  const end = model.text.positionAt(slot.start + slot.parsed.text.length);
  let text = doc.toString({ lineWidth: 0 });
  if (slot.parsed.text.endsWith('\n') && !text.endsWith('\n')) text += '\n';
  return { range: { start, end }, newText: text };
}

/** Field moves for an apiVersion upgrade, applied to the document; returns false when nothing can be done. */
function upgrade(doc: Document, value: Obj, from: string, to: string): boolean {
  doc.set('apiVersion', to);
  const kind = value.kind;
  if ((kind === 'Deployment' || kind === 'DaemonSet' || kind === 'ReplicaSet' || kind === 'StatefulSet') && to === 'apps/v1') {
    const spec = isObj(value.spec) ? value.spec : {};
    if (!isObj(spec.selector)) {
      const t = podTemplateOf(String(kind), value);
      const labels = t ? labelsOf(t.labels) : {};
      if (Object.keys(labels).length) doc.setIn(['spec', 'selector'], doc.createNode({ matchLabels: labels }));
    }
  }
  if (kind === 'Ingress' && to === 'networking.k8s.io/v1' && from !== to) {
    const spec = isObj(value.spec) ? value.spec : {};
    const move = (path: (string | number)[], b: unknown) => {
      if (!isObj(b) || b.serviceName === undefined) return;
      const port = typeof b.servicePort === 'number' ? { number: b.servicePort } : { name: String(b.servicePort) };
      doc.setIn(path, doc.createNode({ service: { name: b.serviceName, port } }));
    };
    if (isObj(spec.backend)) {
      doc.deleteIn(['spec', 'backend']);
      move(['spec', 'defaultBackend'], spec.backend);
    }
    (Array.isArray(spec.rules) ? spec.rules : []).forEach((r, ri) => {
      if (!isObj(r) || !isObj(r.http) || !Array.isArray(r.http.paths)) return;
      r.http.paths.forEach((p, pi) => {
        if (!isObj(p)) return;
        const base = ['spec', 'rules', ri, 'http', 'paths', pi];
        move([...base, 'backend'], p.backend);
        if (p.pathType === undefined) doc.setIn([...base, 'pathType'], 'ImplementationSpecific');
      });
    });
  }
  return true;
}

function lineIndent(model: FileModel, line: number): number {
  const text = model.text.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  return /^[ -]*/.exec(text)![0].length;
}

function quickFix(title: string, uri: string, edits: TextEdit[], diagnostic?: Diagnostic, preferred = false): CodeAction {
  return { title, kind: CodeActionKind.QuickFix, diagnostics: diagnostic ? [diagnostic] : undefined, isPreferred: preferred, edit: { changes: { [uri]: edits } } };
}

export function codeActions(model: FileModel, _range: Range, diagnostics: Diagnostic[]): CodeAction[] {
  const out: CodeAction[] = [];
  const uri = model.uri;
  for (const d of diagnostics) {
    if (d.source !== 'wheelhouse') continue;
    const data = (d.data ?? {}) as DiagData;
    const off = model.text.offsetAt(d.range.start);
    switch (d.code) {
      case 'unknown-field': case 'enum': case 'unknown-kind': case 'missing-api-version':
        if (data.replacement) {
          if (d.code === 'missing-api-version') {
            const line = d.range.start.line;
            out.push(quickFix(`Add apiVersion: ${data.replacement}`, uri, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `apiVersion: ${data.replacement}\n` }], d, true));
          } else {
            out.push(quickFix(`Change to "${data.replacement}"`, uri, [{ range: d.range, newText: data.replacement }], d, true));
          }
        }
        break;
      case 'removed-api': case 'unknown-api-version': case 'deprecated-api':
        if (data.replacement) {
          const to = data.replacement;
          const edit = editDoc(model, off, (doc, value) => upgrade(doc, value, data.from ?? '', to));
          if (edit) out.push(quickFix(`Upgrade to ${to}`, uri, [edit], d, true));
        }
        break;
      case 'required':
        if (data.field) {
          const keyLine = d.range.start.line;
          const keyText = model.text.getText(d.range);
          // The diagnostic sits on the parent's key (the field goes on the next line, one level deeper) or, for a
          // list item, on the item's map itself (the field goes beside the item's first key).
          const isMapNode = keyText.includes(':');
          const parentIndent = lineIndent(model, keyLine);
          const next = keyLine + 1 < model.text.lineCount ? lineIndent(model, keyLine + 1) : 0;
          const childIndent = isMapNode ? d.range.start.character : next > parentIndent ? next : parentIndent + 2;
          if (/^[A-Za-z]/.test(keyText)) {
            out.push(quickFix(`Add required field "${data.field}"`, uri, [{ range: { start: { line: keyLine + 1, character: 0 }, end: { line: keyLine + 1, character: 0 } }, newText: `${' '.repeat(childIndent)}${data.field}: \n` }], d));
          }
        }
        break;
      case 'selector-mismatch': {
        const edit = editDoc(model, off, (doc, value) => {
          const t = podTemplateOf(String(value.kind), value);
          const spec = isObj(value.spec) ? value.spec : {};
          const want = labelsOf(isObj(spec.selector) ? spec.selector.matchLabels : undefined);
          if (!t || Object.keys(want).length === 0) return false;
          for (const [k, v] of Object.entries(want)) doc.setIn([...t.path, 'metadata', 'labels', k], v);
          return true;
        });
        if (edit) out.push(quickFix('Make the template labels match the selector', uri, [edit], d, true));
        break;
      }
      case 'no-resources': {
        // d.range is the container's name value: add resources beside it.
        const line = d.range.start.line;
        const indent = lineIndent(model, line);
        const text = [`resources:`, `  requests:`, `    cpu: 100m`, `    memory: 128Mi`, `  limits:`, `    cpu: 500m`, `    memory: 256Mi`].map((l) => ' '.repeat(indent) + l).join('\n') + '\n';
        out.push(quickFix('Add a resources skeleton', uri, [{ range: { start: { line: line + 1, character: 0 }, end: { line: line + 1, character: 0 } }, newText: text }], d));
        break;
      }
      case 'missing-configmap': case 'missing-secret': {
        if (!data.name || !data.kind) break;
        const end = model.text.positionAt(model.text.getText().length);
        const tail = model.text.getText().endsWith('\n') ? '' : '\n';
        const ns = data.namespace && data.namespace !== 'default' ? `\n  namespace: ${data.namespace}` : '';
        const body = data.kind === 'Secret' ? `type: Opaque\nstringData:\n  ${data.key ?? 'key'}: ""\n` : `data:\n  ${data.key ?? 'key'}: ""\n`;
        out.push(quickFix(`Create ${data.kind} "${data.name}"`, uri, [{ range: { start: end, end }, newText: `${tail}---\napiVersion: v1\nkind: ${data.kind}\nmetadata:\n  name: ${data.name}${ns}\n${body}` }], d));
        break;
      }
    }
  }
  return out;
}
