/**
 * Field selectors (`?fieldSelector=spec.nodeName=n1,status.phase!=Running`), as upstream: `=`, `==` and
 * `!=` terms joined by commas, over a per-kind set of supported fields. An unsupported field is a 400.
 */
import { badRequest } from './errors.ts';

export interface FieldTerm {
  field: string;
  value: string;
  negate: boolean;
}

const COMMON = ['metadata.name', 'metadata.namespace'];

/** Supported fields beyond metadata.name/namespace, keyed by `group/Kind`. */
const SUPPORTED: Record<string, string[]> = {
  '/Pod': ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork',
    'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  '/Event': ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
    'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  'events.k8s.io/Event': ['regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'reason', 'reportingController', 'type'],
  '/Secret': ['type'],
  '/Node': ['spec.unschedulable'],
  '/Namespace': ['status.phase'],
  'apps/ReplicaSet': ['status.replicas'],
  'batch/Job': ['status.successful'],
  '/ReplicationController': ['status.replicas'],
};

/** Parses a field selector; throws a 400 naming an unsupported field or bad syntax. */
export function parseFieldSelector(s: string | undefined, group: string, kind: string, extra: string[] = []): FieldTerm[] {
  if (!s || !s.trim()) return [];
  const allowed = new Set([...COMMON, ...(SUPPORTED[`${group}/${kind}`] ?? []), ...extra]);
  const terms: FieldTerm[] = [];
  for (const raw of s.split(',')) {
    const term = raw.trim();
    if (!term) continue;
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid field selector: ${term}`);
    const field = m[1]!.trim();
    if (!allowed.has(field)) throw badRequest(`field label not supported: ${field}`);
    terms.push({ field, value: m[3]!.trim(), negate: m[2] === '!=' });
  }
  return terms;
}

function lookup(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  if (cur === undefined || cur === null) return '';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

/** Events' `source` field selects on source.component, as upstream's event field set. */
function fieldOf(obj: unknown, field: string): string {
  if (field === 'source') return lookup(obj, 'source.component');
  if (field === 'spec.unschedulable' || field === 'spec.hostNetwork') return lookup(obj, field) || 'false';
  return lookup(obj, field);
}

export function matchesFields(terms: FieldTerm[], obj: unknown): boolean {
  for (const t of terms) {
    const v = fieldOf(obj, t.field);
    if (t.negate ? v === t.value : v !== t.value) return false;
  }
  return true;
}

/** The metadata.name an equality selector pins, for a cheap single-key read. */
export function pinnedName(terms: FieldTerm[]): string | undefined {
  return terms.find((t) => t.field === 'metadata.name' && !t.negate)?.value;
}
