/** Walking the generated schema along a document path, and naming a schema's type the way `kubectl explain` does. */
import { refName, schemaCatalog } from '../schema/index.ts';
import type { JsonSchema } from '../schema/index.ts';

/** Segment `'[]'` stands for "an item of this array" when the index is unknown (completion while typing). */
export type SchemaPath = readonly (string | number)[];

/** The schema of the value at `path` under `root`, resolved; undefined when the path leaves the schema. */
export function schemaAt(root: JsonSchema, path: SchemaPath): JsonSchema | undefined {
  const cat = schemaCatalog();
  let s: JsonSchema | undefined = cat.resolve(root);
  for (const seg of path) {
    if (!s) return undefined;
    if (typeof seg === 'number' || seg === '[]') {
      s = s.items ? cat.resolve(s.items) : undefined;
    } else if (s.properties && Object.prototype.hasOwnProperty.call(s.properties, seg)) {
      s = cat.resolve(s.properties[seg]);
    } else if (typeof s.additionalProperties === 'object') {
      s = cat.resolve(s.additionalProperties);
    } else {
      return undefined;
    }
  }
  return s;
}

/** The property schema (unresolved: it keeps the field's own description) of the last segment. */
export function propertyAt(root: JsonSchema, path: SchemaPath): { parent: JsonSchema; prop: JsonSchema; required: boolean } | undefined {
  if (path.length === 0) return undefined;
  const parent = schemaAt(root, path.slice(0, -1));
  const last = path[path.length - 1];
  if (!parent || typeof last !== 'string' || last === '[]') return undefined;
  const prop = parent.properties && Object.prototype.hasOwnProperty.call(parent.properties, last) ? parent.properties[last] : undefined;
  if (!prop) return undefined;
  return { parent, prop, required: parent.required?.includes(last) ?? false };
}

function shortName(ref: string): string {
  const n = refName(ref);
  return n.slice(n.lastIndexOf('.') + 1);
}

/** `integer`, `string`, `[]Container`, `map[string]string`, `IntOrString`, `Quantity`, `Time`, `Object`. */
export function typeLabel(s: JsonSchema): string {
  const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0].$ref : undefined);
  if (ref) {
    const name = shortName(ref);
    const target = schemaCatalog().resolve({ $ref: ref });
    if (target.type === 'object' && target.properties) return name;
    if (name === 'IntOrString' || name === 'Quantity' || name === 'Time' || name === 'MicroTime') return name;
    return typeLabel(target);
  }
  if (s.type === 'array') return `[]${s.items ? typeLabel(s.items) : 'Object'}`;
  if (s.type === 'object' && typeof s.additionalProperties === 'object') return `map[string]${typeLabel(s.additionalProperties)}`;
  if (s.type === 'object') return 'Object';
  if (s['x-kubernetes-int-or-string']) return 'IntOrString';
  return s.type ?? 'Object';
}

/** "Defaults to X" / "Default is X" / "Defaults to "X"" in a description, if stated. */
export function defaultFromDescription(d: string | undefined): string | undefined {
  if (!d) return undefined;
  const m = /Default(?:s)? (?:to|is) ("[^"]*"|'[^']*'|[^\s.,;]+)/.exec(d);
  return m ? m[1].replace(/^["']|["']$/g, '') : undefined;
}
