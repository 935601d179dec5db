/**
 * What the API server's streaming subresources call: `pods/log`, `pods/exec` and port-forward. Containers
 * are found by their labels (cluster + pod uid + container name), so these work for adopted pods too.
 * Errors are StreamError with the HTTP code and upstream's message, for the API server to answer as a Status.
 */
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1';
import { fromDockerLabels, labelFilter } from '../runtime/labels.ts';
import { SANDBOX_CONTAINER } from '../runtime/names.ts';
import type { ContainerInfo, Runtime } from '../runtime/types.ts';
import { openTcpStream } from './tunnel.ts';

export class StreamError extends Error {
  constructor(readonly code: 400 | 404 | 500, message: string) {
    super(message);
  }
}

export interface StreamDeps {
  runtime: Runtime;
  clusterName: string;
}

export interface PodLogOptions {
  follow?: boolean;
  previous?: boolean;
  tail?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps?: boolean;
  limitBytes?: number;
}

async function attempts(deps: StreamDeps, pod: Pod, container: string): Promise<ContainerInfo[]> {
  const list = await deps.runtime.listContainers(labelFilter({ cluster: deps.clusterName, podUid: pod.metadata?.uid }), { all: true });
  return list
    .filter((c) => fromDockerLabels(c.labels)?.container === container && c.state !== 'created')
    .sort((a, b) => (fromDockerLabels(b.labels)?.attempt ?? 0) - (fromDockerLabels(a.labels)?.attempt ?? 0));
}

/** The container a request names; defaults like kubectl's server side: the only container, else an error. */
export function containerNameFor(pod: Pod, container: string | undefined): string {
  const all = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])].map((c) => c.name);
  if (container) {
    if (!all.includes(container)) throw new StreamError(400, `container ${container} is not valid for pod ${pod.metadata?.name}`);
    return container;
  }
  const apps = (pod.spec?.containers ?? []).map((c) => c.name);
  if (apps.length === 1) return apps[0]!;
  throw new StreamError(400, `a container name must be specified for pod ${pod.metadata?.name}, choose one of: [${apps.join(' ')}]`);
}

function waitingReason(pod: Pod, container: string): string {
  const cs = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((s) => s.name === container);
  return cs?.state?.waiting?.reason ?? 'ContainerCreating';
}

/**
 * Streams a container's log (stdout and stderr interleaved as written). Resolves with a handle once the
 * backlog started; `done` settles when the stream ends (at once without follow, at container exit with it).
 */
export async function podLogs(deps: StreamDeps, pod: Pod, container: string | undefined, opts: PodLogOptions, onChunk: (data: Buffer) => void): Promise<{ done: Promise<void>; stop(): void }> {
  const name = containerNameFor(pod, container);
  const list = await attempts(deps, pod, name);
  const target = opts.previous ? list[1] : list[0];
  if (!target) {
    if (opts.previous) throw new StreamError(400, `previous terminated container "${name}" in pod "${pod.metadata?.name}" not found`);
    throw new StreamError(400, `container "${name}" in pod "${pod.metadata?.name}" is waiting to start: ${waitingReason(pod, name)}`);
  }
  let sent = 0;
  let over = false;
  const handle: { h?: { done: Promise<void>; stop(): void } } = {};
  const h = await deps.runtime.logs(target.id, {
    follow: opts.follow && !opts.previous,
    tail: opts.tail !== undefined && opts.tail >= 0 ? opts.tail : undefined,
    sinceSeconds: opts.sinceSeconds,
    sinceTime: opts.sinceTime,
    timestamps: opts.timestamps,
  }, (_stream, data) => {
    if (over) return;
    if (opts.limitBytes !== undefined) {
      const room = opts.limitBytes - sent;
      if (room <= 0) return;
      if (data.length >= room) {
        over = true;
        onChunk(data.subarray(0, room));
        sent += room;
        handle.h?.stop();
        return;
      }
    }
    sent += data.length;
    onChunk(data);
  });
  handle.h = h;
  if (over) h.stop();
  return h;
}

export interface ExecStreams {
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/** Runs a command in a running container; the exit code is passed through. */
export async function podExec(deps: StreamDeps, pod: Pod, container: string | undefined, command: string[], streams: ExecStreams, tty: boolean): Promise<{ exitCode: Promise<number>; resize(cols: number, rows: number): Promise<void> }> {
  if (!command.length) throw new StreamError(400, 'you must specify at least one command for the container');
  const name = containerNameFor(pod, container);
  const cur = (await attempts(deps, pod, name))[0];
  if (!cur || cur.state !== 'running') throw new StreamError(400, `unable to upgrade connection: container not found ("${name}")`);
  const session = await deps.runtime.exec(cur.id, { command, stdin: streams.stdin, stdout: streams.stdout, stderr: streams.stderr, tty });
  return { exitCode: session.exitCode, resize: (cols, rows) => session.resize(rows, cols) };
}

/** A TCP stream to a port of the pod, opened inside its network namespace (port-forward, probes). */
export async function openPodTcpStream(deps: StreamDeps, pod: Pod, port: number): Promise<Duplex> {
  const sb = (await attempts(deps, pod, SANDBOX_CONTAINER)).find((c) => c.state === 'running');
  if (!sb) throw new StreamError(400, `pod ${pod.metadata?.name} does not have a running sandbox (phase ${pod.status?.phase ?? 'Pending'})`);
  return openTcpStream(deps.runtime, sb.id, port);
}

/** Attaches to a running container's main process (kubectl attach); `done` settles when it ends. */
export async function podAttach(deps: StreamDeps, pod: Pod, container: string | undefined, streams: ExecStreams): Promise<{ done: Promise<void>; resize(cols: number, rows: number): Promise<void>; detach(): void }> {
  const name = containerNameFor(pod, container);
  const cur = (await attempts(deps, pod, name))[0];
  if (!cur || cur.state !== 'running') throw new StreamError(400, `unable to upgrade connection: container not found ("${name}")`);
  const spec = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])].find((c) => c.name === name);
  if (streams.stdin && !spec?.stdin) throw new StreamError(400, `stdin is not enabled for container "${name}" in pod "${pod.metadata?.name}": set stdin: true in its spec`);
  const session = await deps.runtime.attach(cur.id, { stdin: streams.stdin, stdout: streams.stdout, stderr: streams.stderr });
  return { done: session.done, resize: (cols, rows) => session.resize(rows, cols), detach: () => session.detach() };
}
