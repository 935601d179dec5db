/**
 * Protobuf message descriptors, as data, for the bodies kubectl ≥ 1.32 sends as
 * `application/vnd.kubernetes.protobuf` (typed-client generators: `create namespace|deployment|configmap|
 * secret|service|job|cronjob|quota|serviceaccount|role|rolebinding|priorityclass|pdb|ingress`, `create token`,
 * `auth can-i`). Field numbers and names are upstream's (k8s.io/api/<group>/<version>/generated.proto and
 * k8s.io/apimachinery meta/v1, runtime, util/intstr, api/resource). Only the messages reachable from those
 * kinds are listed; a field number not listed is refused by the decoder rather than dropped.
 *
 * Field kinds:
 *   'string' | 'bytes' (JSON: base64) | 'bool' | 'int32' | 'int64' | 'double'
 *   'time'     meta/v1 Time {seconds=1, nanos=2} → RFC 3339 string
 *   'microtime' meta/v1 MicroTime → RFC 3339 with microseconds
 *   'quantity' resource.Quantity {string=1} → its string
 *   'intstr'   intstr.IntOrString {type=1, intVal=2, strVal=3} → number or string
 *   'fieldsv1' meta/v1 FieldsV1 {Raw=1} → the JSON it holds
 *   { msg }    a nested message; { map } a map<string, V> (entries key=1, value=2)
 * `opt`: a Go pointer field, so a zero value on the wire is kept (gogo-protobuf writes non-pointer scalars
 * even when zero; those zero values are dropped, as Go's `omitempty` JSON would).
 * `repeated`: a list. `inline`: the message's fields are merged into the parent (Go `json:",inline"`).
 */

export type Scalar = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'double' | 'time' | 'microtime' | 'quantity' | 'intstr' | 'fieldsv1';
export type FieldType = Scalar | { msg: string } | { map: Scalar | { msg: string } };

export interface FieldDesc {
  name: string;
  type: FieldType;
  repeated?: true;
  opt?: true;
  inline?: true;
}

export type MessageDesc = Readonly<Record<number, FieldDesc>>;

const s = (name: string): FieldDesc => ({ name, type: 'string' });
const so = (name: string): FieldDesc => ({ name, type: 'string', opt: true });
const rs = (name: string): FieldDesc => ({ name, type: 'string', repeated: true });
const b = (name: string): FieldDesc => ({ name, type: 'bool' });
const bo = (name: string): FieldDesc => ({ name, type: 'bool', opt: true });
const i32 = (name: string): FieldDesc => ({ name, type: 'int32' });
const i32o = (name: string): FieldDesc => ({ name, type: 'int32', opt: true });
const i64 = (name: string): FieldDesc => ({ name, type: 'int64' });
const i64o = (name: string): FieldDesc => ({ name, type: 'int64', opt: true });
const t = (name: string): FieldDesc => ({ name, type: 'time' });
const m = (name: string, msg: string): FieldDesc => ({ name, type: { msg } });
const rm = (name: string, msg: string): FieldDesc => ({ name, type: { msg }, repeated: true });
const ms = (name: string): FieldDesc => ({ name, type: { map: 'string' } });
const mq = (name: string): FieldDesc => ({ name, type: { map: 'quantity' } });
const io = (name: string): FieldDesc => ({ name, type: 'intstr', opt: true });

/** Fully qualified message name → fields by number. */
export const MESSAGES: Readonly<Record<string, MessageDesc>> = {
  // k8s.io.apimachinery.pkg.runtime
  'runtime.Unknown': { 1: m('typeMeta', 'runtime.TypeMeta'), 2: { name: 'raw', type: 'bytes' }, 3: s('contentEncoding'), 4: s('contentType') },
  'runtime.TypeMeta': { 1: s('apiVersion'), 2: s('kind') },

  // k8s.io.apimachinery.pkg.apis.meta.v1
  'meta.v1.ObjectMeta': {
    1: s('name'), 2: s('generateName'), 3: s('namespace'), 4: s('selfLink'), 5: s('uid'), 6: s('resourceVersion'),
    7: i64('generation'), 8: t('creationTimestamp'), 9: t('deletionTimestamp'), 10: i64o('deletionGracePeriodSeconds'),
    11: ms('labels'), 12: ms('annotations'), 13: rm('ownerReferences', 'meta.v1.OwnerReference'), 14: rs('finalizers'),
    17: rm('managedFields', 'meta.v1.ManagedFieldsEntry'),
  },
  'meta.v1.OwnerReference': { 1: s('kind'), 3: s('name'), 4: s('uid'), 5: s('apiVersion'), 6: bo('controller'), 7: bo('blockOwnerDeletion') },
  'meta.v1.ManagedFieldsEntry': {
    1: s('manager'), 2: s('operation'), 3: s('apiVersion'), 4: t('time'), 6: s('fieldsType'),
    7: { name: 'fieldsV1', type: 'fieldsv1' }, 8: s('subresource'),
  },
  'meta.v1.LabelSelector': { 1: ms('matchLabels'), 2: rm('matchExpressions', 'meta.v1.LabelSelectorRequirement') },
  'meta.v1.LabelSelectorRequirement': { 1: s('key'), 2: s('operator'), 3: rs('values') },
  'meta.v1.Condition': {
    1: s('type'), 2: s('status'), 3: i64('observedGeneration'), 4: t('lastTransitionTime'), 5: s('reason'), 6: s('message'),
  },

  // k8s.io.api.core.v1
  'core.v1.Namespace': { 1: m('metadata', 'meta.v1.ObjectMeta'), 2: m('spec', 'core.v1.NamespaceSpec'), 3: m('status', 'core.v1.NamespaceStatus') },
  'core.v1.NamespaceSpec': { 1: rs('finalizers') },
  'core.v1.NamespaceStatus': { 1: s('phase'), 2: rm('conditions', 'core.v1.NamespaceCondition') },
  'core.v1.NamespaceCondition': { 1: s('type'), 2: s('status'), 4: t('lastTransitionTime'), 5: s('reason'), 6: s('message') },
  'core.v1.ConfigMap': {
    1: m('metadata', 'meta.v1.ObjectMeta'), 2: ms('data'), 3: { name: 'binaryData', type: { map: 'bytes' } }, 4: bo('immutable'),
  },
  'core.v1.Secret': {
    1: m('metadata', 'meta.v1.ObjectMeta'), 2: { name: 'data', type: { map: 'bytes' } }, 3: s('type'), 4: ms('stringData'), 5: bo('immutable'),
  },
  'core.v1.ServiceAccount': {
    1: m('metadata', 'meta.v1.ObjectMeta'), 2: rm('secrets', 'core.v1.ObjectReference'),
    3: rm('imagePullSecrets', 'core.v1.LocalObjectReference'), 4: bo('automountServiceAccountToken'),
  },
  'core.v1.ObjectReference': {
    1: s('kind'), 2: s('namespace'), 3: s('name'), 4: s('uid'), 5: s('apiVersion'), 6: s('resourceVersion'), 7: s('fieldPath'),
  },
  'core.v1.LocalObjectReference': { 1: s('name') },
  'core.v1.ResourceQuota': {
    1: m('metadata', 'meta.v1.ObjectMeta'), 2: m('spec', 'core.v1.ResourceQuotaSpec'), 3: m('status', 'core.v1.ResourceQuotaStatus'),
  },
  'core.v1.ResourceQuotaSpec': { 1: mq('hard'), 2: rs('scopes'), 3: m('scopeSelector', 'core.v1.ScopeSelector') },
  'core.v1.ScopeSelector': { 1: rm('matchExpressions', 'core.v1.ScopedResourceSelectorRequirement') },
  'core.v1.ScopedResourceSelectorRequirement': { 1: s('scopeName'), 2: s('operator'), 3: rs('values') },
  'core.v1.ResourceQuotaStatus': { 1: mq('hard'), 2: mq('used') },
  'core.v1.Service': { 1: m('metadata', 'meta.v1.ObjectMeta'), 2: m('spec', 'core.v1.ServiceSpec'), 3: m('status', 'core.v1.ServiceStatus') },
  'core.v1.ServiceSpec': {
    1: rm('ports', 'core.v1.ServicePort'), 2: ms('selector'), 3: s('clusterIP'), 4: s('type'), 5: rs('externalIPs'),
    7: s('sessionAffinity'), 8: s('loadBalancerIP'), 9: rs('loadBalancerSourceRanges'), 10: s('externalName'),
    11: s('externalTrafficPolicy'), 12: i32('healthCheckNodePort'), 13: b('publishNotReadyAddresses'),
    14: m('sessionAffinityConfig', 'core.v1.SessionAffinityConfig'), 17: so('ipFamilyPolicy'), 18: rs('clusterIPs'),
    19: rs('ipFamilies'), 20: bo('allocateLoadBalancerNodePorts'), 21: so('loadBalancerClass'), 22: so('internalTrafficPolicy'),
    23: so('trafficDistribution'),
  },
  'core.v1.SessionAffinityConfig': { 1: m('clientIP', 'core.v1.ClientIPConfig') },
  'core.v1.ClientIPConfig': { 1: i32o('timeoutSeconds') },
  'core.v1.ServicePort': {
    1: s('name'), 2: s('protocol'), 3: i32('port'), 4: io('targetPort'), 5: i32('nodePort'), 6: so('appProtocol'),
  },
  'core.v1.ServiceStatus': { 1: m('loadBalancer', 'core.v1.LoadBalancerStatus'), 2: rm('conditions', 'meta.v1.Condition') },
  'core.v1.LoadBalancerStatus': { 1: rm('ingress', 'core.v1.LoadBalancerIngress') },
  'core.v1.LoadBalancerIngress': { 1: s('ip'), 2: s('hostname'), 3: rm('ports', 'core.v1.PortStatus'), 4: so('ipMode') },
  'core.v1.PortStatus': { 1: i32('port'), 2: s('protocol'), 3: so('error') },
  'core.v1.PodTemplateSpec': { 1: m('metadata', 'meta.v1.ObjectMeta'), 2: m('spec', 'core.v1.PodSpec') },
  'core.v1.PodSpec': {
    1: rm('volumes', 'core.v1.Volume'), 2: rm('containers', 'core.v1.Container'), 3: s('restartPolicy'),
    4: i64o('terminationGracePeriodSeconds'), 5: i64o('activeDeadlineSeconds'), 6: s('dnsPolicy'), 7: ms('nodeSelector'),
    8: s('serviceAccountName'), 9: s('serviceAccount'), 10: s('nodeName'), 11: b('hostNetwork'), 12: b('hostPID'),
    13: b('hostIPC'), 14: m('securityContext', 'core.v1.PodSecurityContext'), 15: rm('imagePullSecrets', 'core.v1.LocalObjectReference'),
    16: s('hostname'), 17: s('subdomain'), 18: m('affinity', 'core.v1.Affinity'), 19: s('schedulerName'),
    20: rm('initContainers', 'core.v1.Container'), 21: bo('automountServiceAccountToken'), 22: rm('tolerations', 'core.v1.Toleration'),
    23: rm('hostAliases', 'core.v1.HostAlias'), 24: s('priorityClassName'), 25: i32o('priority'),
    26: m('dnsConfig', 'core.v1.PodDNSConfig'), 27: bo('shareProcessNamespace'), 28: rm('readinessGates', 'core.v1.PodReadinessGate'),
    29: so('runtimeClassName'), 30: bo('enableServiceLinks'), 31: so('preemptionPolicy'), 32: mq('overhead'),
    33: rm('topologySpreadConstraints', 'core.v1.TopologySpreadConstraint'), 35: bo('setHostnameAsFQDN'), 36: m('os', 'core.v1.PodOS'),
    37: bo('hostUsers'), 38: rm('schedulingGates', 'core.v1.PodSchedulingGate'),
  },
  'core.v1.HostAlias': { 1: s('ip'), 2: rs('hostnames') },
  'core.v1.PodDNSConfig': { 1: rs('nameservers'), 2: rs('searches'), 3: rm('options', 'core.v1.PodDNSConfigOption') },
  'core.v1.PodDNSConfigOption': { 1: s('name'), 2: so('value') },
  'core.v1.PodReadinessGate': { 1: s('conditionType') },
  'core.v1.PodOS': { 1: s('name') },
  'core.v1.PodSchedulingGate': { 1: s('name') },
  'core.v1.TopologySpreadConstraint': {
    1: i32('maxSkew'), 2: s('topologyKey'), 3: s('whenUnsatisfiable'), 4: m('labelSelector', 'meta.v1.LabelSelector'),
    5: i32o('minDomains'), 6: so('nodeAffinityPolicy'), 7: so('nodeTaintsPolicy'), 8: rs('matchLabelKeys'),
  },
  'core.v1.Affinity': {
    1: m('nodeAffinity', 'core.v1.NodeAffinity'), 2: m('podAffinity', 'core.v1.PodAffinity'), 3: m('podAntiAffinity', 'core.v1.PodAffinity'),
  },
  'core.v1.NodeAffinity': {
    1: m('requiredDuringSchedulingIgnoredDuringExecution', 'core.v1.NodeSelector'),
    2: rm('preferredDuringSchedulingIgnoredDuringExecution', 'core.v1.PreferredSchedulingTerm'),
  },
  'core.v1.NodeSelector': { 1: rm('nodeSelectorTerms', 'core.v1.NodeSelectorTerm') },
  'core.v1.NodeSelectorTerm': { 1: rm('matchExpressions', 'core.v1.NodeSelectorRequirement'), 2: rm('matchFields', 'core.v1.NodeSelectorRequirement') },
  'core.v1.NodeSelectorRequirement': { 1: s('key'), 2: s('operator'), 3: rs('values') },
  'core.v1.PreferredSchedulingTerm': { 1: i32('weight'), 2: m('preference', 'core.v1.NodeSelectorTerm') },
  /** PodAffinity and PodAntiAffinity have the same fields. */
  'core.v1.PodAffinity': {
    1: rm('requiredDuringSchedulingIgnoredDuringExecution', 'core.v1.PodAffinityTerm'),
    2: rm('preferredDuringSchedulingIgnoredDuringExecution', 'core.v1.WeightedPodAffinityTerm'),
  },
  'core.v1.PodAffinityTerm': {
    1: m('labelSelector', 'meta.v1.LabelSelector'), 2: rs('namespaces'), 3: s('topologyKey'), 4: m('namespaceSelector', 'meta.v1.LabelSelector'),
    5: rs('matchLabelKeys'), 6: rs('mismatchLabelKeys'),
  },
  'core.v1.WeightedPodAffinityTerm': { 1: i32('weight'), 2: m('podAffinityTerm', 'core.v1.PodAffinityTerm') },
  'core.v1.Toleration': { 1: s('key'), 2: s('operator'), 3: s('value'), 4: s('effect'), 5: i64o('tolerationSeconds') },
  'core.v1.PodSecurityContext': {
    2: i64o('runAsUser'), 3: bo('runAsNonRoot'), 4: { name: 'supplementalGroups', type: 'int64', repeated: true }, 5: i64o('fsGroup'),
    6: i64o('runAsGroup'), 7: rm('sysctls', 'core.v1.Sysctl'), 9: so('fsGroupChangePolicy'), 10: m('seccompProfile', 'core.v1.SeccompProfile'),
  },
  'core.v1.Sysctl': { 1: s('name'), 2: s('value') },
  'core.v1.SeccompProfile': { 1: s('type'), 2: so('localhostProfile') },
  'core.v1.SecurityContext': {
    1: m('capabilities', 'core.v1.Capabilities'), 2: bo('privileged'), 4: i64o('runAsUser'), 5: bo('runAsNonRoot'),
    6: bo('readOnlyRootFilesystem'), 7: bo('allowPrivilegeEscalation'), 8: i64o('runAsGroup'), 9: so('procMount'),
    11: m('seccompProfile', 'core.v1.SeccompProfile'),
  },
  'core.v1.Capabilities': { 1: rs('add'), 2: rs('drop') },
  'core.v1.Probe': {
    1: { name: 'handler', type: { msg: 'core.v1.ProbeHandler' }, inline: true }, 2: i32('initialDelaySeconds'), 3: i32('timeoutSeconds'),
    4: i32('periodSeconds'), 5: i32('successThreshold'), 6: i32('failureThreshold'), 7: i64o('terminationGracePeriodSeconds'),
  },
  'core.v1.ProbeHandler': {
    1: m('exec', 'core.v1.ExecAction'), 2: m('httpGet', 'core.v1.HTTPGetAction'), 3: m('tcpSocket', 'core.v1.TCPSocketAction'),
    4: m('grpc', 'core.v1.GRPCAction'),
  },
  'core.v1.ExecAction': { 1: rs('command') },
  'core.v1.HTTPGetAction': { 1: s('path'), 2: io('port'), 3: s('host'), 4: s('scheme'), 5: rm('httpHeaders', 'core.v1.HTTPHeader') },
  'core.v1.HTTPHeader': { 1: s('name'), 2: s('value') },
  'core.v1.TCPSocketAction': { 1: io('port'), 2: s('host') },
  'core.v1.GRPCAction': { 1: i32('port'), 2: so('service') },
  'core.v1.Lifecycle': { 1: m('postStart', 'core.v1.LifecycleHandler'), 2: m('preStop', 'core.v1.LifecycleHandler'), 3: so('stopSignal') },
  'core.v1.LifecycleHandler': {
    1: m('exec', 'core.v1.ExecAction'), 2: m('httpGet', 'core.v1.HTTPGetAction'), 3: m('tcpSocket', 'core.v1.TCPSocketAction'),
    4: m('sleep', 'core.v1.SleepAction'),
  },
  'core.v1.SleepAction': { 1: i64('seconds') },
  'core.v1.EnvFromSource': { 1: s('prefix'), 2: m('configMapRef', 'core.v1.ConfigMapEnvSource'), 3: m('secretRef', 'core.v1.SecretEnvSource') },
  'core.v1.ConfigMapEnvSource': { 1: { name: 'localObjectReference', type: { msg: 'core.v1.LocalObjectReference' }, inline: true }, 2: bo('optional') },
  'core.v1.SecretEnvSource': { 1: { name: 'localObjectReference', type: { msg: 'core.v1.LocalObjectReference' }, inline: true }, 2: bo('optional') },
  'core.v1.EnvVarSource': {
    1: m('fieldRef', 'core.v1.ObjectFieldSelector'), 2: m('resourceFieldRef', 'core.v1.ResourceFieldSelector'),
    3: m('configMapKeyRef', 'core.v1.ConfigMapKeySelector'), 4: m('secretKeyRef', 'core.v1.SecretKeySelector'),
  },
  'core.v1.ObjectFieldSelector': { 1: s('apiVersion'), 2: s('fieldPath') },
  'core.v1.ResourceFieldSelector': { 1: s('containerName'), 2: s('resource'), 3: { name: 'divisor', type: 'quantity', opt: true } },
  'core.v1.ConfigMapKeySelector': { 1: { name: 'localObjectReference', type: { msg: 'core.v1.LocalObjectReference' }, inline: true }, 2: s('key'), 3: bo('optional') },
  'core.v1.SecretKeySelector': { 1: { name: 'localObjectReference', type: { msg: 'core.v1.LocalObjectReference' }, inline: true }, 2: s('key'), 3: bo('optional') },
  'core.v1.KeyToPath': { 1: s('key'), 2: s('path'), 3: i32o('mode') },
  'core.v1.ProjectedVolumeSource': { 1: rm('sources', 'core.v1.VolumeProjection'), 2: i32o('defaultMode') },
  'core.v1.VolumeProjection': {
    1: m('secret', 'core.v1.SecretProjection'), 2: m('downwardAPI', 'core.v1.DownwardAPIProjection'), 3: m('configMap', 'core.v1.ConfigMapProjection'),
    4: m('serviceAccountToken', 'core.v1.ServiceAccountTokenProjection'),
  },
  'core.v1.SecretProjection': { 1: { name: 'localObjectReference', type: { msg: 'core.v1.LocalObjectReference' }, inline: true }, 2: rm('items', 'core.v1.KeyToPath'), 4: bo('optional') },
  'core.v1.ConfigMapProjection': { 1: { name: 'localObjectReference', type: { msg: 'core.v1.LocalObjectReference' }, inline: true }, 2: rm('items', 'core.v1.KeyToPath'), 4: bo('optional') },
  'core.v1.DownwardAPIProjection': { 1: rm('items', 'core.v1.DownwardAPIVolumeFile') },
  'core.v1.ServiceAccountTokenProjection': { 1: s('audience'), 2: i64o('expirationSeconds'), 3: s('path') },
  'core.v1.DownwardAPIVolumeSource': { 1: rm('items', 'core.v1.DownwardAPIVolumeFile'), 2: i32o('defaultMode') },
  'core.v1.DownwardAPIVolumeFile': {
    1: s('path'), 2: m('fieldRef', 'core.v1.ObjectFieldSelector'), 3: m('resourceFieldRef', 'core.v1.ResourceFieldSelector'), 4: i32o('mode'),
  },
  'core.v1.Volume': { 1: s('name'), 2: { name: 'volumeSource', type: { msg: 'core.v1.VolumeSource' }, inline: true } },
  'core.v1.VolumeSource': {
    1: m('hostPath', 'core.v1.HostPathVolumeSource'), 2: m('emptyDir', 'core.v1.EmptyDirVolumeSource'),
    6: m('secret', 'core.v1.SecretVolumeSource'), 10: m('persistentVolumeClaim', 'core.v1.PersistentVolumeClaimVolumeSource'),
    16: m('downwardAPI', 'core.v1.DownwardAPIVolumeSource'), 19: m('configMap', 'core.v1.ConfigMapVolumeSource'),
    26: m('projected', 'core.v1.ProjectedVolumeSource'),
  },
  'core.v1.HostPathVolumeSource': { 1: s('path'), 2: so('type') },
  'core.v1.EmptyDirVolumeSource': { 1: s('medium'), 2: { name: 'sizeLimit', type: 'quantity', opt: true } },
  'core.v1.SecretVolumeSource': { 1: s('secretName'), 2: rm('items', 'core.v1.KeyToPath'), 3: i32o('defaultMode'), 4: bo('optional') },
  'core.v1.ConfigMapVolumeSource': {
    1: { name: 'localObjectReference', type: { msg: 'core.v1.LocalObjectReference' }, inline: true }, 2: rm('items', 'core.v1.KeyToPath'),
    3: i32o('defaultMode'), 4: bo('optional'),
  },
  'core.v1.PersistentVolumeClaimVolumeSource': { 1: s('claimName'), 2: b('readOnly') },
  'core.v1.Container': {
    1: s('name'), 2: s('image'), 3: rs('command'), 4: rs('args'), 5: s('workingDir'), 6: rm('ports', 'core.v1.ContainerPort'),
    7: rm('env', 'core.v1.EnvVar'), 8: m('resources', 'core.v1.ResourceRequirements'), 9: rm('volumeMounts', 'core.v1.VolumeMount'),
    10: m('livenessProbe', 'core.v1.Probe'), 11: m('readinessProbe', 'core.v1.Probe'), 12: m('lifecycle', 'core.v1.Lifecycle'),
    13: s('terminationMessagePath'), 14: s('imagePullPolicy'), 15: m('securityContext', 'core.v1.SecurityContext'),
    16: b('stdin'), 17: b('stdinOnce'), 18: b('tty'), 19: rm('envFrom', 'core.v1.EnvFromSource'), 20: s('terminationMessagePolicy'),
    21: rm('volumeDevices', 'core.v1.VolumeDevice'), 22: m('startupProbe', 'core.v1.Probe'),
    23: rm('resizePolicy', 'core.v1.ContainerResizePolicy'), 24: so('restartPolicy'),
  },
  'core.v1.VolumeDevice': { 1: s('name'), 2: s('devicePath') },
  'core.v1.ContainerResizePolicy': { 1: s('resourceName'), 2: s('restartPolicy') },
  'core.v1.ContainerPort': { 1: s('name'), 2: i32('hostPort'), 3: i32('containerPort'), 4: s('protocol'), 5: s('hostIP') },
  'core.v1.EnvVar': { 1: s('name'), 2: s('value'), 3: m('valueFrom', 'core.v1.EnvVarSource') },
  'core.v1.ResourceRequirements': { 1: mq('limits'), 2: mq('requests') },
  'core.v1.VolumeMount': { 1: s('name'), 2: b('readOnly'), 3: s('mountPath'), 4: s('subPath'), 5: so('mountPropagation'), 6: s('subPathExpr') },

  // k8s.io.api.apps.v1
  'apps.v1.Deployment': {
    1: m('metadata', 'meta.v1.ObjectMeta'), 2: m('spec', 'apps.v1.DeploymentSpec'), 3: m('status', 'apps.v1.DeploymentStatus'),
  },
  'apps.v1.DeploymentSpec': {
    1: i32o('replicas'), 2: m('selector', 'meta.v1.LabelSelector'), 3: m('template', 'core.v1.PodTemplateSpec'),
    4: m('strategy', 'apps.v1.DeploymentStrategy'), 5: i32('minReadySeconds'), 6: i32o('revisionHistoryLimit'), 7: b('paused'),
    9: i32o('progressDeadlineSeconds'),
  },
  'apps.v1.DeploymentStrategy': { 1: s('type'), 2: m('rollingUpdate', 'apps.v1.RollingUpdateDeployment') },
  'apps.v1.RollingUpdateDeployment': { 1: io('maxUnavailable'), 2: io('maxSurge') },
  'apps.v1.DeploymentStatus': {
    1: i64('observedGeneration'), 2: i32('replicas'), 3: i32('updatedReplicas'), 4: i32('availableReplicas'),
    5: i32('unavailableReplicas'), 7: i32('readyReplicas'), 8: i32o('collisionCount'), 9: i32o('terminatingReplicas'),
  },

  // k8s.io.api.batch.v1
  'batch.v1.Job': { 1: m('metadata', 'meta.v1.ObjectMeta'), 2: m('spec', 'batch.v1.JobSpec'), 3: m('status', 'batch.v1.JobStatus') },
  'batch.v1.JobSpec': {
    1: i32o('parallelism'), 2: i32o('completions'), 3: i64o('activeDeadlineSeconds'), 4: m('selector', 'meta.v1.LabelSelector'),
    5: bo('manualSelector'), 6: m('template', 'core.v1.PodTemplateSpec'), 7: i32o('backoffLimit'), 8: i32o('ttlSecondsAfterFinished'),
    9: so('completionMode'), 10: bo('suspend'), 12: i32o('backoffLimitPerIndex'), 13: i32o('maxFailedIndexes'),
    14: so('podReplacementPolicy'), 15: so('managedBy'),
  },
  'batch.v1.JobStatus': {
    2: t('startTime'), 3: t('completionTime'), 4: i32('active'), 5: i32('succeeded'), 6: i32('failed'), 7: s('completedIndexes'),
    9: i32o('ready'), 11: i32o('terminating'),
  },
  'batch.v1.CronJob': { 1: m('metadata', 'meta.v1.ObjectMeta'), 2: m('spec', 'batch.v1.CronJobSpec'), 3: m('status', 'batch.v1.CronJobStatus') },
  'batch.v1.CronJobSpec': {
    1: s('schedule'), 2: i64o('startingDeadlineSeconds'), 3: s('concurrencyPolicy'), 4: bo('suspend'),
    5: m('jobTemplate', 'batch.v1.JobTemplateSpec'), 6: i32o('successfulJobsHistoryLimit'), 7: i32o('failedJobsHistoryLimit'),
    8: so('timeZone'),
  },
  'batch.v1.JobTemplateSpec': { 1: m('metadata', 'meta.v1.ObjectMeta'), 2: m('spec', 'batch.v1.JobSpec') },
  'batch.v1.CronJobStatus': { 1: rm('active', 'core.v1.ObjectReference'), 4: t('lastScheduleTime'), 5: t('lastSuccessfulTime') },

  // k8s.io.api.authorization.v1
  'authorization.v1.SelfSubjectAccessReview': {
    1: m('metadata', 'meta.v1.ObjectMeta'), 2: m('spec', 'authorization.v1.SelfSubjectAccessReviewSpec'),
    3: m('status', 'authorization.v1.SubjectAccessReviewStatus'),
  },
  'authorization.v1.SelfSubjectAccessReviewSpec': {
    1: m('resourceAttributes', 'authorization.v1.ResourceAttributes'), 2: m('nonResourceAttributes', 'authorization.v1.NonResourceAttributes'),
  },
  'authorization.v1.ResourceAttributes': {
    1: s('namespace'), 2: s('verb'), 3: s('group'), 4: s('version'), 5: s('resource'), 6: s('subresource'), 7: s('name'),
    8: m('fieldSelector', 'authorization.v1.FieldSelectorAttributes'), 9: m('labelSelector', 'authorization.v1.LabelSelectorAttributes'),
  },
  'authorization.v1.FieldSelectorAttributes': { 1: s('rawSelector'), 2: rm('requirements', 'meta.v1.FieldSelectorRequirement') },
  'authorization.v1.LabelSelectorAttributes': { 1: s('rawSelector'), 2: rm('requirements', 'meta.v1.LabelSelectorRequirement') },
  'meta.v1.FieldSelectorRequirement': { 1: s('key'), 2: s('operator'), 3: rs('values') },
  'authorization.v1.NonResourceAttributes': { 1: s('path'), 2: s('verb') },
  'authorization.v1.SubjectAccessReviewStatus': { 1: b('allowed'), 2: s('reason'), 3: s('evaluationError'), 4: b('denied') },

  // k8s.io.api.authentication.v1
  'authentication.v1.TokenRequest': {
    1: m('metadata', 'meta.v1.ObjectMeta'), 2: m('spec', 'authentication.v1.TokenRequestSpec'), 3: m('status', 'authentication.v1.TokenRequestStatus'),
  },
  'authentication.v1.TokenRequestSpec': {
    1: rs('audiences'), 3: m('boundObjectRef', 'authentication.v1.BoundObjectReference'), 4: i64o('expirationSeconds'),
  },
  'authentication.v1.BoundObjectReference': { 1: s('kind'), 2: s('apiVersion'), 3: s('name'), 4: s('uid') },
  'authentication.v1.TokenRequestStatus': { 1: s('token'), 2: t('expirationTimestamp') },

  // k8s.io.api.rbac.v1
  'rbac.v1.Role': { 1: m('metadata', 'meta.v1.ObjectMeta'), 2: rm('rules', 'rbac.v1.PolicyRule') },
  'rbac.v1.ClusterRole': {
    1: m('metadata', 'meta.v1.ObjectMeta'), 2: rm('rules', 'rbac.v1.PolicyRule'), 3: m('aggregationRule', 'rbac.v1.AggregationRule'),
  },
  'rbac.v1.AggregationRule': { 1: rm('clusterRoleSelectors', 'meta.v1.LabelSelector') },
  'rbac.v1.PolicyRule': { 1: rs('verbs'), 2: rs('apiGroups'), 3: rs('resources'), 4: rs('resourceNames'), 5: rs('nonResourceURLs') },
  'rbac.v1.RoleBinding': { 1: m('metadata', 'meta.v1.ObjectMeta'), 2: rm('subjects', 'rbac.v1.Subject'), 3: m('roleRef', 'rbac.v1.RoleRef') },
  'rbac.v1.ClusterRoleBinding': { 1: m('metadata', 'meta.v1.ObjectMeta'), 2: rm('subjects', 'rbac.v1.Subject'), 3: m('roleRef', 'rbac.v1.RoleRef') },
  'rbac.v1.Subject': { 1: s('kind'), 2: s('apiGroup'), 3: s('name'), 4: s('namespace') },
  'rbac.v1.RoleRef': { 1: s('apiGroup'), 2: s('kind'), 3: s('name') },

  // k8s.io.api.scheduling.v1
  'scheduling.v1.PriorityClass': {
    1: m('metadata', 'meta.v1.ObjectMeta'), 2: i32('value'), 3: b('globalDefault'), 4: s('description'), 5: so('preemptionPolicy'),
  },

  // k8s.io.api.policy.v1
  'policy.v1.PodDisruptionBudget': {
    1: m('metadata', 'meta.v1.ObjectMeta'), 2: m('spec', 'policy.v1.PodDisruptionBudgetSpec'), 3: m('status', 'policy.v1.PodDisruptionBudgetStatus'),
  },
  'policy.v1.PodDisruptionBudgetSpec': {
    1: io('minAvailable'), 2: m('selector', 'meta.v1.LabelSelector'), 3: io('maxUnavailable'), 4: so('unhealthyPodEvictionPolicy'),
  },
  'policy.v1.PodDisruptionBudgetStatus': {
    1: i64('observedGeneration'), 3: i32('disruptionsAllowed'), 4: i32('currentHealthy'), 5: i32('desiredHealthy'),
    6: i32('expectedPods'), 7: rm('conditions', 'meta.v1.Condition'),
  },

  // k8s.io.api.networking.v1
  'networking.v1.Ingress': {
    1: m('metadata', 'meta.v1.ObjectMeta'), 2: m('spec', 'networking.v1.IngressSpec'), 3: m('status', 'networking.v1.IngressStatus'),
  },
  'networking.v1.IngressSpec': {
    1: m('defaultBackend', 'networking.v1.IngressBackend'), 2: rm('tls', 'networking.v1.IngressTLS'),
    3: rm('rules', 'networking.v1.IngressRule'), 4: so('ingressClassName'),
  },
  'networking.v1.IngressBackend': { 3: m('resource', 'core.v1.TypedLocalObjectReference'), 4: m('service', 'networking.v1.IngressServiceBackend') },
  'core.v1.TypedLocalObjectReference': { 1: so('apiGroup'), 2: s('kind'), 3: s('name') },
  'networking.v1.IngressServiceBackend': { 1: s('name'), 2: m('port', 'networking.v1.ServiceBackendPort') },
  'networking.v1.ServiceBackendPort': { 1: s('name'), 2: i32('number') },
  'networking.v1.IngressTLS': { 1: rs('hosts'), 2: s('secretName') },
  'networking.v1.IngressRule': { 1: s('host'), 2: { name: 'ingressRuleValue', type: { msg: 'networking.v1.IngressRuleValue' }, inline: true } },
  'networking.v1.IngressRuleValue': { 1: m('http', 'networking.v1.HTTPIngressRuleValue') },
  'networking.v1.HTTPIngressRuleValue': { 1: rm('paths', 'networking.v1.HTTPIngressPath') },
  'networking.v1.HTTPIngressPath': { 1: s('path'), 2: m('backend', 'networking.v1.IngressBackend'), 3: so('pathType') },
  'networking.v1.IngressStatus': { 1: m('loadBalancer', 'networking.v1.IngressLoadBalancerStatus') },
  'networking.v1.IngressLoadBalancerStatus': { 1: rm('ingress', 'networking.v1.IngressLoadBalancerIngress') },
  'networking.v1.IngressLoadBalancerIngress': { 1: s('ip'), 2: s('hostname'), 4: rm('ports', 'networking.v1.IngressPortStatus') },
  'networking.v1.IngressPortStatus': { 1: i32('port'), 2: s('protocol'), 3: so('error') },
};

/** `apiVersion/Kind` of a top-level object → its message. */
export const KINDS: Readonly<Record<string, string>> = {
  'v1/Namespace': 'core.v1.Namespace',
  'v1/ConfigMap': 'core.v1.ConfigMap',
  'v1/Secret': 'core.v1.Secret',
  'v1/Service': 'core.v1.Service',
  'v1/ServiceAccount': 'core.v1.ServiceAccount',
  'v1/ResourceQuota': 'core.v1.ResourceQuota',
  'apps/v1/Deployment': 'apps.v1.Deployment',
  'batch/v1/Job': 'batch.v1.Job',
  'batch/v1/CronJob': 'batch.v1.CronJob',
  'authorization.k8s.io/v1/SelfSubjectAccessReview': 'authorization.v1.SelfSubjectAccessReview',
  'authentication.k8s.io/v1/TokenRequest': 'authentication.v1.TokenRequest',
  'rbac.authorization.k8s.io/v1/Role': 'rbac.v1.Role',
  'rbac.authorization.k8s.io/v1/ClusterRole': 'rbac.v1.ClusterRole',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'rbac.v1.RoleBinding',
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': 'rbac.v1.ClusterRoleBinding',
  'scheduling.k8s.io/v1/PriorityClass': 'scheduling.v1.PriorityClass',
  'policy/v1/PodDisruptionBudget': 'policy.v1.PodDisruptionBudget',
  'networking.k8s.io/v1/Ingress': 'networking.v1.Ingress',
};

/** Upstream's proto package of a short message name, for error messages: `k8s.io.api.core.v1.Namespace`. */
export function qualifiedName(msg: string): string {
  if (msg.startsWith('meta.v1.')) return `k8s.io.apimachinery.pkg.apis.meta.v1.${msg.slice(8)}`;
  if (msg.startsWith('runtime.')) return `k8s.io.apimachinery.pkg.runtime.${msg.slice(8)}`;
  return `k8s.io.api.${msg}`;
}
