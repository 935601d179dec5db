/**
 * An in-memory Runtime for unit tests (kubelet, network, scheduler benchmarks). It behaves like Docker where
 * the engine can observe it — states, exit codes, name conflicts, "no such image", IP allocation, events,
 * 404 → RuntimeNotFoundError and 409 → RuntimeConflictError — but runs nothing: the test decides when a
 * container exits (`exitContainer`), what exec answers (`onExec`), what the logs hold (`appendLog`) and
 * what stats read (`setStats`). Every Runtime call is recorded in `calls` so a test can assert what a
 * reconcile did. Time comes from the injectable `now` (ms since the epoch).
 *
 * Docker semantics kept on purpose:
 * - createContainer needs the image locally (no implicit pull) and a unique name;
 * - listContainers without `all` lists running (and paused/restarting) containers only;
 * - stopContainer sends SIGTERM: the container exits 143, or, if the test marked it as ignoring SIGTERM,
 *   is killed after the grace period with 137; killContainer exits 128+signal;
 * - IPs are allocated on start and released on exit; `container:<id>` joining needs a running target;
 * - logs with follow end when the container exits.
 */
import { createHash, randomBytes } from 'node:crypto';
import type {
  AttachOptions, AttachSession, ContainerInfo, ContainerSpec, ContainerStats, ExecOptions, ExecSession, ImageInfo, ImagePullProgress, LogOptions,
  Runtime, RuntimeEvent, RuntimeInfo,
} from '../../engine/runtime/types.ts';
import { RuntimeConflictError, RuntimeNotFoundError, RuntimeUnavailableError } from '../../engine/runtime/types.ts';
import { labelsMatch, toDockerLabels } from '../../engine/runtime/labels.ts';
import { familiarImageRef, normalizeImageRef } from '../../engine/runtime/refs.ts';
import { isDockerName } from '../../engine/runtime/names.ts';

export interface RuntimeCall {
  op: keyof Runtime;
  args: unknown[];
}

export interface ExecContext {
  containerId: string;
  container: ContainerInfo;
  command: string[];
  tty: boolean;
  env: string[];
  user?: string;
  workingDir?: string;
  /** Everything written to the session's stdin so far (complete once stdin ended). */
  stdin: () => Promise<Buffer>;
  stdout: (data: string | Buffer) => void;
  stderr: (data: string | Buffer) => void;
  /** Resizes requested on the session, in order. */
  resizes: Array<{ rows: number; cols: number }>;
}

/** Answers an exec: returns (or resolves to) the exit code. */
export type ExecHandler = (ctx: ExecContext) => number | Promise<number>;

interface Listener {
  onEvent: (ev: RuntimeEvent) => void;
  onEnd?: (err?: Error) => void;
}

interface LogEntry {
  stream: 'stdout' | 'stderr';
  data: Buffer;
  time: number;
}

interface FakeNetwork {
  id: string;
  name: string;
  subnet: string;
  gateway: string;
  labels: Record<string, string>;
  /** IPs in use → container id. */
  used: Map<string, string>;
}

interface Endpoint {
  aliases: string[];
  ipv4Address?: string;
  ip: string;
}

interface FakeContainer {
  info: ContainerInfo;
  spec: ContainerSpec;
  endpoints: Map<string, Endpoint>;
  logs: LogEntry[];
  followers: Set<(e: LogEntry | null) => void>;
  files: Map<string, { content: Buffer; mode: number }>;
  stats?: ContainerStats;
  ignoreSigterm: boolean;
  stopCalls: number[];
  attachments: Set<Attachment>;
  /** Everything attach sessions wrote to the container's stdin. */
  input: Buffer[];
  ttySize?: { rows: number; cols: number };
}

interface Attachment {
  opts: AttachOptions;
  end: () => void;
}

const SIGNALS: Record<string, number> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGUSR2: 12, SIGTERM: 15, SIGSTOP: 19,
};

function signalNumber(signal: string): number {
  const s = signal.toUpperCase();
  const n = SIGNALS[s] ?? SIGNALS[`SIG${s}`] ?? Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`invalid signal: ${signal}`);
  return n;
}

function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) throw new Error(`invalid IPv4 address ${ip}`);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function parseCidr(cidr: string): { base: number; bits: number } {
  const [ip, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!ip || !Number.isInteger(bits) || bits < 8 || bits > 30) throw new Error(`invalid subnet ${cidr}`);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return { base: (ipToInt(ip) & mask) >>> 0, bits };
}

function inSubnet(ip: string, cidr: string): boolean {
  const { base, bits } = parseCidr(cidr);
  const mask = (~0 << (32 - bits)) >>> 0;
  return ((ipToInt(ip) & mask) >>> 0) === base;
}

function timestamp(ms: number): string {
  // Docker prints RFC 3339 with nanoseconds.
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export class FakeRuntime implements Runtime {
  /** Every Runtime call, in order. */
  readonly calls: RuntimeCall[] = [];
  now: () => number;
  runtimeInfo: RuntimeInfo = {
    serverVersion: '20.10.24', apiVersion: '1.41', cpus: 4, memoryBytes: 8 * 1024 ** 3, os: 'linux', arch: 'x86_64',
  };

  private readonly containers = new Map<string, FakeContainer>();
  private readonly images = new Map<string, ImageInfo>();
  private readonly pullable = new Map<string, ImageInfo>();
  private readonly pullErrors = new Map<string, string>();
  private readonly networks = new Map<string, FakeNetwork>();
  private readonly volumes = new Map<string, Record<string, string>>();
  private readonly listeners = new Set<Listener>();
  private execHandler: ExecHandler | undefined;
  private unavailable: string | undefined;
  private nextSubnet = 18;

  constructor(opts: { now?: () => number } = {}) {
    this.now = opts.now ?? Date.now;
    this.networks.set('bridge', {
      id: this.newId(), name: 'bridge', subnet: '172.17.0.0/16', gateway: '172.17.0.1', labels: {}, used: new Map(),
    });
  }

  // ---- test helpers ----

  /** Makes an image present locally (as if built or pulled). Missing fields get plausible defaults. */
  setImage(ref: string, info: Partial<ImageInfo> = {}): ImageInfo {
    const full = this.imageInfo(ref, info);
    this.images.set(normalizeImageRef(ref), full);
    return full;
  }

  /** Makes an image available from its "registry": pullImage succeeds and then it is present locally. */
  setPullable(ref: string, info: Partial<ImageInfo> = {}): void {
    this.pullable.set(normalizeImageRef(ref), this.imageInfo(ref, info));
    this.pullErrors.delete(normalizeImageRef(ref));
  }

  /** Makes pullImage of this ref fail with the given registry message. */
  setPullError(ref: string, message: string): void {
    this.pullErrors.set(normalizeImageRef(ref), message);
  }

  removeImage(ref: string): void {
    this.images.delete(normalizeImageRef(ref));
  }

  /** Ends a running container's process as if it exited by itself (or was OOM-killed). */
  exitContainer(id: string, exitCode: number, opts: { oomKilled?: boolean; error?: string } = {}): void {
    const c = this.get(id);
    if (c.info.state !== 'running' && c.info.state !== 'paused' && c.info.state !== 'restarting') {
      throw new Error(`FakeRuntime.exitContainer: container ${id} is ${c.info.state}, not running`);
    }
    if (opts.oomKilled) this.emit(c, 'oom');
    this.finish(c, exitCode, opts.oomKilled ?? false, opts.error);
  }

  /** Marks a container as ignoring SIGTERM: stopContainer then kills it after the grace period (exit 137). */
  ignoreSigterm(id: string, ignore = true): void {
    this.get(id).ignoreSigterm = ignore;
  }

  /** Grace periods passed to stopContainer for this container, in order. */
  stopGraces(id: string): number[] {
    return [...this.get(id).stopCalls];
  }

  /** Appends output as the container's process would write it; followers receive it at once. */
  appendLog(id: string, stream: 'stdout' | 'stderr', data: string | Buffer): void {
    const c = this.get(id);
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data);
    // Docker's log driver keeps lines: split so tail/since work per line, as they do on the real engine.
    let start = 0;
    for (let i = 0; i < buf.length; i++) {
      if (buf[i] === 0x0a) {
        this.pushLog(c, { stream, data: buf.subarray(start, i + 1), time: this.now() });
        start = i + 1;
      }
    }
    if (start < buf.length) this.pushLog(c, { stream, data: buf.subarray(start), time: this.now() });
  }

  setStats(id: string, stats: Partial<ContainerStats>): void {
    const c = this.get(id);
    c.stats = { ...this.defaultStats(c), ...c.stats, ...stats };
  }

  /** Sets how exec answers (for every container). Without a handler, exec'd commands are "not found" (127). */
  onExec(handler: ExecHandler | undefined): void {
    this.execHandler = handler;
  }

  /** A file put into a container with putFile, or undefined. */
  readFile(id: string, path: string): { content: Buffer; mode: number } | undefined {
    return this.get(id).files.get(path);
  }

  /** What attach sessions sent to the container's stdin, and its TTY size after the last resize. */
  attachedInput(id: string): { stdin: Buffer; ttySize?: { rows: number; cols: number } } {
    const c = this.get(id);
    return { stdin: Buffer.concat(c.input), ...(c.ttySize ? { ttySize: { ...c.ttySize } } : {}) };
  }

  /** The spec a container was created from. */
  specOf(id: string): ContainerSpec {
    return structuredClone(this.get(id).spec);
  }

  /** Every container, whatever its state (a shortcut for assertions). */
  allContainers(): ContainerInfo[] {
    return [...this.containers.values()].map((c) => structuredClone(c.info));
  }

  volumeNames(): string[] {
    return [...this.volumes.keys()];
  }

  networkNames(): string[] {
    return [...this.networks.keys()];
  }

  /** Makes every call fail as if the Docker engine stopped answering (`false`: answering again). */
  setUnavailable(reason: string | false = 'Docker is not running'): void {
    this.unavailable = reason || undefined;
    if (!reason) return;
    // Event streams end when the engine goes away, as Docker's do.
    for (const l of [...this.listeners]) {
      this.listeners.delete(l);
      l.onEnd?.(new RuntimeUnavailableError(reason));
    }
  }

  // ---- Runtime ----

  async info(): Promise<RuntimeInfo> {
    this.record('info');
    return { ...this.runtimeInfo };
  }

  async ping(): Promise<void> {
    this.record('ping');
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    this.record('createContainer', spec);
    if (!isDockerName(spec.name)) throw new Error(`Invalid container name (${spec.name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    const existing = this.find(spec.name);
    if (existing) {
      throw new RuntimeConflictError(`Conflict. The container name "/${spec.name}" is already in use by container "${existing.info.id}"`);
    }
    const image = this.images.get(normalizeImageRef(spec.image));
    if (!image) throw new RuntimeNotFoundError(`image ${spec.image}`);
    if (spec.network?.startsWith('container:')) this.get(spec.network.slice('container:'.length));
    else if (spec.network && spec.network !== 'none' && spec.network !== 'host' && !this.networks.has(spec.network)) {
      throw new RuntimeNotFoundError(`network ${spec.network}`);
    }
    for (const m of spec.mounts ?? []) {
      if (m.type === 'volume' && m.source && !this.volumes.has(m.source)) this.volumes.set(m.source, {});
    }
    const id = this.newId();
    const endpoints = new Map<string, Endpoint>();
    const net = spec.network ?? 'bridge';
    if (!net.startsWith('container:') && net !== 'none' && net !== 'host') {
      if (spec.ipv4Address && net === 'bridge') throw new Error('user specified IP address is supported on user defined networks only');
      endpoints.set(net, { aliases: [...(spec.networkAliases ?? [])], ipv4Address: spec.ipv4Address, ip: '' });
    }
    const c: FakeContainer = {
      info: {
        id,
        name: spec.name,
        image: spec.image,
        imageId: image.id,
        labels: toDockerLabels(spec.labels),
        state: 'created',
        exitCode: 0,
        oomKilled: false,
        createdAt: new Date(this.now()).toISOString(),
        networks: {},
      },
      spec: structuredClone(spec),
      endpoints,
      logs: [],
      followers: new Set(),
      files: new Map(),
      ignoreSigterm: false,
      stopCalls: [],
      attachments: new Set(),
      input: [],
    };
    this.syncNetworks(c);
    this.containers.set(id, c);
    this.emit(c, 'create');
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.record('startContainer', id);
    const c = this.get(id);
    if (c.info.state === 'running') return; // Docker: 304 Not Modified
    const net = c.spec.network;
    if (net?.startsWith('container:')) {
      const target = this.get(net.slice('container:'.length));
      if (target.info.state !== 'running') {
        throw new RuntimeConflictError(`cannot join network of a non running container: ${target.info.id}`);
      }
    }
    for (const [name, ep] of c.endpoints) this.allocate(c, name, ep);
    c.info.state = 'running';
    c.info.exitCode = 0;
    c.info.oomKilled = false;
    delete c.info.error;
    c.info.startedAt = new Date(this.now()).toISOString();
    c.info.finishedAt = '0001-01-01T00:00:00Z';
    c.info.pid = 1000 + Math.floor(Math.random() * 30000);
    this.syncNetworks(c);
    this.emit(c, 'start');
  }

  async stopContainer(id: string, graceSeconds: number): Promise<void> {
    this.record('stopContainer', id, graceSeconds);
    const c = this.get(id);
    c.stopCalls.push(graceSeconds);
    if (c.info.state !== 'running') return; // Docker: 304 Not Modified
    this.emit(c, 'kill', { signal: 'SIGTERM' });
    if (c.ignoreSigterm) this.emit(c, 'kill', { signal: 'SIGKILL' });
    this.finish(c, c.ignoreSigterm ? 137 : 143, false);
    this.emit(c, 'stop');
  }

  async killContainer(id: string, signal = 'SIGKILL'): Promise<void> {
    this.record('killContainer', id, signal);
    const c = this.get(id);
    const n = signalNumber(signal);
    if (c.info.state !== 'running') throw new RuntimeConflictError(`Container ${id} is not running`);
    this.emit(c, 'kill', { signal });
    if (n === SIGNALS.SIGTERM && c.ignoreSigterm) return;
    this.finish(c, 128 + n, false);
  }

  async removeContainer(id: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    this.record('removeContainer', id, opts);
    const c = this.get(id);
    if (c.info.state === 'running') {
      if (!opts.force) {
        throw new RuntimeConflictError(`You cannot remove a running container ${c.info.id}. Stop the container before attempting removal or force remove`);
      }
      this.emit(c, 'kill', { signal: 'SIGKILL' });
      this.finish(c, 137, false);
    }
    for (const [name] of c.endpoints) this.release(c, name);
    this.containers.delete(c.info.id);
    this.emit(c, 'destroy');
  }

  async inspectContainer(id: string): Promise<ContainerInfo> {
    this.record('inspectContainer', id);
    return structuredClone(this.get(id).info);
  }

  async listContainers(labels: Record<string, string>, opts: { all?: boolean } = {}): Promise<ContainerInfo[]> {
    this.record('listContainers', labels, opts);
    return [...this.containers.values()]
      .filter((c) => opts.all || c.info.state === 'running' || c.info.state === 'paused' || c.info.state === 'restarting')
      .filter((c) => labelsMatch(c.info.labels, labels))
      .map((c) => structuredClone(c.info));
  }

  async logs(id: string, opts: LogOptions, onChunk: (stream: 'stdout' | 'stderr', data: Buffer) => void): Promise<{ done: Promise<void>; stop(): void }> {
    this.record('logs', id, opts);
    const c = this.get(id);
    const wantStdout = opts.stdout ?? true;
    const wantStderr = opts.stderr ?? true;
    const since = opts.sinceTime ? Date.parse(opts.sinceTime) : opts.sinceSeconds !== undefined ? this.now() - opts.sinceSeconds * 1000 : -Infinity;
    const deliver = (e: LogEntry) => {
      if (e.stream === 'stdout' ? !wantStdout : !wantStderr) return;
      if (e.time < since) return;
      onChunk(e.stream, opts.timestamps ? Buffer.concat([Buffer.from(`${timestamp(e.time)} `), e.data]) : Buffer.from(e.data));
    };
    let backlog = c.logs.filter((e) => (e.stream === 'stdout' ? wantStdout : wantStderr) && e.time >= since);
    if (opts.tail !== undefined && opts.tail >= 0) backlog = opts.tail === 0 ? [] : backlog.slice(-opts.tail);
    for (const e of backlog) deliver(e);
    if (!opts.follow || c.info.state !== 'running') return { done: Promise.resolve(), stop() {} };
    let finish!: () => void;
    const done = new Promise<void>((resolve) => { finish = resolve; });
    const follower = (e: LogEntry | null) => {
      if (e) return deliver(e);
      c.followers.delete(follower);
      finish();
    };
    c.followers.add(follower);
    return { done, stop: () => follower(null) };
  }

  async exec(id: string, opts: ExecOptions): Promise<ExecSession> {
    this.record('exec', id, { ...opts, stdin: undefined, stdout: undefined, stderr: undefined });
    const c = this.get(id);
    if (c.info.state !== 'running') throw new RuntimeConflictError(`Container ${c.info.id} is not running`);
    const resizes: Array<{ rows: number; cols: number }> = [];
    const stdinData = readAll(opts.stdin);
    const write = (target: NodeJS.WritableStream | undefined) => (data: string | Buffer) => {
      target?.write(data);
    };
    const ctx: ExecContext = {
      containerId: c.info.id,
      container: structuredClone(c.info),
      command: [...opts.command],
      tty: opts.tty ?? false,
      env: [...(opts.env ?? [])],
      user: opts.user,
      workingDir: opts.workingDir,
      stdin: () => stdinData,
      stdout: write(opts.stdout),
      // A TTY has one output stream, as on Docker.
      stderr: write(opts.tty ? opts.stdout : opts.stderr),
      resizes,
    };
    const handler: ExecHandler = this.execHandler ?? ((x) => {
      x.stderr(`OCI runtime exec failed: exec failed: unable to start container process: exec: "${x.command[0]}": executable file not found in $PATH: unknown\r\n`);
      return 127;
    });
    const exitCode = Promise.resolve().then(() => handler(ctx));
    return {
      exitCode,
      resize: async (rows, cols) => {
        if (!ctx.tty) throw new Error('resize needs an exec session with a TTY');
        resizes.push({ rows, cols });
      },
    };
  }

  async attach(id: string, opts: AttachOptions): Promise<AttachSession> {
    this.record('attach', id);
    const c = this.get(id);
    if (c.info.state !== 'running') throw new RuntimeConflictError(`attaching to container ${id}: the container is ${c.info.state}, not running`);
    if (opts.stdin && !c.spec.stdin) throw new Error(`attaching to container ${id}: it was not created with stdin open, so it cannot read input`);
    let finish!: () => void;
    const done = new Promise<void>((resolve) => { finish = resolve; });
    const a: Attachment = { opts, end: () => { c.attachments.delete(a); finish(); } };
    c.attachments.add(a);
    opts.stdin?.on('data', (d: Buffer | string) => { if (c.attachments.has(a)) c.input.push(Buffer.from(d)); });
    return {
      done,
      resize: async (rows, cols) => {
        if (!c.spec.tty) throw new Error('resize needs a container with a TTY');
        c.ttySize = { rows, cols };
      },
      detach: () => a.end(),
    };
  }

  async stats(id: string): Promise<ContainerStats> {
    this.record('stats', id);
    const c = this.get(id);
    if (c.info.state !== 'running') return { cpuNanoCores: 0, memoryBytes: 0, memoryLimitBytes: this.defaultStats(c).memoryLimitBytes };
    return { ...(c.stats ?? this.defaultStats(c)) };
  }

  async events(onEvent: (ev: RuntimeEvent) => void, opts: { labels?: Record<string, string>; onEnd?: (err?: Error) => void } = {}): Promise<{ stop(): void }> {
    this.record('events', { labels: opts.labels });
    const listener: Listener = {
      onEvent: (ev) => { if (!opts.labels || labelsMatch(ev.labels, opts.labels)) onEvent(ev); },
      onEnd: opts.onEnd,
    };
    this.listeners.add(listener);
    return { stop: () => { this.listeners.delete(listener); } };
  }

  async ensureNetwork(name: string, opts: { subnet?: string; gateway?: string; ipRange?: string; labels?: Record<string, string> }): Promise<{ id: string; subnet: string; gateway: string }> {
    this.record('ensureNetwork', name, opts);
    const existing = this.networks.get(name);
    if (existing) {
      if (opts.subnet && opts.subnet !== existing.subnet) {
        throw new RuntimeConflictError(`network ${name} exists with subnet ${existing.subnet}, not ${opts.subnet}`);
      }
      return { id: existing.id, subnet: existing.subnet, gateway: existing.gateway };
    }
    let subnet = opts.subnet;
    if (subnet) {
      const { base, bits } = parseCidr(subnet);
      subnet = `${intToIp(base)}/${bits}`;
      for (const n of this.networks.values()) {
        if (inSubnet(intToIp(base), n.subnet) || inSubnet(n.subnet.split('/')[0]!, subnet)) {
          throw new RuntimeConflictError(`Pool overlaps with other one on this address space`);
        }
      }
    } else {
      do subnet = `172.${this.nextSubnet++}.0.0/16`; while ([...this.networks.values()].some((n) => n.subnet === subnet));
    }
    const gateway = opts.gateway ?? intToIp(parseCidr(subnet).base + 1);
    if (!inSubnet(gateway, subnet)) throw new Error(`gateway ${gateway} is not in subnet ${subnet}`);
    const net: FakeNetwork = { id: this.newId(), name, subnet, gateway, labels: { ...(opts.labels ?? {}) }, used: new Map() };
    this.networks.set(name, net);
    return { id: net.id, subnet, gateway };
  }

  async removeNetwork(name: string): Promise<void> {
    this.record('removeNetwork', name);
    const net = this.networks.get(name);
    if (!net) throw new RuntimeNotFoundError(`network ${name}`);
    if (net.used.size > 0) throw new RuntimeConflictError(`error while removing network: network ${name} id ${net.id} has active endpoints`);
    this.networks.delete(name);
  }

  async connectNetwork(network: string, containerId: string, opts: { aliases?: string[]; ipv4Address?: string } = {}): Promise<void> {
    this.record('connectNetwork', network, containerId, opts);
    if (!this.networks.has(network)) throw new RuntimeNotFoundError(`network ${network}`);
    const c = this.get(containerId);
    if (c.spec.network?.startsWith('container:')) throw new RuntimeConflictError('container sharing network namespace with another container cannot be connected to any other network');
    if (c.endpoints.has(network)) throw new RuntimeConflictError(`endpoint with name ${c.info.name} already exists in network ${network}`);
    const ep: Endpoint = { aliases: [...(opts.aliases ?? [])], ipv4Address: opts.ipv4Address, ip: '' };
    if (c.info.state === 'running') this.allocate(c, network, ep);
    c.endpoints.set(network, ep);
    this.syncNetworks(c);
  }

  async disconnectNetwork(network: string, containerId: string): Promise<void> {
    this.record('disconnectNetwork', network, containerId);
    if (!this.networks.has(network)) throw new RuntimeNotFoundError(`network ${network}`);
    const c = this.get(containerId);
    if (!c.endpoints.has(network)) throw new RuntimeConflictError(`container ${c.info.id} is not connected to network ${network}`);
    this.release(c, network);
    c.endpoints.delete(network);
    this.syncNetworks(c);
  }

  async createVolume(name: string, labels: Record<string, string>): Promise<void> {
    this.record('createVolume', name, labels);
    if (!isDockerName(name)) throw new Error(`invalid volume name ${JSON.stringify(name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    if (!this.volumes.has(name)) this.volumes.set(name, { ...labels });
  }

  async removeVolume(name: string): Promise<void> {
    this.record('removeVolume', name);
    if (!this.volumes.has(name)) throw new RuntimeNotFoundError(`volume ${name}`);
    const user = [...this.containers.values()].find((c) => c.spec.mounts?.some((m) => m.type === 'volume' && m.source === name));
    if (user) throw new RuntimeConflictError(`remove ${name}: volume is in use - [${user.info.id}]`);
    this.volumes.delete(name);
  }

  async listVolumes(labels: Record<string, string>): Promise<string[]> {
    this.record('listVolumes', labels);
    return [...this.volumes].filter(([, l]) => labelsMatch(l, labels)).map(([name]) => name);
  }

  async inspectImage(ref: string): Promise<ImageInfo> {
    this.record('inspectImage', ref);
    const byId = [...this.images.values()].find((i) => i.id === ref);
    const image = byId ?? this.images.get(normalizeImageRef(ref));
    if (!image) throw new RuntimeNotFoundError(`image ${ref}`);
    return structuredClone(image);
  }

  async pullImage(ref: string, onProgress?: (p: ImagePullProgress) => void): Promise<void> {
    this.record('pullImage', ref);
    const key = normalizeImageRef(ref);
    const failure = this.pullErrors.get(key);
    if (failure) throw new Error(failure);
    const image = this.pullable.get(key) ?? this.images.get(key);
    if (!image) {
      const repo = familiarImageRef(ref).replace(/[:@].*$/, '');
      throw new Error(`pull access denied for ${repo}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`);
    }
    const tag = familiarImageRef(ref).split(':').pop() ?? 'latest';
    onProgress?.({ status: `Pulling from ${familiarImageRef(ref).replace(/:[^:/]*$/, '')}`, id: tag });
    onProgress?.({ status: 'Downloading', id: image.id.slice(7, 19), current: image.sizeBytes, total: image.sizeBytes });
    onProgress?.({ status: `Status: Downloaded newer image for ${familiarImageRef(ref)}` });
    this.images.set(key, image);
  }

  async putFile(id: string, path: string, content: Buffer, mode = 0o644): Promise<void> {
    this.record('putFile', id, path, mode);
    if (!path.startsWith('/')) throw new Error(`putFile needs an absolute path, got ${path}`);
    this.get(id).files.set(path, { content: Buffer.from(content), mode });
  }

  // ---- internals ----

  private record(op: keyof Runtime, ...args: unknown[]): void {
    if (this.unavailable) throw new RuntimeUnavailableError(this.unavailable);
    this.calls.push({ op, args: structuredClone(args) });
  }

  private newId(): string {
    return randomBytes(32).toString('hex');
  }

  private find(idOrName: string): FakeContainer | undefined {
    const byId = this.containers.get(idOrName);
    if (byId) return byId;
    const name = idOrName.replace(/^\//, '');
    for (const c of this.containers.values()) if (c.info.name === name) return c;
    // Docker accepts any unique id prefix (12 characters is what it prints).
    if (/^[0-9a-f]{4,}$/.test(idOrName)) {
      const matches = [...this.containers.values()].filter((c) => c.info.id.startsWith(idOrName));
      if (matches.length === 1) return matches[0];
    }
    return undefined;
  }

  private get(idOrName: string): FakeContainer {
    const c = this.find(idOrName);
    if (!c) throw new RuntimeNotFoundError(`container ${idOrName}`);
    return c;
  }

  private imageInfo(ref: string, info: Partial<ImageInfo>): ImageInfo {
    return {
      id: `sha256:${createHash('sha256').update(normalizeImageRef(ref)).digest('hex')}`,
      repoTags: [familiarImageRef(ref)],
      sizeBytes: 1_000_000,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      entrypoint: null,
      cmd: ['sh'],
      workingDir: '',
      user: '',
      exposedPorts: [],
      ...info,
    };
  }

  private defaultStats(c: FakeContainer): ContainerStats {
    return { cpuNanoCores: 0, memoryBytes: 0, memoryLimitBytes: c.spec.memoryBytes ?? this.runtimeInfo.memoryBytes };
  }

  private pushLog(c: FakeContainer, e: LogEntry): void {
    c.logs.push(e);
    for (const f of [...c.followers]) f(e);
    for (const a of c.attachments) (e.stream === 'stderr' && !c.spec.tty ? a.opts.stderr : a.opts.stdout)?.write(e.data);
  }

  private allocate(c: FakeContainer, network: string, ep: Endpoint): void {
    const net = this.networks.get(network);
    if (!net) throw new RuntimeNotFoundError(`network ${network}`);
    if (ep.ip) return;
    let ip = ep.ipv4Address;
    if (ip) {
      if (!inSubnet(ip, net.subnet)) throw new Error(`Invalid address ${ip}: It does not belong to any of this network's subnets`);
      if (net.used.has(ip) || ip === net.gateway) throw new RuntimeConflictError(`Address already in use: ${ip}`);
    } else {
      const { base, bits } = parseCidr(net.subnet);
      const size = 2 ** (32 - bits);
      for (let i = 1; i < size - 1; i++) {
        const candidate = intToIp(base + i);
        if (candidate !== net.gateway && !net.used.has(candidate)) { ip = candidate; break; }
      }
      if (!ip) throw new Error(`no available IPv4 addresses on network ${network}`);
    }
    net.used.set(ip, c.info.id);
    ep.ip = ip;
  }

  private release(c: FakeContainer, network: string): void {
    const ep = c.endpoints.get(network);
    const net = this.networks.get(network);
    if (ep?.ip && net?.used.get(ep.ip) === c.info.id) net.used.delete(ep.ip);
    if (ep) ep.ip = '';
  }

  private syncNetworks(c: FakeContainer): void {
    c.info.networks = Object.fromEntries([...c.endpoints].map(([name, ep]) => [name, { ip: ep.ip, aliases: [...ep.aliases] }]));
  }

  private finish(c: FakeContainer, exitCode: number, oomKilled: boolean, error?: string): void {
    c.info.state = 'exited';
    c.info.exitCode = exitCode;
    c.info.oomKilled = oomKilled;
    if (error) c.info.error = error;
    c.info.finishedAt = new Date(this.now()).toISOString();
    delete c.info.pid;
    for (const [name] of c.endpoints) this.release(c, name);
    this.syncNetworks(c);
    // Containers that share this one's network namespace lose it; Docker leaves them running without a
    // network, which is how a sandbox's death shows up to the kubelet (it recreates the whole pod).
    this.emit(c, 'die', { exitCode });
    for (const f of [...c.followers]) f(null);
    for (const a of [...c.attachments]) a.end();
  }

  private emit(c: FakeContainer, action: string, extra: { exitCode?: number; signal?: string } = {}): void {
    const ev: RuntimeEvent = { kind: 'container', action, id: c.info.id, labels: { ...c.info.labels }, time: this.now() };
    if (extra.exitCode !== undefined) ev.exitCode = extra.exitCode;
    for (const l of [...this.listeners]) l.onEvent(ev);
  }
}

function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  if (!stream) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer | string) => chunks.push(Buffer.isBuffer(d) ? d : Buffer.from(d)));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}
