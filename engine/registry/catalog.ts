/**
 * The catalog of served resources: for each REST resource its kind, scope, short names, categories, verbs,
 * subresources and storage location. Discovery, routing, the registry and the in-process client all read
 * it, so they cannot disagree. Custom resources join and leave it as CRDs are established and deleted.
 *
 * Storage keys are `/registry/<group or "core">/<resource>/<namespace>/<name>` (cluster-scoped resources
 * have no namespace segment). Several versions of one resource (autoscaling v1/v2 HPAs, core and
 * events.k8s.io Events) share one storage location; `convert` maps between a version and the stored form.
 */
import type { ResourceType } from '../api/resources.ts';
import type { KubeObject } from '../api/client.ts';

export interface SubresourceInfo {
  name: string;
  kind: string;
  /** For subresources answering another group's kind (`pods/eviction` → policy/v1 Eviction). */
  group?: string;
  version?: string;
  verbs: string[];
}

/** Converts between a served version and the stored version of one resource. */
export interface Conversion {
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: KubeObject): KubeObject;
}

export interface ResourceInfo extends ResourceType {
  singular: string;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  subresources: SubresourceInfo[];
  /** Group and resource whose storage this version uses (itself unless it is an alternate version). */
  storageGroup: string;
  storageResource: string;
  convert?: Conversion;
  /** Not persisted: a create answers a computed object (selfsubjectaccessreviews). */
  virtual?: boolean;
  /** Set for custom resources: the CRD name that serves them. */
  crd?: string;
  /** False for resources kubectl must not list in discovery order before another version (alternate versions). */
  preferred: boolean;
}

export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const CLUSTER_VERBS = ALL_VERBS;

function sub(name: string, kind: string, verbs: string[], gv?: { group: string; version: string }): SubresourceInfo {
  return { name, kind, verbs, ...(gv ?? {}) };
}
const STATUS = (kind: string): SubresourceInfo => sub('status', kind, ['get', 'patch', 'update']);
const SCALE = sub('scale', 'Scale', ['get', 'patch', 'update'], { group: 'autoscaling', version: 'v1' });

interface Spec {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced?: boolean;
  singular?: string;
  shortNames?: string[];
  all?: boolean;
  subresources?: SubresourceInfo[];
  verbs?: string[];
  storage?: { group: string; resource: string };
  convert?: Conversion;
  virtual?: boolean;
  preferred?: boolean;
}

export function makeInfo(s: Spec): ResourceInfo {
  return {
    group: s.group,
    version: s.version,
    resource: s.resource,
    kind: s.kind,
    namespaced: s.namespaced ?? true,
    singular: s.singular ?? s.kind.toLowerCase(),
    shortNames: s.shortNames ?? [],
    categories: s.all ? ['all'] : [],
    verbs: s.verbs ?? (s.namespaced === false ? CLUSTER_VERBS : ALL_VERBS),
    subresources: s.subresources ?? [],
    storageGroup: s.storage?.group ?? s.group,
    storageResource: s.storage?.resource ?? s.resource,
    convert: s.convert,
    virtual: s.virtual,
    preferred: s.preferred ?? true,
  };
}

type Obj = Record<string, unknown>;
const asObj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

/** autoscaling/v1 ↔ v2 (stored) HorizontalPodAutoscaler: targetCPUUtilizationPercentage ↔ a cpu Resource metric. */
const hpaV1: Conversion = {
  toStorage(o) {
    const obj = structuredClone(o) as Obj;
    const spec = asObj(obj.spec);
    const pct = spec.targetCPUUtilizationPercentage;
    delete spec.targetCPUUtilizationPercentage;
    if (typeof pct === 'number') {
      spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: pct } } }];
    }
    const status = asObj(obj.status);
    const cur = status.currentCPUUtilizationPercentage;
    delete status.currentCPUUtilizationPercentage;
    if (typeof cur === 'number') {
      status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cur } } }];
    }
    obj.apiVersion = 'autoscaling/v2';
    return obj as KubeObject;
  },
  fromStorage(o) {
    const obj = structuredClone(o) as Obj;
    const spec = asObj(obj.spec);
    const metrics = Array.isArray(spec.metrics) ? (spec.metrics as Obj[]) : [];
    delete spec.metrics;
    delete spec.behavior;
    const cpu = metrics.find((m) => m.type === 'Resource' && asObj(m.resource).name === 'cpu');
    const target = asObj(asObj(cpu?.resource).target);
    if (typeof target.averageUtilization === 'number') spec.targetCPUUtilizationPercentage = target.averageUtilization;
    if (obj.status) {
      const status = asObj(obj.status);
      const cur = (Array.isArray(status.currentMetrics) ? (status.currentMetrics as Obj[]) : []).find(
        (m) => m.type === 'Resource' && asObj(m.resource).name === 'cpu',
      );
      const c = asObj(asObj(cur?.resource).current).averageUtilization;
      delete status.currentMetrics;
      delete status.conditions;
      if (typeof c === 'number') status.currentCPUUtilizationPercentage = c;
    }
    obj.apiVersion = 'autoscaling/v1';
    return obj as KubeObject;
  },
};

/** events.k8s.io/v1 ↔ core/v1 (stored) Event, field by field as upstream's conversion. */
const eventsV1: Conversion = {
  toStorage(o) {
    const e = asObj(structuredClone(o));
    const out: Obj = { apiVersion: 'v1', kind: 'Event', metadata: e.metadata };
    const map: [string, string][] = [
      ['note', 'message'], ['regarding', 'involvedObject'], ['reason', 'reason'], ['type', 'type'],
      ['eventTime', 'eventTime'], ['reportingController', 'reportingComponent'], ['reportingInstance', 'reportingInstance'],
      ['action', 'action'], ['related', 'related'], ['series', 'series'], ['deprecatedCount', 'count'],
      ['deprecatedFirstTimestamp', 'firstTimestamp'], ['deprecatedLastTimestamp', 'lastTimestamp'], ['deprecatedSource', 'source'],
    ];
    for (const [from, to] of map) if (e[from] !== undefined) out[to] = e[from];
    return out as KubeObject;
  },
  fromStorage(o) {
    const e = asObj(structuredClone(o));
    const out: Obj = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: e.metadata };
    const map: [string, string][] = [
      ['message', 'note'], ['involvedObject', 'regarding'], ['reason', 'reason'], ['type', 'type'],
      ['eventTime', 'eventTime'], ['reportingComponent', 'reportingController'], ['reportingInstance', 'reportingInstance'],
      ['action', 'action'], ['related', 'related'], ['series', 'series'], ['count', 'deprecatedCount'],
      ['firstTimestamp', 'deprecatedFirstTimestamp'], ['lastTimestamp', 'deprecatedLastTimestamp'], ['source', 'deprecatedSource'],
    ];
    for (const [from, to] of map) if (e[from] !== undefined) out[to] = e[from];
    return out as KubeObject;
  },
};

const BUILTIN: Spec[] = [
  // core/v1
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'],
    subresources: [STATUS('Namespace'), sub('finalize', 'Namespace', ['patch', 'update'])], verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] },
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', shortNames: ['po'], all: true, subresources: [
    sub('attach', 'PodAttachOptions', ['create', 'get']), sub('binding', 'Binding', ['create']),
    sub('eviction', 'Eviction', ['create'], { group: 'policy', version: 'v1' }), sub('exec', 'PodExecOptions', ['create', 'get']),
    sub('log', 'Pod', ['get']), sub('portforward', 'PodPortForwardOptions', ['create', 'get']), STATUS('Pod'),
  ] },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', shortNames: ['svc'], all: true, subresources: [STATUS('Service')],
    verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] },
  { group: '', version: 'v1', resource: 'endpoints', kind: 'Endpoints', singular: 'endpoints', shortNames: ['ep'] },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] },
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret' },
  { group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', shortNames: ['sa'] },
  { group: '', version: 'v1', resource: 'persistentvolumes', kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'],
    subresources: [STATUS('PersistentVolume')] },
  { group: '', version: 'v1', resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', shortNames: ['pvc'],
    subresources: [STATUS('PersistentVolumeClaim')] },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'], subresources: [STATUS('Node')] },
  { group: '', version: 'v1', resource: 'events', kind: 'Event', shortNames: ['ev'] },
  { group: '', version: 'v1', resource: 'resourcequotas', kind: 'ResourceQuota', shortNames: ['quota'], subresources: [STATUS('ResourceQuota')] },
  { group: '', version: 'v1', resource: 'limitranges', kind: 'LimitRange', shortNames: ['limits'] },
  // apps/v1
  { group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', shortNames: ['deploy'], all: true,
    subresources: [SCALE, STATUS('Deployment')] },
  { group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', shortNames: ['rs'], all: true,
    subresources: [SCALE, STATUS('ReplicaSet')] },
  { group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet', shortNames: ['sts'], all: true,
    subresources: [SCALE, STATUS('StatefulSet')] },
  { group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', shortNames: ['ds'], all: true, subresources: [STATUS('DaemonSet')] },
  { group: 'apps', version: 'v1', resource: 'controllerrevisions', kind: 'ControllerRevision' },
  // batch/v1
  { group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', all: true, subresources: [STATUS('Job')] },
  { group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', shortNames: ['cj'], all: true, subresources: [STATUS('CronJob')] },
  // autoscaling: v2 is stored and preferred, v1 converts.
  { group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'], all: true,
    subresources: [STATUS('HorizontalPodAutoscaler')] },
  { group: 'autoscaling', version: 'v1', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'], all: true,
    subresources: [STATUS('HorizontalPodAutoscaler')], convert: hpaV1, preferred: false },
  // networking.k8s.io/v1
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', kind: 'Ingress', shortNames: ['ing'], subresources: [STATUS('Ingress')] },
  { group: 'networking.k8s.io', version: 'v1', resource: 'ingressclasses', kind: 'IngressClass', namespaced: false },
  { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies', kind: 'NetworkPolicy', shortNames: ['netpol'] },
  // storage, discovery, events, policy, coordination
  { group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', kind: 'StorageClass', namespaced: false, shortNames: ['sc'] },
  { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', kind: 'EndpointSlice' },
  { group: 'events.k8s.io', version: 'v1', resource: 'events', kind: 'Event', shortNames: ['ev'], storage: { group: '', resource: 'events' },
    convert: eventsV1 },
  { group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', shortNames: ['pdb'],
    subresources: [STATUS('PodDisruptionBudget')] },
  { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease' },
  // rbac (stored; the local user may do everything)
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', kind: 'Role' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', kind: 'RoleBinding' },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', kind: 'ClusterRole', namespaced: false },
  { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
  // apiextensions
  { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false,
    shortNames: ['crd', 'crds'], subresources: [STATUS('CustomResourceDefinition')] },
  // resource metrics (metrics-server's API): computed from container stats by the API server, never stored
  { group: 'metrics.k8s.io', version: 'v1beta1', resource: 'pods', kind: 'PodMetrics', verbs: ['get', 'list'], virtual: true },
  { group: 'metrics.k8s.io', version: 'v1beta1', resource: 'nodes', kind: 'NodeMetrics', namespaced: false, verbs: ['get', 'list'], virtual: true },
  // reviews: create-only, computed, never stored
  { group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false,
    verbs: ['create'], virtual: true },
  { group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview', namespaced: false,
    verbs: ['create'], virtual: true },
  { group: 'authentication.k8s.io', version: 'v1', resource: 'selfsubjectreviews', kind: 'SelfSubjectReview', namespaced: false,
    verbs: ['create'], virtual: true },
];

/** The served resources, looked up by (group, version, resource) and by kind. */
export class Catalog {
  private readonly byKey = new Map<string, ResourceInfo>();

  constructor() {
    for (const s of BUILTIN) this.add(makeInfo(s));
  }

  private static id(group: string, version: string, resource: string): string {
    return `${group}/${version}/${resource}`;
  }

  add(info: ResourceInfo): void {
    this.byKey.set(Catalog.id(info.group, info.version, info.resource), info);
  }

  remove(group: string, version: string, resource: string): void {
    this.byKey.delete(Catalog.id(group, version, resource));
  }

  /** Removes every resource that a CRD serves. */
  removeCrd(crdName: string): void {
    for (const [k, v] of this.byKey) if (v.crd === crdName) this.byKey.delete(k);
  }

  lookup(group: string, version: string, resource: string): ResourceInfo | undefined {
    return this.byKey.get(Catalog.id(group, version, resource));
  }

  /** The info for a ResourceType of `R` (or any descriptor naming a served resource). */
  of(type: Pick<ResourceType, 'group' | 'version' | 'resource'>): ResourceInfo | undefined {
    return this.lookup(type.group, type.version, type.resource);
  }

  byKind(group: string, version: string, kind: string): ResourceInfo | undefined {
    for (const v of this.byKey.values()) if (v.group === group && v.version === version && v.kind === kind) return v;
    return undefined;
  }

  all(): ResourceInfo[] {
    return [...this.byKey.values()];
  }

  /** Group → versions (preferred first), in a stable order: built-in groups first, then custom ones. */
  groups(): { name: string; versions: string[] }[] {
    const out = new Map<string, string[]>();
    for (const v of this.byKey.values()) {
      const list = out.get(v.group) ?? [];
      if (!list.includes(v.version)) {
        if (v.preferred) list.unshift(v.version);
        else list.push(v.version);
      }
      out.set(v.group, list);
    }
    return [...out].map(([name, versions]) => ({ name, versions }));
  }

  /** The storage key prefix for a resource, optionally narrowed to a namespace. */
  static prefix(info: ResourceInfo, namespace?: string): string {
    const base = `/registry/${info.storageGroup || 'core'}/${info.storageResource}/`;
    return info.namespaced && namespace ? `${base}${namespace}/` : base;
  }

  static key(info: ResourceInfo, namespace: string | undefined, name: string): string {
    return info.namespaced ? `${Catalog.prefix(info, namespace)}${name}` : `${Catalog.prefix(info)}${name}`;
  }
}
