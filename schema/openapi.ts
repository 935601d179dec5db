/**
 * The generated schema in OpenAPI v3 shape, for the API server's `/openapi/v3/<group path>` documents: the
 * definitions a group/version's kinds need (transitively), keyed as upstream's `components.schemas`, with references
 * rewritten to `#/components/schemas/<name>`. Paths (verbs, parameters) are the API server's to add.
 */
import { refName, schemaCatalog } from './index.ts';
import type { JsonSchema } from './types.ts';

function rewrite(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(rewrite);
  if (!v || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = k === '$ref' && typeof x === 'string' ? `#/components/schemas/${refName(x)}` : rewrite(x);
  return out;
}

function collectRefs(v: unknown, into: Set<string>, defs: Readonly<Record<string, JsonSchema>>): void {
  if (Array.isArray(v)) { for (const x of v) collectRefs(x, into, defs); return; }
  if (!v || typeof v !== 'object') return;
  for (const [k, x] of Object.entries(v)) {
    if (k === '$ref' && typeof x === 'string') {
      const name = refName(x);
      if (!into.has(name) && defs[name]) { into.add(name); collectRefs(defs[name], into, defs); }
    } else {
      collectRefs(x, into, defs);
    }
  }
}

/**
 * `components.schemas` for one group/version (group '' is core): its kinds, their lists, and every definition
 * they reference. Undefined when no built-in kind is served in that group/version.
 */
export function openApiV3Schemas(group: string, version: string): Record<string, JsonSchema> | undefined {
  const cat = schemaCatalog();
  const kinds = cat.kinds().filter((k) => k.group === group && k.version === version);
  if (kinds.length === 0) return undefined;
  const names = new Set<string>();
  for (const k of kinds) { names.add(k.definition); collectRefs(k.schema, names, cat.definitions); }
  const out: Record<string, JsonSchema> = {};
  for (const n of [...names].sort()) out[n] = rewrite(cat.definitions[n]) as JsonSchema;
  return out;
}

/** The group/versions that have built-in kinds, e.g. `['apps/v1', 'v1', …]` (core as `v1`). */
export function servedGroupVersions(): string[] {
  return [...new Set(schemaCatalog().kinds().map((k) => k.apiVersion))].sort();
}
