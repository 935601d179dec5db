/**
 * Tree rendering cost for a large cluster: 1,000 pods on 20 nodes under 200 Deployments, through the same view
 * models the trees use (store → Relations index → rows → children), then one pod update and a re-render
 * (the update-in-place path). Prints the times against the 500 ms budget of issue 8.
 *   node --import tsx bench/extension/render.ts
 */
import { performance } from 'node:perf_hooks';
import { ObjectStore } from '../../client/model/store.ts';
import { Relations } from '../../client/model/relations.ts';
import { nodeRoots } from '../../client/model/nodesView.ts';
import { workloadRoots } from '../../client/model/workloadsView.ts';
import type { TreeNodeModel } from '../../client/model/tree.ts';
import type { KObject } from '../../client/model/objects.ts';

const budgetMs = 500;
const store = new ObjectStore(() => {});
let rv = 1;
for (let n = 0; n < 20; n++) {
  store.upsert('Node', { apiVersion: 'v1', kind: 'Node', metadata: { name: `node-${n}`, resourceVersion: String(rv++) },
    status: { allocatable: { cpu: '16', memory: '64Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] } } as KObject);
}
for (let d = 0; d < 200; d++) {
  const name = `app-${d}`;
  store.upsert('Deployment', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: `ns-${d % 10}`, uid: `d-${d}`, generation: 1, resourceVersion: String(rv++), annotations: { 'deployment.kubernetes.io/revision': '1' } },
    spec: { replicas: 5 }, status: { observedGeneration: 1, replicas: 5, readyReplicas: 5, updatedReplicas: 5, availableReplicas: 5 } } as KObject);
  store.upsert('ReplicaSet', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `${name}-x`, namespace: `ns-${d % 10}`, uid: `rs-${d}`, resourceVersion: String(rv++), annotations: { 'deployment.kubernetes.io/revision': '1' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: `d-${d}`, controller: true }] },
    spec: { replicas: 5 }, status: { replicas: 5, readyReplicas: 5 } } as KObject);
  for (let p = 0; p < 5; p++) {
    const i = d * 5 + p;
    store.upsert('Pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: `${name}-x-${p}`, namespace: `ns-${d % 10}`, uid: `p-${i}`, resourceVersion: String(rv++), ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${name}-x`, uid: `rs-${d}`, controller: true }] },
      spec: { nodeName: `node-${i % 20}`, containers: [{ name: 'app', image: 'web', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
      status: { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, restartCount: 0, image: 'web', imageID: '', state: { running: {} } }] } } as KObject);
  }
}
store.flush();
const input = { cluster: 'bench', store, relations: new Relations(store), bundled: true, now: Date.now() };
const all = (rows: TreeNodeModel[]): number => rows.reduce((n, r) => n + 1 + all(r.children?.() ?? []), 0);

function time(label: string, fn: () => number): number {
  const t = performance.now();
  const rows = fn();
  const ms = performance.now() - t;
  console.log(`  ${label}: ${ms.toFixed(1)} ms for ${rows} rows — ${(ms / budgetMs).toFixed(3)} of the ${budgetMs} ms budget`);
  return ms;
}

console.log('1,000 pods / 20 nodes / 200 Deployments, every row expanded:');
time('Nodes view, first render', () => all(nodeRoots(input)));
time('Workloads view, first render', () => all(workloadRoots(input)));
store.upsert('Pod', { ...store.get('Pod', 'ns-0', 'app-0-x-0'), metadata: { ...store.get('Pod', 'ns-0', 'app-0-x-0')?.metadata, resourceVersion: String(rv++) } } as KObject);
store.flush();
time('Nodes view after one pod update', () => all(nodeRoots({ ...input, now: Date.now() })));
time('Workloads view after one pod update', () => all(workloadRoots({ ...input, now: Date.now() })));
