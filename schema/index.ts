/**
 * The generated Kubernetes schema, for the engine (strict field validation, /openapi/v3) and the language server.
 * No imports of vscode, the engine or the server: both sides bundle this module, and the JSON comes in through a
 * static import so esbuild inlines it (dist/*.js run with no node_modules and no schema/ folder).
 *
 * Regenerate with `npm run schema` (also run by `npm run check` and esbuild.mjs).
 */
import doc from './generated/kubernetes.json' with { type: 'json' };
import type { GroupVersionKind, JsonSchema, SchemaDocument } from './types.ts';

export type { GroupVersionKind, JsonSchema, SchemaDocument } from './types.ts';
export { validateValue, unknownFields, formatPath } from './validate.ts';
export type { SchemaIssue, IssuePath, ValidateOptions } from './validate.ts';

export interface KindSchema extends GroupVersionKind {
  /** `apps/v1`, or `v1` for the core group. */
  readonly apiVersion: string;
  /** Definition name, e.g. `io.k8s.api.apps.v1.Deployment`. */
  readonly definition: string;
  readonly schema: JsonSchema;
  /** True for `…List` kinds (they carry `items` of another kind). */
  readonly list: boolean;
}

export interface SchemaCatalog {
  /** e.g. `kubernetes-types@1.30.0`. */
  readonly source: string;
  readonly definitions: Readonly<Record<string, JsonSchema>>;
  /** The kind's top-level schema, or undefined if the group/version/kind is not built in. Group '' is core. */
  byGvk(group: string, version: string, kind: string): KindSchema | undefined;
  /** Same, from a manifest's `apiVersion` (`apps/v1`, `v1`). */
  byApiVersionKind(apiVersion: string, kind: string): KindSchema | undefined;
  /** Every built-in kind (resources and their lists; not the meta/v1 helper kinds), sorted by group, version, kind. */
  kinds(): readonly KindSchema[];
  /** A definition by name (`io.k8s.api.core.v1.Container`). */
  definition(name: string): JsonSchema | undefined;
  /**
   * The schema behind a `$ref` or a described reference (`{ description, allOf: [{ $ref }] }`), merged so the
   * outer description wins. Schemas without a reference come back unchanged.
   */
  resolve(schema: JsonSchema): JsonSchema;
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

const REF_PREFIX = '#/definitions/';

export function refName(ref: string): string {
  return ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref;
}

let cached: SchemaCatalog | undefined;

/** The catalog of the bundled schema (built once, shared). */
export function schemaCatalog(): SchemaCatalog {
  if (!cached) cached = buildCatalog(doc as unknown as SchemaDocument);
  return cached;
}

/** A catalog over any document of the same shape (tests, or schemas merged with CRDs). */
export function buildCatalog(document: SchemaDocument): SchemaCatalog {
  const definitions = document.definitions;
  const byKey = new Map<string, KindSchema>();
  for (const [key, definition] of Object.entries(document.gvk)) {
    const schema = definitions[definition];
    if (!schema) continue;
    const lastSlash = key.lastIndexOf('/');
    const apiVersion = key.slice(0, lastSlash);
    const kind = key.slice(lastSlash + 1);
    const { group, version } = splitApiVersion(apiVersion);
    byKey.set(key, Object.freeze({ group, version, kind, apiVersion, definition, schema, list: kind.endsWith('List') && !!schema.properties?.items }));
  }
  const all = [...byKey.values()]
    .filter((k) => !k.definition.startsWith('io.k8s.apimachinery.'))
    .sort((a, b) => a.group.localeCompare(b.group) || a.version.localeCompare(b.version) || a.kind.localeCompare(b.kind));
  const resolveCache = new WeakMap<JsonSchema, JsonSchema>();
  const catalog: SchemaCatalog = {
    source: document.source,
    definitions,
    byGvk: (group, version, kind) => byKey.get(`${group ? `${group}/` : ''}${version}/${kind}`),
    byApiVersionKind: (apiVersion, kind) => byKey.get(`${apiVersion}/${kind}`),
    kinds: () => all,
    definition: (name) => definitions[name],
    resolve(schema) {
      const hit = resolveCache.get(schema);
      if (hit) return hit;
      let out = schema;
      const ref = schema.$ref ?? (schema.allOf?.length === 1 ? schema.allOf[0].$ref : undefined);
      if (ref) {
        const target = definitions[refName(ref)];
        if (!target) throw new Error(`schema: dangling reference ${ref}`);
        const { allOf: _allOf, $ref: _ref, ...own } = schema;
        out = { ...catalog.resolve(target), ...own };
      }
      resolveCache.set(schema, out);
      return out;
    },
  };
  return catalog;
}
