/**
 * Reads a Compose file into the normalised model of compose-model.ts: variable interpolation
 * (`${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?error}`, `$$`), and every short syntax turned into
 * its long form. Problems that make the file unusable throw ComposeError; problems with one field are
 * collected as notes for the report and the field is skipped.
 */
import { parse } from 'yaml';
import type { ComposeProject, HealthcheckSpec, PortSpec, ServiceSpec, VolumeSpec } from './compose-model.ts';

export class ComposeError extends Error {}

export interface ParseNote {
  service?: string;
  field: string;
  message: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Replaces Compose variables with values from `env`; unresolved variables become '' and are noted. */
export function interpolate(text: string, env: Record<string, string>, notes: ParseNote[]): string {
  return text.replace(/\$(\$|\{([^}\n]*)\}|\{|([A-Za-z_][A-Za-z0-9_]*))/g, (_m, dollar: string, braced?: string, bare?: string) => {
    if (dollar === '$') return '$';
    if (dollar === '{') throw new ComposeError('invalid interpolation format: "${" is not closed');
    const expr = braced ?? bare ?? '';
    const m = expr.match(/^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])(.*))?$/s);
    if (!m) throw new ComposeError(`invalid interpolation format for "\${${expr}}"`);
    const [, name, colon, op, arg] = m as unknown as [string, string, string | undefined, string | undefined, string | undefined];
    const value = env[name];
    const unset = value === undefined || (colon === ':' && value === '');
    if (op === '-') return unset ? arg ?? '' : value!;
    if (op === '+') return unset ? '' : arg ?? '';
    if (op === '?') {
      if (unset) throw new ComposeError(`required variable ${name} is missing a value: ${arg ?? ''}`.trim());
      return value!;
    }
    if (value === undefined) {
      notes.push({ field: name, message: `variable ${name} is not set; using an empty string` });
      return '';
    }
    return value;
  });
}

/** Parses a `.env` file (KEY=VALUE lines, comments, optional quotes). */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/);
    if (!m) continue;
    let v = m[2]!;
    if ((v.startsWith('"') && v.endsWith('"') && v.length >= 2) || (v.startsWith("'") && v.endsWith("'") && v.length >= 2)) {
      const quote = v[0];
      v = v.slice(1, -1);
      if (quote === '"') v = v.replace(/\\n/g, '\n').replace(/\\"/g, '"');
    } else {
      v = v.replace(/\s+#.*$/, '');
    }
    out[m[1]!] = v;
  }
  return out;
}

/** Splits a command string as a POSIX shell would for simple words and quotes (no expansion). */
export function shellSplit(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  let started = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < s.length && '"\\$`'.includes(s[i + 1]!)) cur += s[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      started = true;
    } else if (ch === '\\' && i + 1 < s.length) {
      cur += s[++i];
      started = true;
    } else if (/\s/.test(ch)) {
      if (started) out.push(cur);
      cur = '';
      started = false;
    } else {
      cur += ch;
      started = true;
    }
  }
  if (quote) throw new ComposeError(`unterminated quote in command: ${s}`);
  if (started) out.push(cur);
  return out;
}

/** Compose durations (`1m30s`, `10s`, `500ms`, `1h`) to whole seconds (rounded up, at least 1). */
export function durationSeconds(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return Math.max(1, Math.ceil(v / 1e9)); // nanoseconds, as Compose's long form
  const s = String(v).trim();
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/g;
  let total = 0;
  let matched = '';
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    matched += m[0];
    const n = Number(m[1]);
    total += m[2] === 'h' ? n * 3600 : m[2] === 'm' ? n * 60 : m[2] === 's' ? n : m[2] === 'ms' ? n / 1e3 : m[2] === 'us' ? n / 1e6 : n / 1e9;
  }
  if (!matched || matched !== s.replace(/\s+/g, '')) throw new ComposeError(`invalid duration "${s}"`);
  return Math.max(1, Math.ceil(total));
}

function strings(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map((x) => String(x));
  throw new ComposeError(`${what} must be a string or a list`);
}

function commandOf(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return shellSplit(v);
  if (Array.isArray(v)) return v.map((x) => String(x));
  throw new ComposeError('command/entrypoint must be a string or a list');
}

function keyValues(v: unknown, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (v === undefined || v === null) return out;
  if (Array.isArray(v)) {
    for (const item of v) {
      const s = String(item);
      const eq = s.indexOf('=');
      if (eq < 0) out[s] = process.env[s] ?? '';
      else out[s.slice(0, eq)] = s.slice(eq + 1);
    }
    return out;
  }
  if (isObj(v)) {
    for (const [k, val] of Object.entries(v)) out[k] = val === null || val === undefined ? '' : String(val);
    return out;
  }
  throw new ComposeError(`${what} must be a map or a list`);
}

/** `[HOST_IP:][HOST_PORT[-RANGE]:]CONTAINER_PORT[-RANGE][/PROTOCOL]` and the long form. */
export function parsePorts(v: unknown, notes: ParseNote[], service: string): PortSpec[] {
  const out: PortSpec[] = [];
  for (const p of Array.isArray(v) ? v : []) {
    if (isObj(p)) {
      const target = Number(p.target);
      if (!Number.isInteger(target)) throw new ComposeError(`service ${service}: ports[].target must be a number`);
      out.push({
        target,
        published: p.published === undefined ? undefined : Number(p.published),
        hostIp: p.host_ip === undefined ? undefined : String(p.host_ip),
        protocol: String(p.protocol ?? 'tcp').toUpperCase() === 'UDP' ? 'UDP' : 'TCP',
      });
      continue;
    }
    const s = String(p);
    const [spec, proto = 'tcp'] = s.split('/') as [string, string?];
    // IPv6 host addresses are in brackets: [::1]:8080:80
    const m = spec.match(/^(?:(\[[^\]]+\]|\d+\.\d+\.\d+\.\d+):)?(?:(\d+(?:-\d+)?)?:)?(\d+(?:-\d+)?)$/);
    if (!m) throw new ComposeError(`service ${service}: invalid port "${s}"`);
    const [, hostIp, published, target] = m;
    const range = (r: string) => {
      const [a, b] = r.split('-').map(Number) as [number, number?];
      return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_x, i) => a + i);
    };
    const targets = range(target!);
    const pubs = published ? range(published) : [];
    if (pubs.length > 1 && pubs.length !== targets.length) {
      notes.push({ service, field: 'ports', message: `port range "${s}" has different lengths; published ports ignored` });
    }
    targets.forEach((t, i) => {
      out.push({
        target: t,
        published: pubs.length === targets.length ? pubs[i] : pubs.length === 1 && targets.length === 1 ? pubs[0] : undefined,
        hostIp: hostIp?.replace(/^\[|\]$/g, ''),
        protocol: proto.toUpperCase() === 'UDP' ? 'UDP' : 'TCP',
      });
    });
  }
  return out;
}

/** `SOURCE:TARGET[:MODE]`, `TARGET` (anonymous), and the long form. */
export function parseVolumes(v: unknown, service: string): VolumeSpec[] {
  const out: VolumeSpec[] = [];
  for (const item of Array.isArray(v) ? v : []) {
    if (isObj(item)) {
      const type = String(item.type ?? 'volume');
      if (type !== 'volume' && type !== 'bind' && type !== 'tmpfs') {
        throw new ComposeError(`service ${service}: volume type "${type}" is not supported`);
      }
      if (!item.target) throw new ComposeError(`service ${service}: a volume needs a target`);
      out.push({ type, source: item.source === undefined ? undefined : String(item.source), target: String(item.target), readOnly: item.read_only === true });
      continue;
    }
    const parts = String(item).split(':');
    if (parts.length === 1) {
      out.push({ type: 'volume', target: parts[0]!, readOnly: false });
      continue;
    }
    const [source, target, mode = ''] = parts as [string, string, string?];
    const isPath = source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
    out.push({ type: isPath ? 'bind' : 'volume', source, target, readOnly: mode.split(',').includes('ro') });
  }
  return out;
}

function healthcheckOf(v: unknown, service: string): HealthcheckSpec | undefined {
  if (!isObj(v)) return undefined;
  if (v.disable === true) return { disabled: true };
  let command: string[] | undefined;
  const test = v.test;
  if (typeof test === 'string') command = ['/bin/sh', '-c', test];
  else if (Array.isArray(test)) {
    const [kind, ...rest] = test.map(String);
    if (kind === 'NONE') return { disabled: true };
    if (kind === 'CMD') command = rest;
    else if (kind === 'CMD-SHELL') command = ['/bin/sh', '-c', rest.join(' ')];
    else throw new ComposeError(`service ${service}: healthcheck.test must start with CMD, CMD-SHELL or NONE`);
  }
  return {
    command,
    intervalSeconds: durationSeconds(v.interval),
    timeoutSeconds: durationSeconds(v.timeout),
    retries: v.retries === undefined ? undefined : Number(v.retries),
    startPeriodSeconds: durationSeconds(v.start_period),
    disabled: false,
  };
}

const MAPPED_KEYS = new Set([
  'image', 'build', 'entrypoint', 'command', 'environment', 'env_file', 'ports', 'expose', 'volumes', 'depends_on',
  'healthcheck', 'deploy', 'restart', 'working_dir', 'user', 'hostname', 'labels', 'secrets', 'configs', 'privileged',
  'cap_add', 'cap_drop', 'read_only', 'tty', 'stdin_open', 'tmpfs', 'mem_limit', 'cpus',
]);

function serviceOf(name: string, raw: unknown, notes: ParseNote[]): ServiceSpec {
  if (!isObj(raw)) throw new ComposeError(`service ${name} must be a map`);
  const deploy = isObj(raw.deploy) ? raw.deploy : {};
  const resources = isObj(deploy.resources) ? deploy.resources : {};
  const limits = isObj(resources.limits) ? resources.limits : {};
  const reservations = isObj(resources.reservations) ? resources.reservations : {};
  const dependsOn: ServiceSpec['dependsOn'] = [];
  if (Array.isArray(raw.depends_on)) for (const d of raw.depends_on) dependsOn.push({ name: String(d), condition: 'service_started' });
  else if (isObj(raw.depends_on)) {
    for (const [d, spec] of Object.entries(raw.depends_on)) {
      const c = isObj(spec) ? String(spec.condition ?? 'service_started') : 'service_started';
      const condition = c === 'service_healthy' || c === 'service_completed_successfully' ? c : 'service_started';
      dependsOn.push({ name: d, condition });
    }
  }
  const refs = (v: unknown, what: string, defaultTarget: (src: string) => string) =>
    (Array.isArray(v) ? v : []).map((x) => {
      if (typeof x === 'string') return { source: x, target: defaultTarget(x) };
      if (isObj(x) && x.source) return { source: String(x.source), target: x.target ? String(x.target) : defaultTarget(String(x.source)) };
      throw new ComposeError(`service ${name}: invalid ${what} entry`);
    });
  return {
    name,
    image: raw.image === undefined ? undefined : String(raw.image),
    build: raw.build !== undefined,
    entrypoint: commandOf(raw.entrypoint),
    command: commandOf(raw.command),
    environment: keyValues(raw.environment, `service ${name}: environment`),
    envFiles: strings(isObj(raw.env_file) ? (raw.env_file as Obj).path : raw.env_file, `service ${name}: env_file`),
    ports: parsePorts(raw.ports, notes, name),
    expose: strings(raw.expose, `service ${name}: expose`).map((e) => Number(String(e).split('/')[0])),
    volumes: [
      ...parseVolumes(raw.volumes, name),
      ...strings(raw.tmpfs, `service ${name}: tmpfs`).map((t): VolumeSpec => ({ type: 'tmpfs', target: t.split(':')[0]!, readOnly: false })),
    ],
    dependsOn,
    healthcheck: healthcheckOf(raw.healthcheck, name),
    replicas: deploy.replicas === undefined ? undefined : Number(deploy.replicas),
    // The service-level mem_limit/cpus keys are the older spelling of deploy.resources.limits.
    limits: {
      cpus: limits.cpus !== undefined ? String(limits.cpus) : raw.cpus !== undefined ? String(raw.cpus) : undefined,
      memory: limits.memory !== undefined ? String(limits.memory) : raw.mem_limit !== undefined ? String(raw.mem_limit) : undefined,
    },
    reservations: {
      cpus: reservations.cpus === undefined ? undefined : String(reservations.cpus),
      memory: reservations.memory === undefined ? undefined : String(reservations.memory),
    },
    restart: raw.restart === undefined ? undefined : String(raw.restart),
    workingDir: raw.working_dir === undefined ? undefined : String(raw.working_dir),
    user: raw.user === undefined ? undefined : String(raw.user),
    hostname: raw.hostname === undefined ? undefined : String(raw.hostname),
    labels: keyValues(raw.labels, `service ${name}: labels`),
    secrets: refs(raw.secrets, 'secrets', (s) => `/run/secrets/${s}`),
    configs: refs(raw.configs, 'configs', (s) => `/${s}`),
    privileged: raw.privileged === true,
    capAdd: strings(raw.cap_add, 'cap_add'),
    capDrop: strings(raw.cap_drop, 'cap_drop'),
    readOnly: raw.read_only === true,
    tty: raw.tty === true,
    stdinOpen: raw.stdin_open === true,
    unmappedKeys: Object.keys(raw).filter((k) => !MAPPED_KEYS.has(k) && !k.startsWith('x-')),
  };
}

/**
 * Parses Compose YAML. `env` supplies interpolation variables (the project's `.env` merged under the
 * process environment, as Compose does).
 */
export function parseCompose(text: string, env: Record<string, string>, notes: ParseNote[]): ComposeProject {
  let doc: unknown;
  try {
    doc = parse(interpolate(text, env, notes), { maxAliasCount: 100 });
  } catch (err) {
    if (err instanceof ComposeError) throw err;
    throw new ComposeError(`not valid YAML: ${(err as Error).message}`);
  }
  if (!isObj(doc)) throw new ComposeError('a Compose file must be a map with a "services" key');
  if (!isObj(doc.services) || Object.keys(doc.services).length === 0) throw new ComposeError('a Compose file needs at least one service under "services"');
  const top = <T>(v: unknown, f: (name: string, o: Obj) => T): Record<string, T> => {
    const out: Record<string, T> = {};
    if (isObj(v)) for (const [k, o] of Object.entries(v)) out[k] = f(k, isObj(o) ? o : {});
    return out;
  };
  return {
    services: Object.entries(doc.services).map(([name, raw]) => serviceOf(name, raw, notes)),
    volumes: top(doc.volumes, (_n, o) => ({ external: o.external === true || isObj(o.external) })),
    secrets: top(doc.secrets, (_n, o) => ({
      file: o.file === undefined ? undefined : String(o.file),
      environment: o.environment === undefined ? undefined : String(o.environment),
      external: o.external === true,
    })),
    configs: top(doc.configs, (_n, o) => ({
      file: o.file === undefined ? undefined : String(o.file),
      content: o.content === undefined ? undefined : String(o.content),
      environment: o.environment === undefined ? undefined : String(o.environment),
      external: o.external === true,
    })),
  };
}
