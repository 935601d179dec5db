/** Builders for API objects as the API server returns them (plain JSON), for the client's view-model tests. */
import type { Pod, Node, Service, Endpoints, Event, Secret } from 'kubernetes-types/core/v1';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import { ObjectStore } from '../../../client/model/store.ts';
import { Relations } from '../../../client/model/relations.ts';
import type { ViewInput } from '../../../client/model/viewInput.ts';
import type { KObject } from '../../../client/model/objects.ts';

let rv = 1;
export const T0 = Date.parse('2026-01-01T00:00:00Z');

export function node(name: string, opts: { ready?: boolean; cpu?: string; memory?: string; unschedulable?: boolean } = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `uid-${name}`, resourceVersion: String(rv++), labels: { 'node-role.kubernetes.io/worker': '' } },
    spec: { unschedulable: opts.unschedulable },
    status: {
      allocatable: { cpu: opts.cpu ?? '2', memory: opts.memory ?? '4Gi', pods: '110' },
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', reason: 'KubeletReady', message: opts.ready === false ? 'kubelet stopped posting node status' : 'ok' }],
    },
  };
}

export interface PodOpts {
  ns?: string; node?: string; owner?: { kind: string; name: string; uid: string }; phase?: string;
  ready?: boolean; waiting?: string; restarts?: number; cpu?: string; memory?: string; labels?: Record<string, string>;
  unschedulable?: string; created?: string; containers?: number;
}

export function pod(name: string, o: PodOpts = {}): Pod {
  const n = o.containers ?? 1;
  const names = Array.from({ length: n }, (_, i) => (i === 0 ? 'app' : `side${i}`));
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name, namespace: o.ns ?? 'default', uid: `uid-${name}`, resourceVersion: String(rv++), labels: o.labels ?? { app: 'web' },
      creationTimestamp: o.created ?? '2026-01-01T00:00:00Z',
      ownerReferences: o.owner ? [{ apiVersion: 'apps/v1', kind: o.owner.kind, name: o.owner.name, uid: o.owner.uid, controller: true }] : undefined,
    },
    spec: { nodeName: o.node, containers: names.map((c) => ({ name: c, image: 'busybox', resources: { requests: { cpu: o.cpu ?? '100m', memory: o.memory ?? '64Mi' } } })) },
    status: {
      phase: o.phase ?? (o.node ? 'Running' : 'Pending'),
      podIP: o.node ? '10.0.0.1' : undefined,
      conditions: o.unschedulable ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: o.unschedulable }] : undefined,
      containerStatuses: o.node ? names.map((c) => ({
        name: c, image: 'busybox', imageID: '', restartCount: o.restarts ?? 0, ready: o.ready ?? true,
        state: o.waiting ? { waiting: { reason: o.waiting, message: 'back-off 40s restarting failed container' } } : { running: { startedAt: '2026-01-01T00:00:05Z' } },
      })) : undefined,
    },
  } as Pod;
}

export function deployment(name: string, o: { ns?: string; replicas?: number; ready?: number; updated?: number; available?: number; revision?: string; generation?: number; observed?: number; paused?: boolean } = {}): Deployment {
  const replicas = o.replicas ?? 1;
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, namespace: o.ns ?? 'default', uid: `uid-${name}`, resourceVersion: String(rv++), generation: o.generation ?? 1, annotations: { 'deployment.kubernetes.io/revision': o.revision ?? '1' } },
    spec: { replicas, paused: o.paused, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'web:1' }] } } },
    status: { observedGeneration: o.observed ?? o.generation ?? 1, replicas, readyReplicas: o.ready ?? replicas, updatedReplicas: o.updated ?? replicas, availableReplicas: o.available ?? o.ready ?? replicas },
  };
}

export function replicaSet(name: string, owner: Deployment, revision: number, o: { replicas?: number; image?: string; cause?: string } = {}): ReplicaSet {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name, namespace: owner.metadata?.namespace, uid: `uid-${name}`, resourceVersion: String(rv++),
      annotations: { 'deployment.kubernetes.io/revision': String(revision), ...(o.cause ? { 'kubernetes.io/change-cause': o.cause } : {}) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: owner.metadata?.name ?? '', uid: owner.metadata?.uid ?? '', controller: true }],
    },
    spec: { replicas: o.replicas ?? 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': name.split('-').pop() ?? '' } }, spec: { containers: [{ name: 'app', image: o.image ?? 'web:1' }] } } },
    status: { replicas: o.replicas ?? 1, readyReplicas: o.replicas ?? 1 },
  };
}

export function service(name: string, selector: Record<string, string> = { app: 'web' }): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: String(rv++) }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', selector, ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } };
}

export function endpoints(name: string, ready: string[], notReady: string[] = []): Endpoints {
  const addr = (ip: string): { ip: string; targetRef: { kind: string; name: string; namespace: string } } => ({ ip, targetRef: { kind: 'Pod', name: `pod-${ip}`, namespace: 'default' } });
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name, namespace: 'default', resourceVersion: String(rv++) }, subsets: [{ addresses: ready.map(addr), notReadyAddresses: notReady.map(addr), ports: [{ port: 8080 }] }] };
}

export function event(name: string, type: 'Normal' | 'Warning', reason: string, obj: { kind: string; name: string }, at: string, message = ''): Event {
  return { apiVersion: 'v1', kind: 'Event', metadata: { name, namespace: 'default', resourceVersion: String(rv++) }, involvedObject: { kind: obj.kind, name: obj.name, namespace: 'default' }, type, reason, message, lastTimestamp: at };
}

export function secret(name: string, data: Record<string, string>): Secret {
  return { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default', resourceVersion: String(rv++) }, type: 'Opaque', data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) };
}

/** A store with synchronous notifications (flush by hand). */
export function world(objects: KObject[]): { store: ObjectStore; input: ViewInput } {
  const store = new ObjectStore(() => {});
  for (const o of objects) store.upsert(o.kind ?? '', o);
  for (const k of ['Node', 'Pod', 'Namespace', 'Deployment', 'ReplicaSet', 'Service', 'Endpoints', 'Event', 'Secret', 'ConfigMap']) store.markSynced(k);
  return { store, input: { cluster: 'test', store, relations: new Relations(store), bundled: true, now: T0 + 3_600_000 } };
}
