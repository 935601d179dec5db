/**
 * Compose → Kubernetes: turns a docker-compose.yml into Deployments, Services, ConfigMaps, Secrets and
 * PersistentVolumeClaims, with a report of everything that changed meaning or could not be mapped.
 *
 * Contract: pure. Files the Compose file refers to (env_file, secrets, configs, bind-mounted files) are
 * read through `opts.readFile` (paths relative to the Compose file's folder; undefined = unreadable).
 * Nothing is dropped silently: each Compose key is either mapped or named in the report.
 *
 * Mapping choices (each one keeps what a Compose user relies on):
 * - each service → a Deployment (replicas from deploy.replicas) and, when it has ports or expose, a
 *   ClusterIP Service with the service's name and the container ports, so `db:5432` resolves as in Compose;
 *   published ports → a LoadBalancer Service `<name>-public` (the engine serves it on 127.0.0.1);
 * - environment values whose names look secret (PASSWORD, TOKEN, …) → a Secret, the rest inline;
 *   env_file → a ConfigMap (and a Secret for secret-looking keys) used through envFrom;
 * - named volumes → PVCs; anonymous volumes → emptyDir; tmpfs → emptyDir in memory; bind-mounted files →
 *   ConfigMaps mounted with subPath; bind-mounted directories are reported (not portable);
 * - depends_on → an init container that waits until the dependency's Service accepts connections;
 * - healthcheck → readiness and liveness probes running the same command.
 */
import { stringify } from 'yaml';
import type { Container, EnvFromSource, EnvVar, PodSpec, Probe, Volume, VolumeMount } from 'kubernetes-types/core/v1';
import type { KubeObject, Writable } from '../api/client.ts';
import type { ComposeProject, ServiceSpec } from './compose-model.ts';
import { parseCompose, parseDotEnv, type ParseNote } from './compose-parse.ts';

export { ComposeError } from './compose-parse.ts';

export interface ReportEntry {
  service?: string;
  field: string;
  /** unmapped: lost in conversion; changed: mapped with a different meaning; note: for information. */
  kind: 'unmapped' | 'changed' | 'note';
  message: string;
}

export interface ConvertOptions {
  /** Reads a file relative to the Compose file's folder; undefined when it cannot be read. */
  readFile?: (path: string) => string | undefined;
  /** Interpolation variables; `.env` from readFile is merged under them, as Compose does. */
  env?: Record<string, string>;
  /** Compose project name (defaults to "app"): used for build image names and the part-of label. */
  project?: string;
  namespace?: string;
  /** Image for the depends_on wait init containers (needs sh and nc). */
  waitImage?: string;
}

export interface ConvertResult {
  objects: KubeObject[];
  report: ReportEntry[];
}

const SECRET_NAME = /(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY)/i;

/** A DNS-1123 label made from a Compose name (lower case, [a-z0-9-], ≤ 63). */
export function dnsLabel(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return s || 'unnamed';
}

/** Compose byte sizes (`512m`, `1g`, `2gb`, `1024`) to a Kubernetes quantity with binary suffixes. */
export function memoryQuantity(v: string): string | undefined {
  const m = v.trim().toLowerCase().match(/^(\d+(?:\.\d+)?)\s*(b|k|kb|m|mb|g|gb|t|tb)?$/);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? 'b').replace(/b$/, '') || 'b';
  const suffix: Record<string, string> = { b: '', k: 'Ki', m: 'Mi', g: 'Gi', t: 'Ti' };
  if (Number.isInteger(n)) return `${n}${suffix[unit]}`;
  const bytes = n * 1024 ** ['b', 'k', 'm', 'g', 't'].indexOf(unit);
  return `${Math.round(bytes / 1024 ** 2)}Mi`;
}

/** Compose cpus (`0.5`, `2`) to a Kubernetes CPU quantity (`500m`, `2`). */
export function cpuQuantity(v: string): string | undefined {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return Number.isInteger(n) ? String(n) : `${Math.round(n * 1000)}m`;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const basename = (p: string) => p.replace(/\/+$/, '').split('/').pop() ?? p;

interface Ctx {
  project: ComposeProject;
  opts: ConvertOptions;
  report: ReportEntry[];
  objects: KubeObject[];
  /** Secrets/configs already emitted, by Kubernetes name. */
  emitted: Set<string>;
  /** Named volumes used, for the PVCs. */
  claims: Map<string, string[]>;
}

function meta(ctx: Ctx, name: string, service?: string): Writable<NonNullable<KubeObject['metadata']>> {
  const labels: Record<string, string> = { 'app.kubernetes.io/part-of': dnsLabel(ctx.opts.project ?? 'app') };
  if (service) labels['app.kubernetes.io/name'] = dnsLabel(service);
  return { name, ...(ctx.opts.namespace ? { namespace: ctx.opts.namespace } : {}), labels };
}

function emit(ctx: Ctx, obj: KubeObject): void {
  const key = `${obj.kind}/${obj.metadata?.name}`;
  if (ctx.emitted.has(key)) return;
  ctx.emitted.add(key);
  ctx.objects.push(obj);
}

function envOf(ctx: Ctx, svc: ServiceSpec, name: string): { env: EnvVar[]; envFrom: EnvFromSource[] } {
  const env: EnvVar[] = [];
  const envFrom: EnvFromSource[] = [];
  const secretData: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.environment)) {
    if (SECRET_NAME.test(k)) {
      secretData[k] = v;
      env.push({ name: k, valueFrom: { secretKeyRef: { name: `${name}-env`, key: k } } });
    } else env.push({ name: k, value: v });
  }
  if (Object.keys(secretData).length) {
    emit(ctx, { apiVersion: 'v1', kind: 'Secret', metadata: meta(ctx, `${name}-env`, svc.name), type: 'Opaque', data: Object.fromEntries(Object.entries(secretData).map(([k, v]) => [k, b64(v)])) } as KubeObject);
    ctx.report.push({ service: svc.name, field: 'environment', kind: 'changed', message: `${Object.keys(secretData).join(', ')} moved to Secret ${name}-env (names look secret)` });
  }
  svc.envFiles.forEach((file, i) => {
    const text = ctx.opts.readFile?.(file);
    if (text === undefined) {
      ctx.report.push({ service: svc.name, field: 'env_file', kind: 'unmapped', message: `${file} could not be read; its variables are missing` });
      return;
    }
    const vars = parseDotEnv(text);
    const plain = Object.entries(vars).filter(([k]) => !SECRET_NAME.test(k));
    const secret = Object.entries(vars).filter(([k]) => SECRET_NAME.test(k));
    const base = `${name}-${dnsLabel(basename(file))}${svc.envFiles.length > 1 ? `-${i}` : ''}`.slice(0, 63);
    if (plain.length) {
      emit(ctx, { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(ctx, base, svc.name), data: Object.fromEntries(plain) } as KubeObject);
      envFrom.push({ configMapRef: { name: base } });
    }
    if (secret.length) {
      emit(ctx, { apiVersion: 'v1', kind: 'Secret', metadata: meta(ctx, `${base}-secret`, svc.name), type: 'Opaque', data: Object.fromEntries(secret.map(([k, v]) => [k, b64(v)])) } as KubeObject);
      envFrom.push({ secretRef: { name: `${base}-secret` } });
      ctx.report.push({ service: svc.name, field: 'env_file', kind: 'changed', message: `${secret.map(([k]) => k).join(', ')} from ${file} moved to Secret ${base}-secret` });
    }
  });
  return { env, envFrom };
}

function volumesOf(ctx: Ctx, svc: ServiceSpec, name: string): { volumes: Volume[]; mounts: VolumeMount[] } {
  const volumes: Volume[] = [];
  const mounts: VolumeMount[] = [];
  svc.volumes.forEach((v, i) => {
    const readOnly = v.readOnly || undefined;
    if (v.type === 'tmpfs') {
      const vn = `tmpfs-${i}`;
      volumes.push({ name: vn, emptyDir: { medium: 'Memory' } });
      mounts.push({ name: vn, mountPath: v.target });
      return;
    }
    if (v.type === 'volume') {
      if (!v.source) {
        const vn = `anon-${i}`;
        volumes.push({ name: vn, emptyDir: {} });
        mounts.push({ name: vn, mountPath: v.target, readOnly });
        ctx.report.push({ service: svc.name, field: 'volumes', kind: 'changed', message: `anonymous volume at ${v.target} became an emptyDir (lives as long as the pod)` });
        return;
      }
      const claim = dnsLabel(v.source);
      if (ctx.project.volumes[v.source]?.external) {
        ctx.report.push({ service: svc.name, field: 'volumes', kind: 'changed', message: `external volume ${v.source} became a new PVC ${claim}; copy its data if you need it` });
      }
      ctx.claims.set(claim, [...(ctx.claims.get(claim) ?? []), svc.name]);
      volumes.push({ name: claim, persistentVolumeClaim: { claimName: claim, ...(readOnly ? { readOnly } : {}) } });
      mounts.push({ name: claim, mountPath: v.target, readOnly });
      return;
    }
    // bind mount
    const src = v.source ?? '';
    if (/docker\.sock$/.test(src)) {
      ctx.report.push({ service: svc.name, field: 'volumes', kind: 'unmapped', message: `bind mount of the Docker socket (${src}) is not mapped: Pod Security refuses it` });
      return;
    }
    const content = src.startsWith('.') ? ctx.opts.readFile?.(src) : undefined;
    if (content === undefined) {
      ctx.report.push({
        service: svc.name,
        field: 'volumes',
        kind: 'unmapped',
        message: `bind mount ${src}:${v.target} is not mapped: host folders are not portable to a cluster; put the files in a ConfigMap or the data in a PVC`,
      });
      return;
    }
    const key = basename(src);
    const cm = `${name}-${dnsLabel(key)}`.slice(0, 63);
    emit(ctx, { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(ctx, cm, svc.name), data: { [key]: content } } as KubeObject);
    const vn = `file-${i}`;
    volumes.push({ name: vn, configMap: { name: cm } });
    mounts.push({ name: vn, mountPath: v.target, subPath: key, readOnly: true });
    ctx.report.push({ service: svc.name, field: 'volumes', kind: 'changed', message: `file ${src} became ConfigMap ${cm}, mounted read-only at ${v.target}` });
  });

  for (const [kindName, list] of [['secrets', svc.secrets], ['configs', svc.configs]] as const) {
    list.forEach((ref, i) => {
      const def: { file?: string; content?: string; environment?: string; external: boolean } | undefined =
        kindName === 'secrets' ? ctx.project.secrets[ref.source] : ctx.project.configs[ref.source];
      if (!def) {
        ctx.report.push({ service: svc.name, field: kindName, kind: 'unmapped', message: `${ref.source} is not declared under top-level ${kindName}` });
        return;
      }
      const objName = dnsLabel(ref.source);
      let content: string | undefined;
      if (def.file) content = ctx.opts.readFile?.(def.file);
      else if (def.content !== undefined) content = def.content;
      else if (def.environment) content = ctx.opts.env?.[def.environment];
      if (content === undefined) {
        ctx.report.push({ service: svc.name, field: kindName, kind: 'unmapped', message: `${ref.source}: ${def.external ? 'external' : 'its source'} could not be read; create ${kindName === 'secrets' ? 'Secret' : 'ConfigMap'} ${objName} yourself` });
      } else if (kindName === 'secrets') {
        emit(ctx, { apiVersion: 'v1', kind: 'Secret', metadata: meta(ctx, objName), type: 'Opaque', data: { [ref.source]: b64(content) } } as KubeObject);
      } else {
        emit(ctx, { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(ctx, objName), data: { [ref.source]: content } } as KubeObject);
      }
      const vn = `${kindName === 'secrets' ? 'secret' : 'config'}-${i}`;
      volumes.push(kindName === 'secrets' ? { name: vn, secret: { secretName: objName } } : { name: vn, configMap: { name: objName } });
      mounts.push({ name: vn, mountPath: ref.target, subPath: ref.source, readOnly: true });
    });
  }
  return { volumes, mounts };
}

function probeOf(svc: ServiceSpec): { readiness?: Probe; liveness?: Probe } {
  const hc = svc.healthcheck;
  if (!hc || hc.disabled || !hc.command?.length) return {};
  // Compose defaults: interval 30s, timeout 30s, retries 3, start_period 0.
  const base: Probe = {
    exec: { command: hc.command },
    periodSeconds: hc.intervalSeconds ?? 30,
    timeoutSeconds: hc.timeoutSeconds ?? 30,
    failureThreshold: hc.retries ?? 3,
  };
  return {
    readiness: base,
    liveness: { ...base, ...(hc.startPeriodSeconds ? { initialDelaySeconds: hc.startPeriodSeconds } : {}) },
  };
}

function firstPort(ctx: Ctx, service: string): number | undefined {
  const s = ctx.project.services.find((x) => x.name === service);
  return s?.ports[0]?.target ?? s?.expose[0];
}

function waitContainers(ctx: Ctx, svc: ServiceSpec): Container[] {
  const out: Container[] = [];
  for (const dep of svc.dependsOn) {
    if (!ctx.project.services.some((s) => s.name === dep.name)) {
      ctx.report.push({ service: svc.name, field: 'depends_on', kind: 'unmapped', message: `depends on ${dep.name}, which is not a service in this file` });
      continue;
    }
    if (dep.condition === 'service_completed_successfully') {
      ctx.report.push({ service: svc.name, field: 'depends_on', kind: 'unmapped', message: `${dep.name} must complete first: run it as a Job and start this service after it` });
      continue;
    }
    const port = firstPort(ctx, dep.name);
    if (port === undefined) {
      ctx.report.push({ service: svc.name, field: 'depends_on', kind: 'unmapped', message: `${dep.name} has no ports to wait for; pods start without waiting` });
      continue;
    }
    const host = dnsLabel(dep.name);
    out.push({
      name: `wait-for-${host}`.slice(0, 63),
      image: ctx.opts.waitImage ?? 'busybox:1.36',
      command: ['sh', '-c', `until nc -z ${host} ${port}; do echo waiting for ${host}:${port}; sleep 2; done`],
    });
  }
  return out;
}

function serviceObjects(ctx: Ctx, svc: ServiceSpec): void {
  const name = dnsLabel(svc.name);
  if (name !== svc.name) ctx.report.push({ service: svc.name, field: 'name', kind: 'changed', message: `named ${name} (Kubernetes names are lower-case DNS labels)` });
  const labels = { 'app.kubernetes.io/name': name };
  let image = svc.image;
  if (!image) {
    image = `${dnsLabel(ctx.opts.project ?? 'app')}-${name}`;
    ctx.report.push({
      service: svc.name,
      field: 'build',
      kind: 'changed',
      message: svc.build
        ? `build is not run by Kubernetes: build the image yourself (docker build -t ${image} …); Wheelhouse uses local images directly`
        : `no image given; using ${image}`,
    });
  } else if (svc.build) {
    ctx.report.push({ service: svc.name, field: 'build', kind: 'note', message: `build ignored; the image ${image} must exist (build it with docker build -t ${image} …)` });
  }
  const { env, envFrom } = envOf(ctx, svc, name);
  const { volumes, mounts } = volumesOf(ctx, svc, name);
  const probes = probeOf(svc);
  const resources: Container['resources'] = {};
  const lim: Record<string, string> = {};
  const req: Record<string, string> = {};
  if (svc.limits.cpus && cpuQuantity(svc.limits.cpus)) lim.cpu = cpuQuantity(svc.limits.cpus)!;
  if (svc.limits.memory && memoryQuantity(svc.limits.memory)) lim.memory = memoryQuantity(svc.limits.memory)!;
  if (svc.reservations.cpus && cpuQuantity(svc.reservations.cpus)) req.cpu = cpuQuantity(svc.reservations.cpus)!;
  if (svc.reservations.memory && memoryQuantity(svc.reservations.memory)) req.memory = memoryQuantity(svc.reservations.memory)!;
  for (const [what, v, q] of [
    ['limits.cpus', svc.limits.cpus, lim.cpu], ['limits.memory', svc.limits.memory, lim.memory],
    ['reservations.cpus', svc.reservations.cpus, req.cpu], ['reservations.memory', svc.reservations.memory, req.memory],
  ] as const) {
    if (v !== undefined && q === undefined) ctx.report.push({ service: svc.name, field: `deploy.resources.${what}`, kind: 'unmapped', message: `"${v}" is not a size Kubernetes understands` });
  }
  if (Object.keys(lim).length) (resources as Writable<typeof resources>).limits = lim;
  if (Object.keys(req).length) (resources as Writable<typeof resources>).requests = req;

  const securityContext: Writable<NonNullable<Container['securityContext']>> = {};
  if (svc.privileged) {
    securityContext.privileged = true;
    ctx.report.push({ service: svc.name, field: 'privileged', kind: 'note', message: 'privileged pods are refused unless the namespace has the label pod-security.kubernetes.io/enforce=privileged' });
  }
  if (svc.capAdd.length || svc.capDrop.length) securityContext.capabilities = { ...(svc.capAdd.length ? { add: svc.capAdd } : {}), ...(svc.capDrop.length ? { drop: svc.capDrop } : {}) };
  if (svc.readOnly) securityContext.readOnlyRootFilesystem = true;
  if (svc.user) {
    const m = svc.user.match(/^(\d+)(?::(\d+))?$/);
    if (m) {
      securityContext.runAsUser = Number(m[1]);
      if (m[2]) securityContext.runAsGroup = Number(m[2]);
    } else ctx.report.push({ service: svc.name, field: 'user', kind: 'unmapped', message: `user "${svc.user}" is a name; Kubernetes needs a numeric runAsUser` });
  }

  const ports = [...svc.ports.map((p) => ({ port: p.target, protocol: p.protocol })), ...svc.expose.map((p) => ({ port: p, protocol: 'TCP' as const }))]
    .filter((p, i, all) => all.findIndex((q) => q.port === p.port && q.protocol === p.protocol) === i);

  const container: Container = {
    name,
    image,
    ...(svc.entrypoint ? { command: svc.entrypoint } : {}),
    ...(svc.command ? { args: svc.command } : {}),
    ...(svc.workingDir ? { workingDir: svc.workingDir } : {}),
    ...(env.length ? { env } : {}),
    ...(envFrom.length ? { envFrom } : {}),
    ...(ports.length ? { ports: ports.map((p) => ({ containerPort: p.port, protocol: p.protocol })) } : {}),
    ...(mounts.length ? { volumeMounts: mounts } : {}),
    ...(Object.keys(resources).length ? { resources } : {}),
    ...(probes.readiness ? { readinessProbe: probes.readiness, livenessProbe: probes.liveness } : {}),
    ...(Object.keys(securityContext).length ? { securityContext } : {}),
    ...(svc.tty ? { tty: true } : {}),
    ...(svc.stdinOpen ? { stdin: true } : {}),
  };
  const initContainers = waitContainers(ctx, svc);
  const podSpec: PodSpec = {
    ...(svc.hostname ? { hostname: dnsLabel(svc.hostname) } : {}),
    ...(initContainers.length ? { initContainers } : {}),
    containers: [container],
    ...(volumes.length ? { volumes } : {}),
  };
  if (svc.restart === 'no' || svc.restart === 'on-failure' || svc.restart?.startsWith('on-failure:')) {
    ctx.report.push({ service: svc.name, field: 'restart', kind: 'changed', message: `restart: ${svc.restart} has no Deployment equivalent (a Deployment always restarts its pods); for a one-off task use a Job` });
  }
  const annotations = Object.keys(svc.labels).length ? svc.labels : undefined;
  emit(ctx, {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { ...meta(ctx, name, svc.name), ...(annotations ? { annotations } : {}) },
    spec: {
      replicas: svc.replicas ?? 1,
      selector: { matchLabels: labels },
      template: { metadata: { labels: { ...labels } }, spec: podSpec },
    },
  } as KubeObject);

  if (ports.length) {
    emit(ctx, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(ctx, name, svc.name),
      spec: {
        selector: labels,
        ports: ports.map((p) => ({ name: `${p.protocol.toLowerCase()}-${p.port}`, port: p.port, targetPort: p.port, protocol: p.protocol })),
      },
    } as KubeObject);
  }
  const published = svc.ports.filter((p) => p.published !== undefined);
  if (published.length) {
    for (const p of published) {
      if (p.hostIp && p.hostIp !== '127.0.0.1' && p.hostIp !== '0.0.0.0' && p.hostIp !== '::1') {
        ctx.report.push({ service: svc.name, field: 'ports', kind: 'changed', message: `host address ${p.hostIp} for port ${p.published} becomes 127.0.0.1` });
      }
    }
    emit(ctx, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(ctx, `${name}-public`.slice(0, 63), svc.name),
      spec: {
        type: 'LoadBalancer',
        selector: labels,
        ports: published.map((p) => ({ name: `${p.protocol.toLowerCase()}-${p.published}`, port: p.published!, targetPort: p.target, protocol: p.protocol })),
      },
    } as KubeObject);
  }
  for (const key of svc.unmappedKeys) {
    const known: Record<string, string> = {
      container_name: 'pods get their names from the Deployment',
      networks: 'every pod shares the cluster network; use NetworkPolicies to restrict traffic',
      network_mode: 'pods have their own network namespace',
      profiles: 'every service is converted',
      extra_hosts: 'use hostAliases in the pod spec',
      logging: 'kubectl logs reads the container logs',
    };
    ctx.report.push({ service: svc.name, field: key, kind: 'unmapped', message: known[key] ? `not mapped: ${known[key]}` : 'not mapped' });
  }
}

/** Converts Compose YAML; throws ComposeError when the file cannot be read as Compose at all. */
export function convertCompose(text: string, opts: ConvertOptions = {}): ConvertResult {
  const notes: ParseNote[] = [];
  const dotEnv = opts.readFile?.('.env');
  const env = { ...(dotEnv ? parseDotEnv(dotEnv) : {}), ...(opts.env ?? {}) };
  const project = parseCompose(text, env, notes);
  const ctx: Ctx = { project, opts: { ...opts, env }, report: notes.map((n) => ({ ...n, kind: 'note' as const })), objects: [], emitted: new Set(), claims: new Map() };
  for (const svc of project.services) serviceObjects(ctx, svc);
  for (const [claim, users] of ctx.claims) {
    ctx.objects.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: meta(ctx, claim),
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    } as KubeObject);
    if (users.length > 1) {
      ctx.report.push({ field: 'volumes', kind: 'note', message: `volume ${claim} is shared by ${users.join(', ')}: a ReadWriteOnce claim requires their pods to run on one node` });
    }
  }
  // Stable, readable order: config and storage first, then workloads, then services.
  const order = ['Secret', 'ConfigMap', 'PersistentVolumeClaim', 'Deployment', 'Service'];
  ctx.objects.sort((a, b) => order.indexOf(a.kind!) - order.indexOf(b.kind!));
  return { objects: ctx.objects, report: ctx.report };
}

/**
 * The objects as one multi-document YAML file. Written for YAML 1.1 readers (kubectl, the API server):
 * strings such as `yes`, `on` or `010` are quoted, so they stay strings.
 */
export function toYaml(objects: KubeObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, version: '1.1' })).join('---\n');
}

/** The report as plain text lines, most important first. */
export function formatReport(report: ReportEntry[]): string {
  const rank = { unmapped: 0, changed: 1, note: 2 };
  return [...report]
    .sort((a, b) => rank[a.kind] - rank[b.kind])
    .map((r) => `${r.kind.padEnd(8)} ${r.service ? `${r.service}: ` : ''}${r.field}: ${r.message}`)
    .join('\n');
}
