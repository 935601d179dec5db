/**
 * pods/portforward in the three forms clients use:
 * - SPDY/3.1 (`X-Stream-Protocol-Version: portforward.k8s.io`; kubectl ≤ 1.30, and the fallback);
 * - SPDY/3.1 tunneled in WebSocket binary messages (subprotocol `SPDY/3.1+portforward.k8s.io`, kubectl ≥ 1.31);
 * - WebSocket channels (client-node): `?ports=P[,Q]`, channel 2i carries data and 2i+1 errors for the i-th
 *   port, and the first message the server sends on each begins with the port (2 bytes, little-endian).
 *
 * SPDY form, as the kubelet serves it: the client opens an `error` and a `data` stream per local connection,
 * both with `port` and `requestid` headers; once a pair is complete, the data stream is piped to a TCP
 * connection opened inside the pod's network namespace (the kubelet's openPodTcpStream). Failures are
 * written as text to the error stream. Both streams end (FIN) when the pod side closes. The session ends
 * when the client goes away, or when the pod is deleted, replaced or stops running (`podAlive`).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream } from 'ws';
import type { Pod } from 'kubernetes-types/core/v1';
import { openPodTcpStream, type StreamDeps } from '../kubelet/streams.ts';
import type { PodRequest } from '../apiserver/server.ts';
import { ChannelMux, negotiate, offeredProtocols, PORT_FORWARD_WS_PROTOCOLS, protocolInfo } from './channels.ts';
import { SpdySession, type SpdyStream } from './spdy-session.ts';
import { acceptSpdy, acceptWebSocket, badRequest, isSpdy, isWebSocket, negotiateStreamProtocol, protocolMismatch, refuse } from './upgrade.ts';

export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
export const TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

const PAIR_TIMEOUT_MS = 30_000;
const LIVENESS_INTERVAL_MS = 2_000;

/** Whether the pod a session forwards to is still the same running pod. */
export type PodAlive = (pod: Pod) => Promise<boolean>;

export function parsePort(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d{1,5}$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 && n <= 65535 ? n : undefined;
}

function podDesc(pod: Pod): string {
  return `${pod.metadata?.name ?? ''}_${pod.metadata?.namespace ?? ''}`;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Copies both ways between a client stream and the pod's TCP connection; resolves when both ended. */
function splice(client: Duplex, target: Duplex): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      resolve();
    };
    client.pipe(target);
    target.pipe(client);
    target.on('end', finish);
    target.on('close', finish);
    target.on('error', finish);
    client.on('close', () => {
      target.destroy();
      finish();
    });
    client.on('error', () => target.destroy());
  });
}

/** Serves one SPDY session (raw or tunneled): pairs streams by request id and forwards each pair. */
export function servePortForwardSession(session: SpdySession, deps: StreamDeps, pod: Pod): void {
  const pairs = new Map<string, { data?: SpdyStream; error?: SpdyStream; timer: NodeJS.Timeout }>();
  session.on('stream', (s) => {
    const type = s.headers.streamtype;
    // Old clients send no request id: upstream then pairs the data stream with the error stream before it.
    const id = s.headers.requestid ?? String(type === 'data' ? s.id - 2 : s.id);
    if (type !== 'data' && type !== 'error') {
      s.reset();
      return;
    }
    let p = pairs.get(id);
    if (!p) {
      const timer = setTimeout(() => {
        const q = pairs.get(id);
        pairs.delete(id);
        if (q?.error && !q.error.destroyed) q.error.end(`timed out waiting for the data stream of request ${id}`);
        q?.data?.reset();
      }, PAIR_TIMEOUT_MS);
      timer.unref();
      p = { timer };
      pairs.set(id, p);
    }
    if (p[type]) {
      s.reset();
      return;
    }
    p[type] = s;
    if (type === 'error') s.resume();
    if (p.data && p.error) {
      clearTimeout(p.timer);
      pairs.delete(id);
      void forward(p.data, p.error, s.headers.port);
    }
  });
  session.on('close', () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
  });

  const forward = async (data: SpdyStream, error: SpdyStream, portHeader: string | undefined): Promise<void> => {
    const port = parsePort(portHeader ?? data.headers.port);
    if (port === undefined) {
      error.end(`invalid port ${JSON.stringify(portHeader ?? '')}: it must be an integer in [1, 65535]`);
      data.end();
      return;
    }
    let target: Duplex;
    try {
      target = await openPodTcpStream(deps, pod, port);
    } catch (e) {
      error.end(`error forwarding port ${port} to pod ${podDesc(pod)}, uid ${pod.metadata?.uid ?? ''}: ${message(e)}`);
      data.end();
      return;
    }
    let failure = '';
    target.on('error', (e: Error) => (failure = e.message));
    await splice(data, target);
    if (!error.destroyed) {
      if (failure) error.write(`error forwarding port ${port} to pod ${podDesc(pod)}, uid ${pod.metadata?.uid ?? ''}: ${failure}`);
      error.end();
    }
    if (!data.destroyed && !data.writableEnded) data.end();
  };
}

/** Closes `close()` when the pod stops being the running pod the session began with. */
function watchPod(pod: Pod, alive: PodAlive | undefined, close: () => void): () => void {
  if (!alive) return () => undefined;
  let busy = false;
  const t = setInterval(() => {
    if (busy) return;
    busy = true;
    alive(pod).then((ok) => {
      busy = false;
      if (!ok) close();
    }, () => (busy = false));
  }, LIVENESS_INTERVAL_MS);
  t.unref();
  return () => clearInterval(t);
}

/** The WebSocket-channel form (client-node): one TCP connection per requested port. */
async function serveChannels(req: IncomingMessage, socket: Duplex, head: Buffer, proto: string, ports: number[], deps: StreamDeps, pod: Pod, alive?: PodAlive): Promise<void> {
  const ws = await acceptWebSocket(req, socket, head, proto);
  const mux = new ChannelMux(ws, protocolInfo(proto || 'channel.k8s.io'));
  // Client data can arrive while the pod connection is still being opened: buffer it from the start.
  const inputs = ports.map((_p, i) => mux.reader(2 * i));
  const stop = watchPod(pod, alive, () => mux.close(1000));
  ws.on('close', stop);
  const prefix = (port: number): Buffer => {
    const b = Buffer.alloc(2);
    b.writeUInt16LE(port);
    return b;
  };
  await Promise.all(ports.map(async (port, i) => {
    await mux.send(2 * i, prefix(port));
    await mux.send(2 * i + 1, prefix(port));
    let target: Duplex;
    try {
      target = await openPodTcpStream(deps, pod, port);
    } catch (e) {
      await mux.send(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${podDesc(pod)}, uid ${pod.metadata?.uid ?? ''}: ${message(e)}`));
      return;
    }
    inputs[i]!.pipe(target);
    const out = mux.writer(2 * i);
    target.pipe(out);
    await new Promise<void>((resolve) => {
      target.on('end', resolve);
      target.on('close', resolve);
      target.on('error', (e: Error) => {
        void mux.send(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${podDesc(pod)}, uid ${pod.metadata?.uid ?? ''}: ${e.message}`));
        resolve();
      });
      ws.on('close', () => {
        target.destroy();
        resolve();
      });
    });
  }));
  // Upstream closes the connection once every port's forwarding is over.
  await new Promise((r) => setTimeout(r, 50));
  mux.close(1000);
}

/** The ports of a channel-form request: `ports=80&ports=443` or `ports=80,443`. */
export function requestedPorts(q: URLSearchParams): number[] | string {
  const raw = q.getAll('ports').flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
  if (raw.length === 0) return 'query parameter "ports" is required';
  const out: number[] = [];
  for (const r of raw) {
    const p = parsePort(r);
    if (p === undefined) return `invalid port ${JSON.stringify(r)}: it must be an integer in [1, 65535]`;
    out.push(p);
  }
  return out;
}

/** The upgrade handler of pods/portforward. */
export async function servePortForward(deps: StreamDeps | undefined, alive: PodAlive | undefined, req: IncomingMessage, socket: Duplex, head: Buffer, ctx: PodRequest): Promise<void> {
  const pod = ctx.pod as Pod;
  if (!deps) return refuse(socket, badRequest(`pod ${ctx.name} has no node running it: the container runtime (Docker) is not reachable`));
  if (pod.status?.phase !== 'Running') {
    return refuse(socket, badRequest(`unable to upgrade connection: pod ${ctx.name} is not running (current phase is ${pod.status?.phase ?? 'Pending'})`));
  }
  if (isWebSocket(req)) {
    const offered = offeredProtocols(req.headers['sec-websocket-protocol']);
    const proto = negotiate(offered, [TUNNEL_PROTOCOL, ...PORT_FORWARD_WS_PROTOCOLS]);
    if (proto === undefined) return refuse(socket, badRequest(`unable to upgrade connection: none of the requested protocols [${offered.join(' ')}] is supported`));
    if (proto === TUNNEL_PROTOCOL) {
      const ws = await acceptWebSocket(req, socket, head, proto);
      const transport = createWebSocketStream(ws, { allowHalfOpen: true });
      transport.on('error', () => transport.destroy());
      const session = new SpdySession(transport);
      const stop = watchPod(pod, alive, () => session.close());
      session.on('close', stop);
      servePortForwardSession(session, deps, pod);
      return;
    }
    const ports = requestedPorts(ctx.query);
    if (typeof ports === 'string') return refuse(socket, badRequest(ports));
    await serveChannels(req, socket, head, proto, ports, deps, pod, alive);
    return;
  }
  if (!isSpdy(req)) return refuse(socket, badRequest(`unable to upgrade connection: unsupported upgrade ${JSON.stringify(req.headers.upgrade ?? '')}`));
  const proto = negotiateStreamProtocol(req, [PORT_FORWARD_PROTOCOL]);
  if (proto === undefined) return refuse(socket, protocolMismatch(req, [PORT_FORWARD_PROTOCOL]));
  const session = acceptSpdy(socket, head, proto);
  const stop = watchPod(pod, alive, () => session.close());
  session.on('close', stop);
  servePortForwardSession(session, deps, pod);
}
