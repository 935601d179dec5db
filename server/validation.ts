/**
 * Per-document diagnostics: YAML syntax, duplicate keys, alias bombs, apiVersion/kind (unknown, removed,
 * deprecated), the schema (unknown fields with "did you mean", types, required fields, enums, quantities) and the
 * formats the API server checks (names, labels, ports, cron schedules). Nothing here looks at other documents.
 */
import { isMap, isScalar, visit } from 'yaml';
import type { Node } from 'yaml';
import { formatPath, schemaCatalog, validateValue } from '../schema/index.ts';
import type { SchemaIssue } from '../schema/index.ts';
import { findPair, nodeAtPath } from './ast.ts';
import type { Path } from './ast.ts';
import { Sev } from './diag.ts';
import type { RawDiag } from './diag.ts';
import { cronSchedule, dns1123Label, labelValue, portName, portNumber, qualifiedName } from './formats.ts';
import { apiChange, didYouMean, nameFormat, versionsOfKind } from './kinds.ts';
import type { ParsedDoc } from './model.ts';

export interface ValidateDocOptions {
  /** A kustomize patch: a partial object, so required fields may be absent. */
  readonly partial?: boolean;
}

function firstLine(msg: string): string {
  return msg.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

function nodeRange(n: Node | null | undefined, fallback: [number, number]): [number, number] {
  return n?.range ? [n.range[0], n.range[1]] : fallback;
}

/** Range of a value (or of its key when `onKey`) at path, falling back to the nearest existing ancestor. */
export function rangeOf(p: ParsedDoc, path: Path, onKey = false): [number, number] {
  const loc = nodeAtPath(p.doc, path);
  const docRange = nodeRange(p.doc.contents as Node | null, [0, Math.min(p.text.length, 1)]);
  if (loc.depth < path.length) {
    // The path goes deeper than the document (a missing field): point at the deepest key present.
    return nodeRange(loc.key ?? loc.value, docRange);
  }
  if (onKey && loc.key) return nodeRange(loc.key, docRange);
  if (loc.value && !isMap(loc.value) && !(loc.value as { items?: unknown }).items) return nodeRange(loc.value, docRange);
  return nodeRange(loc.key ?? loc.value, docRange);
}

function topValueRange(p: ParsedDoc, key: string): [number, number] {
  const c = p.doc.contents;
  const fallback: [number, number] = [0, Math.min(p.text.length, 1)];
  if (!isMap(c)) return fallback;
  const pair = findPair(c, key);
  return nodeRange((pair?.value ?? pair?.key) as Node | null, fallback);
}

/** Syntax errors only (Helm templates and kustomization files get nothing at all). */
function syntax(p: ParsedDoc, out: RawDiag[]): boolean {
  let fatal = false;
  for (const e of p.doc.errors) {
    fatal = true;
    const message = e.code === 'RESOURCE_EXHAUSTION' ? `Excessive nesting: ${firstLine(e.message)}` : firstLine(e.message);
    out.push({ start: e.pos[0], end: Math.max(e.pos[1], e.pos[0] + 1), severity: Sev.Error, code: 'yaml-syntax', message });
  }
  for (const d of p.duplicates) {
    out.push({ start: d.start, end: d.end, severity: Sev.Error, code: 'duplicate-key', message: `Duplicate key "${d.key}": map keys must be unique (the API server rejects the document).` });
  }
  if (p.decodeError) {
    fatal = true;
    const excessive = /excessive alias/i.test(p.decodeError);
    // Point at the alias that breaks decoding: the first one (a bomb), or the first whose anchor is missing.
    let at: Node | undefined;
    visit(p.doc, {
      Alias(_, a) {
        if (excessive || a.resolve(p.doc) === undefined) { at = a; return visit.BREAK; }
        return undefined;
      },
    });
    const [s, e] = nodeRange(at ?? (p.doc.contents as Node | null), [0, 1]);
    out.push({ start: s, end: Math.min(e, s + (p.text.indexOf('\n', s) - s >= 0 ? p.text.indexOf('\n', s) - s : 1)), severity: Sev.Error,
      code: excessive ? 'excessive-aliases' : 'yaml-syntax',
      message: excessive ? 'Excessive aliases: this document expands too many aliases (a YAML "billion laughs" bomb); the API server would reject it.' : p.decodeError });
  }
  return fatal;
}

/** A schema issue as a diagnostic on the offending key or value. */
export function schemaIssueDiag(p: ParsedDoc, i: SchemaIssue): RawDiag {
  const path = i.path as Path;
  switch (i.code) {
    case 'unknown-field': {
      const [s, e] = rangeOf(p, path, true);
      const suggestion = i.field ? didYouMean(i.field, i.allowed ?? []) : undefined;
      const where = path.length > 1 ? ` in ${formatPath(path.slice(0, -1))}` : '';
      return { start: s, end: e, severity: Sev.Error, code: 'unknown-field', message: `Unknown field "${i.field}"${where}.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`, data: suggestion ? { replacement: suggestion } : undefined };
    }
    case 'required': {
      const [s, e] = path.length === 0 ? topValueRange(p, 'kind') : rangeOf(p, path, true);
      const where = path.length ? ` in ${formatPath(path)}` : '';
      return { start: s, end: e, severity: Sev.Error, code: 'required', message: `Missing required field "${i.field}"${where}.`, data: { field: i.field } };
    }
    case 'type': {
      const [s, e] = rangeOf(p, path);
      return { start: s, end: e, severity: Sev.Error, code: 'type', message: `${formatPath(path)}: ${i.message}` };
    }
    case 'enum': {
      const [s, e] = rangeOf(p, path);
      const value = nodeAtPath(p.doc, path).value;
      const v = isScalar(value) ? String(value.value) : '';
      const suggestion = didYouMean(v, i.allowed ?? []);
      return { start: s, end: e, severity: Sev.Error, code: 'enum', message: `${formatPath(path)}: ${i.message}${suggestion ? ` Did you mean "${suggestion}"?` : ''}`, data: suggestion ? { replacement: suggestion } : undefined };
    }
    default: {
      const [s, e] = rangeOf(p, path);
      return { start: s, end: e, severity: Sev.Error, code: i.code === 'format' ? 'format' : 'type', message: `${formatPath(path)}: ${i.message}` };
    }
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** Visits every value with its path (bounded depth), for the format checks. */
function walk(v: unknown, path: Path, visit: (v: unknown, path: Path) => void, depth = 0): void {
  if (depth > 100) return;
  visit(v, path);
  if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i], visit, depth + 1));
  else if (isObj(v)) for (const k of Object.keys(v)) walk(v[k], [...path, k], visit, depth + 1);
}

function endsWith(path: Path, ...tail: (string | number | null)[]): boolean {
  if (path.length < tail.length) return false;
  for (let i = 0; i < tail.length; i++) {
    const want = tail[tail.length - 1 - i];
    const got = path[path.length - 1 - i];
    if (want === null ? typeof got !== 'number' : want !== got) return false;
  }
  return true;
}

/** Create-only review kinds: the API server answers them without storing, so they carry no name. */
const NAMELESS = new Set(['TokenReview', 'SelfSubjectReview', 'SubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'LocalSubjectAccessReview']);

function formats(p: ParsedDoc, obj: Obj, out: RawDiag[], partial: boolean): void {
  const kind = p.kind!;
  const err = (path: Path, code: RawDiag['code'], message: string, onKey = false) => {
    const [s, e] = rangeOf(p, path, onKey);
    out.push({ start: s, end: e, severity: Sev.Error, code, message });
  };
  const meta = isObj(obj.metadata) ? obj.metadata : undefined;
  if (!partial && !NAMELESS.has(kind) && !(typeof meta?.name === 'string' && meta.name) && !(typeof meta?.generateName === 'string' && meta.generateName)) {
    const [s, e] = meta ? rangeOf(p, ['metadata'], true) : topValueRange(p, 'kind');
    out.push({ start: s, end: e, severity: Sev.Error, code: 'required', message: 'Missing required field "metadata.name" (or metadata.generateName).', data: { field: 'name' } });
  }
  if (typeof meta?.name === 'string' && meta.name) {
    const bad = nameFormat(kind)(meta.name);
    if (bad) err(['metadata', 'name'], 'invalid-name', `Invalid ${kind} name "${meta.name}": ${bad}.`);
  }
  if (typeof meta?.namespace === 'string' && meta.namespace) {
    const bad = dns1123Label(meta.namespace);
    if (bad) err(['metadata', 'namespace'], 'invalid-name', `Invalid namespace "${meta.namespace}": ${bad}.`);
  }
  const inContainer = (path: Path) => path.some((s) => s === 'containers' || s === 'initContainers' || s === 'ephemeralContainers');
  walk(obj, [], (v, path) => {
    const last = path[path.length - 1];
    const labelMap = endsWith(path, 'metadata', 'labels') || endsWith(path, 'matchLabels') || (kind === 'Service' && endsWith(path, 'spec', 'selector')) || endsWith(path, 'nodeSelector');
    if (labelMap && isObj(v)) {
      for (const [k, val] of Object.entries(v)) {
        const badKey = qualifiedName(k);
        if (badKey) err([...path, k], 'invalid-label', `Invalid label key "${k}": ${badKey}.`, true);
        if (typeof val === 'string' && !endsWith(path, 'nodeSelector')) {
          const badVal = labelValue(val);
          if (badVal) err([...path, k], 'invalid-label', `Invalid label value "${val}": ${badVal}.`);
        }
      }
    }
    if (endsWith(path, 'metadata', 'annotations') && isObj(v)) {
      for (const k of Object.keys(v)) {
        const badKey = qualifiedName(k);
        if (badKey) err([...path, k], 'invalid-label', `Invalid annotation key "${k}": ${badKey}.`, true);
      }
    }
    // Ports: container ports, Service ports, probe and ingress backend ports.
    if (typeof v === 'number' && (last === 'containerPort' || last === 'port' || last === 'targetPort' || (last === 'hostPort' && v !== 0) || last === 'nodePort' || last === 'number')) {
      const inPorts = path.includes('ports') || path.includes('httpGet') || path.includes('tcpSocket') || path.includes('grpc') || (last === 'number' && path.includes('port'));
      if (inPorts) {
        const bad = portNumber(v);
        if (bad) err(path, 'invalid-port', `Invalid port ${v}: ${bad}.`);
      }
    }
    if (typeof v === 'string' && (last === 'targetPort' || (last === 'port' && (path.includes('httpGet') || path.includes('tcpSocket'))) || (last === 'name' && path.length >= 3 && path[path.length - 3] === 'ports' && inContainer(path)))) {
      if (!/^\d+$/.test(v)) {
        const bad = portName(v);
        if (bad) err(path, 'invalid-port', `Invalid port name "${v}": ${bad}.`);
      }
    }
  });
  if (kind === 'CronJob' && isObj(obj.spec) && typeof obj.spec.schedule === 'string') {
    const bad = cronSchedule(obj.spec.schedule);
    if (bad) err(['spec', 'schedule'], 'invalid-cron', `Invalid schedule "${obj.spec.schedule}": ${bad}.`);
  }
}

/** Diagnostics of one document, offsets relative to the document's text. */
export function validateDoc(p: ParsedDoc, options: ValidateDocOptions = {}): RawDiag[] {
  const out: RawDiag[] = [];
  const fatal = syntax(p, out);
  if (fatal || !isObj(p.value)) return out;
  const obj = p.value;
  const kind = typeof obj.kind === 'string' ? obj.kind : undefined;
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : undefined;
  if (!p.isObject) {
    // Only a half-written Kubernetes object gets a diagnostic; other YAML (CI files, Compose files) is left alone.
    if (kind && apiVersion === undefined && obj.apiVersion === undefined && versionsOfKind(kind).length > 0 && (obj.metadata !== undefined || obj.spec !== undefined || obj.data !== undefined)) {
      const [s, e] = topValueRange(p, 'kind');
      const v = versionsOfKind(kind)[0].apiVersion;
      out.push({ start: s, end: e, severity: Sev.Error, code: 'missing-api-version', message: `Missing apiVersion: ${kind} is served as ${v}.`, data: { replacement: v } });
    }
    return out;
  }
  if (!p.builtinGroup) return out; // a custom resource: validated when its CRD is known
  if (apiVersion === 'v1' && kind === 'List') {
    // `kubectl get -o yaml` output: each item is validated against its own kind.
    (Array.isArray(obj.items) ? obj.items : []).forEach((item, i) => {
      const it = isObj(item) ? item : undefined;
      const ks = it && typeof it.apiVersion === 'string' && typeof it.kind === 'string' ? schemaCatalog().byApiVersionKind(it.apiVersion, it.kind) : undefined;
      if (ks) for (const issue of validateValue(item, ks.schema, schemaCatalog(), { maxIssues: 100 }, ['items', i])) out.push(schemaIssueDiag(p, issue));
    });
    return out;
  }
  const av = apiVersion!;
  const k = kind!;
  if (!p.kindSchema) {
    const [s, e] = topValueRange(p, 'apiVersion');
    const change = apiChange(av, k);
    const versions = versionsOfKind(k);
    if (change) {
      const instead = change.replacement ? `: use ${change.replacement}` : '';
      const note = change.note ? ` (${change.note})` : '';
      out.push({ start: s, end: e, severity: Sev.Error, code: 'removed-api', message: `${av} ${k} was removed in Kubernetes ${change.removedIn}${instead}${note}.`, data: change.replacement ? { replacement: change.replacement, from: av } : undefined });
    } else if (versions.length > 0) {
      out.push({ start: s, end: e, severity: Sev.Error, code: 'unknown-api-version', message: `${k} is not served as ${av}: use ${versions.map((x) => x.apiVersion).join(' or ')}.`, data: { replacement: versions[0].apiVersion, from: av } });
    } else {
      const [ks, ke] = topValueRange(p, 'kind');
      const inVersion = schemaCatalog().kinds().filter((x) => x.apiVersion === av && !x.list).map((x) => x.kind);
      const suggestion = didYouMean(k, inVersion.length ? inVersion : versionsOfKind(k).map((x) => x.kind)) ?? didYouMean(k, schemaCatalog().kinds().filter((x) => !x.list).map((x) => x.kind));
      const known = inVersion.length ? '' : ` (${av} is not a version Kubernetes serves)`;
      out.push({ start: ks, end: ke, severity: Sev.Error, code: 'unknown-kind', message: `Unknown kind "${k}" in ${av}${known}.${suggestion ? ` Did you mean "${suggestion}"?` : ''}`, data: suggestion ? { replacement: suggestion } : undefined });
    }
    return out;
  }
  const change = apiChange(av, k);
  if (change?.deprecatedIn) {
    const [s, e] = topValueRange(p, 'apiVersion');
    out.push({ start: s, end: e, severity: Sev.Warning, code: 'deprecated-api', message: `${av} ${k} is deprecated since Kubernetes ${change.deprecatedIn} and removed in ${change.removedIn}${change.replacement ? `: use ${change.replacement}` : ''}.`, data: change.replacement ? { replacement: change.replacement, from: av } : undefined });
  }
  const issues = validateValue(obj, p.kindSchema.schema, schemaCatalog(), { maxIssues: 500 });
  for (const i of issues) {
    if (i.code === 'required' && options.partial) continue;
    out.push(schemaIssueDiag(p, i));
  }
  formats(p, obj, out, !!options.partial);
  return out;
}
