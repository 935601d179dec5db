/** Object builders for controller tests. */
import type { Pod } from 'kubernetes-types/core/v1';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { iso, NOW } from './harness.ts';

export const template = (image = 'app:v1', labels: Record<string, string> = { app: 'web' }) => ({
  metadata: { labels },
  spec: { containers: [{ name: 'app', image }] },
});

export function rs(name: string, replicas: number, extra: { uid?: string; owner?: OwnerReference; labels?: Record<string, string>; minReadySeconds?: number; annotations?: Record<string, string>; created?: number; status?: ReplicaSet['status']; image?: string } = {}): ReplicaSet {
  const labels = extra.labels ?? { app: 'web' };
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name, namespace: 'default', uid: extra.uid ?? `uid-${name}`, generation: 1, labels,
      annotations: extra.annotations,
      creationTimestamp: iso(extra.created ?? NOW - 3600_000),
      ownerReferences: extra.owner ? [extra.owner] : undefined,
    },
    spec: { replicas, selector: { matchLabels: labels }, minReadySeconds: extra.minReadySeconds, template: template(extra.image, labels) },
    status: extra.status ?? { replicas: 0 },
  };
}

export interface PodOpts {
  owner?: OwnerReference;
  node?: string;
  phase?: Pod['status'] extends infer S ? S extends { phase?: infer P } ? P : never : never;
  ready?: boolean;
  readySince?: number;
  restarts?: number;
  created?: number;
  labels?: Record<string, string>;
  uid?: string;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const ready = o.ready ?? false;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: 'default', uid: o.uid ?? `uid-${name}`, labels: o.labels ?? { app: 'web' },
      creationTimestamp: iso(o.created ?? NOW - 600_000),
      ownerReferences: o.owner ? [o.owner] : undefined,
    },
    spec: { nodeName: o.node, containers: [{ name: 'app', image: 'app:v1' }] },
    status: {
      phase: o.phase ?? (o.node ? 'Running' : 'Pending'),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: iso(o.readySince ?? NOW - 300_000) }],
      containerStatuses: [{ name: 'app', image: 'app:v1', imageID: '', ready, restartCount: o.restarts ?? 0 }],
    },
  };
}

export const ownerRef = (kind: string, name: string, uid = `uid-${name}`, apiVersion = 'apps/v1'): OwnerReference => ({
  apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true,
});

export function deployment(name: string, replicas: number, extra: { image?: string; strategy?: Deployment['spec'] extends infer S ? S extends { strategy?: infer T } ? T : never : never; minReadySeconds?: number; paused?: boolean; revisionHistoryLimit?: number; progressDeadlineSeconds?: number; annotations?: Record<string, string>; generation?: number; status?: Deployment['status'] } = {}): Deployment {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, generation: extra.generation ?? 1, annotations: extra.annotations, creationTimestamp: iso(NOW - 7200_000), labels: { app: 'web' } },
    spec: {
      replicas, selector: { matchLabels: { app: 'web' } }, template: template(extra.image),
      strategy: extra.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      minReadySeconds: extra.minReadySeconds, paused: extra.paused, revisionHistoryLimit: extra.revisionHistoryLimit ?? 10,
      progressDeadlineSeconds: extra.progressDeadlineSeconds ?? 600,
    },
    status: extra.status ?? {},
  };
}
