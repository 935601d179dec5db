/**
 * The document model: a YAML file split into its documents, each parsed on its own with the `yaml` package's CST
 * (node ranges) and decoded as kubectl decodes it (YAML 1.1: `yes`/`on` are booleans, `<<` merges). A file is
 * re-split on every change, but a document whose text did not change keeps its parse (and everything cached on
 * it), so an edit in a 200-document file re-parses one document.
 */
import { isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { schemaCatalog, splitApiVersion } from '../schema/index.ts';
import type { KindSchema } from '../schema/index.ts';
import { isBuiltinGroup } from './kinds.ts';

export interface ParsedDoc {
  /** The document's own text (from its `---` line, if any, to the next one). */
  readonly text: string;
  readonly doc: Document.Parsed;
  /** The decoded value; undefined when decoding failed (alias bomb) or the document is empty. */
  readonly value: unknown;
  /** Keys repeated in one map (each occurrence after the first), offsets in the document. */
  readonly duplicates: readonly { start: number; end: number; key: string }[];
  /** Why decoding failed (e.g. excessive aliases). */
  readonly decodeError?: string;
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
  /** Set when apiVersion/kind name a built-in kind. */
  readonly kindSchema?: KindSchema;
  /** apiVersion and kind are both strings: treat the document as a Kubernetes object (built-in or custom). */
  readonly isObject: boolean;
  /** The apiVersion's group is served by Kubernetes itself (so an unknown kind there is a mistake). */
  readonly builtinGroup: boolean;
  /** Per-document caches owned by feature services (keyed by the service's own name). */
  readonly cache: Map<string, unknown>;
}

export interface DocSlot {
  /** Offset of the document's first character in the file. */
  readonly start: number;
  readonly index: number;
  readonly parsed: ParsedDoc;
}

export interface FileModel {
  readonly uri: string;
  readonly version: number;
  readonly text: TextDocument;
  readonly docs: readonly DocSlot[];
  /** A Helm chart template (`{{ … }}`): not valid YAML until rendered, so never validated. */
  readonly helm: boolean;
  /** A kustomization file: its own format, never validated as a Kubernetes object. */
  readonly kustomization: boolean;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/**
 * Repeated keys, found with one Set per map. (The yaml package's own `uniqueKeys` check compares every key with
 * every earlier one, which is quadratic in a map's size.) Iterative, so deep nesting cannot overflow the stack.
 */
function duplicateKeys(doc: Document): { start: number; end: number; key: string }[] {
  const out: { start: number; end: number; key: string }[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0 && out.length < 1000) {
    const n = stack.pop();
    if (isMap(n)) {
      const seen = new Set<string>();
      for (const item of n.items) {
        if (!isPair(item)) continue;
        const k = item.key as Node | null;
        if (isScalar(k) && k.range) {
          const name = String(k.value);
          if (seen.has(name)) out.push({ start: k.range[0], end: k.range[1], key: name });
          seen.add(name);
        }
        stack.push(item.value);
      }
    } else if (isSeq(n)) {
      for (const item of n.items) stack.push(item);
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

export function parseChunk(text: string): ParsedDoc {
  const doc = parseDocument(text, { version: '1.1', prettyErrors: false, uniqueKeys: false, strict: false });
  let value: unknown;
  let decodeError: string | undefined;
  if (doc.contents !== null) {
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      decodeError = e instanceof Error ? e.message : String(e);
    }
  }
  const obj = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const apiVersion = str(obj?.apiVersion);
  const kind = str(obj?.kind);
  const meta = obj?.metadata && typeof obj.metadata === 'object' ? (obj.metadata as Record<string, unknown>) : undefined;
  const kindSchema = apiVersion && kind ? schemaCatalog().byApiVersionKind(apiVersion, kind) : undefined;
  return {
    text, doc, value, decodeError, apiVersion, kind,
    duplicates: duplicateKeys(doc),
    name: str(meta?.name), namespace: str(meta?.namespace),
    kindSchema,
    isObject: apiVersion !== undefined && kind !== undefined,
    builtinGroup: apiVersion !== undefined && isBuiltinGroup(splitApiVersion(apiVersion).group),
    cache: new Map(),
  };
}

/** Offsets where documents start: 0 and each line that begins with a `---` marker. */
export function splitDocuments(text: string): number[] {
  const starts = [0];
  const re = /^---(?=[ \t]|\r?\n|$)/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) if (m.index > 0) starts.push(m.index);
  return starts;
}

const HELM = /\{\{[\s\S]*?\}\}/;

export function isKustomizationUri(uri: string): boolean {
  return /(^|\/)(kustomization\.ya?ml|Kustomization)$/.test(uri);
}

/** Builds a file's model, reusing the parses of `previous` for documents whose text is unchanged. */
export function buildModel(uri: string, version: number, content: string, previous?: FileModel): FileModel {
  const reuse = new Map<string, ParsedDoc>();
  for (const d of previous?.docs ?? []) reuse.set(d.parsed.text, d.parsed);
  const starts = splitDocuments(content);
  const docs: DocSlot[] = [];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i];
    const end = i + 1 < starts.length ? starts[i + 1] : content.length;
    const chunk = content.slice(start, end);
    const parsed = reuse.get(chunk) ?? parseChunk(chunk);
    docs.push({ start, index: docs.length, parsed });
  }
  return {
    uri, version, docs,
    text: TextDocument.create(uri, 'yaml', version, content),
    helm: HELM.test(content),
    kustomization: isKustomizationUri(uri),
  };
}

/** The document that contains offset `off` (the last one starting at or before it). */
export function docAt(model: FileModel, off: number): DocSlot | undefined {
  let lo = 0;
  let hi = model.docs.length - 1;
  let found: DocSlot | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (model.docs[mid].start <= off) { found = model.docs[mid]; lo = mid + 1; } else hi = mid - 1;
  }
  return found;
}
