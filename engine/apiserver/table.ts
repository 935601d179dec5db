/**
 * `meta.k8s.io/v1` Table responses for `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
 * Built-in kinds use the printers module when it is wired (`setPrinter`), custom resources their CRD's
 * additionalPrinterColumns, and anything else upstream's default convertor (Name, Created At).
 * Every row's object is a PartialObjectMetadata with the full metadata (kubectl's -A and --show-labels
 * read it), unless includeObject=Object asks for the whole object.
 */
import type { KubeObject } from '../api/client.ts';
import type { ResourceInfo } from '../registry/catalog.ts';
import { readCrd, crdVersion } from '../registry/crd.ts';

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface TableRow {
  cells: unknown[];
  object?: unknown;
  conditions?: unknown[];
}

/** The printers module's signature (engine/registry/printers). Undefined means "no printer for this kind". */
export type Printer = (type: ResourceInfo, objects: KubeObject[], opts: { wide: boolean; now: Date }) =>
  { columnDefinitions: ColumnDefinition[]; rows: TableRow[] } | undefined;

let printer: Printer | undefined;

/** Wires the built-in printers (engine/engine.ts does this). */
export function setPrinter(p: Printer | undefined): void {
  printer = p;
}

/** Upstream's duration.HumanDuration, as the AGE column shows it. */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 0) return '<invalid>';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (y < 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
  return `${y}y`;
}

export function age(timestamp: unknown, now: Date): string {
  if (typeof timestamp !== 'string') return '<unknown>';
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? '<unknown>' : humanDuration(now.getTime() - t);
}

/** A small JSONPath subset as CRD printer columns use it: `.a.b`, `.a[0]`, `.a[*].b`, `.a[?(@.k=="v")].b`. */
export function jsonPath(obj: unknown, path: string): unknown[] {
  let cur: unknown[] = [obj];
  const re = /\.([A-Za-z0-9_$@-]+)|\[(\d+|\*|\?\(@\.([A-Za-z0-9_.-]+)\s*==\s*["']([^"']*)["']\))\]|\['([^']+)'\]/y;
  const p = path.trim().replace(/^\{|\}$/g, '').replace(/^\$/, '');
  re.lastIndex = 0;
  while (re.lastIndex < p.length) {
    const m = re.exec(p);
    if (!m) return [];
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || typeof v !== 'object') continue;
      const key = m[1] ?? m[5];
      if (key !== undefined) {
        const x = (v as Record<string, unknown>)[key];
        if (x !== undefined) next.push(x);
      } else if (m[2] === '*') {
        if (Array.isArray(v)) next.push(...(v as unknown[]));
        else next.push(...Object.values(v));
      } else if (m[3] !== undefined) {
        if (!Array.isArray(v)) continue;
        for (const item of v as unknown[]) {
          let f: unknown = item;
          for (const part of m[3].split('.')) f = f && typeof f === 'object' ? (f as Record<string, unknown>)[part] : undefined;
          if (f !== undefined && String(f) === m[4]) next.push(item);
        }
      } else if (m[2] !== undefined && Array.isArray(v)) {
        const x = (v as unknown[])[Number(m[2])];
        if (x !== undefined) next.push(x);
      }
    }
    cur = next;
    if (m[0].length === 0) break;
  }
  return cur;
}

function partial(obj: KubeObject): object {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
}

const NAME_COL: ColumnDefinition = {
  name: 'Name', type: 'string', format: 'name', priority: 0,
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
};

function crdColumns(info: ResourceInfo, crd: KubeObject, objects: KubeObject[], now: Date): { columnDefinitions: ColumnDefinition[]; rows: TableRow[] } {
  const v = crdVersion(readCrd(crd), info.version);
  const cols = v?.additionalPrinterColumns ?? [];
  const defs: ColumnDefinition[] = [NAME_COL, ...cols.map((c) => ({
    name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0,
  }))];
  const useDefaultAge = cols.length === 0;
  if (useDefaultAge) defs.push({ name: 'Age', type: 'date', format: '', description: 'Custom resource definition column (in JSONPath format): .metadata.creationTimestamp', priority: 0 });
  const rows = objects.map((o) => {
    const cells: unknown[] = [o.metadata?.name ?? ''];
    for (const c of cols) {
      const vals = jsonPath(o, c.jsonPath);
      if (vals.length === 0) cells.push(null);
      else if (c.type === 'date') cells.push(age(vals[0], now));
      else if (c.type === 'integer' || c.type === 'number' || c.type === 'boolean') cells.push(vals[0]);
      else cells.push(vals.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(','));
    }
    if (useDefaultAge) cells.push(age(o.metadata?.creationTimestamp, now));
    return { cells };
  });
  return { columnDefinitions: defs, rows };
}

export interface TableOptions {
  wide: boolean;
  now: Date;
  includeObject: 'None' | 'Metadata' | 'Object';
  crd?: KubeObject;
  resourceVersion?: string;
  continue?: string;
  /** Watch events after the first may omit the column definitions, as upstream does. */
  omitColumns?: boolean;
}

export function toTable(info: ResourceInfo, objects: KubeObject[], opts: TableOptions): object {
  let t: { columnDefinitions: ColumnDefinition[]; rows: TableRow[] } | undefined;
  if (opts.crd) t = crdColumns(info, opts.crd, objects, opts.now);
  else t = printer?.(info, objects, { wide: opts.wide, now: opts.now });
  if (!t) {
    t = {
      columnDefinitions: [NAME_COL, { name: 'Created At', type: 'date', format: '', priority: 0, description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }],
      rows: objects.map((o) => ({ cells: [o.metadata?.name ?? '', o.metadata?.creationTimestamp ?? ''] })),
    };
  }
  const rows = t.rows.map((r, i) => {
    const obj = objects[i]!;
    const row: TableRow = { cells: r.cells };
    if (r.conditions) row.conditions = r.conditions;
    if (opts.includeObject === 'Object') row.object = obj;
    else if (opts.includeObject === 'Metadata') row.object = partial(obj);
    return row;
  });
  const metadata: Record<string, string> = {};
  if (opts.resourceVersion) metadata.resourceVersion = opts.resourceVersion;
  if (opts.continue) metadata.continue = opts.continue;
  return {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata,
    columnDefinitions: opts.omitColumns ? null : t.columnDefinitions,
    rows,
  };
}

/** Parses Accept for a Table request: `application/json;as=Table;v=v1;g=meta.k8s.io` (v1 or v1beta1). */
export function wantsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const part of accept.split(',')) {
    const params = part.split(';').map((s) => s.trim());
    if (params[0] !== 'application/json') continue;
    const kv = new Map(params.slice(1).map((p) => p.split('=').map((x) => x.trim()) as [string, string]));
    if (kv.get('as') === 'Table' && kv.get('g') === 'meta.k8s.io' && (kv.get('v') === 'v1' || kv.get('v') === 'v1beta1')) return true;
    if (!kv.has('as')) return false;
  }
  return false;
}
