/**
 * Manifest documents from YAML text (multi-document files): each document's object and its line range,
 * for apply/delete-from-file and the CodeLens. Documents that are not Kubernetes objects (no apiVersion/kind)
 * are reported, not applied; `List` kinds are flattened into their items.
 */
import { parseAllDocuments, LineCounter } from 'yaml';
import type { KObject } from './objects.ts';

export interface ManifestDoc {
  object: KObject;
  /** 0-based line of the document's first content line and its last line. */
  startLine: number;
  endLine: number;
  index: number;
}

export interface ParsedManifests {
  docs: ManifestDoc[];
  errors: string[];
}

export function parseManifests(text: string, source = 'document'): ParsedManifests {
  const lc = new LineCounter();
  const out: ParsedManifests = { docs: [], errors: [] };
  const all = parseAllDocuments(text, { lineCounter: lc });
  const docs = Array.isArray(all) ? all : [all];
  docs.forEach((doc, index) => {
    if (doc.errors.length) {
      const e = doc.errors[0];
      out.errors.push(`${source}: document ${index + 1}: ${e.message.split('\n')[0]}`);
      return;
    }
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) return;
    const range = doc.contents?.range ?? doc.range;
    const startLine = lc.linePos(range[0]).line - 1;
    const endLine = lc.linePos(Math.max(range[0], range[1] - 1)).line - 1;
    const push = (o: unknown): void => {
      const obj = o as KObject;
      if (!obj || typeof obj !== 'object' || !obj.apiVersion || !obj.kind) {
        out.errors.push(`${source}: document ${index + 1} is not a Kubernetes object (apiVersion and kind are required)`);
        return;
      }
      if (!obj.metadata?.name && !obj.metadata?.generateName) {
        out.errors.push(`${source}: ${obj.kind} in document ${index + 1} has no metadata.name`);
        return;
      }
      out.docs.push({ object: obj, startLine, endLine, index });
    };
    const v = value as { kind?: string; items?: unknown[] };
    if (typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items)) v.items.forEach(push);
    else push(value);
  });
  return out;
}

/** "Deployment web" or "Deployment default/web". */
export function describeRef(o: KObject): string {
  const ns = o.metadata?.namespace ? `${o.metadata.namespace}/` : '';
  return `${o.kind} ${ns}${o.metadata?.name ?? o.metadata?.generateName ?? ''}`;
}

/** Objects that others depend on go first (namespaces, CRDs, config, storage, then workloads), like kubectl/helm ordering. */
export function applyOrder(docs: readonly ManifestDoc[]): ManifestDoc[] {
  const rank = (k: string): number => {
    const order = ['Namespace', 'CustomResourceDefinition', 'StorageClass', 'PersistentVolume', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding',
      'Role', 'RoleBinding', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'Service'];
    const i = order.indexOf(k);
    return i < 0 ? order.length : i;
  };
  return [...docs].sort((a, b) => rank(a.object.kind ?? '') - rank(b.object.kind ?? '') || a.index - b.index);
}
