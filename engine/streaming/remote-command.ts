/**
 * pods/exec and pods/attach over WebSocket (v5/v4/v3/v2/channel.k8s.io and base64) and SPDY/3.1
 * (X-Stream-Protocol-Version v4/v3/v2/channel.k8s.io), as the kubelet's remotecommand server speaks them.
 *
 * The command is started (through the kubelet's podExec/podAttach) *before* switching protocols, so a
 * wrong container or a container that is not running gets upstream's plain HTTP error ("unable to upgrade
 * connection: container not found …") rather than a half-open stream. Output produced before the client's
 * streams are ready waits in buffers.
 *
 * The end of a session, as upstream: stdout/stderr end, then the error channel carries the outcome — a v4+
 * Status JSON (Success, or Failure/NonZeroExitCode with an ExitCode cause, which kubectl turns into its own
 * exit code), plain text for older protocols — and the connection closes.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Writable } from 'node:stream';
import type { Duplex } from 'node:stream';
import type { Pod } from 'kubernetes-types/core/v1';
import { podAttach, podExec, StreamError, type StreamDeps } from '../kubelet/streams.ts';
import { status as mkStatus } from '../registry/errors.ts';
import type { PodRequest } from '../apiserver/server.ts';
import { ChannelMux, negotiate, offeredProtocols, protocolInfo, REMOTE_COMMAND_WS_PROTOCOLS } from './channels.ts';
import type { SpdyStream } from './spdy-session.ts';
import { acceptSpdy, acceptWebSocket, badRequest, isSpdy, isWebSocket, negotiateStreamProtocol, protocolMismatch, refuse } from './upgrade.ts';

/** SPDY stream protocols the server speaks for exec/attach, newest first (v5 is WebSocket-only upstream). */
export const REMOTE_COMMAND_SPDY_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'];

const STREAM_CREATION_TIMEOUT_MS = 30_000;

export interface RemoteCommandOptions {
  container?: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

/** The query of an exec/attach request, with upstream's validation. */
export function remoteCommandOptions(q: URLSearchParams, kind: 'exec' | 'attach'): RemoteCommandOptions {
  const tty = flag(q, 'tty');
  const o: RemoteCommandOptions = {
    container: q.get('container') || undefined,
    command: q.getAll('command'),
    stdin: flag(q, 'stdin'),
    stdout: flag(q, 'stdout'),
    // A TTY merges stderr into stdout.
    stderr: flag(q, 'stderr') && !tty,
    tty,
  };
  if (!o.stdin && !o.stdout && !o.stderr) throw new StreamError(400, 'you must specify at least 1 of stdin, stdout, stderr');
  if (kind === 'exec' && o.command.length === 0) throw new StreamError(400, 'you must specify at least one command for the container');
  return o;
}

/** The outcome as upstream's v4 status. */
export function exitStatus(code: number, command: string[]): object {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${command.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function internalStatus(message: string): object {
  return { metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', details: { causes: [{ message }] }, code: 500 };
}

/** Parses resize events: one JSON object per message or per line ({"Width":W,"Height":H}). */
export function parseResize(text: string): { width: number; height: number }[] {
  const out: { width: number; height: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as { Width?: unknown; Height?: unknown };
      const w = Number(v.Width);
      const h = Number(v.Height);
      if (Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0 && w < 65536 && h < 65536) out.push({ width: w, height: h });
    } catch {
      // A malformed event is dropped, as upstream logs and ignores it.
    }
  }
  return out;
}

/** A started command: where its streams connect, and how it ends. */
interface Running {
  stdin?: PassThrough;
  stdout: PassThrough;
  stderr: PassThrough;
  resize(width: number, height: number): void;
  /** Resolves with the v4 status object once the command (or attach) ends. */
  outcome: Promise<object>;
  /** The client went away: an attach detaches (the container keeps running); an exec runs on, as upstream. */
  clientGone(): void;
}

async function start(kind: 'exec' | 'attach', deps: StreamDeps, pod: Pod, o: RemoteCommandOptions): Promise<Running> {
  const stdin = o.stdin ? new PassThrough() : undefined;
  // Big enough that a command's output never blocks on a client that is still opening its streams.
  const stdout = new PassThrough({ highWaterMark: 1024 * 1024 });
  const stderr = new PassThrough({ highWaterMark: 1024 * 1024 });
  const streams = { stdin, stdout: o.stdout ? stdout : undefined, stderr: o.stderr ? stderr : undefined };
  if (kind === 'exec') {
    const s = await podExec(deps, pod, o.container, o.command, streams, o.tty);
    return {
      stdin, stdout, stderr,
      resize: (w, h) => void s.resize(w, h).catch(() => undefined),
      outcome: s.exitCode.then((code) => exitStatus(code, o.command), (e: unknown) => internalStatus(e instanceof Error ? e.message : String(e))),
      clientGone: () => stdin?.end(),
    };
  }
  const s = await podAttach(deps, pod, o.container, streams);
  return {
    stdin, stdout, stderr,
    resize: (w, h) => void s.resize(w, h).catch(() => undefined),
    outcome: s.done.then(() => ({ metadata: {}, status: 'Success' }), (e: unknown) => internalStatus(e instanceof Error ? e.message : String(e))),
    clientGone: () => {
      stdin?.end();
      s.detach();
    },
  };
}

/** Pipes `from` into `to` and resolves when `from` ended and everything was handed to `to`. */
function pump(from: PassThrough, to: Writable): Promise<void> {
  return new Promise((resolve) => {
    from.on('data', (d: Buffer) => {
      if (!to.write(d)) {
        from.pause();
        to.once('drain', () => from.resume());
      }
    });
    from.on('end', () => resolve());
    from.on('close', () => resolve());
  });
}

function statusText(s: object): string {
  const st = s as { status?: string; message?: string };
  return st.status === 'Success' ? '' : st.message ?? 'error';
}

/** The upgrade handler of pods/exec or pods/attach. */
export async function serveRemoteCommand(kind: 'exec' | 'attach', deps: StreamDeps | undefined, req: IncomingMessage, socket: Duplex, head: Buffer, ctx: PodRequest): Promise<void> {
  const ws = isWebSocket(req);
  const spdy = !ws && isSpdy(req);
  if (!ws && !spdy) return refuse(socket, badRequest(`unable to upgrade connection: unsupported upgrade ${JSON.stringify(req.headers.upgrade ?? '')}`));
  let proto: string | undefined;
  if (ws) {
    proto = negotiate(offeredProtocols(req.headers['sec-websocket-protocol']), REMOTE_COMMAND_WS_PROTOCOLS);
    if (proto === undefined) return refuse(socket, badRequest(`unable to upgrade connection: none of the requested protocols [${offeredProtocols(req.headers['sec-websocket-protocol']).join(' ')}] is supported; supported: [${REMOTE_COMMAND_WS_PROTOCOLS.join(' ')}]`));
  } else {
    proto = negotiateStreamProtocol(req, REMOTE_COMMAND_SPDY_PROTOCOLS);
    if (proto === undefined) return refuse(socket, protocolMismatch(req, REMOTE_COMMAND_SPDY_PROTOCOLS));
  }
  let o: RemoteCommandOptions;
  let run: Running;
  try {
    o = remoteCommandOptions(ctx.query, kind);
    if (!deps) throw new StreamError(400, `pod ${ctx.name} has no node running it: the container runtime (Docker) is not reachable`);
    const phase = (ctx.pod as Pod).status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') throw new StreamError(400, `cannot exec into or attach to a container in a completed pod; current phase is ${phase}`);
    run = await start(kind, deps, ctx.pod as Pod, o);
  } catch (e) {
    if (e instanceof StreamError) return refuse(socket, mkStatus(e.code, e.code === 404 ? 'NotFound' : e.code === 400 ? 'BadRequest' : 'InternalError', e.message));
    throw e;
  }
  if (ws) await serveWebSocket(req, socket, head, proto, o, run);
  else serveSpdy(socket, head, proto, o, run);
}

async function serveWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, proto: string, o: RemoteCommandOptions, run: Running): Promise<void> {
  let wsock;
  try {
    wsock = await acceptWebSocket(req, socket, head, proto);
  } catch {
    run.clientGone();
    return;
  }
  const p = protocolInfo(proto || 'channel.k8s.io');
  const mux = new ChannelMux(wsock, p);
  if (run.stdin) mux.reader(0).pipe(run.stdin);
  mux.onMessage(4, (d) => {
    for (const r of parseResize(d.toString('utf8'))) run.resize(r.width, r.height);
  });
  // The client going away ends stdin, so a shell reading it exits.
  wsock.on('close', () => run.clientGone());
  const outs = [pump(run.stdout, mux.writer(1)), pump(run.stderr, mux.writer(2))];
  const s = await run.outcome;
  run.stdout.end();
  run.stderr.end();
  await Promise.all(outs);
  if (p.version >= 4) await mux.send(3, Buffer.from(JSON.stringify(s)));
  else if (statusText(s)) await mux.send(3, Buffer.from(statusText(s)));
  mux.close(1000);
}

function serveSpdy(socket: Duplex, head: Buffer, proto: string, o: RemoteCommandOptions, run: Running): void {
  const session = acceptSpdy(socket, head, proto);
  const version = proto === 'v4.channel.k8s.io' ? 4 : proto === 'v3.channel.k8s.io' ? 3 : proto === 'v2.channel.k8s.io' ? 2 : 1;
  const expected = new Set<string>(['error']);
  if (o.stdin) expected.add('stdin');
  if (o.stdout) expected.add('stdout');
  if (o.stderr) expected.add('stderr');
  if (o.tty && version >= 3) expected.add('resize');
  const streams = new Map<string, SpdyStream>();
  let begun = false;
  const timer = setTimeout(() => {
    if (!begun) session.close();
  }, STREAM_CREATION_TIMEOUT_MS);
  timer.unref();
  session.on('close', () => {
    clearTimeout(timer);
    run.clientGone();
  });
  session.on('stream', (s) => {
    const type = s.headers.streamtype ?? '';
    if (!expected.has(type) || streams.has(type)) {
      s.reset();
      return;
    }
    streams.set(type, s);
    // Streams the server only writes to: drain anything a client sends on them.
    if (type !== 'stdin' && type !== 'resize') s.resume();
    if ([...expected].every((t) => streams.has(t))) {
      begun = true;
      clearTimeout(timer);
      void wire();
    }
  });
  const wire = async (): Promise<void> => {
    const stdin = streams.get('stdin');
    if (stdin && run.stdin) stdin.pipe(run.stdin);
    const resize = streams.get('resize');
    if (resize) {
      let buf = '';
      resize.on('data', (d: Buffer) => {
        buf += d.toString('utf8');
        if (buf.length > 64 * 1024) buf = '';
        const nl = buf.lastIndexOf('\n');
        if (nl < 0) return;
        for (const r of parseResize(buf.slice(0, nl))) run.resize(r.width, r.height);
        buf = buf.slice(nl + 1);
      });
    }
    const outs: Promise<void>[] = [];
    const stdout = streams.get('stdout');
    const stderr = streams.get('stderr');
    if (stdout) outs.push(pump(run.stdout, stdout));
    else run.stdout.resume();
    if (stderr) outs.push(pump(run.stderr, stderr));
    else run.stderr.resume();
    const s = await run.outcome;
    run.stdout.end();
    run.stderr.end();
    await Promise.all(outs);
    stdout?.end();
    stderr?.end();
    const error = streams.get('error')!;
    const text = version >= 4 ? JSON.stringify(s) : statusText(s);
    if (text && !error.destroyed) error.write(Buffer.from(text));
    await new Promise<void>((r) => error.end(() => r()));
    session.close();
  };
}
