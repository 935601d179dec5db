/**
 * Patch strategies of the built-in types, written down as data.
 *
 * Upstream keeps these in Go struct tags (`patchStrategy:"merge" patchMergeKey:"name"`) and in the
 * `+listType` / `+listMapKey` markers that server-side apply reads; the kubernetes-types package carries
 * neither, so this table restates them from the upstream types (k8s.io/api core/v1, apps/v1, batch/v1,
 * autoscaling/v2, policy/v1 types.go and apimachinery's ObjectMeta). Only the types on a path to a list or
 * struct with a strategy are listed: any field not named here is a plain field — maps merge key by key,
 * lists are atomic (replaced whole) — which is also what upstream does for untagged fields.
 *
 * Per field:
 * - `type`: the Go type name of the field (for lists: of the element), to descend into;
 * - `list`: how the list merges. 'map' = associative list (strategic merge key `mergeKey`; server-side
 *   apply's `+listMapKey`s `keys`, defaulting to [mergeKey]), 'set' = list of scalars merged as a set
 *   (patchStrategy merge on a []string, `+listType=set`), absent = atomic;
 * - `smp: false` marks associative lists that have `+listType=map` for server-side apply but no
 *   patchStrategy tag, so a strategic merge patch replaces them (e.g. a CRD's status.conditions);
 *   `ssaAtomic` marks the opposite (Job status.conditions is patchStrategy merge but `+listType=atomic`);
 * - `retainKeys`: the struct carries patchStrategy retainKeys (a union whose `$retainKeys` directive
 *   clears the members a patch does not keep).
 */

export interface FieldStrategy {
  readonly type?: string;
  readonly list?: 'map' | 'set';
  readonly mergeKey?: string;
  readonly keys?: readonly string[];
  readonly smp?: false;
  readonly ssaAtomic?: true;
  readonly retainKeys?: true;
  /**
   * Defaults of list map keys that upstream's defaulting fills before server-side apply compares items
   * (a port without `protocol` is the TCP port), so an applied item and its defaulted live twin match.
   */
  readonly keyDefaults?: Readonly<Record<string, unknown>>;
}

export type TypeStrategy = Readonly<Record<string, FieldStrategy>>;

function byKey(type: string, mergeKey: string, extra: Partial<FieldStrategy> = {}): FieldStrategy {
  return { type, list: 'map', mergeKey, ...extra };
}
const conditions: FieldStrategy = { list: 'map', mergeKey: 'type' };
const mergedSet: FieldStrategy = { list: 'set' };

/** Type name → its fields that have a strategy or lead to one. */
export const TYPES: Readonly<Record<string, TypeStrategy>> = {
  ObjectMeta: {
    ownerReferences: byKey('OwnerReference', 'uid'),
    finalizers: mergedSet,
  },
  PodTemplateSpec: { metadata: { type: 'ObjectMeta' }, spec: { type: 'PodSpec' } },
  PodSpec: {
    volumes: byKey('Volume', 'name', { retainKeys: true }),
    initContainers: byKey('Container', 'name'),
    containers: byKey('Container', 'name'),
    ephemeralContainers: byKey('Container', 'name'),
    imagePullSecrets: byKey('LocalObjectReference', 'name'),
    hostAliases: byKey('HostAlias', 'ip'),
    topologySpreadConstraints: byKey('TopologySpreadConstraint', 'topologyKey', { keys: ['topologyKey', 'whenUnsatisfiable'] }),
    resourceClaims: byKey('PodResourceClaim', 'name', { retainKeys: true }),
    schedulingGates: byKey('PodSchedulingGate', 'name'),
  },
  Container: {
    ports: byKey('ContainerPort', 'containerPort', { keys: ['containerPort', 'protocol'], keyDefaults: { protocol: 'TCP' } }),
    env: byKey('EnvVar', 'name'),
    volumeMounts: byKey('VolumeMount', 'mountPath'),
    volumeDevices: byKey('VolumeDevice', 'devicePath'),
  },
  PodStatus: {
    conditions,
    podIPs: byKey('PodIP', 'ip'),
    hostIPs: byKey('HostIP', 'ip'),
    resourceClaimStatuses: byKey('PodResourceClaimStatus', 'name', { retainKeys: true }),
  },
  Pod: { metadata: { type: 'ObjectMeta' }, spec: { type: 'PodSpec' }, status: { type: 'PodStatus' } },
  PodTemplate: { metadata: { type: 'ObjectMeta' }, template: { type: 'PodTemplateSpec' } },
  ReplicationController: {
    metadata: { type: 'ObjectMeta' },
    spec: { type: 'ReplicationControllerSpec' },
    status: { type: 'ConditionsStatus' },
  },
  ReplicationControllerSpec: { template: { type: 'PodTemplateSpec' } },
  /** Any status whose only strategic list is `conditions` keyed by type. */
  ConditionsStatus: { conditions },
  Namespace: { metadata: { type: 'ObjectMeta' }, status: { type: 'ConditionsStatus' } },
  Node: { metadata: { type: 'ObjectMeta' }, spec: { type: 'NodeSpec' }, status: { type: 'NodeStatus' } },
  NodeSpec: { podCIDRs: mergedSet },
  NodeStatus: { conditions, addresses: byKey('NodeAddress', 'type') },
  Service: { metadata: { type: 'ObjectMeta' }, spec: { type: 'ServiceSpec' }, status: { type: 'ServiceStatus' } },
  ServiceSpec: { ports: byKey('ServicePort', 'port', { keys: ['port', 'protocol'], keyDefaults: { protocol: 'TCP' } }) },
  ServiceStatus: { conditions },
  ServiceAccount: { metadata: { type: 'ObjectMeta' }, secrets: byKey('ObjectReference', 'name') },
  PersistentVolumeClaim: {
    metadata: { type: 'ObjectMeta' },
    status: { type: 'ConditionsStatus' },
  },
  Deployment: { metadata: { type: 'ObjectMeta' }, spec: { type: 'DeploymentSpec' }, status: { type: 'ConditionsStatus' } },
  DeploymentSpec: { template: { type: 'PodTemplateSpec' }, strategy: { retainKeys: true } },
  ReplicaSet: { metadata: { type: 'ObjectMeta' }, spec: { type: 'TemplateSpec' }, status: { type: 'ConditionsStatus' } },
  /** The spec of a workload whose only strategic content is its pod template. */
  TemplateSpec: { template: { type: 'PodTemplateSpec' } },
  StatefulSet: { metadata: { type: 'ObjectMeta' }, spec: { type: 'TemplateSpec' }, status: { type: 'ConditionsStatus' } },
  DaemonSet: { metadata: { type: 'ObjectMeta' }, spec: { type: 'TemplateSpec' }, status: { type: 'ConditionsStatus' } },
  Job: { metadata: { type: 'ObjectMeta' }, spec: { type: 'TemplateSpec' }, status: { type: 'JobStatus' } },
  JobStatus: { conditions: { ...conditions, ssaAtomic: true } },
  CronJob: { metadata: { type: 'ObjectMeta' }, spec: { type: 'CronJobSpec' } },
  CronJobSpec: { jobTemplate: { type: 'JobTemplateSpec' } },
  JobTemplateSpec: { metadata: { type: 'ObjectMeta' }, spec: { type: 'TemplateSpec' } },
  HorizontalPodAutoscaler: { metadata: { type: 'ObjectMeta' }, status: { type: 'ConditionsStatus' } },
  PodDisruptionBudget: { metadata: { type: 'ObjectMeta' }, status: { type: 'ConditionsStatus' } },
  CustomResourceDefinition: { metadata: { type: 'ObjectMeta' }, status: { type: 'CRDStatus' } },
  CRDStatus: { conditions: { ...conditions, smp: false } },
  /** Every other built-in kind: only its metadata has strategic lists. */
  Object: { metadata: { type: 'ObjectMeta' } },
};

/**
 * API groups whose kinds are compiled into the apiserver (have Go struct tags). A strategic merge patch on
 * any other group is a custom resource and is refused with 415, as upstream does.
 */
const BUILT_IN_GROUPS = new Set([
  '', 'apps', 'batch', 'autoscaling', 'policy', 'extensions',
  'networking.k8s.io', 'storage.k8s.io', 'discovery.k8s.io', 'events.k8s.io', 'node.k8s.io',
  'rbac.authorization.k8s.io', 'coordination.k8s.io', 'apiextensions.k8s.io', 'authorization.k8s.io',
  'authentication.k8s.io', 'certificates.k8s.io', 'scheduling.k8s.io', 'admissionregistration.k8s.io',
  'apiregistration.k8s.io', 'flowcontrol.apiserver.k8s.io', 'resource.k8s.io', 'internal.apiserver.k8s.io',
  'storagemigration.k8s.io', 'meta.k8s.io',
]);

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export function isBuiltInGroup(group: string): boolean {
  return BUILT_IN_GROUPS.has(group);
}

/**
 * The root type of a kind for strategic merge patch and server-side apply, or undefined for a kind the
 * server has no struct tags for (custom resources).
 */
export function rootTypeOf(gvk: GroupVersionKind): string | undefined {
  if (!isBuiltInGroup(gvk.group)) return undefined;
  return Object.prototype.hasOwnProperty.call(TYPES, gvk.kind) ? gvk.kind : 'Object';
}

/** The strategy of `field` inside a value of type `type` (undefined: a plain field). */
export function fieldStrategy(type: string | undefined, field: string): FieldStrategy | undefined {
  if (type === undefined) return undefined;
  const t = TYPES[type];
  if (t === undefined || !Object.prototype.hasOwnProperty.call(t, field)) return undefined;
  return t[field];
}

/** Server-side apply's list map keys for an associative list field. */
export function listMapKeys(f: FieldStrategy): readonly string[] {
  return f.keys ?? (f.mergeKey ? [f.mergeKey] : []);
}

/**
 * Kinds whose status is written only through the `status` subresource: an apply or update of the main
 * resource does not own (or change) `status`, as upstream's ResetFieldsStrategy does.
 */
export function hasStatusSubresource(gvk: GroupVersionKind): boolean {
  if (!isBuiltInGroup(gvk.group)) return false;
  return !['ConfigMap', 'Secret', 'ServiceAccount', 'Endpoints', 'Event', 'LimitRange', 'EndpointSlice', 'Lease',
    'ControllerRevision', 'StorageClass', 'IngressClass', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding',
    'NetworkPolicy', 'PodTemplate'].includes(gvk.kind);
}
