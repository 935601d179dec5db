/**
 * What the server knows about kinds beyond their schema: API versions that upstream removed or deprecated (the
 * Kubernetes deprecated-API migration guide), which kinds are cluster-scoped, and which name format each kind's
 * metadata.name must follow.
 */
import { schemaCatalog, splitApiVersion } from '../schema/index.ts';
import type { KindSchema } from '../schema/index.ts';
import { dns1035Label, dns1123Label, dns1123Subdomain, pathSegmentName } from './formats.ts';

export interface ApiChange {
  /** The version to use instead, e.g. `apps/v1`; undefined when the kind is gone with no replacement. */
  readonly replacement?: string;
  /** Kubernetes minor that stops serving it, e.g. `1.16`. */
  readonly removedIn: string;
  /** Still served by kubernetes-types' version (so it has a schema) but deprecated. */
  readonly deprecatedIn?: string;
  /** Field moves the upgrade needs, shown in the message and done by the code action where known. */
  readonly note?: string;
}

type Table = Record<string, Record<string, ApiChange>>;

const apps16 = (kind: string): ApiChange => ({ replacement: 'apps/v1', removedIn: '1.16', note: kind === 'Deployment' || kind === 'DaemonSet' || kind === 'ReplicaSet' || kind === 'StatefulSet' ? 'apps/v1 requires spec.selector matching the template labels' : undefined });

/** apiVersion → kind → what happened to it. */
const CHANGES: Table = {
  'extensions/v1beta1': {
    Deployment: apps16('Deployment'), DaemonSet: apps16('DaemonSet'), ReplicaSet: apps16('ReplicaSet'),
    NetworkPolicy: { replacement: 'networking.k8s.io/v1', removedIn: '1.16' },
    PodSecurityPolicy: { removedIn: '1.25', note: 'PodSecurityPolicy was replaced by Pod Security Admission' },
    Ingress: { replacement: 'networking.k8s.io/v1', removedIn: '1.22', note: 'networking.k8s.io/v1 moves backend.serviceName/servicePort to backend.service.name/port and requires pathType' },
  },
  'apps/v1beta1': { Deployment: apps16('Deployment'), StatefulSet: apps16('StatefulSet'), ControllerRevision: apps16('ControllerRevision') },
  'apps/v1beta2': { Deployment: apps16('Deployment'), StatefulSet: apps16('StatefulSet'), DaemonSet: apps16('DaemonSet'), ReplicaSet: apps16('ReplicaSet'), ControllerRevision: apps16('ControllerRevision') },
  'networking.k8s.io/v1beta1': {
    Ingress: { replacement: 'networking.k8s.io/v1', removedIn: '1.22', note: 'networking.k8s.io/v1 moves backend.serviceName/servicePort to backend.service.name/port and requires pathType' },
    IngressClass: { replacement: 'networking.k8s.io/v1', removedIn: '1.22' },
  },
  'batch/v1beta1': { CronJob: { replacement: 'batch/v1', removedIn: '1.25' } },
  'batch/v2alpha1': { CronJob: { replacement: 'batch/v1', removedIn: '1.21' } },
  'autoscaling/v2beta1': { HorizontalPodAutoscaler: { replacement: 'autoscaling/v2', removedIn: '1.25' } },
  'autoscaling/v2beta2': { HorizontalPodAutoscaler: { replacement: 'autoscaling/v2', removedIn: '1.26' } },
  'policy/v1beta1': {
    PodDisruptionBudget: { replacement: 'policy/v1', removedIn: '1.25' },
    PodSecurityPolicy: { removedIn: '1.25', note: 'PodSecurityPolicy was replaced by Pod Security Admission' },
  },
  'rbac.authorization.k8s.io/v1beta1': Object.fromEntries(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].map((k) => [k, { replacement: 'rbac.authorization.k8s.io/v1', removedIn: '1.22' }])),
  'rbac.authorization.k8s.io/v1alpha1': Object.fromEntries(['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].map((k) => [k, { replacement: 'rbac.authorization.k8s.io/v1', removedIn: '1.22' }])),
  'apiextensions.k8s.io/v1beta1': { CustomResourceDefinition: { replacement: 'apiextensions.k8s.io/v1', removedIn: '1.22' } },
  'apiregistration.k8s.io/v1beta1': { APIService: { replacement: 'apiregistration.k8s.io/v1', removedIn: '1.22' } },
  'admissionregistration.k8s.io/v1beta1': {
    MutatingWebhookConfiguration: { replacement: 'admissionregistration.k8s.io/v1', removedIn: '1.22' },
    ValidatingWebhookConfiguration: { replacement: 'admissionregistration.k8s.io/v1', removedIn: '1.22' },
  },
  'storage.k8s.io/v1beta1': {
    StorageClass: { replacement: 'storage.k8s.io/v1', removedIn: '1.22' },
    VolumeAttachment: { replacement: 'storage.k8s.io/v1', removedIn: '1.22' },
    CSIDriver: { replacement: 'storage.k8s.io/v1', removedIn: '1.22' },
    CSINode: { replacement: 'storage.k8s.io/v1', removedIn: '1.22' },
    CSIStorageCapacity: { replacement: 'storage.k8s.io/v1', removedIn: '1.27' },
  },
  'coordination.k8s.io/v1beta1': { Lease: { replacement: 'coordination.k8s.io/v1', removedIn: '1.22' } },
  'scheduling.k8s.io/v1beta1': { PriorityClass: { replacement: 'scheduling.k8s.io/v1', removedIn: '1.22' } },
  'certificates.k8s.io/v1beta1': { CertificateSigningRequest: { replacement: 'certificates.k8s.io/v1', removedIn: '1.22' } },
  'discovery.k8s.io/v1beta1': { EndpointSlice: { replacement: 'discovery.k8s.io/v1', removedIn: '1.25' } },
  'events.k8s.io/v1beta1': { Event: { replacement: 'events.k8s.io/v1', removedIn: '1.25' } },
  'node.k8s.io/v1beta1': { RuntimeClass: { replacement: 'node.k8s.io/v1', removedIn: '1.25' } },
  'flowcontrol.apiserver.k8s.io/v1beta1': {
    FlowSchema: { replacement: 'flowcontrol.apiserver.k8s.io/v1', removedIn: '1.26' },
    PriorityLevelConfiguration: { replacement: 'flowcontrol.apiserver.k8s.io/v1', removedIn: '1.26' },
  },
  'flowcontrol.apiserver.k8s.io/v1beta2': {
    FlowSchema: { replacement: 'flowcontrol.apiserver.k8s.io/v1', removedIn: '1.29' },
    PriorityLevelConfiguration: { replacement: 'flowcontrol.apiserver.k8s.io/v1', removedIn: '1.29' },
  },
  'flowcontrol.apiserver.k8s.io/v1beta3': {
    FlowSchema: { replacement: 'flowcontrol.apiserver.k8s.io/v1', deprecatedIn: '1.29', removedIn: '1.32' },
    PriorityLevelConfiguration: { replacement: 'flowcontrol.apiserver.k8s.io/v1', deprecatedIn: '1.29', removedIn: '1.32' },
  },
};

export function apiChange(apiVersion: string, kind: string): ApiChange | undefined {
  return CHANGES[apiVersion]?.[kind];
}

const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'ComponentStatus', 'StorageClass', 'CSIDriver', 'CSINode', 'VolumeAttachment',
  'VolumeAttributesClass', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'APIService', 'IngressClass',
  'PriorityClass', 'RuntimeClass', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'CertificateSigningRequest', 'ClusterTrustBundle',
  'FlowSchema', 'PriorityLevelConfiguration', 'StorageVersion', 'StorageVersionMigration', 'TokenReview',
  'SelfSubjectReview', 'SubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'IPAddress',
  'ServiceCIDR', 'ResourceClass', 'PodSecurityPolicy',
]);

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** The groups Kubernetes itself serves: an apiVersion in one of these is never a custom resource. */
const BUILTIN_GROUPS = new Set(['', 'extensions', 'apiregistration.k8s.io']);
for (const k of schemaCatalog().kinds()) BUILTIN_GROUPS.add(k.group);
for (const av of Object.keys(CHANGES)) BUILTIN_GROUPS.add(splitApiVersion(av).group);

export function isBuiltinGroup(group: string): boolean {
  return BUILTIN_GROUPS.has(group);
}

/** Resource kinds (no lists, no review/option kinds one never writes in a manifest) by kind name. */
const byKind = new Map<string, KindSchema[]>();
for (const k of schemaCatalog().kinds()) {
  if (k.list) continue;
  const arr = byKind.get(k.kind) ?? [];
  arr.push(k);
  byKind.set(k.kind, arr);
}

/** Preferred version first: GA over beta over alpha, then the higher number. */
function versionRank(v: string): number {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return 0;
  const stage = m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2;
  return stage * 1e6 + Number(m[1]) * 1e3 + Number(m[3] ?? 0);
}

export function versionsOfKind(kind: string): KindSchema[] {
  return [...(byKind.get(kind) ?? [])].sort((a, b) => versionRank(b.version) - versionRank(a.version));
}

export function allKindNames(): string[] {
  return [...byKind.keys()].sort();
}

/** How metadata.name is validated upstream for this kind. */
export function nameFormat(kind: string): (v: string) => string | undefined {
  switch (kind) {
    case 'Service': return dns1035Label;
    case 'Namespace': return dns1123Label;
    case 'Role': case 'ClusterRole': case 'RoleBinding': case 'ClusterRoleBinding': return pathSegmentName;
    // `<signerName prefix>:<anything>` when spec.signerName is set; checked by the API server against the signer.
    case 'ClusterTrustBundle': return pathSegmentName;
    default: return dns1123Subdomain;
  }
}

/** Levenshtein distance, bounded: returns max+1 when the distance exceeds max. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? (a[i - 1] === b[j - 1] ? 0 : 0.5) : 1;
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
      rowMin = Math.min(rowMin, cur[j]);
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length];
}

/** The closest candidate within a distance that scales with the word's length, if any. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  const max = word.length <= 3 ? 1 : word.length <= 6 ? 2 : 3;
  let best: string | undefined;
  let bestD = max + 1;
  for (const c of candidates) {
    const d = editDistance(word, c, max);
    if (d < bestD) { best = c; bestD = d; }
  }
  return best;
}
