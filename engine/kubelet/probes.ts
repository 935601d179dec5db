/**
 * Probes, run by the engine (never by curl/nc in the user's image): exec through the runtime; httpGet,
 * tcpSocket and grpc through a tunnel into the pod's sandbox (tunnel.ts). The state machine follows
 * upstream's prober workers: thresholds on consecutive results, readiness starts as failure, liveness and
 * startup start as success/unknown, and nothing but startup runs until startup has succeeded.
 */
import { connect as http2Connect, constants as h2 } from 'node:http2';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import { PassThrough } from 'node:stream';
import type { Container, Probe } from 'kubernetes-types/core/v1';
import type { Runtime } from '../runtime/types.ts';
import { openTcpStream, tcpConnects } from './tunnel.ts';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';
export type ProbeResult = { ok: boolean; message: string };

/** Upstream defaults. */
export function probeSettings(p: Probe): { initialDelayMs: number; periodMs: number; timeoutMs: number; successThreshold: number; failureThreshold: number } {
  return {
    initialDelayMs: (p.initialDelaySeconds ?? 0) * 1000,
    periodMs: (p.periodSeconds || 10) * 1000,
    timeoutMs: (p.timeoutSeconds || 1) * 1000,
    successThreshold: p.successThreshold || 1,
    failureThreshold: p.failureThreshold || 3,
  };
}

export interface ProbeState {
  /** The probe's current verdict: undefined until the first threshold is crossed. */
  result: boolean | undefined;
  successes: number;
  failures: number;
  lastMessage: string;
}

export function initialProbeState(kind: ProbeKind): ProbeState {
  // Readiness is Failure before the first probe; liveness is Success; startup is unknown (= not started).
  return { result: kind === 'readiness' ? false : kind === 'liveness' ? true : undefined, successes: 0, failures: 0, lastMessage: '' };
}

/** Feeds one probe outcome into the state; returns the new state (thresholds on consecutive results). */
export function observeProbe(state: ProbeState, outcome: ProbeResult, p: Probe): ProbeState {
  const s = probeSettings(p);
  const next: ProbeState = { ...state, lastMessage: outcome.message };
  if (outcome.ok) {
    next.successes = state.successes + 1;
    next.failures = 0;
    if (next.successes >= s.successThreshold) next.result = true;
  } else {
    next.failures = state.failures + 1;
    next.successes = 0;
    if (next.failures >= s.failureThreshold) next.result = false;
  }
  return next;
}

function resolvePort(port: number | string, container: Container): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const p = container.ports?.find((x) => x.name === port);
  if (!p) throw new Error(`couldn't find port: ${port} in ${container.name}`);
  return p.containerPort;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => {
      t = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000}s`)), ms);
    }),
  ]);
}

/** One HTTP/1.1 GET over a stream; resolves with the status code and the first bytes of the body. */
function httpGetOver(stream: Duplex, req: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    stream.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(buf);
      const headerEnd = buf.indexOf('\r\n\r\n');
      if (m && headerEnd >= 0) {
        resolve({ status: Number(m[1]), body: buf.slice(headerEnd + 4, headerEnd + 4 + 1024) });
        stream.destroy();
      }
    });
    stream.on('end', () => {
      const m = /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(buf);
      if (m) resolve({ status: Number(m[1]), body: '' });
      else reject(new Error(buf ? `malformed HTTP response "${buf.slice(0, 40)}"` : 'EOF'));
    });
    stream.on('error', reject);
    stream.write(req);
  });
}

/** A gRPC health check (grpc.health.v1.Health/Check) over HTTP/2 on the stream; true when SERVING. */
function grpcCheck(stream: Duplex, service: string): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const session = http2Connect('http://localhost', { createConnection: () => stream });
    session.on('error', reject);
    const svc = Buffer.from(service);
    const msg = svc.length ? Buffer.concat([Buffer.from([0x0a, svc.length]), svc]) : Buffer.alloc(0);
    const frame = Buffer.alloc(5 + msg.length);
    frame.writeUInt32BE(msg.length, 1);
    msg.copy(frame, 5);
    const req = session.request({
      [h2.HTTP2_HEADER_METHOD]: 'POST', [h2.HTTP2_HEADER_PATH]: '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc', te: 'trailers', 'user-agent': 'kube-probe/1.30',
    });
    const chunks: Buffer[] = [];
    let grpcStatus: string | undefined;
    req.on('response', (headers) => {
      if (headers['grpc-status'] !== undefined) grpcStatus = String(headers['grpc-status']);
    });
    req.on('trailers', (t) => (grpcStatus = String(t['grpc-status'] ?? grpcStatus)));
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('error', reject);
    req.on('end', () => {
      session.close();
      if (grpcStatus && grpcStatus !== '0') {
        resolve({ ok: false, message: `rpc error: code = ${grpcStatus}` });
        return;
      }
      const body = Buffer.concat(chunks);
      // HealthCheckResponse { status = 1 (enum) }: after the 5-byte gRPC prefix, field 1 varint.
      const status = body.length >= 7 && body[5] === 0x08 ? body[6] : 0;
      const names = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
      resolve(status === 1 ? { ok: true, message: '' } : { ok: false, message: `service unhealthy (responded with "${names[status ?? 0] ?? status}")` });
    });
    req.end(frame);
  });
}

export interface ProbeTarget {
  runtime: Runtime;
  containerId: string;
  sandboxId: string;
  container: Container;
  podIP?: string;
}

/** Runs one probe attempt; never throws (a failure to run is a failed probe, as upstream). */
export async function runProbe(p: Probe, t: ProbeTarget): Promise<ProbeResult> {
  const { timeoutMs } = probeSettings(p);
  try {
    if (p.exec) {
      const out = new PassThrough();
      let text = '';
      out.on('data', (d: Buffer) => (text += d.toString()));
      const session = await t.runtime.exec(t.containerId, { command: [...(p.exec.command ?? [])], stdout: out, stderr: out });
      const code = await withTimeout(session.exitCode, timeoutMs, `command "${(p.exec.command ?? []).join(' ')}"`);
      return code === 0 ? { ok: true, message: text } : { ok: false, message: text.trim() || `command "${(p.exec.command ?? []).join(' ')}" exited with ${code}` };
    }
    if (p.tcpSocket) {
      const port = resolvePort(p.tcpSocket.port, t.container);
      const r = await withTimeout(tcpConnects(t.runtime, t.sandboxId, port, p.tcpSocket.host || '127.0.0.1'), timeoutMs, 'tcp probe');
      return r.ok ? r : { ok: false, message: `dial tcp ${t.podIP ?? '127.0.0.1'}:${port}: ${r.message}` };
    }
    if (p.httpGet) {
      const g = p.httpGet;
      const port = resolvePort(g.port, t.container);
      const host = g.host || '127.0.0.1';
      let stream: Duplex = await withTimeout(openTcpStream(t.runtime, t.sandboxId, port, host), timeoutMs, 'http probe');
      if ((g.scheme ?? 'HTTP') === 'HTTPS') stream = tlsConnect({ socket: stream, rejectUnauthorized: false, servername: g.host || undefined });
      const path = g.path ? (g.path.startsWith('/') ? g.path : `/${g.path}`) : '/';
      const headers = new Map<string, string>([['Host', `${g.host || t.podIP || 'localhost'}:${port}`], ['User-Agent', 'kube-probe/1.30'], ['Accept', '*/*']]);
      for (const h of g.httpHeaders ?? []) headers.set(h.name, h.value);
      const req = `GET ${path} HTTP/1.1\r\n${[...headers].map(([k, v]) => `${k}: ${v}\r\n`).join('')}Connection: close\r\n\r\n`;
      try {
        const res = await withTimeout(httpGetOver(stream, req), timeoutMs, `Get "http://${g.host || t.podIP}:${port}${path}"`);
        if (res.status >= 200 && res.status < 400) return { ok: true, message: '' };
        return { ok: false, message: `HTTP probe failed with statuscode: ${res.status}` };
      } finally {
        stream.destroy();
      }
    }
    if (p.grpc) {
      const stream = await withTimeout(openTcpStream(t.runtime, t.sandboxId, p.grpc.port), timeoutMs, 'grpc probe');
      try {
        return await withTimeout(grpcCheck(stream, p.grpc.service ?? ''), timeoutMs, `timeout: health rpc did not complete within ${timeoutMs / 1000}s`);
      } finally {
        stream.destroy();
      }
    }
    return { ok: false, message: 'missing probe handler' };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}
