import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import { R } from '../../engine/api/resources.ts';
import { startProvisioner } from '../../engine/nodes/provisioner.ts';
import { FakeClient } from '../support/fake-client.ts';
import { FakeRuntime } from '../support/fake-runtime.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(cond: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 3000;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const claim = (name: string, spec: Partial<NonNullable<PersistentVolumeClaim['spec']>> = {}): PersistentVolumeClaim => ({
  metadata: { name, namespace: 'default' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, ...spec },
});

describe('storage provisioner', () => {
  it('provisions a Docker volume for a claim with the default class and binds it; Delete removes both', async () => {
    const client = new FakeClient();
    const runtime = new FakeRuntime();
    const p = startProvisioner(client, runtime, { clusterName: 'c1', retryMs: 20 });
    try {
      await p.ready;
      const sc = await client.get<StorageClass>(R.storageclasses, 'standard');
      assert.equal(sc.metadata!.annotations!['storageclass.kubernetes.io/is-default-class'], 'true');
      const created = await client.create(R.persistentvolumeclaims, claim('data'));
      const uid = created.metadata!.uid!;
      await waitFor(async () => (await client.get<PersistentVolumeClaim>(R.persistentvolumeclaims, 'data', 'default')).status?.phase === 'Bound', 'Bound');
      const pvc = await client.get<PersistentVolumeClaim>(R.persistentvolumeclaims, 'data', 'default');
      assert.equal(pvc.spec!.storageClassName, 'standard');
      assert.equal(pvc.spec!.volumeName, `pvc-${uid}`);
      assert.deepEqual(pvc.status!.capacity, { storage: '1Gi' });
      const pv = await client.get<PersistentVolume>(R.persistentvolumes, `pvc-${uid}`);
      assert.equal(pv.status!.phase, 'Bound');
      assert.equal(pv.spec!.persistentVolumeReclaimPolicy, 'Delete');
      assert.equal(pv.spec!.claimRef!.uid, uid);
      assert.ok(runtime.volumeNames().includes(pv.spec!.csi!.volumeHandle));
      await client.delete(R.persistentvolumeclaims, 'data', 'default');
      await waitFor(async () => !(await client.list(R.persistentvolumes)).items.length, 'PV deleted');
      assert.ok(!runtime.volumeNames().includes(pv.spec!.csi!.volumeHandle), 'Docker volume removed');
    } finally {
      await p.stop();
    }
  });

  it('binds a claim to a fitting pre-created volume and releases a Retain volume', async () => {
    const pvs: PersistentVolume[] = [
      { metadata: { name: 'small' }, spec: { storageClassName: 'manual', capacity: { storage: '500Mi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/x' }, persistentVolumeReclaimPolicy: 'Retain' } },
      { metadata: { name: 'big' }, spec: { storageClassName: 'manual', capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/y' }, persistentVolumeReclaimPolicy: 'Retain' } },
    ];
    const client = new FakeClient([{ type: R.persistentvolumes, objects: pvs }]);
    const p = startProvisioner(client, new FakeRuntime(), { clusterName: 'c1', retryMs: 20 });
    try {
      await p.ready;
      await client.create(R.persistentvolumeclaims, claim('want', { storageClassName: 'manual' }));
      await waitFor(async () => (await client.get<PersistentVolumeClaim>(R.persistentvolumeclaims, 'want', 'default')).spec?.volumeName === 'big', 'bound to big');
      await waitFor(async () => (await client.get<PersistentVolume>(R.persistentvolumes, 'big')).status?.phase === 'Bound', 'PV Bound');
      await client.delete(R.persistentvolumeclaims, 'want', 'default');
      await waitFor(async () => (await client.get<PersistentVolume>(R.persistentvolumes, 'big')).status?.phase === 'Released', 'Released');
      assert.equal((await client.get<PersistentVolume>(R.persistentvolumes, 'small')).status?.phase, 'Available');
    } finally {
      await p.stop();
    }
  });
});
