import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1';
import type { Writable } from '../../../engine/api/client.ts';
import { R } from '../../../engine/api/resources.ts';
import { StatefulSetController } from '../../../engine/controllers/statefulset/controller.ts';
import { harness, iso, NOW } from './harness.ts';

function sts(replicas: number, o: { image?: string; parallel?: boolean; partition?: number; whenScaled?: 'Retain' | 'Delete' } = {}): StatefulSet {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default', uid: 'uid-db', generation: 1 },
    spec: {
      replicas, serviceName: 'db', selector: { matchLabels: { app: 'db' } },
      podManagementPolicy: o.parallel ? 'Parallel' : 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: o.partition ?? 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: o.whenScaled ?? 'Retain' },
      template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'db', image: o.image ?? 'db:1', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
    status: { replicas: 0 },
  };
}

/** The stand-in kubelet: every pod of the set Running and Ready. */
async function readyAll(h: ReturnType<typeof harness>): Promise<void> {
  for (const p of (await h.client.list<Pod>(R.pods, 'default')).items) {
    if (p.status?.phase === 'Running') continue;
    const w = structuredClone(p) as Writable<Pod>;
    w.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(NOW - 60_000) }] };
    await h.client.updateStatus(R.pods, w);
  }
}

test('StatefulSet OrderedReady: one pod at a time, with its claim, revision and identity', async () => {
  const h = harness([{ type: R.statefulsets, objects: [sts(3)] }]);
  const c = new StatefulSetController(h.ctx);
  await h.start();
  await c.sync('default/db');
  const rev = h.client.writes()[0]!.object as ControllerRevision;
  assert.deepEqual(h.writes(), [`create controllerrevisions ${rev.metadata!.name}`, 'create persistentvolumeclaims data-db-0', 'create pods db-0', 'update statefulsets/status db']);
  assert.equal(rev.revision, 1);
  const p = h.client.writes()[2]!.object as Pod;
  assert.deepEqual(p.metadata?.labels, { app: 'db', 'statefulset.kubernetes.io/pod-name': 'db-0', 'apps.kubernetes.io/pod-index': '0', 'controller-revision-hash': rev.metadata!.name });
  assert.deepEqual([p.spec?.hostname, p.spec?.subdomain], ['db-0', 'db']);
  assert.deepEqual(p.spec?.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }]);
  const pvc = h.client.writes()[1]!.object as PersistentVolumeClaim;
  assert.deepEqual(pvc.metadata?.labels, { app: 'db' });
  assert.deepEqual(h.events.events, ['Normal SuccessfulCreate create Claim data-db-0 Pod db-0 in StatefulSet db success', 'Normal SuccessfulCreate create Pod db-0 in StatefulSet db successful']);
  // db-0 not ready yet: nothing more.
  h.reset();
  await c.sync('default/db');
  assert.deepEqual(h.writes(), []);
  await readyAll(h);
  h.reset();
  await c.sync('default/db');
  assert.deepEqual(h.writes(), ['create persistentvolumeclaims data-db-1', 'create pods db-1', 'update statefulsets/status db']);
  await h.stop();
});

test('StatefulSet Parallel: all pods at once; scale-down removes the highest ordinal and (whenScaled Delete) hands its claim to the pod', async () => {
  const h = harness([{ type: R.statefulsets, objects: [sts(3, { parallel: true, whenScaled: 'Delete' })] }]);
  const c = new StatefulSetController(h.ctx);
  await h.start();
  await c.sync('default/db');
  assert.deepEqual(h.writes().filter((w) => w.startsWith('create pods')), ['create pods db-0', 'create pods db-1', 'create pods db-2']);
  await readyAll(h);
  const cur = await h.client.get<StatefulSet>(R.statefulsets, 'db', 'default');
  await h.client.update(R.statefulsets, { ...cur, spec: { ...cur.spec!, replicas: 1 } });
  h.reset();
  await c.sync('default/db');
  assert.deepEqual(h.writes(), ['update persistentvolumeclaims data-db-2', 'delete pods db-2', 'update persistentvolumeclaims data-db-1', 'delete pods db-1', 'update statefulsets/status db']);
  const claim = await h.client.get<PersistentVolumeClaim>(R.persistentvolumeclaims, 'data-db-2', 'default');
  assert.deepEqual(claim.metadata?.ownerReferences?.map((r) => `${r.kind}/${r.name}`), ['Pod/db-2']);
  await h.stop();
});

test('StatefulSet RollingUpdate: from the highest ordinal down to the partition; currentRevision follows when done', async () => {
  const h = harness([{ type: R.statefulsets, objects: [sts(3, { parallel: true, partition: 1 })] }]);
  const c = new StatefulSetController(h.ctx);
  await h.start();
  await c.sync('default/db');
  await readyAll(h);
  await c.sync('default/db');
  const s1 = await h.client.get<StatefulSet>(R.statefulsets, 'db', 'default');
  const rev1 = s1.status!.currentRevision!;
  assert.equal(s1.status?.updateRevision, rev1);
  await h.client.update(R.statefulsets, { ...s1, spec: { ...s1.spec!, template: { ...s1.spec!.template, spec: { containers: [{ name: 'db', image: 'db:2' }] } } } });
  h.reset();
  await c.sync('default/db');
  const rev2 = (h.client.writes()[0]!.object as ControllerRevision);
  assert.equal(rev2.revision, 2);
  assert.deepEqual(h.writes(), [`create controllerrevisions ${rev2.metadata!.name}`, 'delete pods db-2', 'update statefulsets/status db']);
  // The replacement comes up at the update revision; db-1 is next but the partition (1) keeps db-0.
  h.reset();
  await c.sync('default/db');
  // Same name, same claim (data-db-2 was kept): only the pod is created.
  assert.deepEqual(h.writes(), ['create pods db-2', 'update statefulsets/status db']);
  assert.equal((h.client.writes()[0]!.object as Pod).metadata?.labels?.['controller-revision-hash'], rev2.metadata!.name);
  await readyAll(h);
  h.reset();
  await c.sync('default/db');
  assert.deepEqual(h.writes(), ['delete pods db-1', 'update statefulsets/status db']);
  h.reset();
  await c.sync('default/db');
  await readyAll(h);
  h.reset();
  await c.sync('default/db');
  const st = (await h.client.get<StatefulSet>(R.statefulsets, 'db', 'default')).status!;
  assert.deepEqual([st.currentRevision, st.updateRevision, st.updatedReplicas, st.currentReplicas], [rev1, rev2.metadata!.name, 2, 1]);
  const pods = (await h.client.list<Pod>(R.pods, 'default')).items.map((p) => `${p.metadata?.name}:${p.spec?.containers[0]?.image}`).sort();
  assert.deepEqual(pods, ['db-0:db:1', 'db-1:db:2', 'db-2:db:2']);
  await h.stop();
});
