/**
 * `meta.k8s.io/v1` Table responses for `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
 * Columns and cells come from the printers module (engine/registry/printers): upstream's printer columns for
 * built-in kinds, a custom resource's additionalPrinterColumns (or Name, Age).
 * Every row's object is a PartialObjectMetadata with the full metadata (kubectl's -A and --show-labels
 * read it), unless includeObject=Object asks for the whole object.
 */
import type { KubeObject } from '../api/client.ts';
import type { ResourceInfo } from '../registry/catalog.ts';
import { crdColumns, genericTable, toTable as printTable, type TableContent, type TableRow } from '../registry/printers/index.ts';

function partial(obj: KubeObject): object {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata ?? {} };
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
  const t: TableContent = opts.crd
    ? genericTable(objects, { wide: opts.wide, now: opts.now }, crdColumns(opts.crd, info.version))
    : printTable(info, objects, { wide: opts.wide, now: opts.now });
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
