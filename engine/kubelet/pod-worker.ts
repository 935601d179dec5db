/**
 * One pod on one node, driven level-triggered: every sync observes the pod's containers in the runtime
 * (found by labels, never by memory alone), compares them with the spec and acts — sandbox first, init
 * containers in order (sidecars keep running), then app containers, restarting per restartPolicy with
 * CrashLoopBackOff — and writes the status. Syncs of one pod never overlap. What runs is adopted as it is
 * (restartCount comes from the attempt label), so a restarted engine starts nothing twice.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Container, ContainerStateTerminated, LifecycleHandler, Pod, PodStatus, Secret } from 'kubernetes-types/core/v1';
import { isNotFound } from '../api/client.ts';
import { R } from '../api/resources.ts';
import { fromDockerLabels, labelFilter } from '../runtime/labels.ts';
import { containerName, sandboxName, SANDBOX_CONTAINER } from '../runtime/names.ts';
import type { ContainerInfo, ContainerSpec, ImageInfo, Mount, PortBinding } from '../runtime/types.ts';
import { RuntimeConflictError, RuntimeNotFoundError } from '../runtime/types.ts';
import { bytes, milliCpu } from '../scheduler/quantity.ts';
import type { KubeletContext } from './context.ts';
import { ContainerConfigError, containerCommand, resolveEnv, type EnvContext } from './env.ts';
import { authFor, ImageError } from './images.ts';
import { initialProbeState, observeProbe, probeSettings, runProbe, type ProbeKind, type ProbeState } from './probes.ts';
import { computePodStatus, terminatedState, type ObservedContainer } from './status.ts';
import { containerMounts, setUpVolumes, VolumeError, type VolumeSource } from './volumes.ts';

/** The sandbox's process: exits at once on SIGTERM, so a pod stops without waiting for a SIGKILL. */
export const SANDBOX_COMMAND = ['sh', '-c', 'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'];

const LOST: ContainerStateTerminated = {
  exitCode: 137, reason: 'ContainerStatusUnknown', message: 'The container could not be located when the pod was terminated',
};

interface ProbeRunner {
  kind: ProbeKind;
  containerId: string;
  state: ProbeState;
  timer: unknown;
  stopped: boolean;
}

/** Stable JSON without null/undefined members (a merge patch drops nulls), for comparing statuses. */
function canonical(v: unknown): string {
  const norm = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(norm);
    if (x && typeof x === 'object') {
      return Object.fromEntries(Object.entries(x as Record<string, unknown>)
        .map(([k, y]) => [k, norm(y)] as const)
        .filter(([, y]) => y !== null && y !== undefined && !(typeof y === 'object' && !Array.isArray(y) && Object.keys(y as object).length === 0))
        .sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    // Times compare at the API's precision (seconds).
    if (typeof x === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/.test(x)) return x.replace(/\.\d+Z$/, 'Z');
    return x;
  };
  return JSON.stringify(norm(v));
}

const attemptOf = (c: ContainerInfo): number => fromDockerLabels(c.labels)?.attempt ?? 0;
const nameOf = (c: ContainerInfo): string | undefined => fromDockerLabels(c.labels)?.container;
const isRunning = (c: ContainerInfo | undefined): boolean => c?.state === 'running' || c?.state === 'paused' || c?.state === 'restarting';
const isExited = (c: ContainerInfo | undefined): boolean => c?.state === 'exited' || c?.state === 'dead';

export class PodWorker {
  pod: Pod;
  readonly uid: string;
  private syncing: Promise<void> | undefined;
  private dirty = false;
  private failures = 0;
  private resyncTimer: unknown;
  private closed = false;
  private readonly probes = new Map<string, ProbeRunner>();
  private readonly waiting = new Map<string, { reason: string; message?: string }>();
  /** Highest attempt seen per container name, and the id of the latest (to notice removal behind our back). */
  private readonly seen = new Map<string, { attempt: number; id: string }>();
  private readonly lost = new Map<string, ContainerStateTerminated>();
  /**
   * The last termination seen per container name, with its attempt: the lastState of the attempt after it
   * even when that container has vanished (removed behind our back, or gone between list and status).
   */
  private readonly terminations = new Map<string, { attempt: number; state: ContainerStateTerminated }>();
  private readonly terminationMessages = new Map<string, string>();
  private readonly written = new Map<string, string>();
  private volumes = new Map<string, VolumeSource>();
  private lastStatus = '';
  private startTime: string | undefined;
  private terminal: 'Succeeded' | 'Failed' | undefined;
  /** All init containers completed once; a restarting sidecar does not make the pod uninitialized again. */
  private everInitialized = false;
  private terminalReason: { reason: string; message: string } | undefined;
  /** Set once the pod's containers are all gone after deletion. */
  finished = false;
  private readonly podDir: string;

  constructor(private readonly ctx: KubeletContext, pod: Pod, private readonly onFinished: (w: PodWorker) => void) {
    this.pod = pod;
    this.uid = pod.metadata!.uid!;
    this.podDir = join(ctx.podsDir, this.uid);
    this.startTime = pod.status?.startTime;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') this.terminal = phase;
    // What the API last showed survives an engine restart: it seeds attempts and readiness.
    for (const cs of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
      if (cs.containerID) this.seen.set(cs.name, { attempt: cs.restartCount, id: cs.containerID.replace(/^docker:\/\//, '') });
    }
  }

  private get ns(): string {
    return this.pod.metadata?.namespace ?? 'default';
  }
  private get name(): string {
    return this.pod.metadata!.name!;
  }

  /** A new version of the pod from the API; only a change the kubelet acts on wakes the worker (not our own status writes). */
  update(pod: Pod): void {
    if (pod.metadata?.uid !== this.uid) return;
    const relevant = (p: Pod): string => JSON.stringify([p.spec, p.metadata?.deletionTimestamp, p.metadata?.labels, p.metadata?.annotations,
      (p.status?.conditions ?? []).filter((c) => (p.spec?.readinessGates ?? []).some((g) => g.conditionType === c.type))]);
    const changed = relevant(pod) !== relevant(this.pod);
    this.pod = pod;
    if (changed) this.kick();
  }

  /** Requests a sync; coalesces with one in progress. */
  kick(): void {
    if (this.closed) return;
    this.dirty = true;
    if (!this.syncing) {
      this.syncing = this.loop().finally(() => {
        this.syncing = undefined;
      });
    }
  }

  /**
   * The periodic resync: a sync unless one is running (that one observes the runtime anyway, and runtime
   * events and API changes still kick). Contract: never delays or drops a kick().
   */
  resync(): void {
    if (!this.syncing) this.kick();
  }

  /** Resolves when no sync is running. */
  async settled(): Promise<void> {
    while (this.syncing) await this.syncing;
  }

  private async loop(): Promise<void> {
    while (this.dirty && !this.closed) {
      this.dirty = false;
      try {
        await this.sync();
        this.failures = 0;
      } catch (err) {
        // Retries back off (2 s doubling to 30 s) so a stopped Docker does not flood the log.
        this.failures++;
        if (this.failures <= 3 || this.failures % 10 === 0) this.ctx.log(`kubelet ${this.ctx.nodeName}: pod ${this.ns}/${this.name}: ${(err as Error).message}`);
        this.schedule(Math.min(30_000, 2000 * 2 ** Math.min(this.failures - 1, 4)));
      }
    }
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.resyncTimer !== undefined) this.ctx.clock.clearTimeout(this.resyncTimer);
    this.resyncTimer = this.ctx.clock.setTimeout(() => {
      this.resyncTimer = undefined;
      this.kick();
    }, ms);
  }

  /** Stops probes and timers; containers are left as they are (the engine may be restarting). */
  close(): void {
    this.closed = true;
    if (this.resyncTimer !== undefined) this.ctx.clock.clearTimeout(this.resyncTimer);
    for (const key of [...this.probes.keys()]) this.stopProbe(key);
  }

  private event(type: 'Normal' | 'Warning', reason: string, message: string, container?: Container, init = false): void {
    const fieldPath = container ? `spec.${init ? 'initContainers' : 'containers'}{${container.name}}` : undefined;
    void this.ctx.recorder.event(this.pod, type, reason, message, fieldPath);
  }

  private async listOwn(): Promise<ContainerInfo[]> {
    return this.ctx.runtime.listContainers(labelFilter({ cluster: this.ctx.clusterName, podUid: this.uid }), { all: true });
  }

  // ---------------------------------------------------------------------------------------------------
  private async sync(): Promise<void> {
    const pod = this.pod;
    let containers = await this.listOwn();
    if (pod.metadata?.deletionTimestamp) {
      await this.terminate(containers, true);
      return;
    }
    this.startTime ??= new Date(this.ctx.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    if (this.terminal) {
      await this.stopAll(containers.filter((c) => isRunning(c)), 'pod is terminal');
      await this.writeStatus(await this.listOwn(), undefined);
      return;
    }
    const spec = pod.spec!;
    // activeDeadlineSeconds: past it, the pod fails and its containers stop (upstream's active deadline handler).
    if (spec.activeDeadlineSeconds !== undefined && this.startTime) {
      const left = Date.parse(this.startTime) + spec.activeDeadlineSeconds * 1000 - this.ctx.clock.now();
      if (left <= 0) {
        const message = 'Pod was active on the node longer than the specified deadline';
        this.event('Normal', 'DeadlineExceeded', message);
        this.terminal = 'Failed';
        this.terminalReason = { reason: 'DeadlineExceeded', message };
        await this.stopAll(containers.filter((c) => isRunning(c)), 'deadline exceeded');
        await this.writeStatus(await this.listOwn(), undefined);
        return;
      }
      this.schedule(left);
    }
    const envCtx: EnvContext = { hostIP: this.ctx.hostIP, nodeAllocatable: this.ctx.nodeAllocatable() };

    // Volumes first (upstream mounts before creating the sandbox); a failure waits and retries.
    try {
      this.volumes = await setUpVolumes(pod, this.podDir, this.ctx.sources, { ...envCtx, podIP: this.podIP(containers) }, this.written);
    } catch (err) {
      if (!(err instanceof VolumeError)) throw err;
      this.event('Warning', 'FailedMount', err.message);
      await this.writeStatus(containers, undefined);
      this.schedule(5000);
      return;
    }

    // Sandbox.
    let found = this.currentOf(containers, SANDBOX_CONTAINER);
    if (!isRunning(found)) {
      const old = found;
      found = await this.createSandbox(containers, found);
      if (!found) {
        await this.writeStatus(containers, undefined);
        return;
      }
      // Old sandboxes were removed and running containers stopped: relist only when there were any.
      containers = old ? await this.listOwn() : [...containers, found];
    }
    const sandbox: ContainerInfo = found!;
    const podIP = this.sandboxIP(sandbox);
    envCtx.podIP = podIP;
    envCtx.podIPs = podIP ? [podIP] : [];

    // Init containers, in order. Once the pod was initialized (or an app container exists, after an
    // engine restart), init containers are not run again; sidecars are only kept running.
    this.everInitialized ||= spec.containers.some((c) => this.currentOf(containers, c.name) !== undefined);
    let initialized = true;
    for (const c of spec.initContainers ?? []) {
      const sidecar = c.restartPolicy === 'Always';
      const cur = this.observe(containers, c.name);
      if (this.everInitialized) {
        if (sidecar && !isRunning(cur)) await this.startOrRestart(c, cur, sandbox, envCtx, true, true, containers);
        else if (sidecar) {
          this.ensureProbes(c, cur!, sandbox, true);
          await this.checkLiveness(c, cur!, true);
        }
        continue;
      }
      if (sidecar) {
        if (!isRunning(cur)) {
          await this.startOrRestart(c, cur, sandbox, envCtx, true, true, containers);
          // A sidecar without a startup probe counts as started at once: go on with the next one.
          if (!this.waiting.has(c.name)) this.kick();
          initialized = false;
          break;
        }
        this.ensureProbes(c, cur!, sandbox, true);
        if (!this.started(c, cur)) {
          initialized = false;
          break;
        }
        if (await this.checkLiveness(c, cur!, true)) {
          initialized = false;
          break;
        }
        continue;
      }
      if (isExited(cur) && cur!.exitCode === 0) continue;
      initialized = false;
      if (isRunning(cur)) break;
      if (isExited(cur) && (spec.restartPolicy ?? 'Always') === 'Never') {
        this.terminal = 'Failed';
        break;
      }
      await this.startOrRestart(c, cur, sandbox, envCtx, true, false, containers);
      break;
    }

    if (initialized) this.everInitialized = true;
    if (initialized && !this.terminal) {
      for (const c of spec.containers) {
        const cur = this.observe(containers, c.name);
        if (isRunning(cur)) {
          this.waiting.delete(c.name);
          this.ensureProbes(c, cur!, sandbox, false);
          await this.checkLiveness(c, cur!, false);
          continue;
        }
        await this.startOrRestart(c, cur, sandbox, envCtx, false, false, containers);
      }
    } else if (!initialized) {
      for (const c of spec.containers) if (!this.observe(containers, c.name)) this.waiting.set(c.name, { reason: 'PodInitializing' });
    }

    containers = await this.listOwn();
    const status = await this.writeStatus(containers, sandbox);
    if (status && (status.phase === 'Succeeded' || status.phase === 'Failed')) {
      this.terminal = status.phase;
      this.kick();
    }
  }

  /** The pod's IP: the sandbox's address on the cluster network, or the node's for hostNetwork pods (upstream). */
  private sandboxIP(sandbox: ContainerInfo): string | undefined {
    if (this.pod.spec?.hostNetwork) return this.ctx.hostIP;
    return sandbox.networks[this.ctx.networkName]?.ip || undefined;
  }

  private podIP(containers: ContainerInfo[]): string | undefined {
    const sb = this.currentOf(containers, SANDBOX_CONTAINER);
    return isRunning(sb) ? this.sandboxIP(sb!) : undefined;
  }

  /** The latest attempt of a container (by the attempt label), ignoring `created` leftovers. */
  private currentOf(containers: ContainerInfo[], name: string): ContainerInfo | undefined {
    let best: ContainerInfo | undefined;
    for (const c of containers) {
      if (nameOf(c) !== name || c.state === 'created') continue;
      if (!best || attemptOf(c) > attemptOf(best)) best = c;
    }
    return best;
  }

  private previousOf(containers: ContainerInfo[], name: string, cur: ContainerInfo | undefined): ContainerInfo | undefined {
    let best: ContainerInfo | undefined;
    for (const c of containers) {
      if (nameOf(c) !== name || c === cur || c.state === 'created' || (cur && attemptOf(c) >= attemptOf(cur))) continue;
      if (!best || attemptOf(c) > attemptOf(best)) best = c;
    }
    return best;
  }

  /** The current container of a spec name, noting when one we knew has vanished (docker rm -f). */
  private observe(containers: ContainerInfo[], name: string): ContainerInfo | undefined {
    const cur = this.currentOf(containers, name);
    const known = this.seen.get(name);
    if (cur) {
      if (isExited(cur)) this.terminations.set(name, { attempt: attemptOf(cur), state: terminatedState(cur) });
      if (!known || attemptOf(cur) >= known.attempt) this.seen.set(name, { attempt: attemptOf(cur), id: cur.id });
      if (known && attemptOf(cur) >= known.attempt) this.lost.delete(name);
      return cur;
    }
    if (known && !this.lost.has(name)) {
      const last = this.terminations.get(name);
      // A container that exited and then vanished keeps its real termination; one that vanished running is unknown.
      const state = last?.attempt === known.attempt ? last.state : { ...LOST, containerID: `docker://${known.id}` };
      this.lost.set(name, state);
      this.terminations.set(name, { attempt: known.attempt, state });
    }
    return undefined;
  }

  private nextAttempt(name: string, cur: ContainerInfo | undefined): number {
    const known = this.seen.get(name);
    if (cur) return Math.max(attemptOf(cur), known?.attempt ?? 0) + 1;
    return known ? known.attempt + 1 : 0;
  }

  // ---------------------------------------------------------------------------------------------------
  private async createSandbox(containers: ContainerInfo[], old: ContainerInfo | undefined): Promise<ContainerInfo | undefined> {
    const pod = this.pod;
    const spec = pod.spec!;
    if (old) {
      // The network namespace is gone: every container of the pod goes with it and restarts per policy.
      this.event('Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
      await this.stopAll(containers.filter((c) => isRunning(c) && nameOf(c) !== SANDBOX_CONTAINER), 'sandbox changed');
    }
    const attempt = this.nextAttempt(SANDBOX_CONTAINER, old);
    for (const c of containers) {
      if (nameOf(c) === SANDBOX_CONTAINER) await this.ctx.runtime.removeContainer(c.id, { force: true }).catch(() => undefined);
    }
    try {
      await this.ctx.images.ensure({ name: SANDBOX_CONTAINER, image: this.ctx.sandboxImage, imagePullPolicy: 'IfNotPresent' }, `${this.uid}/${SANDBOX_CONTAINER}`, () => {}, async () => undefined);
    } catch (err) {
      this.event('Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(err as Error).message}`);
      this.schedule(10_000);
      return undefined;
    }
    const ns = this.ns;
    const domain = this.ctx.clusterDomain;
    const hostNetwork = spec.hostNetwork === true;
    let policy = spec.dnsPolicy ?? 'ClusterFirst';
    if (policy === 'ClusterFirst' && hostNetwork) policy = 'Default';
    let dns: string[] = [];
    let search: string[] = [];
    let options: string[] = [];
    if (policy === 'ClusterFirst' || policy === 'ClusterFirstWithHostNet') {
      dns = [...this.ctx.clusterDNS];
      search = [`${ns}.svc.${domain}`, `svc.${domain}`, domain];
      options = ['ndots:5'];
    }
    const cfg = spec.dnsConfig;
    if (cfg) {
      dns = [...dns, ...(cfg.nameservers ?? [])];
      search = [...search, ...(cfg.searches ?? [])];
      const opts = new Map(options.map((o) => [o.split(':')[0]!, o]));
      for (const o of cfg.options ?? []) opts.set(o.name!, o.value !== undefined ? `${o.name}:${o.value}` : o.name!);
      options = [...opts.values()];
    }
    const ports: PortBinding[] = [];
    for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
      for (const p of c.ports ?? []) {
        if (!p.hostPort) continue;
        // Bound on loopback unless the pod names an address: a laptop is not a node on a private network.
        ports.push({ containerPort: p.containerPort, protocol: (p.protocol ?? 'TCP').toLowerCase() === 'udp' ? 'udp' : 'tcp', hostIP: p.hostIP || '127.0.0.1', hostPort: p.hostPort });
      }
    }
    const hostname = (spec.hostname ?? this.name).slice(0, 63).replace(/[.-]+$/, '');
    const cs: ContainerSpec = {
      name: sandboxName({ cluster: this.ctx.clusterName, namespace: ns, pod: this.name, podUid: this.uid, attempt }),
      image: this.ctx.sandboxImage,
      labels: {
        cluster: this.ctx.clusterName, namespace: ns, podName: this.name, podUid: this.uid, container: SANDBOX_CONTAINER,
        attempt, node: this.ctx.nodeName, role: 'sandbox',
      },
      command: SANDBOX_COMMAND,
      args: [],
      ...(hostNetwork ? { network: 'host' } : {
        network: this.ctx.networkName,
        hostname,
        ...(spec.subdomain ? { domainname: `${spec.subdomain}.${ns}.svc.${domain}` } : {}),
      }),
      ...(dns.length ? { dns } : {}),
      ...(search.length ? { dnsSearch: search } : {}),
      ...(options.length ? { dnsOptions: options } : {}),
      extraHosts: (spec.hostAliases ?? []).flatMap((a) => (a.hostnames ?? []).map((h) => `${h}:${a.ip}`)),
      ports,
      stopSignal: 'SIGTERM',
    };
    try {
      const id = await this.ctx.runtime.createContainer(cs);
      await this.ctx.runtime.startContainer(id);
      return await this.ctx.runtime.inspectContainer(id);
    } catch (err) {
      this.event('Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(err as Error).message}`);
      this.schedule(5000);
      return undefined;
    }
  }

  // ---------------------------------------------------------------------------------------------------
  private shouldRestart(cur: ContainerInfo | undefined, exitCode: number, sidecar: boolean): boolean {
    if (sidecar) return true;
    const policy = this.pod.spec?.restartPolicy ?? 'Always';
    if (policy === 'Always') return true;
    if (policy === 'OnFailure') return exitCode !== 0;
    return false;
  }

  /** Starts a container that never ran, or restarts an exited/vanished one per policy and backoff. */
  private async startOrRestart(c: Container, cur: ContainerInfo | undefined, sandbox: ContainerInfo, env: EnvContext, init: boolean, sidecar: boolean, containers: ContainerInfo[]): Promise<void> {
    const lost = this.lost.get(c.name);
    const ranBefore = isExited(cur) || lost !== undefined;
    const key = `${this.uid}/${c.name}`;
    if (ranBefore) {
      const exitCode = isExited(cur) ? cur!.exitCode : lost!.exitCode;
      if (!init || sidecar ? !this.shouldRestart(cur, exitCode, sidecar) : (this.pod.spec?.restartPolicy ?? 'Always') === 'Never') {
        this.waiting.delete(c.name);
        return;
      }
      const finished = isExited(cur) && cur!.finishedAt && !cur!.finishedAt.startsWith('0001-') ? Date.parse(cur!.finishedAt) : this.ctx.clock.now();
      const left = this.ctx.crashBackoff.remaining(key, finished, this.ctx.clock.now());
      if (left > 0) {
        const delay = this.ctx.crashBackoff.delay(key, this.ctx.clock.now());
        const message = `back-off ${Math.round(delay / 1000)}s restarting failed container=${c.name} pod=${this.name}_${this.ns}(${this.uid})`;
        if (this.waiting.get(c.name)?.reason !== 'CrashLoopBackOff') {
          this.event('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${this.name}_${this.ns}(${this.uid})`, c, init);
        }
        this.waiting.set(c.name, { reason: 'CrashLoopBackOff', message });
        this.schedule(left);
        return;
      }
      this.ctx.crashBackoff.next(key, this.ctx.clock.now());
    }
    await this.startContainer(c, cur, sandbox, env, init, sidecar, containers);
  }

  private async startContainer(c: Container, cur: ContainerInfo | undefined, sandbox: ContainerInfo, envCtx: EnvContext, init: boolean, sidecar: boolean, known: ContainerInfo[]): Promise<void> {
    const pod = this.pod;
    const ns = this.ns;
    const attempt = this.nextAttempt(c.name, cur);
    let image: ImageInfo;
    try {
      image = await this.ctx.images.ensure(c, `${this.uid}/${c.name}/image`, (t, r, m) => this.event(t, r, m, c, init), async () => {
        const secrets: Secret[] = [];
        for (const ref of pod.spec?.imagePullSecrets ?? []) {
          const s = await this.ctx.sources.secret(ns, ref.name ?? '');
          if (s) secrets.push(s);
        }
        return authFor(c.image ?? '', secrets);
      });
    } catch (err) {
      if (!(err instanceof ImageError)) throw err;
      this.waiting.set(c.name, { reason: err.reason, message: err.message });
      if (err.reason === 'ErrImagePull' || err.reason === 'ImagePullBackOff') this.schedule(err.reason === 'ErrImagePull' ? 1000 : 2000);
      return;
    }
    let spec: ContainerSpec;
    try {
      spec = await this.containerSpec(c, attempt, sandbox, envCtx, image);
    } catch (err) {
      if (!(err instanceof ContainerConfigError)) throw err;
      this.waiting.set(c.name, { reason: 'CreateContainerConfigError', message: err.message });
      this.event('Warning', 'Failed', `Error: ${err.message}`, c, init);
      this.schedule(10_000);
      return;
    }
    // A leftover of the same name (a create interrupted by an engine crash) is replaced.
    if (known.some((k) => k.name === spec.name)) await this.ctx.runtime.removeContainer(spec.name, { force: true }).catch(() => undefined);
    let id: string;
    try {
      id = await this.ctx.runtime.createContainer(spec);
    } catch (err) {
      this.waiting.set(c.name, { reason: 'CreateContainerError', message: (err as Error).message });
      this.event('Warning', 'Failed', `Error: ${(err as Error).message}`, c, init);
      this.schedule(10_000);
      return;
    }
    this.event('Normal', 'Created', `Created container ${c.name}`, c, init);
    try {
      await this.ctx.runtime.startContainer(id);
    } catch (err) {
      await this.ctx.runtime.removeContainer(id, { force: true }).catch(() => undefined);
      this.waiting.set(c.name, { reason: 'RunContainerError', message: (err as Error).message });
      this.event('Warning', 'Failed', `Error: failed to start container "${c.name}": ${(err as Error).message}`, c, init);
      this.schedule(10_000);
      return;
    }
    this.seen.set(c.name, { attempt, id });
    this.lost.delete(c.name);
    this.waiting.delete(c.name);
    this.event('Normal', 'Started', `Started container ${c.name}`, c, init);
    // Keep the previous attempt (for logs --previous and lastState); older ones go.
    for (const old of known) {
      if (nameOf(old) === c.name && attemptOf(old) < attempt - 1) await this.ctx.runtime.removeContainer(old.id, { force: true }).catch(() => undefined);
    }
    if (c.lifecycle?.postStart) {
      const err = await this.runHandler(c.lifecycle.postStart, id, sandbox.id, c, 30_000);
      if (err) {
        this.event('Warning', 'FailedPostStartHook', `PostStartHook failed: ${err}`, c, init);
        await this.ctx.runtime.stopContainer(id, this.grace()).catch(() => undefined);
        return;
      }
    }
    // Probes need the container's start time; without probes the inspect would only cost the daemon a call
    // (the sync's relist observes the container for the status anyway).
    if (!c.startupProbe && !c.livenessProbe && !c.readinessProbe) return;
    const info = await this.ctx.runtime.inspectContainer(id).catch(() => undefined);
    if (info && isRunning(info)) this.ensureProbes(c, info, sandbox, init || sidecar);
  }

  private async containerSpec(c: Container, attempt: number, sandbox: ContainerInfo, envCtx: EnvContext, image: ImageInfo): Promise<ContainerSpec> {
    const pod = this.pod;
    const ns = this.ns;
    const envList = await resolveEnv(pod, c, this.ctx.sources, envCtx);
    const env = new Map(envList);
    const { command, args } = containerCommand(c, env);
    const mounts: Mount[] = await containerMounts(c, this.volumes, env);
    const sc = c.securityContext ?? {};
    const psc = pod.spec?.securityContext ?? {};
    const uid = sc.runAsUser ?? psc.runAsUser;
    const gid = sc.runAsGroup ?? psc.runAsGroup;
    const runAsNonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
    const imageUser = image.user.split(':')[0] ?? '';
    if (runAsNonRoot) {
      if (uid === 0) throw new ContainerConfigError('container\'s runAsUser breaks non-root policy');
      if (uid === undefined && (imageUser === '' || imageUser === '0' || imageUser === 'root')) {
        throw new ContainerConfigError('container has runAsNonRoot and image will run as root');
      }
      if (uid === undefined && !/^\d+$/.test(imageUser)) {
        throw new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (${imageUser}), cannot verify user is non-root`);
      }
    }
    let user: string | undefined;
    if (uid !== undefined) user = gid !== undefined ? `${uid}:${gid}` : String(uid);
    else if (gid !== undefined) user = `${imageUser || '0'}:${gid}`;
    // terminationMessagePath: a host file bind-mounted in, read after the container exits.
    const tmPath = c.terminationMessagePath ?? '/dev/termination-log';
    const tmFile = join(this.podDir, 'containers', `${c.name}-${attempt}.termination-log`);
    await mkdir(join(this.podDir, 'containers'), { recursive: true });
    await writeFile(tmFile, '', { mode: 0o666 });
    mounts.push({ type: 'bind', source: tmFile, target: tmPath });
    const limits = c.resources?.limits ?? {};
    const caps = (xs: readonly string[] | undefined): string[] | undefined => (xs?.length ? xs.map((x) => x.replace(/^CAP_/i, '').toUpperCase()) : undefined);
    return {
      name: containerName({ cluster: this.ctx.clusterName, namespace: ns, pod: this.name, podUid: this.uid, container: c.name, attempt }),
      image: c.image!,
      labels: {
        cluster: this.ctx.clusterName, namespace: ns, podName: this.name, podUid: this.uid, container: c.name,
        attempt, node: this.ctx.nodeName, role: 'container',
      },
      ...(command ? { command } : {}),
      ...(args ? { args } : {}),
      env: Object.fromEntries(envList),
      ...(c.workingDir ? { workingDir: c.workingDir } : {}),
      ...(user ? { user } : {}),
      network: `container:${sandbox.id}`,
      mounts,
      ...(limits.cpu !== undefined ? { nanoCpus: milliCpu(limits.cpu) * 1e6 } : {}),
      ...(limits.memory !== undefined ? { memoryBytes: bytes(limits.memory) } : {}),
      ...(sc.readOnlyRootFilesystem ? { readOnlyRootfs: true } : {}),
      ...(caps(sc.capabilities?.add) ? { capAdd: caps(sc.capabilities?.add) } : {}),
      ...(caps(sc.capabilities?.drop) ? { capDrop: caps(sc.capabilities?.drop) } : {}),
      ...(sc.privileged ? { privileged: true } : {}),
      ...(c.tty ? { tty: true } : {}),
      ...(c.stdin ? { stdin: true } : {}),
      ...(c.stdin && c.stdinOnce ? { stdinOnce: true } : {}),
    };
  }

  // ---------------------------------------------------------------------------------------------------
  private grace(): number {
    const p = this.pod;
    return p.metadata?.deletionGracePeriodSeconds ?? p.spec?.terminationGracePeriodSeconds ?? 30;
  }

  /** Runs a lifecycle handler (exec, httpGet, sleep); resolves with an error message or undefined. */
  private async runHandler(h: LifecycleHandler, containerId: string, sandboxId: string, c: Container, timeoutMs: number): Promise<string | undefined> {
    if (h.sleep) {
      await new Promise((r) => this.ctx.clock.setTimeout(() => r(undefined), Math.min(h.sleep!.seconds * 1000, timeoutMs)));
      return undefined;
    }
    const probe = h.exec ? { exec: h.exec, timeoutSeconds: Math.ceil(timeoutMs / 1000) } : h.httpGet ? { httpGet: h.httpGet, timeoutSeconds: Math.ceil(timeoutMs / 1000) } : h.tcpSocket ? { tcpSocket: h.tcpSocket, timeoutSeconds: Math.ceil(timeoutMs / 1000) } : undefined;
    if (!probe) return 'no handler';
    const r = await runProbe(probe, { runtime: this.ctx.runtime, containerId, sandboxId, container: c });
    return r.ok ? undefined : r.message || 'handler failed';
  }

  /** Stops containers in parallel with preStop hooks and the pod's grace period. */
  private async stopAll(list: ContainerInfo[], why: string, graceSeconds = this.grace()): Promise<void> {
    const specs = new Map([...(this.pod.spec?.initContainers ?? []), ...(this.pod.spec?.containers ?? [])].map((c) => [c.name, c]));
    const sandbox = list.find((c) => nameOf(c) === SANDBOX_CONTAINER);
    const apps = list.filter((c) => nameOf(c) !== SANDBOX_CONTAINER);
    const deadline = this.ctx.clock.now() + graceSeconds * 1000;
    const sidecarNames = new Set((this.pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
    const stopOne = async (info: ContainerInfo): Promise<void> => {
      const name = nameOf(info) ?? '';
      const c = specs.get(name);
      if (c) this.event('Normal', 'Killing', `Stopping container ${name}`, c, sidecarNames.has(name));
      const sbId = this.currentOf(list, SANDBOX_CONTAINER)?.id ?? sandbox?.id;
      if (c?.lifecycle?.preStop && sbId && graceSeconds > 0) {
        const err = await this.runHandler(c.lifecycle.preStop, info.id, sbId, c, Math.max(0, deadline - this.ctx.clock.now()));
        if (err) this.event('Warning', 'FailedPreStopHook', `PreStopHook failed: ${err}`, c);
      }
      const left = Math.max(0, Math.ceil((deadline - this.ctx.clock.now()) / 1000));
      await this.ctx.runtime.stopContainer(info.id, graceSeconds === 0 ? 0 : Math.max(left, 2)).catch((err: unknown) => {
        if (!(err instanceof RuntimeNotFoundError) && !(err instanceof RuntimeConflictError)) throw err;
      });
    };
    // Sidecars stop after the app containers, as upstream.
    await Promise.all(apps.filter((c) => !sidecarNames.has(nameOf(c) ?? '')).map(stopOne));
    await Promise.all(apps.filter((c) => sidecarNames.has(nameOf(c) ?? '')).map(stopOne));
    for (const c of apps) for (const k of ['liveness', 'readiness', 'startup']) this.stopProbe(`${nameOf(c)}/${k}`);
    if (sandbox && isRunning(sandbox) && why !== 'sandbox changed') {
      await this.ctx.runtime.stopContainer(sandbox.id, 2).catch(() => undefined);
    }
  }

  /** Graceful deletion: stop everything, remove it, then let the API drop the pod (delete with grace 0). */
  async terminate(containers?: ContainerInfo[], deleteFromApi = false): Promise<void> {
    const list = containers ?? await this.listOwn();
    await this.stopAll(list.filter((c) => isRunning(c)), 'pod deleted');
    for (const c of list) await this.ctx.runtime.removeContainer(c.id, { force: true }).catch(() => undefined);
    await rm(this.podDir, { recursive: true, force: true }).catch(() => undefined);
    this.ctx.crashBackoff.forgetPrefix(`${this.uid}/`);
    this.ctx.images.forget(`${this.uid}/`);
    if (deleteFromApi) {
      try {
        await this.ctx.client.delete(R.pods, this.name, this.ns, { gracePeriodSeconds: 0, preconditions: { uid: this.uid } });
      } catch (err) {
        if (!isNotFound(err) && !(err instanceof Error && /Precondition/.test(err.message))) throw err;
      }
    }
    this.finished = true;
    this.close();
    this.onFinished(this);
  }

  // ---------------------------------------------------------------------------------------------------
  private ensureProbes(c: Container, info: ContainerInfo, sandbox: ContainerInfo, init: boolean): void {
    const kinds: [ProbeKind, typeof c.livenessProbe][] = [['startup', c.startupProbe], ['liveness', c.livenessProbe], ['readiness', c.readinessProbe]];
    for (const [kind, probe] of kinds) {
      const key = `${c.name}/${kind}`;
      const existing = this.probes.get(key);
      if (!probe) {
        if (existing) this.stopProbe(key);
        continue;
      }
      if (existing?.containerId === info.id) continue;
      if (existing) this.stopProbe(key);
      const state = initialProbeState(kind);
      // An adopted container keeps the readiness the API last showed, so a restarted engine does not
      // flap Services.
      if (kind === 'readiness') {
        const cs = [...(this.pod.status?.containerStatuses ?? []), ...(this.pod.status?.initContainerStatuses ?? [])].find((s) => s.name === c.name);
        if (cs?.ready && cs.containerID === `docker://${info.id}`) state.result = true;
      }
      if (kind === 'startup') {
        const cs = [...(this.pod.status?.containerStatuses ?? []), ...(this.pod.status?.initContainerStatuses ?? [])].find((s) => s.name === c.name);
        if (cs?.started && cs.containerID === `docker://${info.id}`) state.result = true;
      }
      const runner: ProbeRunner = { kind, containerId: info.id, state, timer: undefined, stopped: false };
      this.probes.set(key, runner);
      const s = probeSettings(probe);
      const startedAt = info.startedAt && !info.startedAt.startsWith('0001-') ? Date.parse(info.startedAt) : this.ctx.clock.now();
      const first = Math.max(0, startedAt + s.initialDelayMs - this.ctx.clock.now());
      const tick = async (): Promise<void> => {
        if (runner.stopped) return;
        const startup = this.probes.get(`${c.name}/startup`);
        const blocked = kind !== 'startup' && startup && startup.state.result !== true;
        const doneStartup = kind === 'startup' && runner.state.result === true;
        if (!blocked && !doneStartup) {
          const outcome = await runProbe(probe, { runtime: this.ctx.runtime, containerId: info.id, sandboxId: sandbox.id, container: c, podIP: this.sandboxIP(sandbox) });
          if (runner.stopped) return;
          const before = runner.state.result;
          runner.state = observeProbe(runner.state, outcome, probe);
          if (!outcome.ok) {
            const label = kind === 'liveness' ? 'Liveness' : kind === 'readiness' ? 'Readiness' : 'Startup';
            this.event('Warning', 'Unhealthy', `${label} probe failed: ${outcome.message.trim()}`, c, init);
          }
          if (before !== runner.state.result) this.kick();
        }
        runner.timer = this.ctx.clock.setTimeout(() => void tick(), s.periodMs);
      };
      runner.timer = this.ctx.clock.setTimeout(() => void tick(), first);
    }
  }

  private stopProbe(key: string): void {
    const r = this.probes.get(key);
    if (!r) return;
    r.stopped = true;
    if (r.timer !== undefined) this.ctx.clock.clearTimeout(r.timer);
    this.probes.delete(key);
  }

  private started(c: Container, cur: ContainerInfo | undefined): boolean {
    if (!isRunning(cur)) return false;
    const s = this.probes.get(`${c.name}/startup`);
    if (!c.startupProbe) return true;
    return s?.containerId === cur!.id && s.state.result === true;
  }

  private ready(c: Container, cur: ContainerInfo | undefined): boolean {
    if (!this.started(c, cur)) return false;
    if (!c.readinessProbe) return true;
    const r = this.probes.get(`${c.name}/readiness`);
    return r?.containerId === cur!.id && r.state.result === true;
  }

  /** Kills a container whose liveness or startup probe failed; true when it did. */
  private async checkLiveness(c: Container, cur: ContainerInfo, init: boolean): Promise<boolean> {
    for (const kind of ['startup', 'liveness'] as const) {
      const r = this.probes.get(`${c.name}/${kind}`);
      if (!r || r.containerId !== cur.id || r.state.result !== false) continue;
      this.event('Normal', 'Killing', `Container ${c.name} failed ${kind} probe, will be restarted`, c, init);
      this.stopProbe(`${c.name}/liveness`);
      this.stopProbe(`${c.name}/readiness`);
      this.stopProbe(`${c.name}/startup`);
      const probe = kind === 'liveness' ? c.livenessProbe : c.startupProbe;
      await this.ctx.runtime.stopContainer(cur.id, probe?.terminationGracePeriodSeconds ?? this.pod.spec?.terminationGracePeriodSeconds ?? 30).catch(() => undefined);
      this.kick();
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------------------------------------------
  private async terminationMessage(c: Container, info: ContainerInfo | undefined): Promise<string | undefined> {
    if (!info || !isExited(info)) return undefined;
    const key = info.id;
    if (this.terminationMessages.has(key)) return this.terminationMessages.get(key) || undefined;
    let msg = await readFile(join(this.podDir, 'containers', `${c.name}-${attemptOf(info)}.termination-log`), 'utf8').catch(() => '');
    msg = msg.slice(0, 4096);
    if (!msg && c.terminationMessagePolicy === 'FallbackToLogsOnError' && info.exitCode !== 0) {
      const chunks: Buffer[] = [];
      const h = await this.ctx.runtime.logs(info.id, { tail: 80 }, (_s, d) => chunks.push(d)).catch(() => undefined);
      await h?.done;
      const all = Buffer.concat(chunks).toString('utf8');
      msg = all.slice(-2048);
    }
    this.terminationMessages.set(key, msg);
    return msg || undefined;
  }

  private async writeStatus(containers: ContainerInfo[], sandbox: ContainerInfo | undefined): Promise<PodStatus | undefined> {
    const pod = this.pod;
    const observed: ObservedContainer[] = [];
    const add = async (c: Container, init: boolean): Promise<void> => {
      const current = this.currentOf(containers, c.name);
      const previous = this.previousOf(containers, c.name, current);
      const known = this.seen.get(c.name);
      observed.push({
        spec: c, init, sidecar: init && c.restartPolicy === 'Always',
        current, previous,
        restartCount: current ? attemptOf(current) : known?.attempt ?? 0,
        waiting: this.waiting.get(c.name),
        lost: current ? undefined : this.lost.get(c.name),
        previousLost: !previous && current && this.terminations.get(c.name)?.attempt === attemptOf(current) - 1 ? this.terminations.get(c.name)!.state : undefined,
        ready: this.ready(c, current),
        started: this.started(c, current),
        terminationMessage: await this.terminationMessage(c, current),
        previousTerminationMessage: await this.terminationMessage(c, previous),
      });
    };
    for (const c of pod.spec?.initContainers ?? []) await add(c, true);
    for (const c of pod.spec?.containers ?? []) await add(c, false);
    const status = computePodStatus(pod, {
      sandboxReady: isRunning(sandbox),
      podIP: sandbox && isRunning(sandbox) ? this.sandboxIP(sandbox) : undefined,
      hostIP: this.ctx.hostIP,
      startTime: this.startTime,
      containers: observed,
      now: new Date(this.ctx.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
      terminalPhase: this.terminal,
      terminalReason: this.terminalReason ?? (pod.status?.reason === 'DeadlineExceeded' ? { reason: pod.status.reason, message: pod.status.message ?? '' } : undefined),
      initialized: this.everInitialized || undefined,
    });
    // Written when it differs from what the API holds (someone else — the node controller marking pods
    // not Ready while the node was unreachable — may have changed it), compared field by field.
    const mine = canonical(status);
    const theirs = canonical(Object.fromEntries(Object.keys(status).map((k) => [k, (pod.status as Record<string, unknown> | undefined)?.[k]])));
    if (mine === theirs && mine === this.lastStatus) return status;
    try {
      const updated = await this.ctx.client.patch<Pod>(R.pods, this.name, this.ns, 'merge', { status }, { subresource: 'status' });
      this.lastStatus = mine;
      if (updated.metadata?.uid === this.uid) this.pod = { ...this.pod, status: updated.status, metadata: updated.metadata };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    return status;
  }
}
