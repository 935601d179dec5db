/**
 * The kinds the views watch: one informer per entry per cluster. `plural` builds the watch path.
 * Order matters only for start-up: the views that open first (nodes, pods) start first.
 */
export interface WatchedKind {
  kind: string;
  apiVersion: string;
  plural: string;
  namespaced: boolean;
}

export const watchedKinds: readonly WatchedKind[] = [
  { kind: 'Node', apiVersion: 'v1', plural: 'nodes', namespaced: false },
  { kind: 'Pod', apiVersion: 'v1', plural: 'pods', namespaced: true },
  { kind: 'Namespace', apiVersion: 'v1', plural: 'namespaces', namespaced: false },
  { kind: 'Deployment', apiVersion: 'apps/v1', plural: 'deployments', namespaced: true },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', plural: 'replicasets', namespaced: true },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', plural: 'statefulsets', namespaced: true },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', plural: 'daemonsets', namespaced: true },
  { kind: 'Job', apiVersion: 'batch/v1', plural: 'jobs', namespaced: true },
  { kind: 'CronJob', apiVersion: 'batch/v1', plural: 'cronjobs', namespaced: true },
  { kind: 'Service', apiVersion: 'v1', plural: 'services', namespaced: true },
  { kind: 'Endpoints', apiVersion: 'v1', plural: 'endpoints', namespaced: true },
  { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', plural: 'ingresses', namespaced: true },
  { kind: 'ConfigMap', apiVersion: 'v1', plural: 'configmaps', namespaced: true },
  { kind: 'Secret', apiVersion: 'v1', plural: 'secrets', namespaced: true },
  { kind: 'PersistentVolumeClaim', apiVersion: 'v1', plural: 'persistentvolumeclaims', namespaced: true },
  { kind: 'PersistentVolume', apiVersion: 'v1', plural: 'persistentvolumes', namespaced: false },
  { kind: 'StorageClass', apiVersion: 'storage.k8s.io/v1', plural: 'storageclasses', namespaced: false },
  { kind: 'Event', apiVersion: 'v1', plural: 'events', namespaced: true },
];

export function kindInfo(kind: string): WatchedKind | undefined {
  return watchedKinds.find((k) => k.kind === kind);
}

/** The collection path of a kind across all namespaces: `/api/v1/pods`, `/apis/apps/v1/deployments`. */
export function collectionPath(k: WatchedKind): string {
  const prefix = k.apiVersion.includes('/') ? `/apis/${k.apiVersion}` : `/api/${k.apiVersion}`;
  return `${prefix}/${k.plural}`;
}
