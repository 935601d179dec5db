/**
 * Table output (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): the columns and cells of a list of
 * objects, as upstream's server-side printers build them. The HTTP layer fills each row's `object` with the
 * PartialObjectMetadata and wraps the result in a meta.k8s.io/v1 Table.
 *
 * - `toTable(type, objects, opts)`: built-in kinds with upstream's printer columns (builtins.ts); other
 *   built-in kinds with upstream's default (Name, Created At); custom resources via `genericTable`.
 * - `genericTable(objects, opts, columns?)`: a custom resource's table: Name plus its CRD's
 *   `additionalPrinterColumns` (JSONPath), or Name and Age when it declares none (the CRD default).
 *
 * `opts.wide`: upstream's API server always answers with every column (kubectl drops priority > 0 columns
 * unless `-o wide`), so the HTTP layer should pass `wide: true`; `wide: false` leaves out the priority > 0
 * columns and their cells together, for callers that print tables themselves.
 */
import type { KubeObject } from '../../api/client.ts';
import type { ResourceType } from '../../api/resources.ts';
import { isBuiltInGroup } from '../../apiserver/patch/strategy.ts';
import { since } from './duration.ts';
import { DEFAULT_PRINTER, PRINTERS } from './builtins.ts';
import type { ColumnDefinition, Printer, RowCondition } from './builtins.ts';
import { get, obj, str } from './format.ts';
import type { Obj } from './format.ts';
import { evaluateJsonPath, parseJsonPath } from './jsonpath.ts';

export type { ColumnDefinition, RowCondition } from './builtins.ts';
export { humanDuration, since } from './duration.ts';

export interface TableRow {
  cells: unknown[];
  object?: unknown;
  /** Upstream's row conditions (a Succeeded/Failed pod's `Completed`). */
  conditions?: RowCondition[];
}

export interface TableOptions {
  wide: boolean;
  now: Date;
}

export interface TableContent {
  columnDefinitions: ColumnDefinition[];
  rows: TableRow[];
}

/** A CRD's additionalPrinterColumns entry (apiextensions.k8s.io/v1 CustomResourceColumnDefinition). */
export interface CustomColumn {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

export function printerFor(type: Pick<ResourceType, 'group' | 'kind'>): Printer | undefined {
  const p = PRINTERS[`${type.group}/${type.kind}`];
  if (p) return p;
  return isBuiltInGroup(type.group) ? DEFAULT_PRINTER : undefined;
}

export function toTable(type: ResourceType, objects: KubeObject[], opts: TableOptions): TableContent {
  const printer = printerFor(type);
  if (!printer) return genericTable(objects, opts);
  return render(printer, objects, opts);
}

function render(printer: Printer, objects: KubeObject[], opts: TableOptions): TableContent {
  const keep = printer.columns.map((c) => opts.wide || c.priority === 0);
  const rows = objects.map((o) => {
    const all = printer.cells(o as unknown as Obj, opts.now, opts.wide);
    const row: TableRow = { cells: all.filter((_, i) => keep[i] !== false) };
    const conditions = printer.conditions?.(o as unknown as Obj, opts.now);
    if (conditions) row.conditions = conditions;
    return row;
  });
  return { columnDefinitions: printer.columns.filter((_, i) => keep[i]).map((c) => ({ ...c })), rows };
}

const NAME_COLUMN: ColumnDefinition = {
  name: 'Name', type: 'string', format: 'name', priority: 0,
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
};

/** The column a CRD gets when it declares no additionalPrinterColumns. */
const DEFAULT_CUSTOM_COLUMNS: CustomColumn[] = [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];

export function genericTable(objects: KubeObject[], opts: TableOptions, columns?: CustomColumn[]): TableContent {
  const custom = columns && columns.length > 0 ? columns : DEFAULT_CUSTOM_COLUMNS;
  const compiled = custom.map((c) => {
    try {
      return parseJsonPath(c.jsonPath);
    } catch {
      return undefined;
    }
  });
  const defs: ColumnDefinition[] = [NAME_COLUMN, ...custom.map((c) => ({
    name: c.name,
    type: c.type,
    format: c.format ?? '',
    description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
    priority: c.priority ?? 0,
  }))];
  const keep = defs.map((d) => opts.wide || d.priority === 0);
  const rows = objects.map((o) => {
    const cells: unknown[] = [str(get(o, 'metadata', 'name'))];
    custom.forEach((c, i) => {
      const steps = compiled[i];
      const results = steps ? evaluateJsonPath(steps, o) : [];
      if (results.length === 0 || results[0] === null || results[0] === undefined) {
        cells.push(null);
        return;
      }
      const v = results[0];
      if (c.type === 'date') cells.push(since(v, opts.now));
      else if (c.type === 'string') cells.push(typeof v === 'string' ? v : JSON.stringify(v));
      else cells.push(v);
    });
    return { cells: cells.filter((_, i) => keep[i]) };
  });
  return { columnDefinitions: defs.filter((_, i) => keep[i]), rows };
}

/** A CRD's additionalPrinterColumns for one served version (undefined when the version is not there). */
export function crdColumns(crd: KubeObject, version: string): CustomColumn[] | undefined {
  const v = (Array.isArray(get(crd, 'spec', 'versions')) ? (get(crd, 'spec', 'versions') as unknown[]) : [])
    .map(obj).find((x) => x.name === version);
  if (!v) return undefined;
  const cols = Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns.map(obj) : [];
  return cols.map((c) => {
    const out: CustomColumn = { name: str(c.name), type: str(c.type) || 'string', jsonPath: str(c.jsonPath) };
    if (typeof c.format === 'string') out.format = c.format;
    if (typeof c.description === 'string') out.description = c.description;
    if (typeof c.priority === 'number') out.priority = c.priority;
    return out;
  });
}
