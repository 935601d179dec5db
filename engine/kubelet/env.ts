/**
 * A container's environment, as upstream's kubelet builds it (makeEnvironmentVariables): Service link
 * variables first, then envFrom sources in order, then env entries in order; each env value may refer to
 * variables defined before it with `$(VAR)`. A missing ConfigMap/Secret or key that is not optional is a
 * CreateContainerConfigError with upstream's message.
 */
import type { ConfigMap, Container, EnvVar, ObjectFieldSelector, Pod, ResourceFieldSelector, Secret, Service } from 'kubernetes-types/core/v1';
import { bytes, milliCpu, parseQuantity } from '../scheduler/quantity.ts';

export class ContainerConfigError extends Error {
  readonly reason = 'CreateContainerConfigError';
}

export interface EnvSources {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
  /** Services of the pod's namespace (for enableServiceLinks) plus the `kubernetes` Service of `default`. */
  services?(namespace: string): Promise<Service[]>;
}

export interface EnvContext {
  podIP?: string;
  podIPs?: string[];
  hostIP?: string;
  /** The node's allocatable, used when a resourceFieldRef names a limit that is not set. */
  nodeAllocatable: { milliCpu: number; memory: number; ephemeralStorage?: number };
}

/** `$(VAR)` expansion (upstream third_party/forked/golang/expansion): unknown references stay as written, `$$` is `$`. */
export function expand(input: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i]!;
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      const v = lookup(name);
      out += v ?? `$(${name})`;
      i = end;
    } else {
      out += ch;
    }
  }
  return out;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

function decodeSecret(s: Secret, key: string): string | undefined {
  const v = s.data?.[key];
  if (v !== undefined) return Buffer.from(v, 'base64').toString('utf8');
  return s.stringData?.[key];
}

/** Reads a fieldRef path from the pod (upstream ExtractFieldPathAsString + the kubelet's status fields). */
export function fieldRefValue(pod: Pod, ref: ObjectFieldSelector, ctx: Pick<EnvContext, 'podIP' | 'podIPs' | 'hostIP'>): string {
  const path = ref.fieldPath;
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path) ?? /^metadata\.(labels|annotations)\["(.+)"\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]!] ?? '';
  switch (path) {
    case 'metadata.name':
      return pod.metadata?.name ?? '';
    case 'metadata.namespace':
      return pod.metadata?.namespace ?? 'default';
    case 'metadata.uid':
      return pod.metadata?.uid ?? '';
    case 'metadata.labels':
      return Object.entries(pod.metadata?.labels ?? {}).sort().map(([k, v]) => `${k}="${v}"`).join('\n');
    case 'metadata.annotations':
      return Object.entries(pod.metadata?.annotations ?? {}).sort().map(([k, v]) => `${k}="${v}"`).join('\n');
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? 'default';
    case 'status.hostIP':
      return ctx.hostIP ?? '';
    case 'status.hostIPs':
      return ctx.hostIP ?? '';
    case 'status.podIP':
      return ctx.podIP ?? '';
    case 'status.podIPs':
      return (ctx.podIPs ?? (ctx.podIP ? [ctx.podIP] : [])).join(',');
    default:
      throw new ContainerConfigError(`unsupported fieldPath: ${path}`);
  }
}

/** Upstream ExtractContainerResourceValue: limits fall back to node allocatable; values are rounded up by the divisor. */
export function resourceFieldValue(pod: Pod, current: Container, ref: ResourceFieldSelector, ctx: Pick<EnvContext, 'nodeAllocatable'>): string {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  const c = ref.containerName ? containers.find((x) => x.name === ref.containerName) : current;
  if (!c) throw new ContainerConfigError(`container ${ref.containerName} not found`);
  const [kind, res] = ref.resource.split('.', 2) as [string, string];
  const list = kind === 'limits' ? c.resources?.limits : kind === 'requests' ? c.resources?.requests : undefined;
  if (!list && kind !== 'limits' && kind !== 'requests') throw new ContainerConfigError(`unsupported container resource: ${ref.resource}`);
  const value = list?.[res];
  if (res === 'cpu') {
    const m = value !== undefined ? milliCpu(value) : kind === 'limits' ? ctx.nodeAllocatable.milliCpu : 0;
    const div = Math.max(1, milliCpu(ref.divisor ?? '1'));
    return String(Math.ceil(m / div));
  }
  if (res === 'memory' || res === 'ephemeral-storage') {
    const fallback = res === 'memory' ? ctx.nodeAllocatable.memory : ctx.nodeAllocatable.ephemeralStorage ?? 0;
    const b = value !== undefined ? bytes(value) : kind === 'limits' ? fallback : 0;
    const div = Math.max(1, parseQuantity(ref.divisor ?? '1'));
    return String(Math.ceil(b / div));
  }
  throw new ContainerConfigError(`unsupported container resource: ${ref.resource}`);
}

/** Upstream's Docker-link style variables for each Service with a ClusterIP. */
export function serviceEnv(services: readonly Service[]): [string, string][] {
  const out: [string, string][] = [];
  for (const s of [...services].sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1))) {
    const ip = s.spec?.clusterIP;
    if (!ip || ip === 'None') continue;
    const name = s.metadata!.name!.toUpperCase().replace(/-/g, '_');
    const ports = s.spec?.ports ?? [];
    if (ports.length === 0) continue;
    out.push([`${name}_SERVICE_HOST`, ip], [`${name}_SERVICE_PORT`, String(ports[0]!.port)]);
    for (const p of ports) if (p.name) out.push([`${name}_SERVICE_PORT_${p.name.toUpperCase().replace(/-/g, '_')}`, String(p.port)]);
    const first = ports[0]!;
    out.push([`${name}_PORT`, `${(first.protocol ?? 'TCP').toLowerCase()}://${ip}:${first.port}`]);
    for (const p of ports) {
      const proto = p.protocol ?? 'TCP';
      const prefix = `${name}_PORT_${p.port}_${proto}`;
      out.push([prefix, `${proto.toLowerCase()}://${ip}:${p.port}`], [`${prefix}_PROTO`, proto.toLowerCase()], [`${prefix}_PORT`, String(p.port)], [`${prefix}_ADDR`, ip]);
    }
  }
  return out;
}

/** Resolves the environment in upstream's order; later definitions win. Returns [name, value] in definition order. */
export async function resolveEnv(pod: Pod, container: Container, sources: EnvSources, ctx: EnvContext): Promise<[string, string][]> {
  const ns = pod.metadata?.namespace ?? 'default';
  const env = new Map<string, string>();
  if (pod.spec?.enableServiceLinks !== false && sources.services) {
    for (const [k, v] of serviceEnv(await sources.services(ns))) env.set(k, v);
  }
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      const cm = await sources.configMap(ns, from.configMapRef.name ?? '');
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) if (ENV_NAME.test(prefix + k)) env.set(prefix + k, v);
    } else if (from.secretRef) {
      const s = await sources.secret(ns, from.secretRef.name ?? '');
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
      }
      for (const k of Object.keys({ ...s.data, ...s.stringData })) if (ENV_NAME.test(prefix + k)) env.set(prefix + k, decodeSecret(s, k)!);
    }
  }
  for (const e of container.env ?? []) env.set(e.name, await envValue(pod, container, e, sources, ctx, env));
  return [...env];
}

async function envValue(pod: Pod, container: Container, e: EnvVar, sources: EnvSources, ctx: EnvContext, defined: Map<string, string>): Promise<string> {
  const ns = pod.metadata?.namespace ?? 'default';
  const from = e.valueFrom;
  if (!from) return expand(e.value ?? '', (n) => defined.get(n));
  if (from.fieldRef) return fieldRefValue(pod, from.fieldRef, ctx);
  if (from.resourceFieldRef) return resourceFieldValue(pod, container, from.resourceFieldRef, ctx);
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const cm = await sources.configMap(ns, ref.name ?? '');
    if (!cm) {
      if (ref.optional) return '';
      throw new ContainerConfigError(`configmap "${ref.name}" not found`);
    }
    const v = cm.data?.[ref.key];
    if (v === undefined) {
      if (ref.optional) return '';
      throw new ContainerConfigError(`couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}`);
    }
    return v;
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const s = await sources.secret(ns, ref.name ?? '');
    if (!s) {
      if (ref.optional) return '';
      throw new ContainerConfigError(`secret "${ref.name}" not found`);
    }
    const v = decodeSecret(s, ref.key);
    if (v === undefined) {
      if (ref.optional) return '';
      throw new ContainerConfigError(`couldn't find key ${ref.key} in Secret ${ns}/${ref.name}`);
    }
    return v;
  }
  return '';
}

/**
 * The process to run, as upstream with Docker: `command` replaces the image's ENTRYPOINT and drops its CMD;
 * `args` alone replaces CMD; `$(VAR)` in both expands against the container's environment.
 */
export function containerCommand(container: Container, env: Map<string, string>): { command?: string[]; args?: string[] } {
  const ex = (s: string): string => expand(s, (n) => env.get(n));
  const command = container.command?.map(ex);
  const args = container.args?.map(ex);
  if (command && command.length) return { command, args: args ?? [] };
  if (args) return { args };
  return {};
}
