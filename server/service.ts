/**
 * The language service: files in, LSP results out, no connection. The LSP handlers in main.ts and the unit tests
 * both drive it. It keeps the models of open documents and scanned workspace files, the workspace index, and which
 * files kustomize treats as patches.
 */
import { dirname, posix } from 'node:path';
import type { Diagnostic, Range } from 'vscode-languageserver';
import { buildModel, isKustomizationUri } from './model.ts';
import type { DocSlot, FileModel } from './model.ts';
import { validateDoc } from './validation.ts';
import { crossResourceDiagnostics } from './crossref.ts';
import { lintDiagnostics } from './lint.ts';
import { customResourceDiagnostics, withObjectMeta } from './crd.ts';
import type { RawDiag } from './diag.ts';
import { WorkspaceIndex, isObj } from './workspace.ts';
import { defaultSettings } from './protocol.ts';
import type { ClusterObjectsParams, CodeLensObject, CustomResourceSchemasParams, ServerSettings } from './protocol.ts';

export class LanguageService {
  readonly index = new WorkspaceIndex();
  private readonly open = new Set<string>();
  /** URIs of files a kustomization lists as patches (partial objects). */
  private patches = new Set<string>();
  private patchesGeneration = -1;
  settings: ServerSettings = structuredClone(defaultSettings);

  /** Opens or changes a document; returns its model. */
  update(uri: string, version: number, text: string, isOpen = true): FileModel {
    if (isOpen) this.open.add(uri);
    else if (this.open.has(uri)) return this.index.get(uri)!; // the editor's copy wins over the disk's
    const model = buildModel(uri, version, text, this.index.get(uri));
    this.index.set(model);
    return model;
  }

  /** The editor closed it: keep it as a workspace file if `diskText` is given, else forget it. */
  close(uri: string, diskText?: string): void {
    this.open.delete(uri);
    if (diskText !== undefined) this.update(uri, 0, diskText, false);
    else this.index.delete(uri);
  }

  forget(uri: string): void {
    if (!this.open.has(uri)) this.index.delete(uri);
  }

  isOpen(uri: string): boolean {
    return this.open.has(uri);
  }

  openUris(): string[] {
    return [...this.open];
  }

  model(uri: string): FileModel | undefined {
    return this.index.get(uri);
  }

  setSettings(s: Partial<ServerSettings> | undefined): void {
    const d = defaultSettings;
    this.settings = {
      lint: { ...d.lint, ...(isObj(s?.lint) ? s!.lint : {}) },
      crossResource: typeof s?.crossResource === 'boolean' ? s.crossResource : d.crossResource,
      scanWorkspace: typeof s?.scanWorkspace === 'boolean' ? s.scanWorkspace : d.scanWorkspace,
    };
  }

  /** What the connected cluster holds (`wheelhouse/clusterObjects`). */
  setClusterObjects(p: ClusterObjectsParams): void {
    this.index.setCluster(p.context, Array.isArray(p.objects) ? p.objects : []);
  }

  /** CRD schemas from the connected cluster (`wheelhouse/customResourceSchemas`). */
  setCustomResourceSchemas(p: CustomResourceSchemasParams): void {
    const m = this.index.clusterSchemas;
    m.clear();
    for (const s of Array.isArray(p.schemas) ? p.schemas : []) {
      const schema = withObjectMeta(s.schema);
      if (schema) m.set(`${s.group}/${s.version}/${s.kind}`, schema);
    }
  }

  /** Files that a kustomization.yaml lists under patches / patchesStrategicMerge. */
  private patchSet(): Set<string> {
    if (this.patchesGeneration === this.index.generation) return this.patches;
    const set = new Set<string>();
    for (const uri of this.index.uris()) {
      if (!isKustomizationUri(uri)) continue;
      const m = this.index.get(uri)!;
      const v = m.docs.find((d) => isObj(d.parsed.value))?.parsed.value as Record<string, unknown> | undefined;
      if (!v) continue;
      const dir = dirname(uri);
      const files: string[] = [];
      for (const p of Array.isArray(v.patchesStrategicMerge) ? v.patchesStrategicMerge : []) if (typeof p === 'string' && !p.includes('\n')) files.push(p);
      for (const p of Array.isArray(v.patches) ? v.patches : []) if (isObj(p) && typeof p.path === 'string') files.push(p.path);
      for (const f of files) set.add(`${dir}/${posix.normalize(f)}`);
    }
    this.patches = set;
    this.patchesGeneration = this.index.generation;
    return set;
  }

  isPartial(uri: string): boolean {
    return this.patchSet().has(uri);
  }

  /** Raw diagnostics of one document of a file (offsets relative to the document). */
  docDiagnostics(model: FileModel, slot: DocSlot): RawDiag[] {
    if (model.helm || model.kustomization) return [];
    const partial = this.isPartial(model.uri);
    const key = partial ? 'validate:partial' : 'validate';
    let own = slot.parsed.cache.get(key) as RawDiag[] | undefined;
    if (!own) {
      own = validateDoc(slot.parsed, { partial });
      slot.parsed.cache.set(key, own);
    }
    const hasErrors = own.some((d) => d.severity === 1);
    const out = [...own];
    if (!hasErrors && slot.parsed.isObject && !slot.parsed.builtinGroup) out.push(...customResourceDiagnostics(slot.parsed, this.index, partial));
    if (!slot.parsed.kindSchema || (hasErrors && own.some((d) => d.code === 'yaml-syntax' || d.code === 'excessive-aliases'))) return out;
    if (this.settings.crossResource) out.push(...crossResourceDiagnostics(slot.parsed, this.index, partial, { uri: model.uri, index: slot.index }));
    if (!partial) out.push(...lintDiagnostics(slot.parsed, this.settings.lint));
    return out;
  }

  toRange(model: FileModel, slot: DocSlot, start: number, end: number): Range {
    return { start: model.text.positionAt(slot.start + start), end: model.text.positionAt(slot.start + end) };
  }

  diagnostics(uri: string): Diagnostic[] {
    const model = this.index.get(uri);
    if (!model) return [];
    const out: Diagnostic[] = [];
    for (const slot of model.docs) {
      for (const d of this.docDiagnostics(model, slot)) {
        out.push({ range: this.toRange(model, slot, d.start, d.end), severity: d.severity, code: d.code, source: 'wheelhouse', message: d.message, data: d.data });
      }
    }
    return out;
  }

  codeLensData(uri: string): CodeLensObject[] {
    const model = this.index.get(uri);
    if (!model || model.helm || model.kustomization) return [];
    const out: CodeLensObject[] = [];
    for (const slot of model.docs) {
      const p = slot.parsed;
      if (!p.isObject) continue;
      const end = slot.start + p.text.length;
      const kindOff = /^kind\s*:/m.exec(p.text)?.index ?? 0;
      const kindPos = model.text.positionAt(slot.start + kindOff);
      out.push({
        range: { start: model.text.positionAt(slot.start), end: model.text.positionAt(end) },
        kindRange: { start: kindPos, end: { line: kindPos.line, character: kindPos.character + 4 } },
        apiVersion: p.apiVersion!, kind: p.kind!, name: p.name, namespace: p.namespace,
        builtin: !!p.kindSchema,
        hasErrors: this.docDiagnostics(model, slot).some((d) => d.severity === 1),
      });
    }
    return out;
  }
}
