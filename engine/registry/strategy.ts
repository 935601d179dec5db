/**
 * Per-resource strategies (upstream's pkg/registry/<group>/<resource>/strategy.go): what a create resets,
 * what an update may not touch, when generation moves, and which kind-specific defaulting and validation
 * run. The registry calls these on its private copy of each object; nothing here touches the store.
 */
import { randomUUID } from 'node:crypto';
import type { ResourceInfo } from './catalog.ts';
import { DEFAULTERS, qosClass } from './defaults.ts';
import { FieldErr, type Cause } from './errors.ts';
import { checkName, validateAnnotations, validateLabels } from './names.ts';
import { NAME_RULES, VALIDATORS, validateFinalizers, validateOwnerReferences } from './validation.ts';
import { readCrd } from './crd.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const o = (v: unknown): Obj => (isObj(v) ? v : {});

export const rfc3339 = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `group/Kind` of the stored form, the key of every per-kind table. */
export const gk = (info: ResourceInfo): string => `${info.storageGroup}/${info.kind}`;

export function meta(obj: Obj): Obj {
  if (!isObj(obj.metadata)) obj.metadata = {};
  return obj.metadata as Obj;
}

export function hasStatusSubresource(info: ResourceInfo): boolean {
  return info.subresources.some((s) => s.name === 'status');
}

/** Kinds whose spec/status split makes everything outside metadata+status "spec" for generation. */
export function specOf(info: ResourceInfo, obj: Obj): unknown {
  const rest: Obj = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'metadata' || k === 'apiVersion' || k === 'kind') continue;
    if (k === 'status' && hasStatusSubresource(info)) continue;
    rest[k] = v;
  }
  return rest;
}

export function defaultObject(info: ResourceInfo, obj: Obj, creating: boolean): void {
  DEFAULTERS[gk(info)]?.(obj, creating);
}

/** What upstream's PrepareForCreate does per kind, after defaulting and before validation. */
export function prepareForCreate(info: ResourceInfo, obj: Obj, now: Date): void {
  const m = meta(obj);
  m.uid = randomUUID();
  m.creationTimestamp = rfc3339(now);
  m.generation = 1;
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete m.selfLink;
  switch (gk(info)) {
    case '/Pod': {
      const spec = o(obj.spec);
      obj.status = { phase: 'Pending', qosClass: qosClass(spec) };
      return;
    }
    case '/Namespace':
      obj.status = { phase: 'Active' };
      return;
    case '/Node':
    case '/Event':
      return;
    case '/Service':
      obj.status = { loadBalancer: {} };
      return;
    case '/PersistentVolumeClaim':
    case '/PersistentVolume':
      obj.status = { phase: 'Pending' };
      return;
    case 'networking.k8s.io/Ingress':
      obj.status = { loadBalancer: {} };
      return;
    case 'policy/PodDisruptionBudget':
      obj.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
      return;
    case 'batch/Job':
      generateJobSelector(obj);
      obj.status = {};
      return;
    case 'apiextensions.k8s.io/CustomResourceDefinition':
      crdStatus(obj, now);
      m.finalizers = [...new Set([...(Array.isArray(m.finalizers) ? (m.finalizers as string[]) : []), 'customresourcecleanup.apiextensions.k8s.io'])];
      return;
    default:
      if (hasStatusSubresource(info)) {
        if (info.crd) delete obj.status;
        else obj.status = {};
      }
  }
}

/** Job selectors are generated from the uid unless manualSelector is set (batch/v1 job strategy). */
function generateJobSelector(job: Obj): void {
  const spec = o(job.spec);
  job.spec = spec;
  if (spec.manualSelector === true) return;
  const m = meta(job);
  const uid = String(m.uid);
  const name = String(m.name);
  const template = o(spec.template);
  spec.template = template;
  const tmeta = o(template.metadata);
  template.metadata = tmeta;
  tmeta.labels = {
    ...o(tmeta.labels),
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': name,
    'controller-uid': uid,
    'job-name': name,
  };
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
}

/** The apiextensions controllers' work, done inline: names accepted, established, stored versions. */
export function crdStatus(crd: Obj, now: Date, old?: Obj): void {
  const c = readCrd(crd as never);
  const t = rfc3339(now);
  const stored = new Set<string>(Array.isArray(o(old?.status).storedVersions) ? (o(old?.status).storedVersions as string[]) : []);
  stored.add(c.storageVersion);
  const names = o(o(crd.spec).names);
  crd.status = {
    acceptedNames: { ...names, singular: c.singular, listKind: c.listKind },
    conditions: [
      { type: 'NamesAccepted', status: 'True', lastTransitionTime: t, reason: 'NoConflicts', message: 'no conflicts found' },
      { type: 'Established', status: 'True', lastTransitionTime: t, reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
    ],
    storedVersions: [...stored],
  };
}

/**
 * Update preparation (upstream PrepareForUpdate): system metadata comes from the stored object, the main
 * resource cannot change status (kinds with a status subresource), a status update changes only status.
 */
export function prepareForUpdate(info: ResourceInfo, next: Obj, old: Obj, subresource: string | undefined, now: Date): Cause[] {
  const causes: Cause[] = [];
  const m = meta(next);
  const om = meta(old);
  if (m.uid !== undefined && m.uid !== '' && m.uid !== om.uid) causes.push(FieldErr.immutable('metadata.uid', m.uid));
  m.uid = om.uid;
  m.creationTimestamp = om.creationTimestamp;
  m.generation = om.generation;
  if (om.deletionTimestamp !== undefined) m.deletionTimestamp = om.deletionTimestamp;
  else delete m.deletionTimestamp;
  if (om.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
  else delete m.deletionGracePeriodSeconds;
  if (om.generateName !== undefined && m.generateName === undefined) m.generateName = om.generateName;
  delete m.selfLink;
  if (om.deletionTimestamp !== undefined) {
    const before = new Set(Array.isArray(om.finalizers) ? (om.finalizers as string[]) : []);
    const added = (Array.isArray(m.finalizers) ? (m.finalizers as string[]) : []).filter((f) => !before.has(f));
    if (added.length) causes.push(FieldErr.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`));
  }
  if (subresource === 'status') {
    // Only status (and, as upstream allows, labels/annotations/finalizers/ownerReferences stay as stored).
    for (const k of Object.keys(next)) if (k !== 'status' && k !== 'metadata' && k !== 'apiVersion' && k !== 'kind') delete next[k];
    for (const k of Object.keys(old)) if (k !== 'status' && k !== 'metadata') next[k] = structuredClone(old[k]);
    next.metadata = { ...structuredClone(om), resourceVersion: m.resourceVersion };
    if (gk(info) === '/Pod' && !isObj(next.status)) next.status = {};
    return causes;
  }
  if (subresource === 'finalize') {
    const spec = o(next.spec);
    const kept = structuredClone(old);
    kept.spec = { ...o(kept.spec), finalizers: Array.isArray(spec.finalizers) ? spec.finalizers : [] };
    for (const k of Object.keys(next)) delete next[k];
    Object.assign(next, kept);
    meta(next).resourceVersion = m.resourceVersion;
    return causes;
  }
  if (hasStatusSubresource(info) && gk(info) !== '/Node') {
    if (old.status !== undefined) next.status = structuredClone(old.status);
    else delete next.status;
  }
  if (gk(info) === '/Node' && next.status === undefined && old.status !== undefined) next.status = structuredClone(old.status);
  if (gk(info) === '/Namespace') {
    next.status = structuredClone(old.status);
  }
  if (gk(info) === 'apiextensions.k8s.io/CustomResourceDefinition') crdStatus(next, now, old);
  if (JSON.stringify(specOf(info, next)) !== JSON.stringify(specOf(info, old))) {
    m.generation = (typeof om.generation === 'number' ? om.generation : 1) + 1;
  }
  return causes;
}

/** Common metadata validation (objectmeta.go) plus the kind's own validator. */
export function validate(info: ResourceInfo, obj: Obj, old: Obj | undefined): Cause[] {
  const causes: Cause[] = [];
  const m = meta(obj);
  const name = m.name;
  if (typeof name !== 'string' || name === '') {
    causes.push(FieldErr.required('metadata.name', 'name or generateName is required'));
  } else {
    for (const e of checkName(NAME_RULES[gk(info)] ?? 'subdomain', name)) causes.push(FieldErr.invalid('metadata.name', name, e));
  }
  if (info.namespaced) {
    if (typeof m.namespace !== 'string' || m.namespace === '') causes.push(FieldErr.required('metadata.namespace'));
  } else if (m.namespace !== undefined && m.namespace !== '') {
    causes.push(FieldErr.forbidden('metadata.namespace', 'not allowed on this type'));
  }
  causes.push(...validateLabels(m.labels, 'metadata.labels'));
  causes.push(...validateAnnotations(m.annotations, 'metadata.annotations'));
  causes.push(...validateFinalizers(m.finalizers));
  causes.push(...validateOwnerReferences(m.ownerReferences));
  if (old && meta(old).name !== m.name) causes.push(FieldErr.immutable('metadata.name', m.name));
  const v = VALIDATORS[gk(info)];
  if (v) causes.push(...v(obj, old));
  return causes;
}

/** Graceful deletion applies to pods that a kubelet runs (scheduled, not terminal). */
export function gracePeriodFor(info: ResourceInfo, obj: Obj, requested: number | undefined): number {
  if (gk(info) !== '/Pod') return 0;
  const spec = o(obj.spec);
  const phase = o(obj.status).phase;
  if (!spec.nodeName || phase === 'Succeeded' || phase === 'Failed') return 0;
  if (typeof requested === 'number' && requested >= 0) return requested;
  const tgp = spec.terminationGracePeriodSeconds;
  return typeof tgp === 'number' && tgp >= 0 ? tgp : 30;
}

/** Namespaces go away only when both spec.finalizers (the namespace controller's) and metadata.finalizers are empty. */
export function blocksDeletion(info: ResourceInfo, obj: Obj): boolean {
  const m = meta(obj);
  if (Array.isArray(m.finalizers) && m.finalizers.length > 0) return true;
  if (gk(info) === '/Namespace') {
    const f = o(obj.spec).finalizers;
    return Array.isArray(f) && f.length > 0;
  }
  return false;
}

/** Go's omitempty on ObjectMeta: empty maps and lists are not serialized, so they are not stored either. */
export function normalizeMeta(obj: Obj): void {
  const m = meta(obj);
  for (const k of ['labels', 'annotations']) {
    if (isObj(m[k]) && Object.keys(m[k] as Obj).length === 0) delete m[k];
    else if (m[k] === null) delete m[k];
  }
  for (const k of ['finalizers', 'ownerReferences', 'managedFields']) {
    if ((Array.isArray(m[k]) && (m[k] as unknown[]).length === 0) || m[k] === null) delete m[k];
  }
}
