/**
 * Config & storage view: ConfigMaps, Secrets, PVCs, PVs, StorageClasses.
 * Secrets: only key names and sizes ever appear in rows and tooltips; values are shown only by the
 * explicit "Reveal Secret Value" command.
 */
import type { ConfigMap, Secret, PersistentVolumeClaim, PersistentVolume } from 'kubernetes-types/core/v1';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import type { ViewInput } from './viewInput.ts';
import type { KObject } from './objects.ts';
import { refOf } from './objects.ts';
import { contextValue, healthIcon, md, type TreeNodeModel } from './tree.ts';
import { byName } from './relations.ts';
import { namespacesOf } from './workloadsView.ts';

const nsKinds = ['ConfigMap', 'Secret', 'PersistentVolumeClaim'];

export function configRoots(input: ViewInput): TreeNodeModel[] {
  const rows: TreeNodeModel[] = [];
  const nss = input.namespace !== undefined ? [input.namespace] : namespacesOf(input, nsKinds);
  for (const ns of nss) {
    const children = (): TreeNodeModel[] => nsChildren(input, ns);
    if (nsKinds.every((k) => input.store.list(k, ns).length === 0)) continue;
    rows.push({
      id: `${input.cluster}/cfg/ns:${ns}`, label: ns, icon: { id: 'symbol-namespace' }, contextValue: contextValue('Namespace'),
      cluster: input.cluster, collapsed: ns !== 'default', children,
    });
  }
  const pvs = input.store.list<PersistentVolume>('PersistentVolume');
  if (pvs.length) rows.push(folder(input, 'pv', 'PersistentVolumes', 'database', pvs.sort(byName).map((pv) => pvRow(input, pv))));
  const scs = input.store.list<StorageClass>('StorageClass');
  if (scs.length) rows.push(folder(input, 'sc', 'StorageClasses', 'archive', scs.sort(byName).map((sc) => scRow(input, sc))));
  return rows;
}

function folder(input: ViewInput, key: string, label: string, icon: string, items: TreeNodeModel[]): TreeNodeModel {
  return { id: `${input.cluster}/cfg/${key}`, label, description: String(items.length), icon: { id: icon }, contextValue: contextValue('Folder'), cluster: input.cluster, collapsed: true, children: () => items };
}

function nsChildren(input: ViewInput, ns: string): TreeNodeModel[] {
  const rows: TreeNodeModel[] = [];
  for (const cm of input.store.list<ConfigMap>('ConfigMap', ns).sort(byName)) rows.push(configMapRow(input, cm));
  for (const s of input.store.list<Secret>('Secret', ns).sort(byName)) rows.push(secretRow(input, s));
  for (const pvc of input.store.list<PersistentVolumeClaim>('PersistentVolumeClaim', ns).sort(byName)) rows.push(pvcRow(input, pvc));
  return rows;
}

function keysOf(obj: KObject, ...fields: string[]): string[] {
  const keys: string[] = [];
  for (const f of fields) keys.push(...Object.keys(((obj as Record<string, unknown>)[f] as Record<string, unknown> | undefined) ?? {}));
  return keys.sort();
}

function configMapRow(input: ViewInput, cm: ConfigMap): TreeNodeModel {
  const name = cm.metadata?.name ?? '';
  const id = `${input.cluster}/cfg/cm:${cm.metadata?.namespace}/${name}`;
  const keys = keysOf(cm as KObject, 'data', 'binaryData');
  return {
    id, label: name, description: `ConfigMap · ${keys.length} keys`,
    tooltip: `**ConfigMap** ${md(cm.metadata?.namespace ?? '')}/${md(name)}\n\nKeys: ${md(keys.join(', ') || '—')}`,
    icon: { id: 'settings' }, contextValue: contextValue('ConfigMap'), ref: refOf(cm, 'ConfigMap', 'v1'), cluster: input.cluster,
    collapsed: true,
    children: () => keys.map((k) => ({ id: `${id}/key:${k}`, label: k, icon: { id: 'key' }, contextValue: contextValue('ConfigMapKey'), cluster: input.cluster, ref: refOf(cm, 'ConfigMap', 'v1'), key: k })),
  };
}

export function secretRow(input: ViewInput, s: Secret): TreeNodeModel {
  const name = s.metadata?.name ?? '';
  const id = `${input.cluster}/cfg/secret:${s.metadata?.namespace}/${name}`;
  const keys = keysOf(s as KObject, 'data', 'stringData');
  const ref = refOf(s, 'Secret', 'v1');
  return {
    id, label: name, description: `Secret · ${s.type ?? 'Opaque'} · ${keys.length} keys`,
    tooltip: `**Secret** ${md(s.metadata?.namespace ?? '')}/${md(name)}\n\nType: ${md(s.type ?? 'Opaque')}\n\nKeys: ${md(keys.join(', ') || '—')}\n\nValues are hidden; use "Reveal Secret Value" on a key.`,
    icon: { id: 'lock' }, contextValue: contextValue('Secret'), ref, cluster: input.cluster, collapsed: true,
    // Children carry the key name only; the value is fetched from the API when the user asks to reveal it.
    children: () => keys.map((k) => ({ id: `${id}/key:${k}`, label: k, description: '••••••', tooltip: 'Value hidden.', icon: { id: 'key' }, contextValue: contextValue('SecretKey'), ref, cluster: input.cluster, key: k })),
  };
}

function pvcRow(input: ViewInput, pvc: PersistentVolumeClaim): TreeNodeModel {
  const name = pvc.metadata?.name ?? '';
  const phase = pvc.status?.phase ?? 'Pending';
  const size = pvc.status?.capacity?.storage ?? pvc.spec?.resources?.requests?.storage ?? '';
  return {
    id: `${input.cluster}/cfg/pvc:${pvc.metadata?.namespace}/${name}`, label: name,
    description: `PVC · ${phase} · ${size}${pvc.spec?.storageClassName ? ` · ${pvc.spec.storageClassName}` : ''}`,
    tooltip: `**PersistentVolumeClaim** ${md(pvc.metadata?.namespace ?? '')}/${md(name)}\n\nPhase: ${md(phase)}\n\nVolume: ${md(pvc.spec?.volumeName ?? 'not bound yet')}\n\nAccess modes: ${md((pvc.spec?.accessModes ?? []).join(', '))}`,
    icon: healthIcon(phase === 'Bound' ? 'ok' : phase === 'Lost' ? 'error' : 'progressing'),
    contextValue: contextValue('PersistentVolumeClaim'), ref: refOf(pvc, 'PersistentVolumeClaim', 'v1'), cluster: input.cluster,
  };
}

function pvRow(input: ViewInput, pv: PersistentVolume): TreeNodeModel {
  const name = pv.metadata?.name ?? '';
  const phase = pv.status?.phase ?? '';
  const claim = pv.spec?.claimRef ? `${pv.spec.claimRef.namespace}/${pv.spec.claimRef.name}` : '';
  return {
    id: `${input.cluster}/cfg/pv:${name}`, label: name,
    description: [phase, pv.spec?.capacity?.storage, claim].filter(Boolean).join(' · '),
    tooltip: `**PersistentVolume** ${md(name)}\n\nPhase: ${md(phase)}\n\nReclaim policy: ${md(pv.spec?.persistentVolumeReclaimPolicy ?? '')}`,
    icon: healthIcon(phase === 'Bound' || phase === 'Available' ? 'ok' : phase === 'Failed' ? 'error' : 'progressing'),
    contextValue: contextValue('PersistentVolume'), ref: refOf(pv, 'PersistentVolume', 'v1'), cluster: input.cluster,
  };
}

function scRow(input: ViewInput, sc: StorageClass): TreeNodeModel {
  const name = sc.metadata?.name ?? '';
  const isDefault = sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'] === 'true';
  return {
    id: `${input.cluster}/cfg/sc:${name}`, label: name,
    description: [sc.provisioner, isDefault && 'default', sc.volumeBindingMode].filter(Boolean).join(' · '),
    icon: { id: 'archive' }, contextValue: contextValue('StorageClass'), ref: refOf(sc, 'StorageClass', 'storage.k8s.io/v1'), cluster: input.cluster,
  };
}
