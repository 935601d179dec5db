import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, Secret } from 'kubernetes-types/core/v1';
import { containerMounts, setUpVolumes, VolumeError, type VolumeSources } from '../../engine/kubelet/volumes.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function sources(objs: { cms?: ConfigMap[]; secrets?: Secret[]; pvcs?: PersistentVolumeClaim[]; pvs?: PersistentVolume[] }): VolumeSources {
  return {
    configMap: async (_ns, name) => objs.cms?.find((c) => c.metadata?.name === name),
    secret: async (_ns, name) => objs.secrets?.find((c) => c.metadata?.name === name),
    pvc: async (_ns, name) => objs.pvcs?.find((c) => c.metadata?.name === name),
    pv: async (name) => objs.pvs?.find((c) => c.metadata?.name === name),
  };
}

const ctx = { podIP: '10.1.0.5', hostIP: '127.0.0.1', nodeAllocatable: { milliCpu: 2000, memory: 2 ** 30 } };

function pod(volumes: NonNullable<Pod['spec']>['volumes']): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns1', uid: 'u1', labels: { app: 'x', tier: 'web' } },
    spec: { containers: [{ name: 'c', image: 'i', resources: { limits: { memory: '64Mi' } } }], volumes },
  };
}

describe('kubelet volumes', () => {
  it('writes secret items with modes, projected sources and downward API files, atomically updated', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vol-test-'));
    try {
      const secret: Secret = { metadata: { name: 's' }, data: { user: b64('admin'), pass: b64('hunter2') } };
      const cm: ConfigMap = { metadata: { name: 'cm' }, data: { a: '1', b: '2' } };
      const p = pod([
        { name: 'sec', secret: { secretName: 's', items: [{ key: 'pass', path: 'creds/password', mode: 0o400 }] } },
        { name: 'proj', projected: { sources: [
          { configMap: { name: 'cm' } },
          { downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }, { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } }] } },
        ] } },
      ]);
      const written = new Map<string, string>();
      const vols = await setUpVolumes(p, dir, sources({ secrets: [secret], cms: [cm] }), ctx, written);
      const sec = vols.get('sec')!;
      assert.equal(sec.kind, 'bind');
      const secDir = (sec as { path: string }).path;
      assert.equal(await readFile(join(secDir, 'creds/password'), 'utf8'), 'hunter2');
      assert.equal((await stat(join(secDir, '..data/creds/password'))).mode & 0o777, 0o400);
      assert.ok(!(await readdir(secDir)).includes('user'), 'only the listed items');
      const projDir = (vols.get('proj') as { path: string }).path;
      assert.equal(await readFile(join(projDir, 'labels'), 'utf8'), 'app="x"\ntier="web"');
      assert.equal(await readFile(join(projDir, 'mem'), 'utf8'), '64');
      assert.equal(await readFile(join(projDir, 'a'), 'utf8'), '1');
      // The ConfigMap changes: the files follow through a new ..data, and a dropped key disappears.
      const before = await readlink(join(projDir, '..data'));
      await setUpVolumes(p, dir, sources({ secrets: [secret], cms: [{ metadata: { name: 'cm' }, data: { a: '10' } }] }), ctx, written);
      assert.equal(await readFile(join(projDir, 'a'), 'utf8'), '10');
      assert.ok(!(await readdir(projDir)).includes('b'));
      assert.notEqual(await readlink(join(projDir, '..data')), before);
      assert.ok(!(await readdir(projDir)).includes(before), 'the old generation is removed');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('checks hostPath types and fails missing sources with upstream-style messages', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vol-test-'));
    try {
      await writeFile(join(dir, 'file'), 'x');
      const ok = await setUpVolumes(pod([
        { name: 'd', hostPath: { path: join(dir, 'made'), type: 'DirectoryOrCreate' } },
        { name: 'f', hostPath: { path: join(dir, 'file'), type: 'File' } },
      ]), join(dir, 'pod'), sources({}), ctx, new Map());
      assert.ok((await stat(join(dir, 'made'))).isDirectory());
      assert.deepEqual(ok.get('f'), { kind: 'bind', path: join(dir, 'file'), readOnly: false });
      await assert.rejects(setUpVolumes(pod([{ name: 'd', hostPath: { path: join(dir, 'file'), type: 'Directory' } }]), join(dir, 'pod'), sources({}), ctx, new Map()),
        (e: Error) => e instanceof VolumeError && e.message === `MountVolume.SetUp failed for volume "d" : hostPath type check failed: ${join(dir, 'file')} is not a directory`);
      await assert.rejects(setUpVolumes(pod([{ name: 'c', configMap: { name: 'nope' } }]), join(dir, 'pod'), sources({}), ctx, new Map()),
        /MountVolume.SetUp failed for volume "c" : configmap "nope" not found/);
      const opt = await setUpVolumes(pod([{ name: 'c', configMap: { name: 'nope', optional: true } }]), join(dir, 'pod'), sources({}), ctx, new Map());
      assert.equal(opt.get('c')!.kind, 'bind');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('resolves claims to their PersistentVolume and builds mounts with subPath, readOnly and tmpfs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vol-test-'));
    try {
      const pvc: PersistentVolumeClaim = { metadata: { name: 'data' }, spec: { volumeName: 'pv-1' }, status: { phase: 'Bound' } };
      const pv: PersistentVolume = { metadata: { name: 'pv-1' }, spec: { csi: { driver: 'wheelhouse.io/docker-volume', volumeHandle: 'wh_c_vol_pv-1' } } };
      const p = pod([
        { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
        { name: 'scratch', emptyDir: {} },
        { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } },
      ]);
      const vols = await setUpVolumes(p, dir, sources({ pvcs: [pvc], pvs: [pv] }), ctx, new Map());
      const mounts = await containerMounts({
        name: 'c', volumeMounts: [
          { name: 'data', mountPath: '/var/lib/data', readOnly: true },
          { name: 'scratch', mountPath: '/logs', subPathExpr: '$(POD)/logs' },
          { name: 'mem', mountPath: '/cache' },
        ],
      }, vols, new Map([['POD', 'p']]));
      assert.deepEqual(mounts[0], { type: 'volume', source: 'wh_c_vol_pv-1', target: '/var/lib/data', readOnly: true });
      assert.deepEqual(mounts[1], { type: 'bind', source: join(dir, 'volumes/scratch/p/logs'), target: '/logs', readOnly: false });
      assert.ok((await stat(join(dir, 'volumes/scratch/p/logs'))).isDirectory());
      assert.deepEqual(mounts[2], { type: 'tmpfs', target: '/cache', sizeBytes: 16 * 2 ** 20 });
      await assert.rejects(containerMounts({ name: 'c', volumeMounts: [{ name: 'scratch', mountPath: '/x', subPath: '../escape' }] }, vols, new Map()), /must be a relative path without '\.\.'/);
      const unbound = { ...pvc, status: { phase: 'Pending' } };
      await assert.rejects(setUpVolumes(p, dir, sources({ pvcs: [unbound], pvs: [pv] }), ctx, new Map()), /persistentvolumeclaim "data" is not bound/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
