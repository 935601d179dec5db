/**
 * Per-kind validation as upstream (pkg/apis/<group>/validation): each validator returns one cause per bad
 * field, with upstream's field paths and messages, so a 422 lists everything wrong at once.
 * Update validators also see the old object, for immutable fields.
 */
import { FieldErr, type Cause } from './errors.ts';
import { dns1035Label, dns1123Label, dns1123Subdomain, qualifiedName, validateLabels } from './names.ts';
import { fromLabelSelector, matches, SelectorParseError } from '../api/labels.ts';
import type { LabelSelector } from 'kubernetes-types/meta/v1';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const o = (v: unknown): Obj => (isObj(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const eq = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

function nonNegative(out: Cause[], v: unknown, field: string): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v)) out.push(FieldErr.invalid(field, v, 'must be an integer'));
  else if (v < 0) out.push(FieldErr.invalid(field, v, 'must be greater than or equal to 0'));
}

function port(out: Cause[], v: unknown, field: string, required = true): void {
  if (v === undefined || v === null) {
    if (required) out.push(FieldErr.required(field));
    return;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    out.push(FieldErr.invalid(field, v, 'must be between 1 and 65535, inclusive'));
  }
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function protocol(out: Cause[], v: unknown, field: string): void {
  if (v === undefined) return;
  if (typeof v !== 'string' || !PROTOCOLS.includes(v)) out.push(FieldErr.notSupported(field, v, PROTOCOLS));
}

function intOrStringPort(out: Cause[], v: unknown, field: string): void {
  if (v === undefined) return;
  if (typeof v === 'number') port(out, v, field);
  else if (typeof v === 'string') {
    if (/^\d+$/.test(v)) port(out, Number(v), field);
    else for (const e of dns1123Label(v)) out.push(FieldErr.invalid(field, v, e));
  } else out.push(FieldErr.invalid(field, v, 'must be an integer or a port name'));
}

function enumValue(out: Cause[], v: unknown, field: string, allowed: string[], required = false): void {
  if (v === undefined || v === null) {
    if (required) out.push(FieldErr.required(field));
    return;
  }
  if (typeof v !== 'string' || !allowed.includes(v)) out.push(FieldErr.notSupported(field, v, allowed));
}

function validateContainer(out: Cause[], c: Obj, field: string, names: Set<string>, volumes: Set<string>): void {
  const name = str(c.name);
  if (!name) out.push(FieldErr.required(`${field}.name`));
  else {
    for (const e of dns1123Label(name)) out.push(FieldErr.invalid(`${field}.name`, name, e));
    if (names.has(name)) out.push(FieldErr.duplicate(`${field}.name`, name));
    names.add(name);
  }
  if (!str(c.image)) out.push(FieldErr.required(`${field}.image`));
  enumValue(out, c.imagePullPolicy, `${field}.imagePullPolicy`, ['Always', 'IfNotPresent', 'Never']);
  const portNames = new Set<string>();
  list(c.ports).forEach((p, i) => {
    const pf = `${field}.ports[${i}]`;
    const po = o(p);
    port(out, po.containerPort, `${pf}.containerPort`);
    port(out, po.hostPort, `${pf}.hostPort`, false);
    protocol(out, po.protocol, `${pf}.protocol`);
    const pn = str(po.name);
    if (pn !== undefined) {
      if (pn.length > 15 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(pn) || !/[a-z]/.test(pn)) {
        out.push(FieldErr.invalid(`${pf}.name`, pn, 'must be no more than 15 characters, contain only lowercase alphanumerics or "-", and contain at least one letter'));
      } else if (portNames.has(pn)) out.push(FieldErr.duplicate(`${pf}.name`, pn));
      portNames.add(pn);
    }
  });
  list(c.env).forEach((e, i) => {
    const n = o(e).name;
    if (typeof n !== 'string' || n.length === 0) out.push(FieldErr.required(`${field}.env[${i}].name`));
  });
  list(c.volumeMounts).forEach((m, i) => {
    const mo = o(m);
    const mf = `${field}.volumeMounts[${i}]`;
    if (!str(mo.name)) out.push(FieldErr.required(`${mf}.name`));
    else if (!volumes.has(mo.name as string)) out.push({ reason: 'FieldValueNotFound', message: `Not found: "${mo.name as string}"`, field: `${mf}.name` });
    if (!str(mo.mountPath)) out.push(FieldErr.required(`${mf}.mountPath`));
  });
}

/** `extraVolumes`: names a workload adds to its pods (a StatefulSet's volumeClaimTemplates), valid as mount names. */
export function validatePodSpec(out: Cause[], spec: unknown, field: string, allowedRestart = ['Always', 'OnFailure', 'Never'], extraVolumes: string[] = []): void {
  const s = o(spec);
  const volumes = new Set<string>(extraVolumes);
  list(s.volumes).forEach((v, i) => {
    const n = str(o(v).name);
    if (!n) out.push(FieldErr.required(`${field}.volumes[${i}].name`));
    else {
      for (const e of dns1123Label(n)) out.push(FieldErr.invalid(`${field}.volumes[${i}].name`, n, e));
      if (volumes.has(n)) out.push(FieldErr.duplicate(`${field}.volumes[${i}].name`, n));
      volumes.add(n);
    }
  });
  const containers = list(s.containers);
  if (containers.length === 0) out.push(FieldErr.required(`${field}.containers`));
  const names = new Set<string>();
  containers.forEach((c, i) => validateContainer(out, o(c), `${field}.containers[${i}]`, names, volumes));
  list(s.initContainers).forEach((c, i) => validateContainer(out, o(c), `${field}.initContainers[${i}]`, names, volumes));
  enumValue(out, s.restartPolicy, `${field}.restartPolicy`, allowedRestart, false);
  enumValue(out, s.dnsPolicy, `${field}.dnsPolicy`, ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']);
  nonNegative(out, s.terminationGracePeriodSeconds, `${field}.terminationGracePeriodSeconds`);
  if (s.activeDeadlineSeconds !== undefined) {
    const a = s.activeDeadlineSeconds;
    if (typeof a !== 'number' || !Number.isInteger(a) || a < 1) out.push(FieldErr.invalid(`${field}.activeDeadlineSeconds`, a, 'must be between 1 and 2147483647, inclusive'));
  }
  if (s.nodeSelector !== undefined) out.push(...validateLabels(s.nodeSelector, `${field}.nodeSelector`));
  const sa = str(s.serviceAccountName);
  if (sa) for (const e of dns1123Subdomain(sa)) out.push(FieldErr.invalid(`${field}.serviceAccountName`, sa, e));
}

function templateLabels(template: unknown): Record<string, string> {
  return (o(o(template).metadata).labels as Record<string, string> | undefined) ?? {};
}

/** selector required, non-empty, parseable, and matching the template's labels. */
function validateSelectorAndTemplate(out: Cause[], spec: Obj, restart: string[], requireSelector = true, extraVolumes: string[] = []): void {
  const selector = spec.selector;
  if (selector === undefined || selector === null) {
    if (requireSelector) out.push(FieldErr.required('spec.selector'));
  } else {
    let parsed;
    try {
      parsed = fromLabelSelector(selector as LabelSelector);
    } catch (e) {
      out.push(FieldErr.invalid('spec.selector', selector, e instanceof SelectorParseError ? e.message : 'invalid label selector'));
    }
    const so = o(selector);
    if (Object.keys(o(so.matchLabels)).length === 0 && list(so.matchExpressions).length === 0) {
      out.push(FieldErr.invalid('spec.selector', selector, 'empty selector is invalid for deployment'));
    } else if (parsed !== undefined && !matches(parsed, templateLabels(spec.template))) {
      out.push(FieldErr.invalid('spec.template.metadata.labels', templateLabels(spec.template), '`selector` does not match template `labels`'));
    }
    out.push(...validateLabels(so.matchLabels, 'spec.selector.matchLabels'));
  }
  if (!isObj(spec.template)) {
    out.push(FieldErr.required('spec.template'));
    return;
  }
  out.push(...validateLabels(o(spec.template.metadata).labels, 'spec.template.metadata.labels'));
  const tspec = o(spec.template).spec;
  validatePodSpec(out, tspec, 'spec.template.spec', ['Always', 'OnFailure', 'Never'], extraVolumes);
  const rp = o(tspec).restartPolicy;
  if (rp !== undefined && !restart.includes(rp as string)) out.push(FieldErr.notSupported('spec.template.spec.restartPolicy', rp, restart));
}

function intOrPercent(out: Cause[], v: unknown, field: string): void {
  if (v === undefined) return;
  if (typeof v === 'number') nonNegative(out, v, field);
  else if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (!m) out.push(FieldErr.invalid(field, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
    else if (Number(m[1]) > 100) out.push(FieldErr.invalid(field, v, 'must not be greater than 100%'));
  } else out.push(FieldErr.invalid(field, v, 'must be an integer or percentage'));
}
const isZero = (v: unknown): boolean => v === 0 || v === '0%' || v === '0';

type Validator = (obj: Obj, old?: Obj) => Cause[];

const validateDeployment: Validator = (d, old) => {
  const out: Cause[] = [];
  const spec = o(d.spec);
  nonNegative(out, spec.replicas, 'spec.replicas');
  nonNegative(out, spec.minReadySeconds, 'spec.minReadySeconds');
  nonNegative(out, spec.revisionHistoryLimit, 'spec.revisionHistoryLimit');
  validateSelectorAndTemplate(out, spec, ['Always']);
  const strategy = o(spec.strategy);
  enumValue(out, strategy.type, 'spec.strategy.type', ['Recreate', 'RollingUpdate']);
  if (strategy.type === 'Recreate' && strategy.rollingUpdate !== undefined) {
    out.push(FieldErr.forbidden('spec.strategy.rollingUpdate', 'may not be specified when strategy `type` is \'Recreate\''));
  }
  const ru = o(strategy.rollingUpdate);
  intOrPercent(out, ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge');
  intOrPercent(out, ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable');
  if (strategy.type === 'RollingUpdate' && isZero(ru.maxSurge) && isZero(ru.maxUnavailable)) {
    out.push(FieldErr.invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
  }
  const pds = spec.progressDeadlineSeconds;
  if (typeof pds === 'number' && typeof spec.minReadySeconds === 'number' && pds <= spec.minReadySeconds) {
    out.push(FieldErr.invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  if (old && !eq(o(old.spec).selector, spec.selector)) out.push(FieldErr.immutable('spec.selector', spec.selector));
  return out;
};

const validateReplicaSet: Validator = (rs, old) => {
  const out: Cause[] = [];
  const spec = o(rs.spec);
  nonNegative(out, spec.replicas, 'spec.replicas');
  nonNegative(out, spec.minReadySeconds, 'spec.minReadySeconds');
  validateSelectorAndTemplate(out, spec, ['Always']);
  if (old && !eq(o(old.spec).selector, spec.selector)) out.push(FieldErr.immutable('spec.selector', spec.selector));
  return out;
};

const validateDaemonSet: Validator = (ds, old) => {
  const out: Cause[] = [];
  const spec = o(ds.spec);
  validateSelectorAndTemplate(out, spec, ['Always']);
  enumValue(out, o(spec.updateStrategy).type, 'spec.updateStrategy.type', ['OnDelete', 'RollingUpdate']);
  if (old && !eq(o(old.spec).selector, spec.selector)) out.push(FieldErr.immutable('spec.selector', spec.selector));
  return out;
};

const validateStatefulSet: Validator = (s, old) => {
  const out: Cause[] = [];
  const spec = o(s.spec);
  nonNegative(out, spec.replicas, 'spec.replicas');
  // Pods of a StatefulSet get a volume per volumeClaimTemplate, so the template may mount those names.
  const claims = list(spec.volumeClaimTemplates).map((t) => str(o(o(t).metadata).name)).filter((n): n is string => !!n);
  validateSelectorAndTemplate(out, spec, ['Always'], true, claims);
  enumValue(out, spec.podManagementPolicy, 'spec.podManagementPolicy', ['OrderedReady', 'Parallel']);
  enumValue(out, o(spec.updateStrategy).type, 'spec.updateStrategy.type', ['OnDelete', 'RollingUpdate']);
  if (old) {
    const os = o(old.spec);
    const mutable = ['replicas', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'ordinals', 'revisionHistoryLimit'];
    const strip = (x: Obj): Obj => Object.fromEntries(Object.entries(x).filter(([k]) => !mutable.includes(k)));
    if (!eq(strip(os), strip(spec))) {
      out.push(FieldErr.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
    }
  }
  return out;
};

function validateJobSpec(out: Cause[], spec: Obj, prefix: string): void {
  nonNegative(out, spec.parallelism, `${prefix}.parallelism`);
  nonNegative(out, spec.completions, `${prefix}.completions`);
  nonNegative(out, spec.backoffLimit, `${prefix}.backoffLimit`);
  enumValue(out, spec.completionMode, `${prefix}.completionMode`, ['NonIndexed', 'Indexed']);
  const template = o(spec.template);
  if (!isObj(spec.template)) {
    out.push(FieldErr.required(`${prefix}.template`));
    return;
  }
  validatePodSpec(out, template.spec, `${prefix}.template.spec`);
  const rp = o(template.spec).restartPolicy;
  if (rp !== 'OnFailure' && rp !== 'Never') {
    out.push(FieldErr.notSupported(`${prefix}.template.spec.restartPolicy`, rp, ['OnFailure', 'Never']));
  }
}

const validateJob: Validator = (job, old) => {
  const out: Cause[] = [];
  const spec = o(job.spec);
  validateJobSpec(out, spec, 'spec');
  if (isObj(spec.selector)) {
    const sel = fromLabelSelector(spec.selector as LabelSelector);
    if (!matches(sel, templateLabels(spec.template))) {
      out.push(FieldErr.invalid('spec.template.metadata.labels', templateLabels(spec.template), '`selector` does not match template `labels`'));
    }
  } else out.push(FieldErr.required('spec.selector'));
  if (old) {
    const os = o(old.spec);
    if (!eq(os.selector, spec.selector)) out.push(FieldErr.immutable('spec.selector', spec.selector));
    if (!eq(os.completions, spec.completions)) out.push(FieldErr.immutable('spec.completions', spec.completions));
    if (!eq(os.template, spec.template) && !spec.suspend) out.push(FieldErr.immutable('spec.template', spec.template));
  }
  return out;
};

const CRON_FIELD = /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?)*$/;

export function validCron(schedule: string): boolean {
  const s = schedule.trim();
  if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(s) || /^@every\s+\S+$/.test(s)) return true;
  const body = s.replace(/^(CRON_)?TZ=\S+\s+/, '');
  const fields = body.split(/\s+/);
  return fields.length === 5 && fields.every((f) => CRON_FIELD.test(f));
}

const validateCronJob: Validator = (cj) => {
  const out: Cause[] = [];
  const spec = o(cj.spec);
  const schedule = spec.schedule;
  if (typeof schedule !== 'string' || !schedule) out.push(FieldErr.required('spec.schedule'));
  else if (!validCron(schedule)) out.push(FieldErr.invalid('spec.schedule', schedule, 'unparseable schedule'));
  enumValue(out, spec.concurrencyPolicy, 'spec.concurrencyPolicy', ['Allow', 'Forbid', 'Replace']);
  if (!isObj(spec.jobTemplate)) out.push(FieldErr.required('spec.jobTemplate'));
  else validateJobSpec(out, o(o(spec.jobTemplate).spec), 'spec.jobTemplate.spec');
  return out;
};

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

const validateService: Validator = (svc, old) => {
  const out: Cause[] = [];
  const spec = o(svc.spec);
  enumValue(out, spec.type, 'spec.type', SERVICE_TYPES);
  const ports = list(spec.ports);
  const headless = spec.clusterIP === 'None';
  if (ports.length === 0 && spec.type !== 'ExternalName' && !headless) out.push(FieldErr.required('spec.ports'));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const po = o(p);
    const f = `spec.ports[${i}]`;
    port(out, po.port, `${f}.port`);
    protocol(out, po.protocol, `${f}.protocol`);
    intOrStringPort(out, po.targetPort, `${f}.targetPort`);
    const n = str(po.name);
    if (ports.length > 1 && !n) out.push(FieldErr.required(`${f}.name`));
    if (n) {
      for (const e of dns1123Label(n)) out.push(FieldErr.invalid(`${f}.name`, n, e));
      if (names.has(n)) out.push(FieldErr.duplicate(`${f}.name`, n));
      names.add(n);
    }
    if (po.nodePort !== undefined) {
      if (spec.type !== 'NodePort' && spec.type !== 'LoadBalancer') {
        out.push(FieldErr.forbidden(`${f}.nodePort`, 'may not be used when `type` is \'ClusterIP\''));
      } else port(out, po.nodePort, `${f}.nodePort`);
    }
  });
  if (spec.selector !== undefined) out.push(...validateLabels(spec.selector, 'spec.selector'));
  if (spec.type === 'ExternalName') {
    const en = str(spec.externalName);
    if (!en) out.push(FieldErr.required('spec.externalName'));
    else for (const e of dns1123Subdomain(en)) out.push(FieldErr.invalid('spec.externalName', en, e));
  }
  enumValue(out, spec.sessionAffinity, 'spec.sessionAffinity', ['ClientIP', 'None']);
  if (old) {
    const os = o(old.spec);
    const oldIP = os.clusterIP;
    if (oldIP !== undefined && spec.clusterIP !== undefined && spec.clusterIP !== oldIP && os.type !== 'ExternalName' && spec.type !== 'ExternalName') {
      out.push(FieldErr.immutable('spec.clusterIPs[0]', spec.clusterIP));
    }
  }
  return out;
};

const validateNamespaceLike = (): Cause[] => [];

function validateKeyedData(out: Cause[], data: unknown, field: string, base64: boolean): number {
  let size = 0;
  if (data === undefined || data === null) return 0;
  if (!isObj(data)) {
    out.push(FieldErr.invalid(field, data, 'must be a map'));
    return 0;
  }
  for (const [k, v] of Object.entries(data)) {
    if (!/^[-._a-zA-Z0-9]+$/.test(k) || k.length > 253) {
      out.push(FieldErr.invalid(`${field}[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
    }
    if (typeof v !== 'string') out.push(FieldErr.invalid(`${field}[${k}]`, v, 'must be a string'));
    else if (base64 && !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) out.push(FieldErr.invalid(`${field}[${k}]`, '<secret contents redacted>', 'illegal base64 data'));
    else size += v.length;
  }
  return size;
}

const validateConfigMap: Validator = (cm) => {
  const out: Cause[] = [];
  const size = validateKeyedData(out, cm.data, 'data', false) + validateKeyedData(out, cm.binaryData, 'binaryData', true);
  if (size > 1024 * 1024) out.push(FieldErr.tooLong('', 1024 * 1024));
  return out;
};

const validateSecret: Validator = (s, old) => {
  const out: Cause[] = [];
  const size = validateKeyedData(out, s.data, 'data', true);
  if (size > 1024 * 1024 * 4 / 3) out.push(FieldErr.tooLong('data', 1024 * 1024));
  if (old && old.type !== undefined && s.type !== old.type) out.push(FieldErr.immutable('type', s.type));
  if (old && old.immutable === true && (!eq(old.data, s.data) || s.immutable !== true)) {
    out.push(FieldErr.forbidden('data', 'field is immutable when `immutable` is set'));
  }
  return out;
};

const validatePod: Validator = (pod, old) => {
  const out: Cause[] = [];
  validatePodSpec(out, pod.spec, 'spec');
  if (old) {
    // Upstream: only images, activeDeadlineSeconds, tolerations (additions) and terminationGracePeriodSeconds may change.
    const strip = (spec: unknown): Obj => {
      const s = structuredClone(o(spec));
      for (const k of ['containers', 'initContainers']) {
        s[k] = list(s[k]).map((c) => ({ ...o(c), image: undefined }));
      }
      delete s.activeDeadlineSeconds;
      delete s.tolerations;
      delete s.terminationGracePeriodSeconds;
      return s;
    };
    if (!eq(strip(old.spec), strip(pod.spec))) {
      out.push(FieldErr.forbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'));
    }
  }
  return out;
};

const validateHpa: Validator = (hpa) => {
  const out: Cause[] = [];
  const spec = o(hpa.spec);
  const ref = o(spec.scaleTargetRef);
  if (!str(ref.kind)) out.push(FieldErr.required('spec.scaleTargetRef.kind'));
  if (!str(ref.name)) out.push(FieldErr.required('spec.scaleTargetRef.name'));
  const max = spec.maxReplicas;
  const min = spec.minReplicas ?? 1;
  if (typeof max !== 'number') out.push(FieldErr.required('spec.maxReplicas'));
  else if (max < 1) out.push(FieldErr.invalid('spec.maxReplicas', max, 'must be greater than or equal to 1'));
  else if (typeof min === 'number' && min > max) out.push(FieldErr.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  if (typeof min === 'number' && min < 1) out.push(FieldErr.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  return out;
};

const validateIngress: Validator = (ing) => {
  const out: Cause[] = [];
  const spec = o(ing.spec);
  list(spec.rules).forEach((r, i) => {
    const host = str(o(r).host);
    if (host) for (const e of dns1123Subdomain(host.replace(/^\*\./, ''))) out.push(FieldErr.invalid(`spec.rules[${i}].host`, host, e));
    list(o(o(r).http).paths).forEach((p, j) => {
      const po = o(p);
      const f = `spec.rules[${i}].http.paths[${j}]`;
      if (po.pathType === undefined) out.push(FieldErr.required(`${f}.pathType`, 'pathType must be specified'));
      else enumValue(out, po.pathType, `${f}.pathType`, ['Exact', 'ImplementationSpecific', 'Prefix']);
      if (!isObj(po.backend)) out.push(FieldErr.required(`${f}.backend`));
    });
  });
  return out;
};

const validatePvc: Validator = (pvc, old) => {
  const out: Cause[] = [];
  const spec = o(pvc.spec);
  const modes = list(spec.accessModes);
  if (modes.length === 0) out.push(FieldErr.required('spec.accessModes', 'at least 1 access mode is required'));
  const allowed = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
  modes.forEach((m, i) => enumValue(out, m, `spec.accessModes[${i}]`, allowed));
  if (o(o(spec.resources).requests).storage === undefined) out.push(FieldErr.required('spec.resources[storage]'));
  if (old) {
    const strip = (s: unknown): Obj => {
      const c = structuredClone(o(s));
      delete c.resources;
      delete c.volumeName;
      return c;
    };
    if (o(old.spec).volumeName && !eq(strip(old.spec), strip(spec))) out.push(FieldErr.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  }
  return out;
};

const validatePdb: Validator = (pdb) => {
  const out: Cause[] = [];
  const spec = o(pdb.spec);
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    out.push(FieldErr.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  intOrPercent(out, spec.minAvailable, 'spec.minAvailable');
  intOrPercent(out, spec.maxUnavailable, 'spec.maxUnavailable');
  return out;
};

const validateEvent: Validator = (ev) => {
  const out: Cause[] = [];
  const io = o(ev.involvedObject);
  const ns = o(ev.metadata).namespace;
  if (io.namespace !== undefined && io.namespace !== ns && ns !== 'default') {
    out.push(FieldErr.invalid('involvedObject.namespace', io.namespace, 'does not match event.namespace'));
  }
  return out;
};

const validateCrd: Validator = (crd, old) => {
  const out: Cause[] = [];
  const spec = o(crd.spec);
  const names = o(spec.names);
  const group = str(spec.group);
  const plural = str(names.plural);
  if (!group) out.push(FieldErr.required('spec.group'));
  else if (!group.includes('.')) out.push(FieldErr.invalid('spec.group', group, 'should be a domain with at least one dot'));
  else for (const e of dns1123Subdomain(group)) out.push(FieldErr.invalid('spec.group', group, e));
  if (!plural) out.push(FieldErr.required('spec.names.plural'));
  else for (const e of dns1035Label(plural)) out.push(FieldErr.invalid('spec.names.plural', plural, e));
  if (!str(names.kind)) out.push(FieldErr.required('spec.names.kind'));
  if (names.singular !== undefined) for (const e of dns1035Label(String(names.singular))) out.push(FieldErr.invalid('spec.names.singular', names.singular, e));
  if (!str(names.listKind) && str(names.kind)) names.listKind = `${names.kind as string}List`;
  enumValue(out, spec.scope, 'spec.scope', ['Cluster', 'Namespaced'], true);
  const name = str(o(crd.metadata).name);
  if (plural && group && name !== `${plural}.${group}`) {
    out.push(FieldErr.invalid('metadata.name', name, `must be spec.names.plural+"."+spec.group`));
  }
  const versions = list(spec.versions);
  if (versions.length === 0) out.push(FieldErr.required('spec.versions', 'must have exactly one version marked as storage version'));
  const storage = versions.filter((v) => o(v).storage === true).length;
  if (versions.length > 0 && storage !== 1) out.push(FieldErr.invalid('spec.versions', storage, 'must have exactly one version marked as storage version'));
  versions.forEach((v, i) => {
    const vo = o(v);
    const vn = str(vo.name);
    if (!vn) out.push(FieldErr.required(`spec.versions[${i}].name`));
    else for (const e of dns1035Label(vn)) out.push(FieldErr.invalid(`spec.versions[${i}].name`, vn, e));
    if (typeof vo.served !== 'boolean') out.push(FieldErr.required(`spec.versions[${i}].served`));
    if (typeof vo.storage !== 'boolean') out.push(FieldErr.required(`spec.versions[${i}].storage`));
    if (!isObj(o(vo.schema).openAPIV3Schema)) out.push(FieldErr.required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
  });
  if (old) {
    const os = o(old.spec);
    if (os.group !== spec.group) out.push(FieldErr.immutable('spec.group', spec.group));
    if (o(os.names).plural !== names.plural) out.push(FieldErr.immutable('spec.names.plural', names.plural));
    if (os.scope !== spec.scope) out.push(FieldErr.immutable('spec.scope', spec.scope));
  }
  return out;
};

const validateOwnerless: Validator = () => [];

/** Per-kind validators, keyed by `group/Kind`. */
export const VALIDATORS: Record<string, Validator> = {
  '/Pod': validatePod,
  '/Service': validateService,
  '/ConfigMap': validateConfigMap,
  '/Secret': validateSecret,
  '/Namespace': validateNamespaceLike,
  '/PersistentVolumeClaim': validatePvc,
  '/Event': validateEvent,
  'apps/Deployment': validateDeployment,
  'apps/ReplicaSet': validateReplicaSet,
  'apps/StatefulSet': validateStatefulSet,
  'apps/DaemonSet': validateDaemonSet,
  'batch/Job': validateJob,
  'batch/CronJob': validateCronJob,
  'autoscaling/HorizontalPodAutoscaler': validateHpa,
  'networking.k8s.io/Ingress': validateIngress,
  'policy/PodDisruptionBudget': validatePdb,
  'apiextensions.k8s.io/CustomResourceDefinition': validateCrd,
  'coordination.k8s.io/Lease': validateOwnerless,
};

/** The name rule upstream applies to each kind's metadata.name (subdomain when not listed). */
export const NAME_RULES: Record<string, 'label' | 'dns1035' | 'path'> = {
  '/Namespace': 'label',
  '/Service': 'dns1035',
  '/Event': 'path',
  'events.k8s.io/Event': 'path',
  'rbac.authorization.k8s.io/Role': 'path',
  'rbac.authorization.k8s.io/RoleBinding': 'path',
  'rbac.authorization.k8s.io/ClusterRole': 'path',
  'rbac.authorization.k8s.io/ClusterRoleBinding': 'path',
};

/** metadata checks common to every kind (objectmeta.go). */
export function validateFinalizers(finalizers: unknown): Cause[] {
  const out: Cause[] = [];
  list(finalizers).forEach((f, i) => {
    if (typeof f !== 'string') out.push(FieldErr.invalid(`metadata.finalizers[${i}]`, f, 'must be a string'));
    else for (const e of qualifiedName(f)) out.push(FieldErr.invalid('metadata.finalizers', f, e));
  });
  return out;
}

export function validateOwnerReferences(refs: unknown): Cause[] {
  const out: Cause[] = [];
  let controllers = 0;
  list(refs).forEach((r, i) => {
    const ro = o(r);
    const f = `metadata.ownerReferences[${i}]`;
    if (!str(ro.apiVersion)) out.push(FieldErr.invalid(`${f}.apiVersion`, ro.apiVersion ?? '', 'version must not be empty'));
    if (!str(ro.kind)) out.push(FieldErr.invalid(`${f}.kind`, ro.kind ?? '', 'kind must not be empty'));
    if (!str(ro.name)) out.push(FieldErr.invalid(`${f}.name`, ro.name ?? '', 'name must not be empty'));
    if (!str(ro.uid)) out.push(FieldErr.invalid(`${f}.uid`, ro.uid ?? '', 'uid must not be empty'));
    if (ro.controller === true) controllers++;
  });
  if (controllers > 1) out.push(FieldErr.invalid('metadata.ownerReferences', refs, 'Only one reference can have Controller set to true'));
  return out;
}
