/**
 * The workspace index: every Kubernetes object in the files the server knows (open documents and scanned
 * workspace files), by kind, namespace and name, and what each object refers to. Cross-resource checks,
 * definition/references and reference-name completion read it.
 */
import { isClusterScoped } from './kinds.ts';
import type { Path } from './ast.ts';
import type { DocSlot, FileModel, ParsedDoc } from './model.ts';
import type { ClusterObject } from './protocol.ts';
import type { JsonSchema } from '../schema/index.ts';

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

export interface ObjectEntry {
  readonly uri: string;
  readonly slot: DocSlot;
  readonly parsed: ParsedDoc;
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Namespace as the object would land: its own, `default` when unset, '' for cluster-scoped kinds. */
  readonly namespace: string;
}

export function effectiveNamespace(kind: string, ns: string | undefined): string {
  return isClusterScoped(kind) ? '' : ns || 'default';
}

/** A pod template inside an object, with where it sits. */
export interface PodTemplate {
  readonly path: Path;
  readonly labels: Record<string, string>;
  readonly spec: Obj;
}

export function podTemplateOf(kind: string, obj: Obj): PodTemplate | undefined {
  let path: Path;
  switch (kind) {
    case 'Pod': {
      const meta = isObj(obj.metadata) ? obj.metadata : {};
      return isObj(obj.spec) ? { path: [], labels: labelsOf(meta.labels), spec: obj.spec } : undefined;
    }
    case 'Deployment': case 'ReplicaSet': case 'StatefulSet': case 'DaemonSet': case 'Job': case 'ReplicationController':
      path = ['spec', 'template']; break;
    case 'CronJob': path = ['spec', 'jobTemplate', 'spec', 'template']; break;
    case 'PodTemplate': path = ['template']; break;
    default: return undefined;
  }
  let v: unknown = obj;
  for (const seg of path) v = isObj(v) ? v[seg as string] : undefined;
  if (!isObj(v)) return undefined;
  const meta = isObj(v.metadata) ? v.metadata : {};
  return isObj(v.spec) ? { path, labels: labelsOf(meta.labels), spec: v.spec } : undefined;
}

export function labelsOf(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObj(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = String(x);
  return out;
}

/** A metav1.LabelSelector (matchLabels + matchExpressions) or a plain map selector (Service). */
export function selectorMatches(selector: unknown, labels: Record<string, string>, plainMap = false): boolean {
  if (!isObj(selector)) return false;
  if (plainMap) return Object.entries(labelsOf(selector)).every(([k, v]) => labels[k] === v);
  for (const [k, v] of Object.entries(labelsOf(selector.matchLabels))) if (labels[k] !== v) return false;
  for (const e of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    if (!isObj(e) || typeof e.key !== 'string') return false;
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case 'In': if (!has || !values.includes(labels[e.key])) return false; break;
      case 'NotIn': if (has && values.includes(labels[e.key])) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** A reference from one object to another, with the path of the value naming it. */
export interface Reference {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly path: Path;
  readonly optional: boolean;
  /** A key inside a ConfigMap/Secret, and the path of the value naming it. */
  readonly key?: string;
  readonly keyPath?: Path;
  /** Ingress backends: the Service port, by number or name, and its path. */
  readonly port?: number | string;
  readonly portPath?: Path;
}

function podSpecRefs(spec: Obj, base: Path, ns: string, out: Reference[]): void {
  const push = (kind: string, name: unknown, path: Path, extra: Partial<Reference> = {}) => {
    const n = str(name);
    if (n) out.push({ kind, name: n, namespace: ns, path, optional: false, ...extra });
  };
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    const cs = Array.isArray(spec[list]) ? spec[list] as unknown[] : [];
    cs.forEach((c, ci) => {
      if (!isObj(c)) return;
      const cp: Path = [...base, list, ci];
      (Array.isArray(c.env) ? c.env : []).forEach((e, ei) => {
        if (!isObj(e) || !isObj(e.valueFrom)) return;
        for (const [field, kind] of [['configMapKeyRef', 'ConfigMap'], ['secretKeyRef', 'Secret']] as const) {
          const r = e.valueFrom[field];
          if (isObj(r)) {
            const p: Path = [...cp, 'env', ei, 'valueFrom', field];
            push(kind, r.name, [...p, 'name'], { optional: r.optional === true, key: str(r.key), keyPath: [...p, 'key'] });
          }
        }
      });
      (Array.isArray(c.envFrom) ? c.envFrom : []).forEach((e, ei) => {
        if (!isObj(e)) return;
        for (const [field, kind] of [['configMapRef', 'ConfigMap'], ['secretRef', 'Secret']] as const) {
          const r = e[field];
          if (isObj(r)) push(kind, r.name, [...cp, 'envFrom', ei, field, 'name'], { optional: r.optional === true });
        }
      });
    });
  }
  (Array.isArray(spec.volumes) ? spec.volumes : []).forEach((v, vi) => {
    if (!isObj(v)) return;
    const vp: Path = [...base, 'volumes', vi];
    const items = (src: Obj, p: Path, kind: string, name: unknown, nameField: string) => {
      push(kind, name, [...p, nameField], { optional: src.optional === true });
      (Array.isArray(src.items) ? src.items : []).forEach((it, ii) => {
        if (isObj(it) && str(it.key)) push(kind, name, [...p, nameField], { optional: src.optional === true, key: str(it.key), keyPath: [...p, 'items', ii, 'key'] });
      });
    };
    if (isObj(v.configMap)) items(v.configMap, [...vp, 'configMap'], 'ConfigMap', v.configMap.name, 'name');
    if (isObj(v.secret)) items(v.secret, [...vp, 'secret'], 'Secret', v.secret.secretName, 'secretName');
    if (isObj(v.persistentVolumeClaim)) push('PersistentVolumeClaim', v.persistentVolumeClaim.claimName, [...vp, 'persistentVolumeClaim', 'claimName']);
    if (isObj(v.projected) && Array.isArray(v.projected.sources)) {
      v.projected.sources.forEach((s, si) => {
        if (!isObj(s)) return;
        const sp: Path = [...vp, 'projected', 'sources', si];
        if (isObj(s.configMap)) items(s.configMap, [...sp, 'configMap'], 'ConfigMap', s.configMap.name, 'name');
        if (isObj(s.secret)) items(s.secret, [...sp, 'secret'], 'Secret', s.secret.name, 'name');
      });
    }
  });
  const sa = str(spec.serviceAccountName) ?? str(spec.serviceAccount);
  if (sa && sa !== 'default') push('ServiceAccount', sa, [...base, spec.serviceAccountName ? 'serviceAccountName' : 'serviceAccount']);
  (Array.isArray(spec.imagePullSecrets) ? spec.imagePullSecrets : []).forEach((s, i) => { if (isObj(s)) push('Secret', s.name, [...base, 'imagePullSecrets', i, 'name']); });
}

/** Everything `obj` refers to by name. */
export function referencesOf(kind: string, obj: Obj, ns: string): Reference[] {
  const out: Reference[] = [];
  const tpl = podTemplateOf(kind, obj);
  if (tpl) podSpecRefs(tpl.spec, [...tpl.path, 'spec'], ns, out);
  const spec = isObj(obj.spec) ? obj.spec : undefined;
  if (kind === 'Ingress' && spec) {
    const backend = (b: unknown, p: Path) => {
      if (!isObj(b) || !isObj(b.service) || !str(b.service.name)) return;
      const port = isObj(b.service.port) ? (typeof b.service.port.number === 'number' ? b.service.port.number : str(b.service.port.name)) : undefined;
      const portPath: Path = [...p, 'service', 'port', isObj(b.service.port) && typeof b.service.port.number === 'number' ? 'number' : 'name'];
      out.push({ kind: 'Service', name: b.service.name as string, namespace: ns, path: [...p, 'service', 'name'], optional: false, port, portPath });
    };
    backend(spec.defaultBackend, ['spec', 'defaultBackend']);
    (Array.isArray(spec.rules) ? spec.rules : []).forEach((r, ri) => {
      if (!isObj(r) || !isObj(r.http) || !Array.isArray(r.http.paths)) return;
      r.http.paths.forEach((p, pi) => { if (isObj(p)) backend(p.backend, ['spec', 'rules', ri, 'http', 'paths', pi, 'backend']); });
    });
    (Array.isArray(spec.tls) ? spec.tls : []).forEach((t, ti) => {
      if (isObj(t) && str(t.secretName)) out.push({ kind: 'Secret', name: t.secretName as string, namespace: ns, path: ['spec', 'tls', ti, 'secretName'], optional: false });
    });
  }
  if (kind === 'HorizontalPodAutoscaler' && spec && isObj(spec.scaleTargetRef) && str(spec.scaleTargetRef.kind) && str(spec.scaleTargetRef.name)) {
    out.push({ kind: spec.scaleTargetRef.kind as string, name: spec.scaleTargetRef.name as string, namespace: ns, path: ['spec', 'scaleTargetRef', 'name'], optional: false });
  }
  if (kind === 'StatefulSet' && spec && str(spec.serviceName)) {
    out.push({ kind: 'Service', name: spec.serviceName as string, namespace: ns, path: ['spec', 'serviceName'], optional: true });
  }
  if ((kind === 'RoleBinding' || kind === 'ClusterRoleBinding') && isObj(obj.roleRef) && str(obj.roleRef.kind) && str(obj.roleRef.name)) {
    const rk = obj.roleRef.kind as string;
    out.push({ kind: rk, name: obj.roleRef.name as string, namespace: rk === 'ClusterRole' ? '' : ns, path: ['roleRef', 'name'], optional: true });
  }
  return out;
}

export class WorkspaceIndex {
  private readonly files = new Map<string, FileModel>();
  private cluster = new Map<string, ClusterObject>();
  private clusterPods: ClusterObject[] = [];
  /** CRD schemas from the connected cluster, `group/version/Kind` → schema (with ObjectMeta added). */
  clusterSchemas = new Map<string, JsonSchema>();
  /** The connected cluster's name, when the client sent its objects. */
  clusterContext: string | undefined;

  /** Replaces what the connected cluster holds (empty: disconnected). */
  setCluster(context: string, objects: readonly ClusterObject[]): void {
    this.cluster = new Map();
    for (const o of objects) this.cluster.set(`${o.kind}/${effectiveNamespace(o.kind, o.namespace)}/${o.name}`, o);
    this.clusterPods = objects.filter((o) => o.kind === 'Pod' && o.labels);
    this.clusterContext = objects.length ? context : undefined;
    this.invalidate();
  }

  findInCluster(kind: string, namespace: string, name: string): ClusterObject | undefined {
    return this.cluster.get(`${kind}/${isClusterScoped(kind) ? '' : namespace}/${name}`);
  }

  /** Live pods in `namespace` whose labels match a plain selector. */
  clusterPodsMatching(namespace: string, selector: Record<string, string>): ClusterObject[] {
    return this.clusterPods.filter((p) => effectiveNamespace('Pod', p.namespace) === namespace && Object.entries(selector).every(([k, v]) => p.labels![k] === v));
  }
  private all: ObjectEntry[] | undefined;
  private byKey: Map<string, ObjectEntry[]> | undefined;
  /** Bumped whenever the set of objects may have changed. */
  generation = 0;

  set(model: FileModel): void {
    this.files.set(model.uri, model);
    this.invalidate();
  }

  delete(uri: string): void {
    if (this.files.delete(uri)) this.invalidate();
  }

  get(uri: string): FileModel | undefined {
    return this.files.get(uri);
  }

  uris(): string[] {
    return [...this.files.keys()];
  }

  private invalidate(): void {
    this.all = undefined;
    this.byKey = undefined;
    this.generation++;
  }

  objects(): readonly ObjectEntry[] {
    if (this.all) return this.all;
    const all: ObjectEntry[] = [];
    for (const m of this.files.values()) {
      if (m.helm || m.kustomization) continue;
      for (const slot of m.docs) {
        const p = slot.parsed;
        if (!p.isObject || !p.name) continue;
        all.push({ uri: m.uri, slot, parsed: p, apiVersion: p.apiVersion!, kind: p.kind!, name: p.name, namespace: effectiveNamespace(p.kind!, p.namespace) });
      }
    }
    this.all = all;
    return all;
  }

  find(kind: string, namespace: string, name: string): ObjectEntry[] {
    if (!this.byKey) {
      this.byKey = new Map();
      for (const o of this.objects()) {
        const k = `${o.kind}/${o.namespace}/${o.name}`;
        const arr = this.byKey.get(k) ?? [];
        arr.push(o);
        this.byKey.set(k, arr);
      }
    }
    return this.byKey.get(`${kind}/${isClusterScoped(kind) ? '' : namespace}/${name}`) ?? [];
  }

  ofKind(kind: string): ObjectEntry[] {
    return this.objects().filter((o) => o.kind === kind);
  }
}
