/**
 * The built-in ingress controller's data path (IngressClass `wheelhouse`), run by the agent in a
 * container on the cluster network with its ports published on 127.0.0.1. The engine turns Ingress
 * objects into an IngressConfig (backends resolved to Service ClusterIP:port, TLS material from Secrets);
 * this module routes HTTP(S) requests by host and path as the Ingress API specifies:
 * - hosts match exactly, or `*.example.com` matches exactly one extra label; rules without a host match any;
 * - Exact paths match the whole path; Prefix paths match whole `/`-separated elements (`/foo` matches
 *   `/foo`, `/foo/` and `/foo/bar`, not `/foobar`); the longest match wins, Exact before Prefix;
 * - no match → the default backend, or 404. TLS certificates are chosen by SNI.
 * WebSocket and other Upgrade requests are tunnelled through.
 */
import { createServer as createHttp, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export interface IngressBackend {
  host: string;
  port: number;
}

export interface IngressPath {
  path: string;
  pathType: 'Exact' | 'Prefix' | 'ImplementationSpecific';
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  paths: IngressPath[];
}

export interface IngressTls {
  hosts: string[];
  cert: string;
  key: string;
}

export interface IngressConfig {
  rules: IngressRule[];
  defaultBackend?: IngressBackend;
  tls: IngressTls[];
}

function hostMatches(pattern: string | undefined, host: string): boolean {
  if (!pattern) return true;
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.') && host.length > suffix.length;
  }
  return pattern === host;
}

function pathMatches(p: IngressPath, path: string): number {
  if (p.pathType === 'Exact') return path === p.path ? p.path.length : -1;
  // Prefix (and ImplementationSpecific, which we treat as Prefix): element-wise.
  const prefix = p.path.replace(/\/+$/, '');
  if (prefix === '') return 0;
  if (path === prefix || path.startsWith(`${prefix}/`)) return prefix.length;
  return -1;
}

/** Picks the backend for a request; undefined = 404. Exposed for unit tests. */
export function route(cfg: IngressConfig, hostHeader: string | undefined, url: string): IngressBackend | undefined {
  const host = (hostHeader ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
  const path = (url.split('?')[0] ?? '/') || '/';
  // Host rules first (exact before wildcard), then rules without a host.
  const ranked = cfg.rules
    .filter((r) => hostMatches(r.host, host))
    .sort((a, b) => (a.host ? (a.host.startsWith('*.') ? 1 : 0) : 2) - (b.host ? (b.host.startsWith('*.') ? 1 : 0) : 2));
  for (const rule of ranked) {
    let best: { len: number; exact: boolean; backend: IngressBackend } | undefined;
    for (const p of rule.paths) {
      const len = pathMatches(p, path);
      if (len < 0) continue;
      const exact = p.pathType === 'Exact';
      if (!best || len > best.len || (len === best.len && exact && !best.exact)) best = { len, exact, backend: p.backend };
    }
    if (best) return best.backend;
  }
  return cfg.defaultBackend;
}

export class IngressProxy {
  private cfg: IngressConfig = { rules: [], tls: [] };
  private contexts = new Map<string, SecureContext>();
  private defaultContext?: SecureContext;
  private readonly servers: Server[] = [];
  /** Upgraded connections are outside the HTTP server's bookkeeping; tracked so close() can end them. */
  private readonly tunnels = new Set<Duplex>();

  update(cfg: IngressConfig): void {
    this.cfg = cfg;
    const contexts = new Map<string, SecureContext>();
    let first: SecureContext | undefined;
    for (const t of cfg.tls) {
      try {
        const ctx = createSecureContext({ cert: t.cert, key: t.key });
        first ??= ctx;
        for (const h of t.hosts) contexts.set(h.toLowerCase(), ctx);
      } catch {
        // A Secret with a bad certificate is skipped; the engine reports it as an Event on the Ingress.
      }
    }
    this.contexts = contexts;
    this.defaultContext = first;
  }

  private contextFor(servername: string): SecureContext | undefined {
    const name = servername.toLowerCase();
    const exact = this.contexts.get(name);
    if (exact) return exact;
    const wildcard = this.contexts.get(`*.${name.split('.').slice(1).join('.')}`);
    return wildcard ?? this.defaultContext;
  }

  private handle(req: IncomingMessage, res: ServerResponse, proto: 'http' | 'https'): void {
    const backend = route(this.cfg, req.headers.host, req.url ?? '/');
    if (!backend) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 Not Found: no Ingress rule matches this host and path\n');
      return;
    }
    const headers = { ...req.headers };
    const client = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${client}` : client;
    headers['x-forwarded-proto'] = proto;
    if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
    const upstream = request({ host: backend.host, port: backend.port, method: req.method, path: req.url, headers, timeout: 60_000 }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, up.headers);
      up.pipe(res);
    });
    upstream.on('timeout', () => upstream.destroy(new Error('backend timed out')));
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' }).end(`502 Bad Gateway: ${err.message}\n`);
      else res.destroy();
    });
    req.pipe(upstream);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const backend = route(this.cfg, req.headers.host, req.url ?? '/');
    if (!backend) {
      socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
      return;
    }
    const up: Socket = connect(backend.port, backend.host, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    this.tunnels.add(socket);
    this.tunnels.add(up);
    const end = () => {
      up.destroy();
      socket.destroy();
      this.tunnels.delete(up);
      this.tunnels.delete(socket);
    };
    up.on('error', end);
    up.on('close', end);
    socket.on('error', end);
    socket.on('close', end);
  }

  /** Listens for HTTP, and for HTTPS when httpsPort is given; resolves with the bound ports. */
  async listen(host: string, httpPort: number, httpsPort?: number): Promise<{ http: number; https?: number }> {
    const http = createHttp((req, res) => this.handle(req, res, 'http'));
    http.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
    this.servers.push(http);
    const bound = async (srv: Server, port: number) => {
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(port, host, () => resolve());
      });
      const addr = srv.address();
      return typeof addr === 'object' && addr ? addr.port : port;
    };
    const out: { http: number; https?: number } = { http: await bound(http, httpPort) };
    if (httpsPort !== undefined) {
      const https = createHttps({ SNICallback: (name, cb) => cb(null, this.contextFor(name)) }, (req, res) => this.handle(req, res, 'https'));
      https.on('upgrade', (req, socket, head) => this.upgrade(req, socket, head));
      this.servers.push(https);
      out.https = await bound(https, httpsPort);
    }
    return out;
  }

  async close(): Promise<void> {
    for (const t of this.tunnels) t.destroy();
    this.tunnels.clear();
    await Promise.all(this.servers.map((s) => new Promise<void>((r) => { s.closeAllConnections?.(); s.close(() => r()); })));
  }
}

/** Checks an ingress configuration received from the engine; throws with the first problem. */
export function parseIngressConfig(json: unknown): IngressConfig {
  const o = json as Partial<IngressConfig> | null;
  if (!o || typeof o !== 'object' || !Array.isArray(o.rules)) throw new Error('ingress config: "rules" must be a list');
  const backend = (b: unknown, where: string): IngressBackend => {
    const x = b as IngressBackend | null;
    if (!x || typeof x.host !== 'string' || !Number.isInteger(x.port)) throw new Error(`ingress config: ${where} needs host and port`);
    return { host: x.host, port: x.port };
  };
  return {
    rules: o.rules.map((r, i) => ({
      ...(r.host ? { host: String(r.host).toLowerCase() } : {}),
      paths: (Array.isArray(r.paths) ? r.paths : []).map((p, j) => {
        if (p.pathType !== 'Exact' && p.pathType !== 'Prefix' && p.pathType !== 'ImplementationSpecific') {
          throw new Error(`ingress config: rules[${i}].paths[${j}].pathType must be Exact, Prefix or ImplementationSpecific`);
        }
        return { path: String(p.path || '/'), pathType: p.pathType, backend: backend(p.backend, `rules[${i}].paths[${j}]`) };
      }),
    })),
    ...(o.defaultBackend ? { defaultBackend: backend(o.defaultBackend, 'defaultBackend') } : {}),
    tls: (Array.isArray(o.tls) ? o.tls : []).map((t) => ({ hosts: Array.isArray(t.hosts) ? t.hosts.map(String) : [], cert: String(t.cert), key: String(t.key) })),
  };
}
