/**
 * The Runtime on a real Docker engine, through dockerode. This is the only module of the tree that talks
 * to Docker. Contract (beyond types.ts):
 * - `connectDocker()` finds the engine as the docker CLI does (connection.ts), pings it, negotiates the API
 *   version (the engine's own, capped at MAX_API_VERSION, at least MIN_API_VERSION = Docker 20.10) and
 *   rejects with RuntimeUnavailableError in one plain sentence with the fix when nothing answers;
 * - every Docker error is mapped by errors.ts (404 → RuntimeNotFoundError, 409/403 → RuntimeConflictError);
 * - a ContainerSpec's `command` is the Docker Entrypoint and `args` the Cmd, as the kubelet's CRI does, so
 *   `command` without `args` drops the image's Cmd (upstream semantics);
 * - listContainers returns inspected containers (exit codes, OOMKilled, times), not Docker's list summary,
 *   unless asked for `inspect: false` (one list call; identities, labels and states only);
 * - stop/start of a container already in that state is a no-op (Docker answers 304).
 */
import Docker from 'dockerode';
import type { Duplex, Readable } from 'node:stream';
import { posix } from 'node:path';
import type {
  AttachOptions, AttachSession, ContainerInfo, ContainerSpec, ContainerStateName, ContainerStats, ExecOptions, ExecSession, ImageInfo, ImagePullProgress,
  LogOptions, Runtime, RuntimeEvent, RuntimeInfo,
} from './types.ts';
import { RuntimeConflictError, RuntimeNotFoundError, RuntimeUnavailableError } from './types.ts';
import { resolveDockerEndpoint, type DockerEndpoint } from './connection.ts';
import { Demuxer } from './demux.ts';
import { dockerError, dockerMessage, isUnreachable, unreachableMessage } from './errors.ts';
import { labelsMatch, toDockerLabels } from './labels.ts';
import { parseImageRef } from './refs.ts';
import { toContainerStats, type DockerStatsSample } from './stats.ts';
import { tar, type TarEntry } from './tar.ts';

/** Docker 20.10. */
export const MIN_API_VERSION = '1.41';
/** The newest API whose behaviour this module was written against; newer engines still serve it. */
export const MAX_API_VERSION = '1.47';

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The API version to speak: the engine's, capped at ours; throws if the engine is older than Docker 20.10. */
export function negotiateApiVersion(server: { ApiVersion?: string; MinAPIVersion?: string }): string {
  const serverMax = server.ApiVersion ?? MIN_API_VERSION;
  if (compareVersions(serverMax, MIN_API_VERSION) < 0) {
    throw new Error(`the Docker engine speaks API ${serverMax}, older than Docker 20.10 (API ${MIN_API_VERSION}); update Docker`);
  }
  const chosen = compareVersions(serverMax, MAX_API_VERSION) < 0 ? serverMax : MAX_API_VERSION;
  if (server.MinAPIVersion && compareVersions(chosen, server.MinAPIVersion) < 0) return server.MinAPIVersion;
  return chosen;
}

function dockerodeOptions(ep: DockerEndpoint, version?: string): Docker.DockerOptions {
  const v = version ? { version: `v${version}` } : {};
  switch (ep.kind) {
    case 'socket': return { socketPath: ep.socketPath, ...v };
    case 'tcp': return ep.tls
      ? { protocol: 'https', host: ep.host, port: ep.port, ca: ep.tls.ca, cert: ep.tls.cert, key: ep.tls.key, ...v }
      : { protocol: 'http', host: ep.host, port: ep.port, ...v };
    case 'ssh': return { protocol: 'ssh', host: ep.host, port: ep.port, ...(ep.username ? { username: ep.username } : {}), ...v };
  }
}

/**
 * Connects to the Docker engine (DOCKER_HOST, the CLI's context, or the default socket). Rejects with a
 * RuntimeUnavailableError whose message is one plain sentence with the fix.
 */
export async function connectDocker(opts: { endpoint?: DockerEndpoint; timeoutMs?: number } = {}): Promise<DockerRuntime> {
  let ep: DockerEndpoint;
  try {
    ep = opts.endpoint ?? resolveDockerEndpoint();
  } catch (err) {
    throw new RuntimeUnavailableError((err as Error).message);
  }
  const probe = new Docker({ ...dockerodeOptions(ep), timeout: opts.timeoutMs ?? 5000 });
  let version: { ApiVersion?: string; MinAPIVersion?: string };
  try {
    version = await probe.version();
  } catch (err) {
    if (isUnreachable(err)) throw new RuntimeUnavailableError(unreachableMessage(err, ep.display));
    if ((err as { code?: string }).code === 'ESOCKETTIMEDOUT' || /timeout/i.test((err as Error).message)) {
      throw new RuntimeUnavailableError(`Docker is not answering at ${ep.display} (no reply within ${opts.timeoutMs ?? 5000} ms); restart Docker and try again.`);
    }
    throw new RuntimeUnavailableError(`Docker at ${ep.display} did not answer as a Docker engine (${dockerMessage(err)}); check DOCKER_HOST and that Docker is running.`);
  }
  let api: string;
  try {
    api = negotiateApiVersion(version);
  } catch (err) {
    throw new RuntimeUnavailableError((err as Error).message);
  }
  return new DockerRuntime(new Docker(dockerodeOptions(ep, api)), api, ep.display);
}

function toState(s: string | undefined): ContainerStateName {
  switch (s) {
    case 'created': case 'running': case 'paused': case 'restarting': case 'removing': case 'exited': case 'dead': return s;
    default: return 'dead';
  }
}

/** Reads a stream of newline-delimited JSON objects (pull, build and events answers). */
function jsonLines(stream: NodeJS.ReadableStream, onObject: (o: Record<string, unknown>) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let failed = false;
    stream.on('data', (d: Buffer | string) => {
      buf += d.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        try {
          onObject(JSON.parse(line) as Record<string, unknown>);
        } catch (err) {
          failed = true;
          reject(err);
          (stream as Readable).destroy?.();
          return;
        }
      }
    });
    stream.on('end', () => {
      if (!failed && buf.trim()) {
        try { onObject(JSON.parse(buf) as Record<string, unknown>); } catch (err) { return reject(err); }
      }
      resolve();
    });
    stream.on('close', () => resolve());
    stream.on('error', reject);
  });
}

function progressError(o: Record<string, unknown>): string | undefined {
  const detail = o.errorDetail as { message?: string } | undefined;
  if (typeof o.error === 'string') return o.error;
  if (detail?.message) return detail.message;
  return undefined;
}

function sinceParam(opts: LogOptions): string | undefined {
  let ms: number | undefined;
  if (opts.sinceTime) {
    ms = Date.parse(opts.sinceTime);
    if (!Number.isFinite(ms)) throw new Error(`logs: sinceTime ${opts.sinceTime} is not an RFC 3339 time`);
  } else if (opts.sinceSeconds !== undefined) {
    ms = Date.now() - opts.sinceSeconds * 1000;
  }
  if (ms === undefined) return undefined;
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1e6).padStart(9, '0')}`;
}

/** Attribute keys Docker adds to container events that are not the container's labels. */
const EVENT_ATTRIBUTES = new Set(['name', 'image', 'exitCode', 'signal', 'execID', 'container']);

export interface BuildOptions {
  /** Tags to give the image (`repo:tag`). */
  tags: string[];
  labels?: Record<string, string>;
  dockerfile?: string;
  onProgress?: (line: string) => void;
}

export class DockerRuntime implements Runtime {
  constructor(
    /** The dockerode client, for this module's own use. */
    private readonly docker: Docker,
    readonly apiVersion: string,
    /** Where the engine is (`unix:///var/run/docker.sock`, `tcp://…`), for messages. */
    readonly endpoint: string,
  ) {}

  private fail(err: unknown, what: string): Error {
    return dockerError(err, what, this.endpoint);
  }

  async info(): Promise<RuntimeInfo> {
    try {
      const i = await this.docker.info() as { ServerVersion: string; NCPU: number; MemTotal: number; OSType: string; Architecture: string };
      return { serverVersion: i.ServerVersion, apiVersion: this.apiVersion, cpus: i.NCPU, memoryBytes: i.MemTotal, os: i.OSType, arch: i.Architecture };
    } catch (err) {
      throw this.fail(err, 'reading the Docker engine info');
    }
  }

  async ping(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (err) {
      throw this.fail(err, 'pinging the Docker engine');
    }
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const network = spec.network ?? 'bridge';
    const userNetwork = !network.startsWith('container:') && !['bridge', 'host', 'none', 'default'].includes(network);
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const p of spec.ports ?? []) {
      const key = `${p.containerPort}/${p.protocol}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: p.hostIP, HostPort: String(p.hostPort) });
    }
    const endpoint: Record<string, unknown> = {};
    if (spec.networkAliases?.length) endpoint.Aliases = spec.networkAliases;
    if (spec.ipv4Address) endpoint.IPAMConfig = { IPv4Address: spec.ipv4Address };
    const opts: Docker.ContainerCreateOptions = {
      name: spec.name,
      Image: spec.image,
      Labels: toDockerLabels(spec.labels),
      ...(spec.command ? { Entrypoint: spec.command } : {}),
      ...(spec.args ? { Cmd: spec.args } : {}),
      Env: Object.entries(spec.env ?? {}).map(([k, v]) => `${k}=${v}`),
      ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
      ...(spec.user ? { User: spec.user } : {}),
      ...(spec.hostname ? { Hostname: spec.hostname } : {}),
      ...(spec.domainname ? { Domainname: spec.domainname } : {}),
      ...(spec.stopSignal ? { StopSignal: spec.stopSignal } : {}),
      Tty: spec.tty ?? false,
      OpenStdin: spec.stdin ?? false,
      StdinOnce: spec.stdinOnce ?? false,
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ExposedPorts: exposed,
      HostConfig: {
        NetworkMode: network,
        ...(spec.dns ? { Dns: spec.dns } : {}),
        ...(spec.dnsSearch ? { DnsSearch: spec.dnsSearch } : {}),
        ...(spec.dnsOptions ? { DnsOptions: spec.dnsOptions } : {}),
        ...(spec.extraHosts ? { ExtraHosts: spec.extraHosts } : {}),
        Mounts: (spec.mounts ?? []).map((m) => ({
          Type: m.type,
          Target: m.target,
          Source: m.source ?? '',
          ReadOnly: m.readOnly ?? false,
          ...(m.type === 'tmpfs' && m.sizeBytes ? { TmpfsOptions: { SizeBytes: m.sizeBytes } } : {}),
        }) as Docker.MountSettings),
        PortBindings: bindings,
        ...(spec.nanoCpus ? { NanoCpus: spec.nanoCpus } : {}),
        ...(spec.memoryBytes ? { Memory: spec.memoryBytes } : {}),
        ReadonlyRootfs: spec.readOnlyRootfs ?? false,
        ...(spec.capAdd ? { CapAdd: spec.capAdd } : {}),
        ...(spec.capDrop ? { CapDrop: spec.capDrop } : {}),
        Privileged: spec.privileged ?? false,
        ...(spec.init !== undefined ? { Init: spec.init } : {}),
      },
      ...(userNetwork && Object.keys(endpoint).length ? { NetworkingConfig: { EndpointsConfig: { [network]: endpoint } } } : {}),
    };
    try {
      const c = await this.docker.createContainer(opts);
      return c.id;
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      const msg = dockerMessage(err);
      if (status === 404 && /no such image/i.test(msg)) throw new RuntimeNotFoundError(`image ${spec.image}`);
      if (status === 404 && /network/i.test(msg)) throw new RuntimeNotFoundError(`network ${network}`);
      if (status === 404 && /container/i.test(msg)) throw new RuntimeNotFoundError(`container ${network.slice('container:'.length)}`);
      throw this.fail(err, `creating container ${spec.name}`);
    }
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 304) return;
      throw this.fail(err, (err as { statusCode?: number }).statusCode === 404 ? `container ${id}` : `starting container ${id}`);
    }
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.round(graceSeconds)) });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 304) return;
      throw this.fail(err, (err as { statusCode?: number }).statusCode === 404 ? `container ${id}` : `stopping container ${id}`);
    }
  }

  async killContainer(id: string, signal = 'SIGKILL'): Promise<void> {
    try {
      await this.docker.getContainer(id).kill({ signal });
    } catch (err) {
      throw this.fail(err, (err as { statusCode?: number }).statusCode === 404 ? `container ${id}` : `sending ${signal} to container ${id}`);
    }
  }

  async removeContainer(id: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: opts.force ?? false, v: opts.volumes ?? false });
    } catch (err) {
      throw this.fail(err, (err as { statusCode?: number }).statusCode === 404 ? `container ${id}` : `removing container ${id}`);
    }
  }

  async inspectContainer(id: string): Promise<ContainerInfo> {
    let c: Docker.ContainerInspectInfo;
    try {
      c = await this.docker.getContainer(id).inspect();
    } catch (err) {
      throw this.fail(err, `container ${id}`);
    }
    const shortId = c.Id.slice(0, 12);
    const networks: ContainerInfo['networks'] = {};
    for (const [name, n] of Object.entries(c.NetworkSettings?.Networks ?? {})) {
      // Docker < 25 adds the short id as an alias itself; it is not one of ours.
      networks[name] = { ip: n.IPAddress ?? '', aliases: (n.Aliases ?? []).filter((a: string) => a !== shortId) };
    }
    const zero = (t: string | undefined) => (t && !t.startsWith('0001-') ? t : undefined);
    const info: ContainerInfo = {
      id: c.Id,
      name: c.Name.replace(/^\//, ''),
      image: c.Config.Image,
      imageId: c.Image,
      labels: c.Config.Labels ?? {},
      state: toState(c.State.Status),
      exitCode: c.State.ExitCode,
      oomKilled: c.State.OOMKilled,
      createdAt: c.Created,
      networks,
    };
    if (c.State.Error) info.error = c.State.Error;
    const started = zero(c.State.StartedAt);
    const finished = zero(c.State.FinishedAt);
    if (started) info.startedAt = started;
    if (finished) info.finishedAt = finished;
    if (c.State.Pid) info.pid = c.State.Pid;
    return info;
  }

  async listContainers(labels: Record<string, string>, opts: { all?: boolean; inspect?: boolean } = {}): Promise<ContainerInfo[]> {
    let summaries: Docker.ContainerInfo[];
    try {
      summaries = await this.docker.listContainers({
        all: opts.all ?? false,
        filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) },
      });
    } catch (err) {
      throw this.fail(err, 'listing containers');
    }
    const matching = summaries.filter((s) => labelsMatch(s.Labels ?? {}, labels));
    if (opts.inspect === false) {
      return matching.map((s): ContainerInfo => {
        const networks: ContainerInfo['networks'] = {};
        for (const [name, n] of Object.entries(s.NetworkSettings?.Networks ?? {})) networks[name] = { ip: n.IPAddress ?? '', aliases: [] };
        return {
          id: s.Id, name: (s.Names?.[0] ?? '').replace(/^\//, ''), image: s.Image, imageId: s.ImageID, labels: s.Labels ?? {},
          state: toState(s.State), exitCode: 0, oomKilled: false, createdAt: new Date(s.Created * 1000).toISOString(), networks,
        };
      }).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
    }
    const out: ContainerInfo[] = [];
    // Inspect with bounded parallelism; a container removed in between is simply gone.
    const queue = matching.map((s) => s.Id);
    const worker = async () => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        try {
          out.push(await this.inspectContainer(id));
        } catch (err) {
          if (!(err instanceof RuntimeNotFoundError)) throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.name.localeCompare(b.name));
  }

  async logs(id: string, opts: LogOptions, onChunk: (stream: 'stdout' | 'stderr', data: Buffer) => void): Promise<{ done: Promise<void>; stop(): void }> {
    const container = this.docker.getContainer(id);
    let tty: boolean;
    try {
      tty = (await container.inspect()).Config.Tty;
    } catch (err) {
      throw this.fail(err, `container ${id}`);
    }
    const since = sinceParam(opts);
    const params = {
      stdout: opts.stdout ?? true,
      stderr: opts.stderr ?? true,
      timestamps: opts.timestamps ?? false,
      ...(opts.tail !== undefined && opts.tail >= 0 ? { tail: opts.tail } : {}),
      ...(since ? { since } : {}),
    };
    const demux = tty ? undefined : new Demuxer(onChunk);
    const feed = (d: Buffer) => (demux ? demux.push(d) : onChunk('stdout', d));
    if (!opts.follow) {
      try {
        const buf: Buffer = await container.logs({ ...params, follow: false });
        feed(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
      } catch (err) {
        throw this.fail(err, `reading the logs of container ${id}`);
      }
      return { done: Promise.resolve(), stop() {} };
    }
    let stream: NodeJS.ReadableStream;
    try {
      stream = await container.logs({ ...params, follow: true });
    } catch (err) {
      throw this.fail(err, `following the logs of container ${id}`);
    }
    let stopped = false;
    const done = new Promise<void>((resolve, reject) => {
      stream.on('data', (d: Buffer) => {
        try {
          feed(d);
        } catch (err) {
          reject(err);
          (stream as Readable).destroy();
        }
      });
      stream.on('end', () => resolve());
      stream.on('close', () => resolve());
      stream.on('error', (err) => (stopped ? resolve() : reject(this.fail(err, `following the logs of container ${id}`))));
    });
    return {
      done,
      stop: () => {
        stopped = true;
        (stream as Readable).destroy();
      },
    };
  }

  async exec(id: string, opts: ExecOptions): Promise<ExecSession> {
    const tty = opts.tty ?? false;
    let exec: Docker.Exec;
    try {
      exec = await this.docker.getContainer(id).exec({
        Cmd: opts.command,
        AttachStdin: opts.stdin !== undefined,
        AttachStdout: true,
        AttachStderr: true,
        Tty: tty,
        ...(opts.env ? { Env: opts.env } : {}),
        ...(opts.user ? { User: opts.user } : {}),
        ...(opts.workingDir ? { WorkingDir: opts.workingDir } : {}),
      });
    } catch (err) {
      throw this.fail(err, (err as { statusCode?: number }).statusCode === 404 ? `container ${id}` : `starting ${JSON.stringify(opts.command.join(' '))} in container ${id}`);
    }
    let stream: Duplex;
    try {
      stream = await exec.start({ hijack: true, stdin: opts.stdin !== undefined, Tty: tty }) as Duplex;
    } catch (err) {
      throw this.fail(err, `starting ${JSON.stringify(opts.command.join(' '))} in container ${id}`);
    }
    const demux = tty ? undefined : new Demuxer((s, d) => {
      const target = s === 'stderr' ? opts.stderr : opts.stdout;
      target?.write(d);
    });
    stream.on('data', (d: Buffer) => {
      if (demux) demux.push(d);
      else opts.stdout?.write(d);
    });
    if (opts.stdin) {
      const stdin = opts.stdin;
      stdin.on('data', (d: Buffer | string) => stream.write(d));
      // Half-close: Docker then closes the process's stdin, as `docker exec -i` does at EOF.
      stdin.on('end', () => stream.end());
    }
    const ended = new Promise<void>((resolve, reject) => {
      // Docker closed its side: close ours too, or the hijacked socket keeps the process alive.
      stream.on('end', () => { stream.destroy(); resolve(); });
      stream.on('close', () => resolve());
      stream.on('error', reject);
    });
    const exitCode = ended.then(async () => {
      // The stream can end a moment before Docker records the exit: poll briefly.
      for (let i = 0; ; i++) {
        const info = await exec.inspect();
        if (!info.Running || i >= 100) return info.ExitCode ?? -1;
        await new Promise((r) => setTimeout(r, 20));
      }
    }).catch((err: unknown) => {
      throw this.fail(err, `running ${JSON.stringify(opts.command.join(' '))} in container ${id}`);
    });
    return {
      exitCode,
      resize: async (rows, cols) => {
        if (!tty) throw new Error('resize needs an exec session with a TTY');
        try {
          await exec.resize({ h: rows, w: cols });
        } catch (err) {
          throw this.fail(err, `resizing the terminal of an exec in container ${id}`);
        }
      },
    };
  }

  async attach(id: string, opts: AttachOptions): Promise<AttachSession> {
    const container = this.docker.getContainer(id);
    let c: Docker.ContainerInspectInfo;
    try {
      c = await container.inspect();
    } catch (err) {
      throw this.fail(err, `container ${id}`);
    }
    if (c.State.Status !== 'running') throw new RuntimeConflictError(`attaching to container ${id}: the container is ${c.State.Status}, not running`);
    if (opts.stdin && !c.Config.OpenStdin) throw new Error(`attaching to container ${id}: it was not created with stdin open, so it cannot read input`);
    const tty = c.Config.Tty;
    let stream: Duplex;
    try {
      stream = await container.attach({ stream: true, stdin: opts.stdin !== undefined, stdout: true, stderr: true, hijack: true }) as unknown as Duplex;
    } catch (err) {
      throw this.fail(err, `attaching to container ${id}`);
    }
    const demux = tty ? undefined : new Demuxer((s, d) => (s === 'stderr' ? opts.stderr : opts.stdout)?.write(d));
    stream.on('data', (d: Buffer) => (demux ? demux.push(d) : opts.stdout?.write(d)));
    if (opts.stdin) {
      const stdin = opts.stdin;
      stdin.on('data', (d: Buffer | string) => stream.write(d));
      stdin.on('end', () => stream.end());
    }
    const done = new Promise<void>((resolve) => {
      stream.on('end', () => { stream.destroy(); resolve(); });
      stream.on('close', () => resolve());
      stream.on('error', () => resolve());
    });
    return {
      done,
      resize: async (rows, cols) => {
        if (!tty) throw new Error('resize needs a container with a TTY');
        try {
          await container.resize({ h: rows, w: cols });
        } catch (err) {
          throw this.fail(err, `resizing the terminal of container ${id}`);
        }
      },
      detach: () => stream.destroy(),
    };
  }

  async stats(id: string): Promise<ContainerStats> {
    try {
      // stream=false: Docker takes two samples (≈1 s apart) so precpu_stats is filled.
      const s = await this.docker.getContainer(id).stats({ stream: false }) as unknown as DockerStatsSample;
      return toContainerStats(s);
    } catch (err) {
      throw this.fail(err, (err as { statusCode?: number }).statusCode === 404 ? `container ${id}` : `reading the stats of container ${id}`);
    }
  }

  async events(onEvent: (ev: RuntimeEvent) => void, opts: { labels?: Record<string, string>; onEnd?: (err?: Error) => void } = {}): Promise<{ stop(): void }> {
    let stream: NodeJS.ReadableStream;
    const label = Object.entries(opts.labels ?? {}).map(([k, v]) => `${k}=${v}`);
    try {
      stream = await this.docker.getEvents({ filters: { type: ['container'], ...(label.length ? { label } : {}) } });
    } catch (err) {
      throw this.fail(err, 'subscribing to Docker events');
    }
    let stopped = false;
    jsonLines(stream, (o) => {
      if (o.Type !== 'container') return;
      const actor = (o.Actor ?? {}) as { ID?: string; Attributes?: Record<string, string> };
      const attrs = actor.Attributes ?? {};
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(attrs)) if (!EVENT_ATTRIBUTES.has(k)) labels[k] = v;
      const timeNano = typeof o.timeNano === 'number' ? o.timeNano : undefined;
      const ev: RuntimeEvent = {
        kind: 'container',
        action: String(o.Action ?? o.status ?? ''),
        id: actor.ID ?? String(o.id ?? ''),
        labels,
        time: timeNano !== undefined ? Math.floor(timeNano / 1e6) : Number(o.time ?? 0) * 1000,
      };
      if (attrs.exitCode !== undefined) ev.exitCode = Number(attrs.exitCode);
      onEvent(ev);
    }).then(
      () => { if (!stopped) opts.onEnd?.(); },
      (err: unknown) => { if (!stopped) opts.onEnd?.(this.fail(err, 'reading Docker events')); },
    );
    return {
      stop: () => {
        stopped = true;
        (stream as Readable).destroy();
      },
    };
  }

  async ensureNetwork(name: string, opts: { subnet?: string; gateway?: string; ipRange?: string; labels?: Record<string, string> }): Promise<{ id: string; subnet: string; gateway: string }> {
    const read = async () => {
      const n = await this.docker.getNetwork(name).inspect() as { Id: string; Name: string; IPAM?: { Config?: Array<{ Subnet?: string; Gateway?: string }> } };
      // Docker resolves a network by id prefix too: only an exact name match counts.
      if (n.Name !== name) throw Object.assign(new Error(`network ${name} not found`), { statusCode: 404 });
      const cfg = n.IPAM?.Config?.find((c) => c.Subnet && !c.Subnet.includes(':')) ?? {};
      return { id: n.Id, subnet: cfg.Subnet ?? '', gateway: cfg.Gateway ?? '' };
    };
    const check = (n: { id: string; subnet: string; gateway: string }) => {
      if (opts.subnet && n.subnet !== opts.subnet) {
        throw new Error(`network ${name} exists with subnet ${n.subnet || '(none)'}, not ${opts.subnet}; remove it (docker network rm ${name}) or choose another subnet`);
      }
      return n;
    };
    try {
      return check(await read());
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err instanceof Error && !('statusCode' in err) ? err : this.fail(err, `inspecting network ${name}`);
    }
    try {
      await this.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Labels: opts.labels ?? {},
        ...(opts.subnet ? { IPAM: { Driver: 'default', Config: [{ Subnet: opts.subnet, ...(opts.gateway ? { Gateway: opts.gateway } : {}), ...(opts.ipRange ? { IPRange: opts.ipRange } : {}) }] } } : {}),
      });
    } catch (err) {
      // Another creator won the race: use theirs.
      if ((err as { statusCode?: number }).statusCode !== 409) throw this.fail(err, `creating network ${name}${opts.subnet ? ` with subnet ${opts.subnet}` : ''}`);
    }
    try {
      const n = check(await read());
      if (!n.gateway && n.subnet) {
        // Docker leaves Gateway empty for some allocations; it is the subnet's first address.
        const [ip, bits] = n.subnet.split('/');
        const p = ip!.split('.').map(Number);
        const base = ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
        const mask = (~0 << (32 - Number(bits))) >>> 0;
        const gw = ((base & mask) + 1) >>> 0;
        n.gateway = [gw >>> 24, (gw >>> 16) & 255, (gw >>> 8) & 255, gw & 255].join('.');
      }
      return n;
    } catch (err) {
      throw err instanceof Error && !('statusCode' in err) ? err : this.fail(err, `network ${name}`);
    }
  }

  async removeNetwork(name: string): Promise<void> {
    try {
      await this.docker.getNetwork(name).remove();
    } catch (err) {
      throw this.fail(err, (err as { statusCode?: number }).statusCode === 404 ? `network ${name}` : `removing network ${name}`);
    }
  }

  async connectNetwork(network: string, containerId: string, opts: { aliases?: string[]; ipv4Address?: string } = {}): Promise<void> {
    try {
      await this.docker.getNetwork(network).connect({
        Container: containerId,
        EndpointConfig: {
          ...(opts.aliases?.length ? { Aliases: opts.aliases } : {}),
          ...(opts.ipv4Address ? { IPAMConfig: { IPv4Address: opts.ipv4Address } } : {}),
        },
      });
    } catch (err) {
      const msg = dockerMessage(err);
      if ((err as { statusCode?: number }).statusCode === 404) {
        throw new RuntimeNotFoundError(/network/i.test(msg) ? `network ${network}` : `container ${containerId}`);
      }
      throw this.fail(err, `connecting container ${containerId} to network ${network}`);
    }
  }

  async disconnectNetwork(network: string, containerId: string): Promise<void> {
    try {
      await this.docker.getNetwork(network).disconnect({ Container: containerId, Force: false });
    } catch (err) {
      const msg = dockerMessage(err);
      if ((err as { statusCode?: number }).statusCode === 404) {
        throw new RuntimeNotFoundError(/network/i.test(msg) ? `network ${network}` : `container ${containerId}`);
      }
      throw this.fail(err, `disconnecting container ${containerId} from network ${network}`);
    }
  }

  async createVolume(name: string, labels: Record<string, string>): Promise<void> {
    try {
      await this.docker.createVolume({ Name: name, Driver: 'local', Labels: labels });
    } catch (err) {
      throw this.fail(err, `creating volume ${name}`);
    }
  }

  async removeVolume(name: string): Promise<void> {
    try {
      await this.docker.getVolume(name).remove();
    } catch (err) {
      throw this.fail(err, (err as { statusCode?: number }).statusCode === 404 ? `volume ${name}` : `removing volume ${name}`);
    }
  }

  async listVolumes(labels: Record<string, string>): Promise<string[]> {
    try {
      const res = await this.docker.listVolumes({ filters: { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) } });
      return (res.Volumes ?? []).map((v) => v.Name).sort();
    } catch (err) {
      throw this.fail(err, 'listing volumes');
    }
  }

  async inspectImage(ref: string): Promise<ImageInfo> {
    let i: Docker.ImageInspectInfo;
    try {
      i = await this.docker.getImage(ref).inspect();
    } catch (err) {
      throw this.fail(err, `image ${ref}`);
    }
    return {
      id: i.Id,
      repoTags: i.RepoTags ?? [],
      sizeBytes: i.Size,
      env: i.Config?.Env ?? [],
      entrypoint: (i.Config?.Entrypoint as string[] | null | undefined) ?? null,
      cmd: i.Config?.Cmd ?? null,
      workingDir: i.Config?.WorkingDir ?? '',
      user: i.Config?.User ?? '',
      exposedPorts: Object.keys(i.Config?.ExposedPorts ?? {}),
    };
  }

  async pullImage(ref: string, onProgress?: (p: ImagePullProgress) => void, auth?: { username?: string; password?: string; serverAddress?: string }): Promise<void> {
    const parsed = parseImageRef(ref);
    // fromImage without the tag, and the tag (or digest) separately: an empty tag would pull every tag.
    const repo = ref.replace(/@.*$/, '').replace(/:[^:/]*$/, '');
    const tag = parsed.digest ?? parsed.tag ?? 'latest';
    const authconfig = auth && (auth.username || auth.password)
      ? { username: auth.username ?? '', password: auth.password ?? '', serveraddress: auth.serverAddress ?? parsed.registry }
      : undefined;
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.createImage(authconfig, { fromImage: repo, tag });
    } catch (err) {
      throw new Error(`pulling image ${ref} failed: ${dockerMessage(err)}`);
    }
    let failure: string | undefined;
    await jsonLines(stream, (o) => {
      const e = progressError(o);
      if (e) failure ??= e;
      else if (typeof o.status === 'string') {
        const detail = o.progressDetail as { current?: number; total?: number } | undefined;
        const p: ImagePullProgress = { status: o.status };
        if (typeof o.id === 'string') p.id = o.id;
        if (detail?.current !== undefined) p.current = detail.current;
        if (detail?.total !== undefined) p.total = detail.total;
        onProgress?.(p);
      }
    }).catch((err: unknown) => { failure ??= dockerMessage(err); });
    if (failure) throw new Error(`pulling image ${ref} failed: ${failure}`);
  }

  async putFile(id: string, path: string, content: Buffer, mode = 0o644): Promise<void> {
    if (!path.startsWith('/') || path.endsWith('/')) throw new Error(`putFile needs an absolute file path, got ${JSON.stringify(path)}`);
    const container = this.docker.getContainer(id);
    const dir = posix.dirname(path);
    try {
      await container.putArchive(tar([{ type: 'file', path: posix.basename(path), content, mode }]), { path: dir });
      return;
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status !== 404 || /no such container/i.test(dockerMessage(err))) {
        throw this.fail(err, status === 404 ? `container ${id}` : `writing ${path} into container ${id}`);
      }
    }
    // The folder does not exist yet: send it with its missing parents from the root (0755, like mkdir -p).
    const entries: TarEntry[] = [];
    const parts = dir.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) entries.push({ type: 'directory', path: parts.slice(0, i).join('/') });
    entries.push({ type: 'file', path: path.slice(1), content, mode });
    // Leave existing parents out of the archive (it would reset their modes, e.g. /tmp's 1777): find the first missing one.
    let first = 0;
    for (; first < parts.length; first++) {
      const probe = '/' + parts.slice(0, first + 1).join('/');
      try {
        // dockerode hands back the (bodiless) HEAD response as a stream: close it or the socket stays open.
        const res = await container.infoArchive({ path: probe }) as unknown as Readable;
        res.destroy();
      } catch {
        break;
      }
    }
    try {
      await container.putArchive(tar(entries.slice(first)), { path: '/' });
    } catch (err) {
      throw this.fail(err, `writing ${path} into container ${id}`);
    }
  }

  // ---- beyond the Runtime interface: used by test support to build the offline test images ----

  /** Builds an image from a tar build context with the classic builder (works on every engine ≥ 20.10). */
  async buildImage(context: Buffer, opts: BuildOptions): Promise<string> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await this.docker.buildImage(context as unknown as NodeJS.ReadableStream, {
        t: opts.tags,
        labels: opts.labels ?? {},
        dockerfile: opts.dockerfile ?? 'Dockerfile',
        rm: true,
        forcerm: true,
        version: '1',
      } as unknown as Docker.ImageBuildOptions);
    } catch (err) {
      throw this.fail(err, `building image ${opts.tags[0] ?? ''}`);
    }
    let failure: string | undefined;
    let imageId = '';
    await jsonLines(stream, (o) => {
      const e = progressError(o);
      if (e) failure ??= e;
      if (typeof o.stream === 'string') {
        opts.onProgress?.(o.stream);
        const m = /Successfully built ([0-9a-f]+)/.exec(o.stream);
        if (m) imageId = m[1]!;
      }
      const aux = o.aux as { ID?: string } | undefined;
      if (aux?.ID) imageId = aux.ID;
    });
    if (failure) throw new Error(`building image ${opts.tags[0] ?? ''} failed: ${failure}`);
    return imageId;
  }

  /** Removes an image (by reference or id). */
  async removeImage(ref: string, opts: { force?: boolean } = {}): Promise<void> {
    try {
      await this.docker.getImage(ref).remove({ force: opts.force ?? false });
    } catch (err) {
      throw this.fail(err, (err as { statusCode?: number }).statusCode === 404 ? `image ${ref}` : `removing image ${ref}`);
    }
  }

  /** Tags an existing image (`repo:tag`). */
  async tagImage(ref: string, target: string): Promise<void> {
    const colon = target.lastIndexOf(':');
    const [repo, tag] = colon > target.lastIndexOf('/') ? [target.slice(0, colon), target.slice(colon + 1)] : [target, 'latest'];
    try {
      await this.docker.getImage(ref).tag({ repo, tag });
    } catch (err) {
      throw this.fail(err, (err as { statusCode?: number }).statusCode === 404 ? `image ${ref}` : `tagging image ${ref} as ${target}`);
    }
  }
}
