/**
 * Custom resources validated from the CustomResourceDefinitions in the workspace: a CRD's openAPIV3Schema is a
 * structural JSON schema, so the same validator as for built-in kinds applies, with apiVersion, kind and the
 * standard ObjectMeta added (a CRD's schema may not declare metadata, the API server always knows it).
 */
import { schemaCatalog, splitApiVersion, validateValue } from '../schema/index.ts';
import type { JsonSchema } from '../schema/index.ts';
import { Sev } from './diag.ts';
import type { RawDiag } from './diag.ts';
import type { ParsedDoc } from './model.ts';
import { rangeOf, schemaIssueDiag } from './validation.ts';
import { isObj } from './workspace.ts';
import type { WorkspaceIndex } from './workspace.ts';

export interface CrdVersion {
  readonly name: string;
  readonly served: boolean;
  readonly schema?: JsonSchema;
}

export interface CrdInfo {
  readonly group: string;
  readonly kind: string;
  readonly versions: readonly CrdVersion[];
}

const cache = new WeakMap<ParsedDoc, CrdInfo | null>();

/** What a CRD document defines (cached on its parse). */
export function crdInfo(p: ParsedDoc): CrdInfo | undefined {
  const hit = cache.get(p);
  if (hit !== undefined) return hit ?? undefined;
  let info: CrdInfo | null = null;
  const v = p.value;
  if (p.kind === 'CustomResourceDefinition' && isObj(v) && isObj(v.spec) && typeof v.spec.group === 'string' && isObj(v.spec.names) && typeof v.spec.names.kind === 'string') {
    const shared = isObj(v.spec.validation) ? v.spec.validation.openAPIV3Schema : undefined; // apiextensions v1beta1
    const versions = (Array.isArray(v.spec.versions) ? v.spec.versions : []).filter(isObj).map((ver) => ({
      name: String(ver.name),
      served: ver.served !== false,
      schema: withObjectMeta((isObj(ver.schema) ? ver.schema.openAPIV3Schema : undefined) ?? shared),
    }));
    info = { group: v.spec.group, kind: v.spec.names.kind, versions };
  }
  cache.set(p, info);
  return info ?? undefined;
}

export function withObjectMeta(s: unknown): JsonSchema | undefined {
  if (!isObj(s)) return undefined;
  const schema = s as JsonSchema;
  return {
    ...schema,
    type: 'object',
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
      ...(schema.properties ?? {}),
    },
  };
}

/** CRDs in the workspace defining `group`/`kind`. */
export function findCrds(index: WorkspaceIndex, group: string, kind: string): CrdInfo[] {
  const out: CrdInfo[] = [];
  for (const o of index.ofKind('CustomResourceDefinition')) {
    const info = crdInfo(o.parsed);
    if (info && info.group === group && info.kind === kind) out.push(info);
  }
  return out;
}

/** Diagnostics of a custom resource against the workspace's CRD for it; none when no CRD is known. */
export function customResourceDiagnostics(p: ParsedDoc, index: WorkspaceIndex, partial: boolean): RawDiag[] {
  if (!p.isObject || p.builtinGroup || !isObj(p.value)) return [];
  const { group, version } = splitApiVersion(p.apiVersion!);
  const crds = findCrds(index, group, p.kind!);
  if (crds.length === 0) {
    const live = index.clusterSchemas.get(`${group}/${version}/${p.kind}`);
    if (live) crds.push({ group, kind: p.kind!, versions: [{ name: version, served: true, schema: live }] });
  }
  if (crds.length === 0) return [];
  const ver = crds.flatMap((c) => c.versions).find((v) => v.name === version && v.served);
  if (!ver) {
    const [s, e] = rangeOf(p, ['apiVersion']);
    const served = crds.flatMap((c) => c.versions).filter((v) => v.served).map((v) => `${group}/${v.name}`);
    return [{ start: s, end: e, severity: Sev.Error, code: 'unknown-api-version', message: `${p.kind} is not served as ${p.apiVersion}: its CustomResourceDefinition serves ${served.join(', ') || 'no version'}.`, data: served[0] ? { replacement: served[0], from: p.apiVersion } : undefined }];
  }
  if (!ver.schema) return [];
  const out: RawDiag[] = [];
  for (const i of validateValue(p.value, ver.schema, schemaCatalog(), { maxIssues: 500 })) {
    if (i.code === 'required' && partial) continue;
    out.push(schemaIssueDiag(p, i));
  }
  return out;
}

/** The schema of a custom kind from the workspace's CRDs or the cluster's, for completion and hover. */
export function customKindSchema(index: WorkspaceIndex, apiVersion: string, kind: string): { kind: string; apiVersion: string; schema: JsonSchema } | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  const ver = findCrds(index, group, kind).flatMap((c) => c.versions).find((v) => v.name === version && v.served);
  const schema = ver?.schema ?? index.clusterSchemas.get(`${group}/${version}/${kind}`);
  return schema ? { kind, apiVersion, schema } : undefined;
}
