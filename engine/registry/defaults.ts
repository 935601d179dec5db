/**
 * Defaulting as upstream (pkg/apis/<group>/v1/defaults.go plus the admission plugins a fresh cluster runs:
 * ServiceAccount, DefaultTolerationSeconds). Functions mutate the object they are given (a private copy
 * owned by the registry) and only fill fields that are absent.
 */
type Obj = Record<string, unknown>;

function obj(parent: Obj, key: string): Obj {
  const v = parent[key];
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Obj;
  const fresh: Obj = {};
  parent[key] = fresh;
  return fresh;
}
function objIf(parent: Obj, key: string): Obj | undefined {
  const v = parent[key];
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined;
}
function arr(parent: Obj | undefined, key: string): Obj[] {
  const v = parent?.[key];
  return Array.isArray(v) ? (v.filter((x) => x && typeof x === 'object') as Obj[]) : [];
}
function def(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

/** imagePullPolicy: Always for `:latest` or an untagged image, IfNotPresent otherwise (digests too). */
export function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const tail = image.slice(lastSlash + 1);
  const colon = tail.indexOf(':');
  if (colon < 0) return 'Always';
  return tail.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(p: Obj | undefined): void {
  if (!p) return;
  def(p, 'timeoutSeconds', 1);
  def(p, 'periodSeconds', 10);
  def(p, 'successThreshold', 1);
  def(p, 'failureThreshold', 3);
  const http = objIf(p, 'httpGet');
  if (http) {
    def(http, 'scheme', 'HTTP');
    def(http, 'path', '/');
  }
}

function defaultContainer(c: Obj): void {
  def(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  def(c, 'terminationMessagePath', '/dev/termination-log');
  def(c, 'terminationMessagePolicy', 'File');
  const res = obj(c, 'resources');
  const limits = objIf(res, 'limits');
  if (limits) {
    const requests = obj(res, 'requests');
    for (const [k, v] of Object.entries(limits)) def(requests, k, v);
  }
  for (const p of arr(c, 'ports')) def(p, 'protocol', 'TCP');
  for (const e of arr(c, 'env')) {
    const fieldRef = objIf(objIf(e, 'valueFrom') ?? {}, 'fieldRef');
    if (fieldRef) def(fieldRef, 'apiVersion', 'v1');
  }
  defaultProbe(objIf(c, 'livenessProbe'));
  defaultProbe(objIf(c, 'readinessProbe'));
  defaultProbe(objIf(c, 'startupProbe'));
}

function defaultVolume(v: Obj): void {
  for (const k of ['configMap', 'secret', 'downwardAPI', 'projected']) {
    const src = objIf(v, k);
    if (src) def(src, 'defaultMode', 420);
  }
  const hostPath = objIf(v, 'hostPath');
  if (hostPath) def(hostPath, 'type', '');
  const emptyDir = v.emptyDir;
  if (emptyDir === null) v.emptyDir = {};
}

/** Defaults shared by Pods and pod templates. */
export function defaultPodSpec(spec: Obj): void {
  def(spec, 'restartPolicy', 'Always');
  def(spec, 'terminationGracePeriodSeconds', 30);
  def(spec, 'dnsPolicy', 'ClusterFirst');
  def(spec, 'securityContext', {});
  def(spec, 'schedulerName', 'default-scheduler');
  def(spec, 'enableServiceLinks', true);
  for (const c of [...arr(spec, 'containers'), ...arr(spec, 'initContainers')]) defaultContainer(c);
  for (const v of arr(spec, 'volumes')) defaultVolume(v);
}

function defaultTemplate(parent: Obj): void {
  const template = obj(parent, 'template');
  defaultPodSpec(obj(template, 'spec'));
}

/** QoS class as upstream (pkg/apis/core/helper/qos): Guaranteed, Burstable or BestEffort. */
export function qosClass(spec: Obj): string {
  const containers = [...arr(spec, 'containers'), ...arr(spec, 'initContainers')];
  let anySet = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const res = objIf(c, 'resources') ?? {};
    const req = objIf(res, 'requests') ?? {};
    const lim = objIf(res, 'limits') ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) anySet = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  if (!anySet) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

export function defaultPod(pod: Obj, creating: boolean): void {
  const spec = obj(pod, 'spec');
  defaultPodSpec(spec);
  if (!creating) return;
  // Admission as a fresh cluster runs it: ServiceAccount, DefaultTolerationSeconds, Priority.
  def(spec, 'serviceAccountName', typeof spec.serviceAccount === 'string' ? spec.serviceAccount : 'default');
  def(spec, 'serviceAccount', spec.serviceAccountName);
  def(spec, 'priority', 0);
  const tolerations = arr(spec, 'tolerations');
  for (const t of DEFAULT_TOLERATIONS) {
    if (!tolerations.some((x) => x.key === t.key && (x.effect === undefined || x.effect === t.effect))) tolerations.push({ ...t });
  }
  spec.tolerations = tolerations;
}

export function defaultDeployment(d: Obj): void {
  const spec = obj(d, 'spec');
  def(spec, 'replicas', 1);
  const strategy = obj(spec, 'strategy');
  def(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = obj(strategy, 'rollingUpdate');
    def(ru, 'maxUnavailable', '25%');
    def(ru, 'maxSurge', '25%');
  }
  def(spec, 'revisionHistoryLimit', 10);
  def(spec, 'progressDeadlineSeconds', 600);
  defaultTemplate(spec);
}

export function defaultReplicaSet(rs: Obj): void {
  const spec = obj(rs, 'spec');
  def(spec, 'replicas', 1);
  defaultTemplate(spec);
}

export function defaultStatefulSet(s: Obj): void {
  const spec = obj(s, 'spec');
  def(spec, 'replicas', 1);
  def(spec, 'podManagementPolicy', 'OrderedReady');
  const us = obj(spec, 'updateStrategy');
  def(us, 'type', 'RollingUpdate');
  if (us.type === 'RollingUpdate') def(obj(us, 'rollingUpdate'), 'partition', 0);
  def(spec, 'revisionHistoryLimit', 10);
  const retention = obj(spec, 'persistentVolumeClaimRetentionPolicy');
  def(retention, 'whenDeleted', 'Retain');
  def(retention, 'whenScaled', 'Retain');
  for (const pvc of arr(spec, 'volumeClaimTemplates')) {
    def(pvc, 'apiVersion', 'v1');
    def(pvc, 'kind', 'PersistentVolumeClaim');
    def(obj(pvc, 'spec'), 'volumeMode', 'Filesystem');
    def(obj(pvc, 'status'), 'phase', 'Pending');
  }
  defaultTemplate(spec);
}

export function defaultDaemonSet(ds: Obj): void {
  const spec = obj(ds, 'spec');
  const us = obj(spec, 'updateStrategy');
  def(us, 'type', 'RollingUpdate');
  if (us.type === 'RollingUpdate') {
    const ru = obj(us, 'rollingUpdate');
    def(ru, 'maxUnavailable', 1);
    def(ru, 'maxSurge', 0);
  }
  def(spec, 'revisionHistoryLimit', 10);
  defaultTemplate(spec);
}

export function defaultJobSpec(spec: Obj): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  def(spec, 'parallelism', 1);
  def(spec, 'backoffLimit', 6);
  def(spec, 'completionMode', 'NonIndexed');
  def(spec, 'suspend', false);
  def(spec, 'podReplacementPolicy', 'TerminatingOrFailed');
  defaultTemplate(spec);
}

export function defaultJob(job: Obj): void {
  defaultJobSpec(obj(job, 'spec'));
}

export function defaultCronJob(cj: Obj): void {
  const spec = obj(cj, 'spec');
  def(spec, 'concurrencyPolicy', 'Allow');
  def(spec, 'suspend', false);
  def(spec, 'successfulJobsHistoryLimit', 3);
  def(spec, 'failedJobsHistoryLimit', 1);
  const jt = obj(spec, 'jobTemplate');
  defaultJobSpec(obj(jt, 'spec'));
}

export function defaultService(svc: Obj): void {
  const spec = obj(svc, 'spec');
  def(spec, 'type', 'ClusterIP');
  def(spec, 'sessionAffinity', 'None');
  for (const p of arr(spec, 'ports')) {
    def(p, 'protocol', 'TCP');
    if (spec.type !== 'ExternalName') def(p, 'targetPort', p.port);
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') def(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer') def(spec, 'allocateLoadBalancerNodePorts', true);
  if (spec.type !== 'ExternalName') {
    def(spec, 'internalTrafficPolicy', 'Cluster');
    def(spec, 'ipFamilyPolicy', 'SingleStack');
    def(spec, 'ipFamilies', ['IPv4']);
  }
}

export function defaultNamespace(ns: Obj): void {
  const spec = obj(ns, 'spec');
  def(spec, 'finalizers', ['kubernetes']);
  const meta = obj(ns, 'metadata');
  const labels = obj(meta, 'labels');
  if (typeof meta.name === 'string') labels['kubernetes.io/metadata.name'] = meta.name;
}

export function defaultSecret(s: Obj): void {
  def(s, 'type', 'Opaque');
  const stringData = objIf(s, 'stringData');
  if (stringData) {
    const data = obj(s, 'data');
    for (const [k, v] of Object.entries(stringData)) if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
    delete s.stringData;
  }
}

export function defaultPvc(pvc: Obj): void {
  def(obj(pvc, 'spec'), 'volumeMode', 'Filesystem');
}

export function defaultPv(pv: Obj): void {
  const spec = obj(pv, 'spec');
  def(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  def(spec, 'volumeMode', 'Filesystem');
}

export function defaultHpa(hpa: Obj): void {
  const spec = obj(hpa, 'spec');
  def(spec, 'minReplicas', 1);
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
}

export function defaultNetworkPolicy(np: Obj): void {
  const spec = obj(np, 'spec');
  if (!Array.isArray(spec.policyTypes)) {
    spec.policyTypes = Array.isArray(spec.egress) ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  for (const rule of [...arr(spec, 'ingress'), ...arr(spec, 'egress')]) for (const p of arr(rule, 'ports')) def(p, 'protocol', 'TCP');
}

export function defaultEndpointPorts(o: Obj): void {
  for (const subset of arr(o, 'subsets')) for (const p of arr(subset, 'ports')) def(p, 'protocol', 'TCP');
  for (const p of arr(o, 'ports')) def(p, 'protocol', 'TCP');
}

/** Per-kind defaulting, keyed by `group/Kind`. */
export const DEFAULTERS: Record<string, (o: Obj, creating: boolean) => void> = {
  '/Pod': defaultPod,
  '/Service': defaultService,
  '/Namespace': defaultNamespace,
  '/Secret': defaultSecret,
  '/PersistentVolumeClaim': defaultPvc,
  '/PersistentVolume': defaultPv,
  '/Endpoints': defaultEndpointPorts,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/StatefulSet': defaultStatefulSet,
  'apps/DaemonSet': defaultDaemonSet,
  'batch/Job': defaultJob,
  'batch/CronJob': defaultCronJob,
  'autoscaling/HorizontalPodAutoscaler': defaultHpa,
  'networking.k8s.io/NetworkPolicy': defaultNetworkPolicy,
  'discovery.k8s.io/EndpointSlice': defaultEndpointPorts,
};
