/**
 * Pod volumes as Docker mounts. Each volume resolves to a source:
 * - emptyDir → a directory under the pod's directory (as upstream's /var/lib/kubelet/pods/<uid>/volumes),
 *   `medium: Memory` → a tmpfs mount (per container: Docker has no shared tmpfs without volume options);
 * - hostPath → a bind mount after upstream's type checks;
 * - configMap, secret, downwardAPI, projected → files written atomically (atomic-writer.ts) into the pod's
 *   directory and bind-mounted read-only; rewritten on every sync, so changes to the source show up;
 * - persistentVolumeClaim → the bound PersistentVolume: `spec.csi.volumeHandle` names a Docker volume,
 *   `spec.hostPath`/`spec.local` a host directory.
 * subPath/subPathExpr select a directory inside bind sources (created when missing).
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  ConfigMap, Container, DownwardAPIVolumeFile, KeyToPath, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Volume,
} from 'kubernetes-types/core/v1';
import type { Mount } from '../runtime/types.ts';
import { bytes } from '../scheduler/quantity.ts';
import { checkRelativePath, writeAtomically, type FileToWrite } from './atomic-writer.ts';
import { ContainerConfigError, expand, fieldRefValue, resourceFieldValue, type EnvContext } from './env.ts';

export class VolumeError extends Error {
  readonly reason = 'FailedMount';
}

export type VolumeSource =
  | { kind: 'bind'; path: string; readOnly: boolean }
  | { kind: 'volume'; name: string; readOnly: boolean }
  | { kind: 'tmpfs'; sizeBytes?: number };

export interface VolumeSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  pvc(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined>;
  pv(name: string): Promise<PersistentVolume | undefined>;
  /** A service account token for a projected volume; undefined when the API cannot issue one. */
  token?(namespace: string, serviceAccount: string, audience: string | undefined, expirationSeconds: number): Promise<string | undefined>;
}

function keyFiles(data: Record<string, Buffer>, items: readonly KeyToPath[] | undefined, defaultMode: number, what: string, optional: boolean): FileToWrite[] {
  if (!items?.length) return Object.entries(data).map(([k, v]) => ({ path: k, content: v, mode: defaultMode }));
  const out: FileToWrite[] = [];
  for (const it of items) {
    const v = data[it.key];
    if (v === undefined) {
      if (optional) continue;
      throw new VolumeError(`configuration key "${it.key}" not found in ${what}`);
    }
    out.push({ path: it.path, content: v, mode: it.mode ?? defaultMode });
  }
  return out;
}

const cmData = (cm: ConfigMap): Record<string, Buffer> => ({
  ...Object.fromEntries(Object.entries(cm.data ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
  ...Object.fromEntries(Object.entries(cm.binaryData ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
});
const secretData = (s: Secret): Record<string, Buffer> => ({
  ...Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  ...Object.fromEntries(Object.entries(s.stringData ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
});

function downwardFiles(pod: Pod, items: readonly DownwardAPIVolumeFile[], defaultMode: number, ctx: EnvContext): FileToWrite[] {
  return items.map((it) => {
    let value: string;
    if (it.fieldRef) value = fieldRefValue(pod, it.fieldRef, ctx);
    else if (it.resourceFieldRef) {
      const c = pod.spec?.containers?.find((x) => x.name === it.resourceFieldRef!.containerName) ?? pod.spec!.containers[0]!;
      value = resourceFieldValue(pod, c, it.resourceFieldRef, ctx);
    } else value = '';
    return { path: it.path, content: Buffer.from(value), mode: it.mode ?? defaultMode };
  });
}

async function hostPathCheck(path: string, type: string | undefined): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  switch (type ?? '') {
    case '':
      return;
    case 'DirectoryOrCreate':
      if (!st) await mkdir(path, { recursive: true, mode: 0o755 });
      else if (!st.isDirectory()) throw new VolumeError(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'Directory':
      if (!st?.isDirectory()) throw new VolumeError(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'FileOrCreate':
      if (!st) await writeFile(path, '', { mode: 0o644, flag: 'a' });
      else if (!st.isFile()) throw new VolumeError(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'File':
      if (!st?.isFile()) throw new VolumeError(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'Socket':
      if (!st?.isSocket()) throw new VolumeError(`hostPath type check failed: ${path} is not a socket file`);
      return;
    case 'CharDevice':
      if (!st?.isCharacterDevice()) throw new VolumeError(`hostPath type check failed: ${path} is not a character device`);
      return;
    case 'BlockDevice':
      if (!st?.isBlockDevice()) throw new VolumeError(`hostPath type check failed: ${path} is not a block device`);
      return;
    default:
      throw new VolumeError(`hostPath type ${type} is not supported`);
  }
}

/**
 * Sets every volume of the pod up (idempotent; call on every sync to refresh configMap/secret files).
 * `written` remembers file sets so unchanged volumes are not rewritten.
 */
export async function setUpVolumes(pod: Pod, podDir: string, sources: VolumeSources, ctx: EnvContext, written: Map<string, string>): Promise<Map<string, VolumeSource>> {
  const ns = pod.metadata?.namespace ?? 'default';
  const out = new Map<string, VolumeSource>();
  for (const v of pod.spec?.volumes ?? []) out.set(v.name, await setUpVolume(pod, ns, v, podDir, sources, ctx, written));
  return out;
}

async function setUpVolume(pod: Pod, ns: string, v: Volume, podDir: string, sources: VolumeSources, ctx: EnvContext, written: Map<string, string>): Promise<VolumeSource> {
  const dir = join(podDir, 'volumes', v.name);
  const fail = (msg: string): never => {
    throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : ${msg}`);
  };
  try {
    if (v.emptyDir) {
      if (v.emptyDir.medium === 'Memory') return { kind: 'tmpfs', sizeBytes: v.emptyDir.sizeLimit ? bytes(v.emptyDir.sizeLimit) : undefined };
      await mkdir(dir, { recursive: true, mode: 0o777 });
      return { kind: 'bind', path: dir, readOnly: false };
    }
    if (v.hostPath) {
      await hostPathCheck(v.hostPath.path, v.hostPath.type);
      return { kind: 'bind', path: v.hostPath.path, readOnly: false };
    }
    if (v.configMap) {
      const cm = await sources.configMap(ns, v.configMap.name ?? '');
      if (!cm && !v.configMap.optional) fail(`configmap "${v.configMap.name}" not found`);
      await writeAtomically(dir, cm ? keyFiles(cmData(cm), v.configMap.items, v.configMap.defaultMode ?? 0o644, `ConfigMap ${ns}/${v.configMap.name}`, v.configMap.optional ?? false) : [], written);
      return { kind: 'bind', path: dir, readOnly: true };
    }
    if (v.secret) {
      const s = await sources.secret(ns, v.secret.secretName ?? '');
      if (!s && !v.secret.optional) fail(`secret "${v.secret.secretName}" not found`);
      await writeAtomically(dir, s ? keyFiles(secretData(s), v.secret.items, v.secret.defaultMode ?? 0o644, `Secret ${ns}/${v.secret.secretName}`, v.secret.optional ?? false) : [], written);
      return { kind: 'bind', path: dir, readOnly: true };
    }
    if (v.downwardAPI) {
      await writeAtomically(dir, downwardFiles(pod, v.downwardAPI.items ?? [], v.downwardAPI.defaultMode ?? 0o644, ctx), written);
      return { kind: 'bind', path: dir, readOnly: true };
    }
    if (v.projected) {
      const mode = v.projected.defaultMode ?? 0o644;
      const files: FileToWrite[] = [];
      for (const src of v.projected.sources ?? []) {
        if (src.configMap) {
          const cm = await sources.configMap(ns, src.configMap.name ?? '');
          if (!cm) {
            if (!src.configMap.optional) fail(`configmap "${src.configMap.name}" not found`);
            continue;
          }
          files.push(...keyFiles(cmData(cm), src.configMap.items, mode, `ConfigMap ${ns}/${src.configMap.name}`, src.configMap.optional ?? false));
        } else if (src.secret) {
          const s = await sources.secret(ns, src.secret.name ?? '');
          if (!s) {
            if (!src.secret.optional) fail(`secret "${src.secret.name}" not found`);
            continue;
          }
          files.push(...keyFiles(secretData(s), src.secret.items, mode, `Secret ${ns}/${src.secret.name}`, src.secret.optional ?? false));
        } else if (src.downwardAPI) {
          files.push(...downwardFiles(pod, src.downwardAPI.items ?? [], mode, ctx));
        } else if (src.serviceAccountToken) {
          const t = src.serviceAccountToken;
          const token = await sources.token?.(ns, pod.spec?.serviceAccountName ?? 'default', t.audience, t.expirationSeconds ?? 3607);
          if (token !== undefined) files.push({ path: t.path, content: Buffer.from(token), mode: 0o600 | (mode & 0o044) });
        }
      }
      await writeAtomically(dir, files, written);
      return { kind: 'bind', path: dir, readOnly: true };
    }
    if (v.persistentVolumeClaim) {
      const claim = v.persistentVolumeClaim.claimName;
      const pvc = await sources.pvc(ns, claim);
      if (!pvc) fail(`persistentvolumeclaim "${claim}" not found`);
      if (pvc!.metadata?.deletionTimestamp) fail(`persistentvolumeclaim "${claim}" is being deleted`);
      if (!pvc!.spec?.volumeName || pvc!.status?.phase !== 'Bound') fail(`persistentvolumeclaim "${claim}" is not bound`);
      const pv = await sources.pv(pvc!.spec!.volumeName!);
      if (!pv) fail(`persistentvolume "${pvc!.spec!.volumeName}" not found`);
      const readOnly = v.persistentVolumeClaim.readOnly ?? false;
      if (pv!.spec?.csi?.volumeHandle) return { kind: 'volume', name: pv!.spec.csi.volumeHandle, readOnly };
      const path = pv!.spec?.hostPath?.path ?? pv!.spec?.local?.path;
      if (path) {
        if (pv!.spec?.hostPath) await hostPathCheck(path, pv!.spec.hostPath.type || 'DirectoryOrCreate');
        return { kind: 'bind', path, readOnly };
      }
      fail(`persistentvolume "${pv!.metadata?.name}" has no volume source this node can mount (csi volumeHandle, hostPath or local)`);
    }
    return fail('volume type not supported on this node');
  } catch (err) {
    if (err instanceof VolumeError && err.message.startsWith('MountVolume.')) throw err;
    throw new VolumeError(`MountVolume.SetUp failed for volume "${v.name}" : ${(err as Error).message}`);
  }
}

/** The Docker mounts of one container (volumeMounts with subPath/subPathExpr/readOnly). */
export async function containerMounts(container: Container, volumes: Map<string, VolumeSource>, env: Map<string, string>): Promise<Mount[]> {
  const out: Mount[] = [];
  for (const vm of container.volumeMounts ?? []) {
    const src = volumes.get(vm.name);
    if (!src) throw new ContainerConfigError(`cannot find volume "${vm.name}" to mount into container "${container.name}"`);
    const sub = vm.subPathExpr ? expand(vm.subPathExpr, (n) => env.get(n)) : vm.subPath;
    const readOnly = Boolean(vm.readOnly);
    if (src.kind === 'tmpfs') {
      if (sub) throw new ContainerConfigError(`subPath is not supported for emptyDir volume "${vm.name}" with medium Memory on this node`);
      out.push({ type: 'tmpfs', target: vm.mountPath, ...(src.sizeBytes ? { sizeBytes: src.sizeBytes } : {}) });
    } else if (src.kind === 'volume') {
      if (sub) throw new ContainerConfigError(`subPath on a Docker-volume PersistentVolume ("${vm.name}") needs Docker API 1.45; use a volume without subPath`);
      out.push({ type: 'volume', source: src.name, target: vm.mountPath, readOnly: readOnly || src.readOnly });
    } else {
      let path = src.path;
      if (sub) {
        try {
          checkRelativePath(sub);
        } catch {
          throw new ContainerConfigError(`failed to prepare subPath for volumeMount "${vm.name}" of container "${container.name}": ${sub} must be a relative path without '..'`);
        }
        path = join(src.path, sub);
        if (!src.readOnly) await mkdir(path, { recursive: true }).catch(() => undefined);
      }
      out.push({ type: 'bind', source: path, target: vm.mountPath, readOnly: readOnly || src.readOnly });
    }
  }
  return out;
}
