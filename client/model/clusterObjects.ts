/**
 * What the language server learns about the connected cluster (`wheelhouse/clusterObjects` in
 * server/protocol.ts), derived from the watch cache (pure): names of the objects cross-resource checks refer to,
 * pods' and pod templates' labels (for Service selectors), ConfigMap/Secret keys (never values), Service ports.
 */
import type { ClusterObject } from '../../server/protocol.ts';
import type { ObjectStore } from './store.ts';
import { kindInfo } from './kinds.ts';

export const clusterObjectKinds = ['Namespace', 'Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob',
  'Service', 'Ingress', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'PersistentVolume', 'StorageClass', 'Node'];

type Shape = {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, unknown>; binaryData?: Record<string, unknown>; stringData?: Record<string, unknown>;
  spec?: { ports?: { name?: string; port: number }[]; template?: { metadata?: { labels?: Record<string, string> } }; jobTemplate?: { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } } };
};

export function clusterObjects(store: ObjectStore): ClusterObject[] {
  const out: ClusterObject[] = [];
  for (const kind of clusterObjectKinds) {
    const info = kindInfo(kind);
    if (!info) continue;
    for (const raw of store.list(kind)) {
      const o = raw as Shape;
      const name = o.metadata?.name;
      if (!name) continue;
      const item: ClusterObject = { apiVersion: info.apiVersion, kind, name };
      if (info.namespaced && o.metadata?.namespace) item.namespace = o.metadata.namespace;
      if (kind === 'Pod') item.labels = o.metadata?.labels ?? {};
      const template = o.spec?.template?.metadata?.labels ?? o.spec?.jobTemplate?.spec?.template?.metadata?.labels;
      if (kind !== 'Pod' && template) item.labels = template;
      if (kind === 'ConfigMap' || kind === 'Secret') item.keys = [...Object.keys(o.data ?? {}), ...Object.keys(o.binaryData ?? {}), ...Object.keys(o.stringData ?? {})].sort();
      if (kind === 'Service') item.ports = (o.spec?.ports ?? []).map((p) => (p.name ? { name: p.name, port: p.port } : { port: p.port }));
      out.push(item);
    }
  }
  return out;
}
