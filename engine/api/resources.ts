/**
 * How the engine's own parts name a kind of resource: the REST triple (group, version, plural) that the
 * API server routes on, plus the Kind and scope. One descriptor per served resource; the API server's
 * discovery and the in-process client both read this table, so the two can never disagree.
 */
export interface ResourceType {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  /** Lower-case plural, as in the URL: `deployments`. */
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

export function apiVersionOf(r: Pick<ResourceType, 'group' | 'version'>): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}

function rt(group: string, version: string, resource: string, kind: string, namespaced = true): ResourceType {
  return Object.freeze({ group, version, resource, kind, namespaced });
}

/** The built-in resources the engine's controllers, scheduler, kubelets and network use. */
export const R = {
  namespaces: rt('', 'v1', 'namespaces', 'Namespace', false),
  nodes: rt('', 'v1', 'nodes', 'Node', false),
  pods: rt('', 'v1', 'pods', 'Pod'),
  services: rt('', 'v1', 'services', 'Service'),
  endpoints: rt('', 'v1', 'endpoints', 'Endpoints'),
  configmaps: rt('', 'v1', 'configmaps', 'ConfigMap'),
  secrets: rt('', 'v1', 'secrets', 'Secret'),
  serviceaccounts: rt('', 'v1', 'serviceaccounts', 'ServiceAccount'),
  persistentvolumes: rt('', 'v1', 'persistentvolumes', 'PersistentVolume', false),
  persistentvolumeclaims: rt('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim'),
  events: rt('', 'v1', 'events', 'Event'),
  resourcequotas: rt('', 'v1', 'resourcequotas', 'ResourceQuota'),
  limitranges: rt('', 'v1', 'limitranges', 'LimitRange'),
  deployments: rt('apps', 'v1', 'deployments', 'Deployment'),
  replicasets: rt('apps', 'v1', 'replicasets', 'ReplicaSet'),
  statefulsets: rt('apps', 'v1', 'statefulsets', 'StatefulSet'),
  daemonsets: rt('apps', 'v1', 'daemonsets', 'DaemonSet'),
  controllerrevisions: rt('apps', 'v1', 'controllerrevisions', 'ControllerRevision'),
  jobs: rt('batch', 'v1', 'jobs', 'Job'),
  cronjobs: rt('batch', 'v1', 'cronjobs', 'CronJob'),
  horizontalpodautoscalers: rt('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler'),
  ingresses: rt('networking.k8s.io', 'v1', 'ingresses', 'Ingress'),
  ingressclasses: rt('networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', false),
  networkpolicies: rt('networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy'),
  storageclasses: rt('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false),
  endpointslices: rt('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
  poddisruptionbudgets: rt('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget'),
  leases: rt('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  customresourcedefinitions: rt('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false),
} as const satisfies Record<string, ResourceType>;
