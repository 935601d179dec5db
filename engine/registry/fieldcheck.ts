/**
 * Decoding rules for built-in kinds, driven by the generated schema (schema/): a value of the wrong JSON
 * type is a 400 (upstream's decoder cannot unmarshal it), and fields the schema does not know are
 * reported for fieldValidation=Strict|Warn and always dropped — a Go struct has nowhere to keep them.
 */
import { schemaCatalog, validateValue, formatPath, type JsonSchema, type SchemaCatalog } from '../../schema/index.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

export interface DecodeIssues {
  unknown: string[];
  typeErrors: string[];
}

let catalog: SchemaCatalog | undefined;
function cat(): SchemaCatalog {
  catalog ??= schemaCatalog();
  return catalog;
}

export function builtinSchema(group: string, version: string, kind: string): JsonSchema | undefined {
  return cat().byGvk(group, version, kind)?.schema;
}

/** Checks and prunes `obj` in place against the kind's schema. Undefined when the kind has no built-in schema. */
export function checkBuiltin(group: string, version: string, kind: string, obj: Obj): DecodeIssues | undefined {
  const schema = builtinSchema(group, version, kind);
  if (!schema) return undefined;
  const c = cat();
  const issues = validateValue(obj, schema, c, { maxIssues: 200 });
  const typeErrors = issues
    .filter((i) => i.code === 'type')
    .map((i) => `json: cannot unmarshal ${describe(lookup(obj, i.path))} into Go struct field ${formatPath(i.path)} of type ${i.expected ?? 'unknown'}`);
  const unknown: string[] = [];
  prune(obj, schema, c, '', unknown, 0);
  return { unknown, typeErrors };
}

function lookup(obj: unknown, path: ReadonlyArray<string | number>): unknown {
  let cur = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

function prune(v: unknown, s: JsonSchema, c: SchemaCatalog, p: string, out: string[], depth: number): void {
  if (depth > 200) return;
  const schema = c.resolve(s);
  if (schema['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(v)) {
    if (schema.items) v.forEach((item, i) => prune(item, schema.items!, c, `${p}[${i}]`, out, depth + 1));
    return;
  }
  if (!isObj(v)) return;
  const props = schema.properties;
  for (const k of Object.keys(v)) {
    const child = props?.[k];
    const cp = p ? `${p}.${k}` : k;
    if (child) prune(v[k], child, c, cp, out, depth + 1);
    else if (isObj(schema.additionalProperties)) prune(v[k], schema.additionalProperties, c, cp, out, depth + 1);
    else if (schema.additionalProperties === true) continue;
    else if (props) {
      out.push(cp);
      delete v[k];
    }
  }
}
