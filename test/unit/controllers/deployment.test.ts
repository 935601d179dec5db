import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { Writable } from '../../../engine/api/client.ts';
import { R } from '../../../engine/api/resources.ts';
import { DeploymentController } from '../../../engine/controllers/deployment/controller.ts';
import { proportionalSizes, resolveFenceposts } from '../../../engine/controllers/deployment/util.ts';
import { computeHash } from '../../../engine/controllers/framework/hash.ts';
import { harness, iso, NOW } from './harness.ts';
import { deployment, ownerRef, template } from './fixtures.ts';

const dref = ownerRef('Deployment', 'web');

/** A ReplicaSet as the controller would have made it for `image`. */
function ownedRS(image: string, replicas: number, revision: number, o: { available?: number; created?: number; annotations?: Record<string, string>; desired?: number; max?: number } = {}): ReplicaSet {
  const t = template(image);
  const hash = computeHash(t);
  const labels = { app: 'web', 'pod-template-hash': hash };
  const avail = o.available ?? replicas;
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`, namespace: 'default', uid: `uid-rs-${image}`, generation: 1, labels, ownerReferences: [dref],
      creationTimestamp: iso(o.created ?? NOW - 3600_000 + revision * 1000),
      annotations: { 'deployment.kubernetes.io/revision': String(revision), 'deployment.kubernetes.io/desired-replicas': String(o.desired ?? replicas), 'deployment.kubernetes.io/max-replicas': String(o.max ?? replicas + 1), ...o.annotations },
    },
    spec: { replicas, selector: { matchLabels: labels }, template: { ...t, metadata: { labels } } },
    status: { replicas, readyReplicas: avail, availableReplicas: avail, observedGeneration: 1 },
  };
}

test('fenceposts: percentages round surge up and unavailable down; 0/0 becomes 0/1', () => {
  assert.deepEqual(resolveFenceposts('25%', '25%', 10), [3, 2]);
  assert.deepEqual(resolveFenceposts(1, 0, 6), [1, 0]);
  assert.deepEqual(resolveFenceposts(0, 0, 6), [0, 1]);
  assert.deepEqual(resolveFenceposts('10%', '10%', 3), [1, 0]);
  assert.deepEqual(resolveFenceposts(undefined, undefined, 1), [1, 0]);
});

test('proportional scaling: 10→15 mid-rollout with maxSurge 3 adds 3 to the old and 2 to the new ReplicaSet', () => {
  const d = deployment('web', 15, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } });
  const old = ownedRS('app:v1', 8, 1, { desired: 10, max: 13, created: NOW - 9000 });
  const neu = ownedRS('app:v2', 5, 2, { desired: 10, max: 13, available: 0, created: NOW - 1000 });
  const { sizes, operation } = proportionalSizes(d, [neu, old]);
  assert.equal(operation, 'up');
  assert.deepEqual(Object.fromEntries(sizes), { [old.metadata!.name!]: 11, [neu.metadata!.name!]: 7 });
  // And back down to 5: losses are proportional too, leftovers go to the largest.
  const d2 = deployment('web', 5, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } });
  const down = proportionalSizes(d2, [old, neu]);
  assert.equal(down.operation, 'down');
  assert.equal([...down.sizes.values()].reduce((a, b) => a + b, 0), 8);
  assert.deepEqual(Object.fromEntries(down.sizes), { [old.metadata!.name!]: 5, [neu.metadata!.name!]: 3 });
});

test('Deployment: a new deployment gets revision 1 ReplicaSet with hash label, ownerRef and annotations', async () => {
  const d = deployment('web', 3, { annotations: { 'kubernetes.io/change-cause': 'first' } });
  const h = harness([{ type: R.deployments, objects: [d] }]);
  const c = new DeploymentController(h.ctx);
  await h.start();
  await c.sync('default/web');
  const hash = computeHash(d.spec!.template);
  assert.deepEqual(h.writes(), [`create replicasets web-${hash}`, 'patch deployments web', 'update deployments/status web', 'update deployments/status web']);
  const rs = h.client.writes()[0]!.object as ReplicaSet;
  assert.equal(rs.metadata?.name, `web-${hash}`);
  assert.deepEqual(rs.metadata?.ownerReferences, [dref]);
  assert.deepEqual(rs.spec?.selector?.matchLabels, { app: 'web', 'pod-template-hash': hash });
  assert.deepEqual(rs.spec?.template?.metadata?.labels, { app: 'web', 'pod-template-hash': hash });
  assert.equal(rs.spec?.replicas, 3);
  assert.deepEqual(rs.metadata?.annotations, {
    'kubernetes.io/change-cause': 'first', 'deployment.kubernetes.io/revision': '1',
    'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4',
  });
  assert.deepEqual(h.events.events, [`Normal ScalingReplicaSet Scaled up replica set web-${hash} from 0 to 3`]);
  const live = await h.client.get<Deployment>(R.deployments, 'web', 'default');
  assert.equal(live.metadata?.annotations?.['deployment.kubernetes.io/revision'], '1');
  const prog = live.status?.conditions?.find((x) => x.type === 'Progressing');
  assert.equal(prog?.reason, 'NewReplicaSetCreated');
  assert.equal(prog?.message, `Created new replica set "web-${hash}"`);
  assert.equal(live.status?.conditions?.find((x) => x.type === 'Available')?.status, 'False');
  await h.stop();
});

/**
 * Drives a rollout to completion with pods that become available as soon as they exist, checking after
 * every write the invariants maxSurge/maxUnavailable promise.
 */
async function rollToCompletion(d: Deployment, rss: ReplicaSet[], check: (specTotal: number, available: number) => void): Promise<{ events: string[]; final: ReplicaSet[] }> {
  const h = harness([{ type: R.deployments, objects: [d] }, { type: R.replicasets, objects: rss }]);
  const c = new DeploymentController(h.ctx);
  await h.start();
  for (let i = 0; i < 50; i++) {
    await c.sync('default/web');
    // The ReplicaSet controller and kubelet, idealised: status catches up with spec, new pods available at once.
    const list = (await h.client.list<ReplicaSet>(R.replicasets, 'default')).items;
    check(list.reduce((n, r) => n + (r.spec?.replicas ?? 0), 0), list.reduce((n, r) => n + (r.status?.availableReplicas ?? 0), 0));
    for (const r of list) {
      const want = r.spec?.replicas ?? 0;
      if (r.status?.replicas === want && r.status?.availableReplicas === want && r.status?.observedGeneration === r.metadata?.generation) continue;
      const w = structuredClone(r) as Writable<ReplicaSet>;
      w.status = { replicas: want, readyReplicas: want, availableReplicas: want, fullyLabeledReplicas: want, observedGeneration: r.metadata?.generation };
      await h.client.updateStatus(R.replicasets, w);
    }
    const live = await h.client.get<Deployment>(R.deployments, 'web', 'default');
    if (live.status?.conditions?.find((x) => x.type === 'Progressing')?.reason === 'NewReplicaSetAvailable') break;
  }
  const final = (await h.client.list<ReplicaSet>(R.replicasets, 'default')).items;
  await h.stop();
  return { events: h.events.events, final };
}

test('RollingUpdate maxSurge 1 / maxUnavailable 0: never above 7 pods nor below 6 available, ends complete', async () => {
  const d = deployment('web', 6, { image: 'app:v2', strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } });
  const { events, final } = await rollToCompletion(d, [ownedRS('app:v1', 6, 1)], (total, avail) => {
    assert.ok(total <= 7, `spec total ${total} > 7`);
    assert.ok(avail >= 6, `available ${avail} < 6`);
  });
  const byImage = Object.fromEntries(final.map((r) => [r.spec?.template?.spec?.containers[0]?.image, r.spec?.replicas]));
  assert.deepEqual(byImage, { 'app:v1': 0, 'app:v2': 6 });
  const v2 = final.find((r) => r.spec?.template?.spec?.containers[0]?.image === 'app:v2')!;
  assert.equal(v2.metadata?.annotations?.['deployment.kubernetes.io/revision'], '2');
  assert.equal(events[0], `Normal ScalingReplicaSet Scaled up replica set ${v2.metadata?.name} from 0 to 1`);
  assert.ok(events.includes(`Normal ScalingReplicaSet Scaled down replica set ${final.find((r) => r !== v2)!.metadata?.name} from 6 to 5`));
  assert.equal(events.length, 12);
});

test('RollingUpdate 25%/25% of 10: at most 13 pods and at least 8 available', async () => {
  const d = deployment('web', 10, { image: 'app:v2' });
  await rollToCompletion(d, [ownedRS('app:v1', 10, 1)], (total, avail) => {
    assert.ok(total <= 13, `spec total ${total} > 13`);
    assert.ok(avail >= 8, `available ${avail} < 8`);
  });
});

test('Recreate: scales the old ReplicaSet to 0 and creates the new one only when old pods are gone', async () => {
  const d = deployment('web', 2, { image: 'app:v2', strategy: { type: 'Recreate' } });
  const old = ownedRS('app:v1', 2, 1);
  const h = harness([{ type: R.deployments, objects: [d] }, { type: R.replicasets, objects: [old] }]);
  const c = new DeploymentController(h.ctx);
  await h.start();
  await c.sync('default/web');
  assert.deepEqual(h.writes(), [`update replicasets ${old.metadata!.name}`, 'update deployments/status web']);
  h.reset();
  // Old RS still reports 2 pods: nothing new yet.
  await c.sync('default/web');
  assert.ok(!h.writes().some((w) => w.startsWith('create replicasets')));
  const cur = await h.client.get<ReplicaSet>(R.replicasets, old.metadata!.name!, 'default');
  await h.client.updateStatus(R.replicasets, { ...cur, status: { replicas: 0, observedGeneration: 2 } });
  h.reset();
  await c.sync('default/web');
  assert.equal(h.writes()[0], `create replicasets web-${computeHash(template('app:v2'))}`);
  assert.equal((h.client.writes()[0]!.object as ReplicaSet).spec?.replicas, 2);
  await h.stop();
});

test('rollback: reusing an old ReplicaSet renumbers it and keeps revision-history', async () => {
  // kubectl rollout undo has patched the template back to v1 (revision 1); v2 is revision 2.
  const d = deployment('web', 2, { image: 'app:v1', annotations: { 'deployment.kubernetes.io/revision': '2' } });
  const v1 = ownedRS('app:v1', 0, 1, { available: 0 });
  const v2 = ownedRS('app:v2', 2, 2);
  const h = harness([{ type: R.deployments, objects: [d] }, { type: R.replicasets, objects: [v1, v2] }]);
  const c = new DeploymentController(h.ctx);
  await h.start();
  await c.sync('default/web');
  assert.equal(h.writes()[0], `update replicasets ${v1.metadata!.name}`);
  const renumbered = h.client.writes()[0]!.object as ReplicaSet;
  assert.equal(renumbered.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
  assert.equal(renumbered.metadata?.annotations?.['deployment.kubernetes.io/revision-history'], '1');
  await h.stop();
});

test('paused: a template change creates nothing and Progressing says DeploymentPaused', async () => {
  const d = deployment('web', 2, { image: 'app:v2', paused: true });
  const h = harness([{ type: R.deployments, objects: [d] }, { type: R.replicasets, objects: [ownedRS('app:v1', 2, 1)] }]);
  const c = new DeploymentController(h.ctx);
  await h.start();
  await c.sync('default/web');
  assert.ok(!h.writes().some((w) => w.includes('replicasets')));
  const live = await h.client.get<Deployment>(R.deployments, 'web', 'default');
  const p = live.status?.conditions?.find((x) => x.type === 'Progressing');
  assert.deepEqual([p?.status, p?.reason, p?.message], ['Unknown', 'DeploymentPaused', 'Deployment is paused']);
  await h.stop();
});

test('progressDeadlineSeconds: no progress past the deadline gives ProgressDeadlineExceeded', async () => {
  const stuck = ownedRS('app:v2', 1, 2, { available: 0, desired: 2, max: 3 });
  const old = ownedRS('app:v1', 2, 1, { desired: 2, max: 3 });
  const then = iso(NOW - 700_000);
  const d = deployment('web', 2, {
    image: 'app:v2', progressDeadlineSeconds: 600, annotations: { 'deployment.kubernetes.io/revision': '2' },
    status: {
      observedGeneration: 1, replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 1,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: then, lastTransitionTime: then },
        { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${stuck.metadata!.name}" is progressing.`, lastUpdateTime: then, lastTransitionTime: then },
      ],
    },
  });
  const h = harness([{ type: R.deployments, objects: [d] }, { type: R.replicasets, objects: [old, stuck] }]);
  const c = new DeploymentController(h.ctx);
  await h.start();
  await c.sync('default/web');
  assert.deepEqual(h.writes(), ['update deployments/status web']);
  const st = (h.client.writes()[0]!.object as Deployment).status!;
  const p = st.conditions!.find((x) => x.type === 'Progressing')!;
  assert.deepEqual([p.status, p.reason, p.message], ['False', 'ProgressDeadlineExceeded', `ReplicaSet "${stuck.metadata!.name}" has timed out progressing.`]);
  await h.stop();
});

test('a stalled rollout asks to be requeued when its deadline would pass', async () => {
  const stuck = ownedRS('app:v2', 1, 2, { available: 0, desired: 2, max: 3 });
  const old = ownedRS('app:v1', 2, 1, { desired: 2, max: 3 });
  const then = iso(NOW - 100_000);
  const d = deployment('web', 2, {
    image: 'app:v2', annotations: { 'deployment.kubernetes.io/revision': '2' },
    status: {
      observedGeneration: 1, replicas: 3, updatedReplicas: 1, readyReplicas: 2, availableReplicas: 2, unavailableReplicas: 1,
      conditions: [
        { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: then, lastTransitionTime: then },
        { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${stuck.metadata!.name}" is progressing.`, lastUpdateTime: then, lastTransitionTime: then },
      ],
    },
  });
  const h = harness([{ type: R.deployments, objects: [d] }, { type: R.replicasets, objects: [old, stuck] }]);
  const c = new DeploymentController(h.ctx);
  await h.start();
  const res = await c.sync('default/web');
  assert.deepEqual(h.writes(), []);
  assert.deepEqual(res, { requeueAfterMs: 501_000 });
  await h.stop();
});

test('revisionHistoryLimit: the oldest idle ReplicaSets beyond the limit are deleted once complete', async () => {
  const olds = [1, 2, 3].map((r) => ownedRS(`app:v${r}`, 0, r, { available: 0 }));
  const cur = ownedRS('app:v4', 2, 4, { desired: 2, max: 3 });
  const d = deployment('web', 2, { image: 'app:v4', revisionHistoryLimit: 1, annotations: { 'deployment.kubernetes.io/revision': '4' } });
  const h = harness([{ type: R.deployments, objects: [d] }, { type: R.replicasets, objects: [...olds, cur] }]);
  const c = new DeploymentController(h.ctx);
  await h.start();
  // First pass writes status (complete); the second sees a complete deployment and cleans up.
  await c.sync('default/web');
  h.reset();
  await c.sync('default/web');
  assert.deepEqual(h.writes(), [`delete replicasets ${olds[0]!.metadata!.name}`, `delete replicasets ${olds[1]!.metadata!.name}`]);
  await h.stop();
});

test('an empty selector is refused with SelectingAll', async () => {
  const d = deployment('web', 1) as Writable<Deployment>;
  d.spec = { ...d.spec!, selector: {} };
  const h = harness([{ type: R.deployments, objects: [d] }]);
  const c = new DeploymentController(h.ctx);
  await h.start();
  await c.sync('default/web');
  assert.deepEqual(h.events.events, ['Warning SelectingAll This deployment is selecting all pods. A non-empty selector is required.']);
  assert.deepEqual(h.writes(), ['update deployments/status web']);
  await h.stop();
});
