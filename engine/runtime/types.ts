/**
 * The container runtime as the kubelet and the network see it (our CRI). engine/runtime/ is the only
 * module that talks to Docker; everything above uses this interface, and unit tests use the in-memory
 * fake. Contract: names are deterministic (see names.ts), every container the engine creates carries the
 * labels below, and "not found" is reported as RuntimeNotFoundError, never as a generic error.
 */
export const LABEL_PREFIX = 'io.wheelhouse';

/** Labels every engine-created container carries, so a restarted engine can adopt what runs. */
export interface ContainerLabels {
  cluster: string;
  namespace?: string;
  podName?: string;
  podUid?: string;
  /** The container's name in the pod spec; `POD` for the sandbox. */
  container?: string;
  attempt?: number;
  node?: string;
  /** What the container is for: a pod sandbox, a pod's container, or infrastructure (service proxy, dns…). */
  role?: 'sandbox' | 'container' | 'infra';
  [extra: string]: string | number | undefined;
}

export interface Mount {
  type: 'bind' | 'volume' | 'tmpfs';
  source?: string;
  target: string;
  readOnly?: boolean;
  /** tmpfs only: size limit in bytes. */
  sizeBytes?: number;
}

export interface PortBinding {
  containerPort: number;
  protocol: 'tcp' | 'udp';
  hostIP: string;
  hostPort: number;
}

export interface ContainerSpec {
  name: string;
  image: string;
  labels: ContainerLabels;
  command?: string[];
  args?: string[];
  env?: Record<string, string>;
  workingDir?: string;
  user?: string;
  hostname?: string;
  domainname?: string;
  /** A network name, or `container:<id>` to join another container's network namespace. */
  network?: string;
  networkAliases?: string[];
  ipv4Address?: string;
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  extraHosts?: string[];
  mounts?: Mount[];
  ports?: PortBinding[];
  nanoCpus?: number;
  memoryBytes?: number;
  readOnlyRootfs?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  tty?: boolean;
  stdin?: boolean;
  /** Close the container's stdin after the first attach disconnects (the pod spec's stdinOnce). */
  stdinOnce?: boolean;
  stopSignal?: string;
  init?: boolean;
}

export type ContainerStateName = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerInfo {
  id: string;
  name: string;
  image: string;
  imageId: string;
  labels: Record<string, string>;
  state: ContainerStateName;
  exitCode: number;
  oomKilled: boolean;
  error?: string;
  startedAt?: string;
  finishedAt?: string;
  createdAt: string;
  /** Address on each attached network. */
  networks: Record<string, { ip: string; aliases: string[] }>;
  pid?: number;
}

export interface LogOptions {
  follow?: boolean;
  sinceSeconds?: number;
  sinceTime?: string;
  tail?: number;
  timestamps?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

export interface ExecOptions {
  command: string[];
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  tty?: boolean;
  env?: string[];
  user?: string;
  workingDir?: string;
}

export interface ExecSession {
  /** Resolves with the command's exit code once it ends. */
  readonly exitCode: Promise<number>;
  resize(rows: number, cols: number): Promise<void>;
}

export interface AttachOptions {
  /** Sent to the container's stdin (the container must have been created with `stdin: true`). */
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  /** Unused for a container with a TTY: a TTY has one output stream, delivered to stdout. */
  stderr?: NodeJS.WritableStream;
}

export interface AttachSession {
  /** Resolves when the attachment ends: the container exited or detach() was called. */
  readonly done: Promise<void>;
  /** Resizes the container's TTY. */
  resize(rows: number, cols: number): Promise<void>;
  /** Ends the attachment; the container keeps running. */
  detach(): void;
}

export interface ContainerStats {
  /** CPU used, in nanocores (1e9 = one full core), averaged over the last sample. */
  cpuNanoCores: number;
  memoryBytes: number;
  memoryLimitBytes: number;
}

export type RuntimeEvent = {
  kind: 'container';
  action: string;
  id: string;
  labels: Record<string, string>;
  time: number;
  exitCode?: number;
};

export interface ImagePullProgress {
  status: string;
  id?: string;
  current?: number;
  total?: number;
}

export interface ImageInfo {
  id: string;
  repoTags: string[];
  sizeBytes: number;
  env: string[];
  entrypoint: string[] | null;
  cmd: string[] | null;
  workingDir: string;
  user: string;
  exposedPorts: string[];
}

export interface RuntimeInfo {
  serverVersion: string;
  apiVersion: string;
  cpus: number;
  memoryBytes: number;
  os: string;
  arch: string;
}

export class RuntimeNotFoundError extends Error {
  constructor(what: string) {
    super(`${what} not found`);
    this.name = 'RuntimeNotFoundError';
  }
}

export interface Runtime {
  info(): Promise<RuntimeInfo>;
  ping(): Promise<void>;

  createContainer(spec: ContainerSpec): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** SIGTERM (or the image's stop signal), then SIGKILL after graceSeconds. */
  stopContainer(id: string, graceSeconds: number): Promise<void>;
  killContainer(id: string, signal?: string): Promise<void>;
  removeContainer(id: string, opts?: { force?: boolean; volumes?: boolean }): Promise<void>;
  inspectContainer(id: string): Promise<ContainerInfo>;
  /**
   * Every container whose labels include all the given key=value pairs (label keys are full Docker keys).
   * Each is inspected (exit code, OOMKilled, start/finish times) unless `inspect: false`: then only what one
   * list call tells is filled (id, name, image, labels, state, createdAt, network IPs; exitCode 0, no
   * times), which is what a caller that only needs identities and states (orphan cleanup, kill-all) should
   * ask for — it costs the daemon one call instead of one per container.
   */
  listContainers(labels: Record<string, string>, opts?: { all?: boolean; inspect?: boolean }): Promise<ContainerInfo[]>;
  /** Demultiplexed log stream; each chunk is delivered with the stream it came from. */
  logs(id: string, opts: LogOptions, onChunk: (stream: 'stdout' | 'stderr', data: Buffer) => void): Promise<{ done: Promise<void>; stop(): void }>;
  exec(id: string, opts: ExecOptions): Promise<ExecSession>;
  /** Attaches to a running container's main process (kubectl attach): output from now on, and stdin. */
  attach(id: string, opts: AttachOptions): Promise<AttachSession>;
  stats(id: string): Promise<ContainerStats>;
  /**
   * Streams container events until stopped. `labels` keeps only events of containers carrying all of them;
   * `onEnd` is called once if the stream ends by itself (engine restarted or gone), not after stop().
   */
  events(onEvent: (ev: RuntimeEvent) => void, opts?: { labels?: Record<string, string>; onEnd?: (err?: Error) => void }): Promise<{ stop(): void }>;

  /**
   * Creates the network if absent (idempotent). `ipRange` (inside `subnet`) is where Docker allocates
   * container addresses from; the rest of the subnet stays free for addresses the engine assigns itself
   * (Service ClusterIPs, the cluster DNS).
   */
  ensureNetwork(name: string, opts: { subnet?: string; gateway?: string; ipRange?: string; labels?: Record<string, string> }): Promise<{ id: string; subnet: string; gateway: string }>;
  removeNetwork(name: string): Promise<void>;
  connectNetwork(network: string, containerId: string, opts?: { aliases?: string[]; ipv4Address?: string }): Promise<void>;
  disconnectNetwork(network: string, containerId: string): Promise<void>;

  createVolume(name: string, labels: Record<string, string>): Promise<void>;
  removeVolume(name: string): Promise<void>;
  listVolumes(labels: Record<string, string>): Promise<string[]>;

  inspectImage(ref: string): Promise<ImageInfo>;
  /** Pulls an image, reporting progress; rejects with the registry's message on failure. */
  pullImage(ref: string, onProgress?: (p: ImagePullProgress) => void, auth?: { username?: string; password?: string; serverAddress?: string }): Promise<void>;
  /** Copies a file into a container (used for configMap/secret/downwardAPI files and proxy config). */
  putFile(id: string, path: string, content: Buffer, mode?: number): Promise<void>;
}

/**
 * The engine's state forbids the request (Docker answers 409): a name already in use, a container that is
 * not running, a network with active endpoints, a volume in use. The message says what, in plain words.
 */
export class RuntimeConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeConflictError';
  }
}

/** No container engine answers (Docker not running or not installed); the message says how to fix it. */
export class RuntimeUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeUnavailableError';
  }
}
