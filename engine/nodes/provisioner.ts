/**
 * Storage for the virtual nodes: a default StorageClass (`standard`) whose provisioner creates Docker
 * volumes, and the PersistentVolume controller's binding (pkg/controller/volume/persistentvolume):
 * - a claim with no class gets the default class (upstream's retroactive default StorageClass assignment);
 * - a Pending claim binds to an Available PV that fits (class, capacity, access modes), smallest first;
 *   otherwise, when its class is ours, a Docker volume and a PV `pvc-<claim uid>` are provisioned
 *   (spec.csi.volumeHandle names the Docker volume; the kubelet mounts it);
 * - when a bound claim is deleted, its PV is Released; with reclaimPolicy Delete a provisioned PV and its
 *   Docker volume are deleted (retried while a container still uses the volume), with Retain they stay.
 * Level-based: every change of a claim or volume re-runs `reconcile()` over all of them.
 */
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import type { ApiClient, Writable } from '../api/client.ts';
import { isAlreadyExists, isConflict, isNotFound } from '../api/client.ts';
import { R } from '../api/resources.ts';
import { volumeName } from '../runtime/names.ts';
import { LABEL_PREFIX, RuntimeConflictError, RuntimeNotFoundError, type Runtime } from '../runtime/types.ts';
import { createRecorder } from '../scheduler/events.ts';
import { startInformer } from '../scheduler/informer.ts';
import { bytes } from '../scheduler/quantity.ts';

export const PROVISIONER = 'wheelhouse.io/docker-volume';
export const DEFAULT_CLASS = 'standard';
const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';

export interface ProvisionerOptions {
  clusterName: string;
  log?: (msg: string) => void;
  /** Delay before retrying a failed step (ms). */
  retryMs?: number;
}

const modesFit = (pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean =>
  (pvc.spec?.accessModes ?? []).every((m) => (pv.spec?.accessModes ?? []).includes(m));

export function startProvisioner(client: ApiClient, runtime: Runtime, opts: ProvisionerOptions): { ready: Promise<void>; stop(): Promise<void> } {
  const log = opts.log ?? (() => {});
  const recorder = createRecorder(client, { component: 'persistentvolume-controller' });
  let stopped = false;
  let running: Promise<void> | undefined;
  let again = false;
  let retry: NodeJS.Timeout | undefined;

  const classes = startInformer<StorageClass>(client, R.storageclasses, {}, () => kick());
  const claims = startInformer<PersistentVolumeClaim>(client, R.persistentvolumeclaims, {}, () => kick());
  const volumes = startInformer<PersistentVolume>(client, R.persistentvolumes, {}, () => kick());

  const defaultClass = (): StorageClass | undefined =>
    classes.list().filter((c) => c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true')
      .sort((a, b) => String(b.metadata?.creationTimestamp).localeCompare(String(a.metadata?.creationTimestamp)))[0];

  const bind = async (pv: PersistentVolume, pvc: PersistentVolumeClaim): Promise<void> => {
    const ns = pvc.metadata!.namespace!;
    const claimRef = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: ns, name: pvc.metadata!.name!, uid: pvc.metadata!.uid!, resourceVersion: pvc.metadata!.resourceVersion };
    let cur = pv;
    if (cur.spec?.claimRef?.uid !== pvc.metadata?.uid) {
      cur = await client.update<PersistentVolume>(R.persistentvolumes, {
        ...cur,
        metadata: { ...cur.metadata, annotations: { ...cur.metadata?.annotations, 'pv.kubernetes.io/bound-by-controller': 'yes' } },
        spec: { ...cur.spec, claimRef },
      });
    }
    if (cur.status?.phase !== 'Bound') await client.updateStatus(R.persistentvolumes, { ...cur, status: { phase: 'Bound' } });
    const claim = await client.update<PersistentVolumeClaim>(R.persistentvolumeclaims, {
      ...pvc,
      metadata: { ...pvc.metadata, annotations: { ...pvc.metadata?.annotations, 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes' } },
      spec: { ...pvc.spec, volumeName: cur.metadata!.name },
    });
    await client.updateStatus(R.persistentvolumeclaims, {
      ...claim,
      status: { phase: 'Bound', accessModes: cur.spec?.accessModes, capacity: cur.spec?.capacity },
    });
  };

  const provision = async (pvc: PersistentVolumeClaim, sc: StorageClass): Promise<void> => {
    const uid = pvc.metadata!.uid!;
    const pvName = `pvc-${uid}`;
    const docker = volumeName(opts.clusterName, pvName);
    const size = pvc.spec?.resources?.requests?.storage ?? '1Gi';
    void recorder.event(pvc, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${PROVISIONER}' or manually by the system administrator.`);
    await runtime.createVolume(docker, {
      [`${LABEL_PREFIX}.cluster`]: opts.clusterName, [`${LABEL_PREFIX}.pv`]: pvName,
      [`${LABEL_PREFIX}.claim`]: `${pvc.metadata!.namespace}.${pvc.metadata!.name}`,
    });
    const pv: PersistentVolume = {
      apiVersion: 'v1', kind: 'PersistentVolume',
      metadata: { name: pvName, annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER } },
      spec: {
        capacity: { storage: size },
        accessModes: pvc.spec?.accessModes?.length ? pvc.spec.accessModes : ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
        storageClassName: sc.metadata!.name,
        volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
        csi: { driver: PROVISIONER, volumeHandle: docker },
        claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata!.namespace, name: pvc.metadata!.name, uid },
      },
    };
    let created: PersistentVolume;
    try {
      created = await client.create<PersistentVolume>(R.persistentvolumes, pv);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      created = await client.get<PersistentVolume>(R.persistentvolumes, pvName);
    }
    void recorder.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
    await bind(created, pvc);
  };

  const reclaim = async (pv: PersistentVolume): Promise<void> => {
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Delete' && pv.spec?.csi?.driver === PROVISIONER) {
      try {
        await runtime.removeVolume(pv.spec.csi.volumeHandle);
      } catch (err) {
        if (err instanceof RuntimeConflictError) throw new Error(`volume ${pv.spec.csi.volumeHandle} is still in use; retrying`);
        if (!(err instanceof RuntimeNotFoundError)) throw err;
      }
      await client.delete(R.persistentvolumes, pv.metadata!.name!).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
      return;
    }
    if (pv.status?.phase !== 'Released') await client.updateStatus(R.persistentvolumes, { ...pv, status: { phase: 'Released' } });
  };

  const reconcileOnce = async (): Promise<void> => {
    const def = defaultClass();
    const pvs = volumes.list();
    const byUid = new Map(claims.list().map((c) => [c.metadata!.uid!, c]));
    // Volumes whose claim is gone.
    for (const pv of pvs) {
      const ref = pv.spec?.claimRef;
      if (!ref?.uid || byUid.has(ref.uid) || pv.metadata?.deletionTimestamp) continue;
      await reclaim(pv);
    }
    // Volumes without a claim are Available.
    for (const pv of pvs) {
      if (!pv.spec?.claimRef && !pv.status?.phase) await client.updateStatus(R.persistentvolumes, { ...pv, status: { phase: 'Available' } });
    }
    for (const pvc of byUid.values()) {
      if (pvc.metadata?.deletionTimestamp) continue;
      if (pvc.spec?.volumeName) {
        const pv = pvs.find((v) => v.metadata?.name === pvc.spec!.volumeName);
        if (pv && pvc.status?.phase !== 'Bound') await bind(pv, pvc);
        continue;
      }
      const className = pvc.spec?.storageClassName;
      if (className === undefined || className === null) {
        if (!def) continue;
        // Retroactive default StorageClass assignment (upstream since 1.28).
        await client.update(R.persistentvolumeclaims, { ...pvc, spec: { ...pvc.spec, storageClassName: def.metadata!.name } });
        continue;
      }
      const want = bytes(pvc.spec?.resources?.requests?.storage ?? '0');
      const fits = pvs
        .filter((v) => (v.status?.phase === 'Available' || (!v.spec?.claimRef && !v.status?.phase)) && !v.spec?.claimRef)
        .filter((v) => (v.spec?.storageClassName ?? '') === className && modesFit(v, pvc) && bytes(v.spec?.capacity?.storage ?? '0') >= want)
        .sort((a, b) => bytes(a.spec?.capacity?.storage ?? '0') - bytes(b.spec?.capacity?.storage ?? '0'));
      const prebound = pvs.find((v) => v.spec?.claimRef?.uid === pvc.metadata?.uid);
      if (prebound) {
        await bind(prebound, pvc);
        continue;
      }
      if (fits[0]) {
        await bind(fits[0], pvc);
        continue;
      }
      const sc = classes.list().find((c) => c.metadata?.name === className);
      if (sc?.provisioner === PROVISIONER) await provision(pvc, sc);
      else if (className) void recorder.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
    }
  };

  // Nothing acts before every cache has synced (the first list is still being delivered before that).
  let synced = false;
  const kick = (): void => {
    if (stopped || !synced) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await reconcileOnce();
        } catch (err) {
          if (!isConflict(err)) log(`provisioner: ${(err as Error).message}`);
          if (retry) clearTimeout(retry);
          retry = setTimeout(kick, opts.retryMs ?? 2000);
          retry.unref();
        }
      } while (again && !stopped);
    })().finally(() => {
      running = undefined;
    });
  };

  const ready = (async () => {
    await Promise.all([classes.synced, claims.synced, volumes.synced]);
    synced = true;
    if (!classes.list().some((c) => c.metadata?.name === DEFAULT_CLASS)) {
      const sc: Writable<StorageClass> = {
        apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
        metadata: { name: DEFAULT_CLASS, annotations: { [DEFAULT_CLASS_ANNOTATION]: 'true' } },
        provisioner: PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate', allowVolumeExpansion: false,
      };
      await client.create(R.storageclasses, sc).catch((err: unknown) => {
        if (!isAlreadyExists(err)) throw err;
      });
    }
    kick();
  })();

  return {
    ready,
    stop: async () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      classes.stop();
      claims.stop();
      volumes.stop();
      await running;
    },
  };
}
