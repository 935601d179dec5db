/**
 * Custom resources: the catalog entries a CustomResourceDefinition serves, and validation of custom objects
 * against the version's openAPIV3Schema as upstream's apiextensions-apiserver does — defaults applied,
 * unknown fields pruned (or reported under fieldValidation=Strict/Warn), value errors as 422 causes.
 */
import type { KubeObject } from '../api/client.ts';
import { ALL_VERBS, makeInfo, type ResourceInfo, type SubresourceInfo } from './catalog.ts';
import { FieldErr, type Cause } from './errors.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const o = (v: unknown): Obj => (isObj(v) ? v : {});

/** The structural-schema keywords a CRD may use. */
export interface CrdSchema {
  type?: string;
  properties?: Record<string, CrdSchema>;
  additionalProperties?: CrdSchema | boolean;
  items?: CrdSchema;
  required?: string[];
  enum?: unknown[];
  default?: unknown;
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: boolean;
  exclusiveMaximum?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  format?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  anyOf?: CrdSchema[];
  allOf?: CrdSchema[];
  oneOf?: CrdSchema[];
}

export interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: CrdSchema };
  subresources?: { status?: object; scale?: { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string } };
  additionalPrinterColumns?: { name: string; type: string; jsonPath: string; description?: string; priority?: number; format?: string }[];
}

export interface CrdInfo {
  name: string;
  group: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  versions: CrdVersion[];
  storageVersion: string;
}

export function readCrd(crd: KubeObject): CrdInfo {
  const spec = o((crd as Obj).spec);
  const names = o(spec.names);
  const versions = (Array.isArray(spec.versions) ? spec.versions : []) as CrdVersion[];
  const kind = String(names.kind ?? '');
  return {
    name: String(crd.metadata?.name ?? ''),
    group: String(spec.group ?? ''),
    kind,
    listKind: String(names.listKind ?? `${kind}List`),
    plural: String(names.plural ?? ''),
    singular: String(names.singular ?? kind.toLowerCase()),
    shortNames: Array.isArray(names.shortNames) ? (names.shortNames as string[]) : [],
    categories: Array.isArray(names.categories) ? (names.categories as string[]) : [],
    namespaced: spec.scope === 'Namespaced',
    versions,
    storageVersion: versions.find((v) => v.storage)?.name ?? versions[0]?.name ?? 'v1',
  };
}

/** Catalog entries for every served version; the storage version is preferred. */
export function crdResources(crd: KubeObject): ResourceInfo[] {
  const c = readCrd(crd);
  return c.versions.filter((v) => v.served).map((v) => {
    const subresources: SubresourceInfo[] = [];
    if (v.subresources?.scale) subresources.push({ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] });
    if (v.subresources?.status) subresources.push({ name: 'status', kind: c.kind, verbs: ['get', 'patch', 'update'] });
    const info = makeInfo({
      group: c.group, version: v.name, resource: c.plural, kind: c.kind, namespaced: c.namespaced, singular: c.singular,
      shortNames: c.shortNames, subresources, verbs: ALL_VERBS, preferred: v.name === c.storageVersion,
    });
    info.categories = c.categories;
    info.crd = c.name;
    if (v.name !== c.storageVersion) {
      // conversion strategy None: only apiVersion changes between versions.
      const stored = `${c.group}/${c.storageVersion}`;
      const served = `${c.group}/${v.name}`;
      info.convert = {
        toStorage: (obj) => ({ ...obj, apiVersion: stored }),
        fromStorage: (obj) => ({ ...obj, apiVersion: served }),
      };
    }
    return info;
  });
}

export function crdVersion(crd: CrdInfo, version: string): CrdVersion | undefined {
  return crd.versions.find((v) => v.name === version);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function path(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

export interface SchemaResult {
  causes: Cause[];
  /** Fields the schema does not declare (already pruned from the object). */
  unknown: string[];
}

const MAX_DEPTH = 128;

/**
 * Walks `value` against a structural schema: applies defaults, prunes unknown fields (recording their paths),
 * and collects value errors. Mutates `value` (the registry's private copy). metadata/apiVersion/kind at the
 * root are the server's, not the schema's.
 */
export function applyStructuralSchema(value: Obj, schema: CrdSchema): SchemaResult {
  const res: SchemaResult = { causes: [], unknown: [] };
  const walk = (v: unknown, s: CrdSchema, p: string, depth: number, root: boolean): void => {
    if (depth > MAX_DEPTH) {
      res.causes.push(FieldErr.invalid(p, '', 'nesting is too deep'));
      return;
    }
    if (v === null) {
      if (!s.nullable && s.type) res.causes.push(FieldErr.invalid(p, null, `must be of type ${s.type}`));
      return;
    }
    const t = typeOf(v);
    if (s['x-kubernetes-int-or-string']) {
      if (t !== 'integer' && t !== 'string') res.causes.push(FieldErr.invalid(p, v, 'must be of type integer or string'));
    } else if (s.type && !(s.type === t || (s.type === 'number' && t === 'integer'))) {
      res.causes.push({ reason: 'FieldValueTypeInvalid', message: `Invalid value: "${t}": ${p || 'body'} in body must be of type ${s.type}: "${t}"`, field: p });
      return;
    }
    if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
      res.causes.push(FieldErr.notSupported(p, v, s.enum.map((e) => String(e))));
    }
    if (typeof v === 'number') {
      if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
        res.causes.push(FieldErr.invalid(p, v, `${p} in body should be greater than or equal to ${s.minimum}`));
      }
      if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
        res.causes.push(FieldErr.invalid(p, v, `${p} in body should be less than or equal to ${s.maximum}`));
      }
    }
    if (typeof v === 'string') {
      if (s.minLength !== undefined && [...v].length < s.minLength) res.causes.push(FieldErr.invalid(p, v, `${p} in body should be at least ${s.minLength} chars long`));
      if (s.maxLength !== undefined && [...v].length > s.maxLength) res.causes.push(FieldErr.tooLong(p, s.maxLength));
      if (s.pattern !== undefined) {
        let re: RegExp | undefined;
        try {
          re = new RegExp(s.pattern, 'u');
        } catch {
          re = undefined;
        }
        if (re && !re.test(v)) res.causes.push(FieldErr.invalid(p, v, `${p} in body should match '${s.pattern}'`));
      }
    }
    if (Array.isArray(v)) {
      if (s.minItems !== undefined && v.length < s.minItems) res.causes.push(FieldErr.invalid(p, v, `${p} in body should have at least ${s.minItems} items`));
      if (s.maxItems !== undefined && v.length > s.maxItems) res.causes.push({ reason: 'FieldValueTooMany', message: `Too many: ${v.length}: must have at most ${s.maxItems} items`, field: p });
      if (s.items) v.forEach((item, i) => walk(item, s.items!, path(p, i), depth + 1, false));
      return;
    }
    if (isObj(v)) {
      const props = s.properties;
      for (const [k, ps] of Object.entries(props ?? {})) {
        if (v[k] === undefined && ps.default !== undefined) v[k] = structuredClone(ps.default);
      }
      for (const req of s.required ?? []) if (v[req] === undefined) res.causes.push(FieldErr.required(path(p, req)));
      for (const k of Object.keys(v)) {
        if (root && (k === 'apiVersion' || k === 'kind' || k === 'metadata')) continue;
        const ps = props?.[k];
        if (ps) walk(v[k], ps, path(p, k), depth + 1, false);
        else if (isObj(s.additionalProperties)) walk(v[k], s.additionalProperties, path(p, k), depth + 1, false);
        else if (s.additionalProperties === true || s['x-kubernetes-preserve-unknown-fields'] || s['x-kubernetes-embedded-resource']) continue;
        else if (props || s.additionalProperties === false || s.type === 'object') {
          res.unknown.push(path(p, k));
          delete v[k];
        }
      }
    }
  };
  walk(value, schema, '', 0, true);
  return res;
}

/** Reads a `.spec.replicas`-style JSON path (as CRD scale subresources name them). */
export function readPath(obj: unknown, jsonPath: string): unknown {
  let cur: unknown = obj;
  for (const part of jsonPath.replace(/^\./, '').split('.')) {
    if (!isObj(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

export function writePath(obj: Obj, jsonPath: string, value: unknown): void {
  const parts = jsonPath.replace(/^\./, '').split('.');
  let cur = obj;
  for (const part of parts.slice(0, -1)) {
    if (!isObj(cur[part])) cur[part] = {};
    cur = cur[part] as Obj;
  }
  cur[parts[parts.length - 1]!] = value;
}
