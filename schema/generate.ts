/**
 * Generates schema/generated/kubernetes.json: a JSON schema (OpenAPI-3-compatible subset of draft 2020-12)
 * for every type in the kubernetes-types package, keyed like upstream's OpenAPI (`io.k8s.api.apps.v1.Deployment`),
 * plus an index from group/version/kind to definition.
 *
 *   node --import tsx schema/generate.ts [--if-missing]
 *
 * The source is the package's .d.ts files, read with the TypeScript compiler API (syntax only: every type in the
 * package is an interface, a primitive alias or a union, so no type checker is needed). Descriptions come from
 * the JSDoc, `required` from non-optional properties, int-or-string from `number | string`, enums from the
 * descriptions' own lists of values. Output is deterministic: keys sorted, no timestamps.
 */
import ts from 'typescript';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { JsonSchema, SchemaDocument } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const outFile = join(here, 'generated', 'kubernetes.json');

/** Package folder (without .d.ts) → upstream OpenAPI name prefix. */
function prefixFor(modulePath: string): string {
  const [first, second] = modulePath.split('/');
  if (modulePath === 'api/resource') return 'io.k8s.apimachinery.pkg.api.resource';
  if (modulePath === 'runtime') return 'io.k8s.apimachinery.pkg.runtime';
  if (modulePath === 'version') return 'io.k8s.apimachinery.pkg.version';
  if (first === 'meta') return `io.k8s.apimachinery.pkg.apis.meta.${second}`;
  if (first === 'apiextensions') return `io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.${second}`;
  return `io.k8s.api.${first}.${second}`;
}

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/**
 * Properties whose Go type is a float (the .d.ts says only `number`; everything else numeric in the API is an
 * int32/int64). Upstream: apiextensions JSONSchemaProps maximum/minimum/multipleOf are float64.
 */
const FLOAT_PROPS = new Set([
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps.maximum',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps.minimum',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps.multipleOf',
]);

/** Types whose JSON shape is free-form (Go: runtime.RawExtension, apiextensions JSON, FieldsV1). */
const FREE_FORM = new Set([
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
]);

/**
 * Fields that kubernetes-types' .d.ts loses: Go structs embedded inline. admissionregistration's
 * RuleWithOperations and NamedRuleWithOperations embed `Rule` (`json:",inline"`), whose `resources` and `scope`
 * the package omits although every webhook and admission policy needs them. Texts from upstream's Rule.
 */
const EMBEDDED_RULE: Record<string, JsonSchema> = {
  resources: {
    description: "Resources is a list of resources this rule applies to.\n\nFor example: 'pods' means pods. 'pods/log' means the log subresource of pods. '*' means all resources, but not subresources. 'pods/*' means all subresources of pods. '*/scale' means all scale subresources. '*/*' means all resources and their subresources.\n\nIf wildcard is present, the validation rule will ensure resources do not overlap with each other.\n\nDepending on the enclosing object, subresources might not be allowed. Required.",
    type: 'array', items: { type: 'string' },
  },
  scope: {
    description: 'scope specifies the scope of this rule. Valid values are "Cluster", "Namespaced", and "*" "Cluster" means that only cluster-scoped resources will match this rule. Namespace API objects are cluster-scoped. "Namespaced" means that only namespaced resources will match this rule. "*" means that there are no scope restrictions. Subresources match the scope of their parent resource. Default is "*".',
    type: 'string',
  },
};
const EMBEDS_RULE = /^io\.k8s\.api\.admissionregistration\.v[^.]+\.(Named)?RuleWithOperations$/;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function jsDoc(node: ts.Node): string | undefined {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc;
  if (!docs || docs.length === 0) return undefined;
  const c = docs[docs.length - 1].comment;
  if (c === undefined) return undefined;
  const text = typeof c === 'string' ? c : c.map((p) => p.text).join('');
  return text.trim() || undefined;
}

/**
 * Enum values listed by a description, e.g. "One of Always, Never, IfNotPresent.", "Can be "Recreate" or
 * "RollingUpdate".", "Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer.", or upstream's
 * newer "Possible enum values: - `"Always"` …". Conservative on purpose: a list is taken only when every item is a
 * bare or quoted identifier and nothing else sits between the lead-in and the sentence's end, so prose such as
 * "Valid values are "None", empty string (""), or a valid IP address." yields no enum.
 */
export function enumFromDescription(description: string): string[] | undefined {
  const possible = /Possible enum values:((?:\s*-\s*`"[^"`]*"`[^\n]*)+)/.exec(description);
  if (possible) {
    const values = [...possible[1].matchAll(/-\s*`"([^"`]*)"`/g)].map((m) => m[1]);
    if (values.length > 0) return values;
  }
  const lead = /(?:^|[.,;:]\s+)(?:[Oo]ne of|[Mm]ust be(?: one of)?|[Cc]an be(?: one of)?|[Vv]alid values are|[Vv]alid options are|[Ss]upports|[Pp]ossible values are|[Ss]upported values are)\s+([^.]*?)\.(?:\s|$)/g;
  for (const m of description.matchAll(lead)) {
    const items = m[1].split(/\s*,\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+/).map((s) => s.trim()).filter(Boolean);
    if (items.length < 2) continue;
    const values: string[] = [];
    for (const item of items) {
      const q = /^"([A-Za-z][A-Za-z0-9]*)"$/.exec(item) ?? /^`([A-Za-z][A-Za-z0-9]*)`$/.exec(item);
      if (q) values.push(q[1]);
      else if (/^[A-Z][A-Za-z0-9]*$/.test(item)) values.push(item);
      else { values.length = 0; break; }
    }
    if (values.length >= 2) return values;
  }
  return undefined;
}

interface Ctx {
  /** Local name → qualified definition name, for this file (its own types and its imports). */
  names: Map<string, string>;
  defName: string;
}

function typeToSchema(t: ts.TypeNode, ctx: Ctx, propKey: string): JsonSchema {
  switch (t.kind) {
    case ts.SyntaxKind.StringKeyword: return { type: 'string' };
    case ts.SyntaxKind.BooleanKeyword: return { type: 'boolean' };
    case ts.SyntaxKind.NumberKeyword:
      return FLOAT_PROPS.has(propKey) ? { type: 'number', format: 'double' } : { type: 'integer' };
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
      return { 'x-kubernetes-preserve-unknown-fields': true };
  }
  if (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)) return { type: 'string', enum: [t.literal.text] };
  if (ts.isArrayTypeNode(t)) return { type: 'array', items: typeToSchema(t.elementType, ctx, propKey) };
  if (ts.isParenthesizedTypeNode(t)) return typeToSchema(t.type, ctx, propKey);
  if (ts.isTypeReferenceNode(t)) {
    const name = t.typeName.getText();
    if (name === 'Array' && t.typeArguments?.length === 1) return { type: 'array', items: typeToSchema(t.typeArguments[0], ctx, propKey) };
    const target = ctx.names.get(name);
    if (!target) throw new Error(`${ctx.defName}: unresolved type ${name}`);
    return { $ref: `#/definitions/${target}` };
  }
  if (ts.isTypeLiteralNode(t)) {
    // `{ [key: string]: T }`: a map.
    const index = t.members.find(ts.isIndexSignatureDeclaration);
    if (index && t.members.length === 1 && index.type) {
      return { type: 'object', additionalProperties: typeToSchema(index.type, ctx, propKey) };
    }
    throw new Error(`${ctx.defName}: unsupported type literal at ${propKey}`);
  }
  if (ts.isUnionTypeNode(t)) {
    const kinds = t.types.map((u) => u.kind).sort();
    if (kinds.length === 2 && kinds.includes(ts.SyntaxKind.NumberKeyword) && kinds.includes(ts.SyntaxKind.StringKeyword)) {
      return { $ref: `#/definitions/${INT_OR_STRING}` };
    }
    if (t.types.every((u) => ts.isLiteralTypeNode(u) && ts.isStringLiteral(u.literal))) {
      return { type: 'string', enum: t.types.map((u) => ((u as ts.LiteralTypeNode).literal as ts.StringLiteral).text) };
    }
    return { anyOf: t.types.map((u) => typeToSchema(u, ctx, propKey)) };
  }
  throw new Error(`${ctx.defName}: unsupported type ${ts.SyntaxKind[t.kind]} at ${propKey}`);
}

function interfaceSchema(decl: ts.InterfaceDeclaration, ctx: Ctx): JsonSchema {
  const schema: JsonSchema = { type: 'object' };
  const description = jsDoc(decl);
  if (description) schema.description = description;
  if (FREE_FORM.has(ctx.defName)) {
    schema['x-kubernetes-preserve-unknown-fields'] = true;
    return schema;
  }
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  let apiVersion: string | undefined;
  let kind: string | undefined;
  for (const m of decl.members) {
    if (ts.isIndexSignatureDeclaration(m) && m.type) {
      schema.additionalProperties = typeToSchema(m.type, ctx, `${ctx.defName}.*`);
      continue;
    }
    if (!ts.isPropertySignature(m) || !m.type) continue;
    const key = ts.isStringLiteral(m.name) ? m.name.text : m.name.getText();
    let prop = typeToSchema(m.type, ctx, `${ctx.defName}.${key}`);
    // The literal apiVersion/kind of a top-level kind identify it; in the schema they stay plain strings.
    if ((key === 'apiVersion' || key === 'kind') && prop.enum?.length === 1) {
      if (key === 'apiVersion') apiVersion = String(prop.enum[0]);
      else kind = String(prop.enum[0]);
      prop = { type: 'string' };
    }
    const d = jsDoc(m);
    if (d) {
      const values = prop.type === 'string' && !prop.enum ? enumFromDescription(d) : undefined;
      prop = prop.$ref ? { description: d, allOf: [prop] } : { description: d, ...prop };
      if (values) prop.enum = values;
    }
    const isReadonly = m.modifiers?.some((x) => x.kind === ts.SyntaxKind.ReadonlyKeyword) ?? false;
    if (isReadonly) prop.readOnly = true;
    properties[key] = prop;
    if (!m.questionToken) required.push(key);
  }
  if (apiVersion && kind) {
    const slash = apiVersion.indexOf('/');
    schema['x-kubernetes-group-version-kind'] = [{
      group: slash < 0 ? '' : apiVersion.slice(0, slash),
      version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
      kind,
    }];
    // Status is written by controllers through the status subresource; a manifest's status is ignored.
    if (properties.status && properties.metadata) properties.status.readOnly = true;
  }
  if (EMBEDS_RULE.test(ctx.defName)) for (const [k, v] of Object.entries(EMBEDDED_RULE)) properties[k] ??= v;
  if (Object.keys(properties).length > 0) schema.properties = properties;
  if (required.length > 0) schema.required = required.sort();
  return schema;
}

function aliasSchema(decl: ts.TypeAliasDeclaration, ctx: Ctx): JsonSchema {
  const description = jsDoc(decl);
  let schema: JsonSchema;
  if (ctx.defName === 'io.k8s.apimachinery.pkg.api.resource.Quantity') {
    schema = { anyOf: [{ type: 'string' }, { type: 'number' }], format: 'quantity', 'x-kubernetes-int-or-string': true };
  } else if (ctx.defName.endsWith('.meta.v1.Time') || ctx.defName.endsWith('.meta.v1.MicroTime')) {
    schema = { type: 'string', format: 'date-time' };
  } else {
    schema = typeToSchema(decl.type, ctx, ctx.defName);
  }
  return description ? { description, ...schema } : schema;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

export function generate(): SchemaDocument {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('kubernetes-types/package.json');
  const root = dirname(pkgJson);
  const version = (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version;
  const definitions: Record<string, JsonSchema> = {
    [INT_OR_STRING]: {
      description: 'IntOrString is a type that can hold an int32 or a string. When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type.',
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      format: 'int-or-string',
      'x-kubernetes-int-or-string': true,
    },
  };
  const files = walk(root).map((f) => ({ path: f, mod: relative(root, f).replace(/\\/g, '/').replace(/\.d\.ts$/, '') }));
  for (const { path, mod } of files) {
    const sf = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.ES2022, true);
    const prefix = prefixFor(mod);
    const names = new Map<string, string>();
    for (const st of sf.statements) {
      if ((ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st))) names.set(st.name.text, `${prefix}.${st.name.text}`);
      if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && st.importClause?.namedBindings && ts.isNamedImports(st.importClause.namedBindings)) {
        const target = join(dirname(mod), st.moduleSpecifier.text).replace(/\\/g, '/');
        for (const el of st.importClause.namedBindings.elements) names.set(el.name.text, `${prefixFor(target)}.${(el.propertyName ?? el.name).text}`);
      }
    }
    for (const st of sf.statements) {
      if (ts.isInterfaceDeclaration(st)) {
        const defName = `${prefix}.${st.name.text}`;
        definitions[defName] = interfaceSchema(st, { names, defName });
      } else if (ts.isTypeAliasDeclaration(st)) {
        const defName = `${prefix}.${st.name.text}`;
        definitions[defName] = aliasSchema(st, { names, defName });
      }
    }
  }
  const gvk: Record<string, string> = {};
  for (const [name, def] of Object.entries(definitions)) {
    for (const g of def['x-kubernetes-group-version-kind'] ?? []) {
      const key = `${g.group ? `${g.group}/` : ''}${g.version}/${g.kind}`;
      // meta/v1 types (Status, DeleteOptions, …) claim apiVersion v1 too; the core group's own kinds win.
      if (gvk[key] && name.startsWith('io.k8s.apimachinery.')) continue;
      gvk[key] = name;
    }
  }
  return sortKeys({ source: `kubernetes-types@${version}`, definitions, gvk }) as SchemaDocument;
}

const isMain = process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1];
if (isMain) {
  if (process.argv.includes('--if-missing') && existsSync(outFile)) process.exit(0);
  const doc = generate();
  mkdirSync(dirname(outFile), { recursive: true });
  const text = JSON.stringify(doc) + '\n';
  if (!existsSync(outFile) || readFileSync(outFile, 'utf8') !== text) writeFileSync(outFile, text);
  console.error(`schema: ${Object.keys(doc.definitions).length} definitions, ${Object.keys(doc.gvk).length} kinds → ${relative(process.cwd(), outFile)}`);
}
