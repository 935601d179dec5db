/**
 * The HTTPS Kubernetes API server: loopback only, bearer-token auth, Host checks against DNS rebinding,
 * in-flight limits, and the REST surface kubectl and client libraries use (kubectl-compat.md). All
 * semantics live in the Registry; this module maps HTTP to it and back (status codes, Status bodies,
 * Tables, watch streams, warnings).
 *
 * Contract: every reply to a bad request is a `Status` with a 4xx code; nothing a client sends can crash
 * the process. Pod streaming subresources (log, exec, attach, portforward) are served by handlers the
 * kubelet side registers with `setPodHandler`; until one is, they answer 404 with a clear message.
 */
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { ApiError, type KubeObject, type Status } from '../api/client.ts';
import type { ResourceInfo } from '../registry/catalog.ts';
import type { DeleteOpts, FieldValidation, Registry, WriteOpts } from '../registry/registry.ts';
import {
  apiError, badRequest, internal, methodNotAllowed, notAcceptable, notFound, status as mkStatus, tooManyRequests, unsupportedMediaType,
} from '../registry/errors.ts';
import { decodeBody, readBody } from './body.ts';
import { nodeMetrics, podMetrics, type MetricsProvider } from './metrics-api.ts';
import { aggregatedDiscovery, aggregatedRequested, apiGroup, apiGroupList, apiResourceList, apiVersions } from './discovery.ts';
import { OpenApi } from './openapi.ts';
import { OPENAPI_V2_PROTOBUF, OpenApiV2 } from './openapi-v2.ts';
import { route, type Route } from './routes.ts';
import { toTable, wantsTable } from './table.ts';
import { managerFromUserAgent } from './patch/apply.ts';
import { applyPatch, PatchError, patchTypeOf } from './patch/index.ts';
import { decodeProtobuf, isProtobuf, ProtobufError } from './protobuf/index.ts';

export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

/** What a pod streaming subresource handler receives. */
export interface PodRequest {
  namespace: string;
  name: string;
  subresource: 'log' | 'exec' | 'attach' | 'portforward';
  query: URLSearchParams;
  pod: KubeObject;
}

export interface PodHandler {
  /** Plain HTTP (log; exec/attach/portforward when the client does not upgrade). */
  http?(req: IncomingMessage, res: ServerResponse, ctx: PodRequest): void | Promise<void>;
  /** Upgraded connections (WebSocket or SPDY) for exec, attach and portforward. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: PodRequest): void | Promise<void>;
}

/** Decodes protobuf request bodies (engine/apiserver/protobuf), when wired. */
export interface ProtobufDecoder {
  isProtobuf(contentType: string): boolean;
  decodeProtobuf(body: Buffer): object;
}

export interface ApiServerOptions {
  registry: Registry;
  token: string;
  tls: { key: string; cert: string };
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  version: VersionInfo;
  maxInFlight?: number;
  maxMutatingInFlight?: number;
  maxWatches?: number;
  /** A watcher whose unsent output exceeds this is closed (it relists), never buffered without bound. */
  maxWatchBufferBytes?: number;
  now?: () => Date;
  protobuf?: ProtobufDecoder;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const JSON_TYPE = 'application/json';

function hostAllowed(host: string | undefined): boolean {
  if (!host) return false;
  const h = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return LOOPBACK_HOSTS.has(h.toLowerCase());
}

function mediaType(ct: string | undefined): string {
  return (ct ?? '').split(';')[0]!.trim().toLowerCase();
}

function boolParam(v: string | null): boolean {
  return v === 'true' || v === '1';
}

function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': JSON_TYPE, 'Cache-Control': 'no-cache, private', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendStatus(res: ServerResponse, s: Status): void {
  const headers: Record<string, string> = {};
  if (s.details?.retryAfterSeconds !== undefined) headers['Retry-After'] = String(s.details.retryAfterSeconds);
  sendJson(res, s.code, s, headers);
}

function warningHeaders(warnings: string[]): Record<string, string[]> {
  if (warnings.length === 0) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w.replace(/[\r\n]/g, ' '))}`) };
}

function tokenMatches(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (!m) return false;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class ApiServer {
  private server?: Server;
  private readonly openapi: OpenApi;
  private readonly openapiV2: OpenApiV2;
  private readonly podHandlers = new Map<string, PodHandler>();
  private metrics: MetricsProvider | undefined;
  private inFlight = 0;
  private mutatingInFlight = 0;
  private watches = 0;
  private readonly watchStops = new Set<() => void>();
  /** Upgraded connections (exec, attach, port-forward): a server close would wait for them forever. */
  private readonly upgraded = new Set<Duplex>();
  private readonly now: () => Date;
  private protobuf?: ProtobufDecoder;
  url = '';
  port = 0;

  constructor(private readonly opts: ApiServerOptions) {
    this.now = opts.now ?? (() => new Date());
    this.openapi = new OpenApi(opts.registry.catalog, (r) => opts.registry.crdFor(r), opts.version.gitVersion);
    this.openapiV2 = new OpenApiV2(opts.registry.catalog, opts.version.gitVersion);
    this.protobuf = opts.protobuf ?? { isProtobuf, decodeProtobuf };
  }

  /** Serves metrics.k8s.io from this provider (engine/metrics); without one those requests answer 503. */
  setMetricsProvider(provider: MetricsProvider | undefined): void {
    this.metrics = provider;
  }

  setPodHandler(subresource: PodRequest['subresource'], handler: PodHandler | undefined): void {
    if (handler) this.podHandlers.set(subresource, handler);
    else this.podHandlers.delete(subresource);
  }

  setProtobufDecoder(d: ProtobufDecoder | undefined): void {
    this.protobuf = d;
  }

  async listen(): Promise<void> {
    const server = createHttpsServer({ key: this.opts.tls.key, cert: this.opts.tls.cert, minVersion: 'TLSv1.2' });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((e: unknown) => this.fail(res, e));
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.upgraded.add(socket);
      socket.once('close', () => this.upgraded.delete(socket));
      this.handleUpgrade(req, socket, head).catch(() => socket.destroy());
    });
    server.on('clientError', (_err, socket: Duplex) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 30_000;
    server.requestTimeout = 0;
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port ?? 0, this.opts.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as AddressInfo;
    this.port = addr.port;
    this.url = `https://127.0.0.1:${addr.port}`;
  }

  /** Ends every open watch stream (clients re-watch from their last resourceVersion, or relist on 410). */
  closeAllWatches(): void {
    for (const stop of [...this.watchStops]) stop();
  }

  async close(): Promise<void> {
    this.closeAllWatches();
    for (const socket of [...this.upgraded]) socket.destroy();
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  private fail(res: ServerResponse, e: unknown): void {
    if (e instanceof ApiError) {
      sendStatus(res, e.status);
      return;
    }
    const msg = e instanceof Error ? e.message : String(e);
    process.emitWarning(`wheelhouse api: internal error: ${e instanceof Error && e.stack ? e.stack : msg}`);
    sendStatus(res, internal(msg).status);
  }

  private authorize(req: IncomingMessage, r: Route): ApiError | undefined {
    if (!hostAllowed(req.headers.host)) {
      return apiError(403, 'Forbidden', `forbidden: requests must name a loopback host (got Host "${String(req.headers.host ?? '')}")`);
    }
    const open = r.kind === 'health' || r.kind === 'version';
    if (!open && !tokenMatches(req.headers.authorization, this.opts.token)) return apiError(401, 'Unauthorized', 'Unauthorized');
    return undefined;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const r = route(url.pathname);
    const denied = this.authorize(req, r);
    if (denied) {
      req.resume();
      sendStatus(res, denied.status);
      return;
    }
    const method = req.method ?? 'GET';
    const longRunning = r.kind === 'resource' && method === 'GET' && (boolParam(url.searchParams.get('watch')) || ['log', 'exec', 'attach', 'portforward'].includes(r.subresource ?? ''));
    const mutating = method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
    if (!longRunning) {
      const max = mutating ? this.opts.maxMutatingInFlight ?? 200 : this.opts.maxInFlight ?? 400;
      const current = mutating ? this.mutatingInFlight : this.inFlight;
      if (current >= max) {
        req.resume();
        sendStatus(res, tooManyRequests('Too many requests, please try again later.', 1).status);
        return;
      }
      if (mutating) this.mutatingInFlight++;
      else this.inFlight++;
      try {
        await this.dispatch(req, res, r, url, method);
      } finally {
        if (mutating) this.mutatingInFlight--;
        else this.inFlight--;
      }
      return;
    }
    await this.dispatch(req, res, r, url, method);
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse, r: Route, url: URL, method: string): Promise<void> {
    const accept = req.headers.accept;
    if (method !== 'GET' && method !== 'HEAD' && r.kind !== 'resource') {
      req.resume();
      throw methodNotAllowed();
    }
    switch (r.kind) {
      case 'health':
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
        res.end('ok');
        return;
      case 'version':
        sendJson(res, 200, this.opts.version);
        return;
      case 'api': {
        const agg = aggregatedRequested(accept);
        if (agg) {
          sendJson(res, 200, aggregatedDiscovery(this.opts.registry.catalog, true, agg), {
            'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`,
          });
        } else sendJson(res, 200, apiVersions(`127.0.0.1:${this.port}`));
        return;
      }
      case 'apis': {
        const agg = aggregatedRequested(accept);
        if (agg) {
          sendJson(res, 200, aggregatedDiscovery(this.opts.registry.catalog, false, agg), {
            'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${agg};as=APIGroupDiscoveryList`,
          });
        } else sendJson(res, 200, apiGroupList(this.opts.registry.catalog));
        return;
      }
      case 'group': {
        const g = apiGroup(this.opts.registry.catalog, r.group);
        if (!g) throw apiError(404, 'NotFound', 'the server could not find the requested resource');
        sendJson(res, 200, g);
        return;
      }
      case 'groupVersion': {
        const l = apiResourceList(this.opts.registry.catalog, r.group, r.version);
        if (!l) throw apiError(404, 'NotFound', 'the server could not find the requested resource');
        sendJson(res, 200, l);
        return;
      }
      case 'openapiIndex':
        sendJson(res, 200, this.openapi.index());
        return;
      case 'openapiDoc': {
        const d = this.openapi.document(r.group, r.version);
        if (!d) throw apiError(404, 'NotFound', 'the server could not find the requested resource');
        sendJson(res, 200, d.body, { ETag: `"${d.hash}"` });
        return;
      }
      case 'openapiV2': {
        // kubectl 1.27/1.28 read v2 (as gnostic protobuf) for validation and explain; newer ones prefer v3.
        const d = this.openapiV2.document();
        if ((accept ?? '').includes(OPENAPI_V2_PROTOBUF)) {
          // Upstream answers octet-stream: Go's mime parser rejects the '@' of the requested type.
          res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': d.pb.length });
          res.end(d.pb);
        } else sendJson(res, 200, d.json);
        return;
      }
      case 'notFound':
        throw apiError(404, 'NotFound', 'the server could not find the requested resource');
      case 'resource':
        await this.resource(req, res, r, url, method);
        return;
    }
  }

  private infoFor(r: Extract<Route, { kind: 'resource' }>): ResourceInfo {
    const info = this.opts.registry.catalog.lookup(r.group, r.version, r.resource);
    if (!info) throw apiError(404, 'NotFound', 'the server could not find the requested resource');
    if (r.namespace !== undefined && !info.namespaced) throw apiError(404, 'NotFound', 'the server could not find the requested resource');
    if (r.subresource && !info.subresources.some((s) => s.name === r.subresource)) {
      throw apiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    return info;
  }

  private async readObject(req: IncomingMessage): Promise<unknown> {
    const ct = req.headers['content-type'];
    const mt = mediaType(ct);
    if (this.protobuf && this.protobuf.isProtobuf(mt)) {
      const buf = await readBody(req);
      try {
        return this.protobuf.decodeProtobuf(buf);
      } catch (e) {
        if (e instanceof ApiError) throw e;
        if (e instanceof ProtobufError && e.code === 415) throw apiError(415, 'UnsupportedMediaType', e.message);
        throw badRequest(e instanceof Error ? e.message : String(e));
      }
    }
    if (mt !== 'application/json' && mt !== 'application/yaml' && mt !== '' && mt !== '*/*') {
      req.resume();
      throw unsupportedMediaType(String(ct));
    }
    const buf = await readBody(req);
    return decodeBody(buf, mt === 'application/yaml' ? 'application/yaml' : 'application/json');
  }

  private writeOpts(req: IncomingMessage, q: URLSearchParams): WriteOpts {
    const dryRun = q.getAll('dryRun');
    for (const d of dryRun) if (d !== 'All') throw badRequest(`dryRun: Unsupported value: "${d}": supported values: "All"`);
    const fv = q.get('fieldValidation');
    if (fv !== null && fv !== 'Strict' && fv !== 'Warn' && fv !== 'Ignore') {
      throw badRequest(`fieldValidation: Unsupported value: "${fv}": supported values: "Ignore", "Strict", "Warn"`);
    }
    const fm = q.get('fieldManager');
    if (fm !== null && (fm.length > 128 || /[^\x20-\x7e]/.test(fm))) throw badRequest('fieldManager: Invalid value: must be at most 128 printable characters');
    return {
      dryRun: dryRun.includes('All'),
      fieldManager: fm ?? managerFromUserAgent(req.headers['user-agent']),
      fieldValidation: (fv ?? 'Warn') as FieldValidation,
      force: boolParam(q.get('force')),
    };
  }

  private async resource(req: IncomingMessage, res: ServerResponse, r: Extract<Route, { kind: 'resource' }>, url: URL, method: string): Promise<void> {
    const reg = this.opts.registry;
    const info = this.infoFor(r);
    const q = url.searchParams;
    const ns = r.namespace;
    const name = r.name;
    const sub = r.subresource;
    const table = wantsTable(req.headers.accept) && !info.virtual;
    if (!table && req.headers.accept && !/(application\/json|\*\/\*|application\/\*|application\/yaml|application\/vnd\.kubernetes\.protobuf)/.test(req.headers.accept)) {
      req.resume();
      throw notAcceptable();
    }
    if (info.namespaced && name !== undefined && ns === undefined && !(info.resource === 'namespaces')) {
      throw apiError(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (info.group === 'metrics.k8s.io') {
      req.resume();
      if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed();
      if (sub || boolParam(q.get('watch'))) throw methodNotAllowed();
      const provider = this.metrics;
      if (!provider) throw apiError(503, 'ServiceUnavailable', 'the server is currently unable to handle the request (metrics need the container runtime)');
      const sel = q.get('labelSelector') ?? undefined;
      return sendJson(res, 200, info.resource === 'nodes' ? await nodeMetrics(reg, provider, name, sel) : await podMetrics(reg, provider, ns, name, sel));
    }
    if (sub === 'log' || sub === 'exec' || sub === 'attach' || sub === 'portforward') {
      const pod = await reg.get(info, ns, name!);
      const h = this.podHandlers.get(sub);
      if (!h?.http) throw notFound('', `pods/${sub}`, name!);
      await h.http(req, res, { namespace: ns!, name: name!, subresource: sub, query: q, pod });
      return;
    }
    const reply = (code: number, obj: KubeObject | object, warnings: string[] = []): void => {
      if (table && name !== undefined && !sub && code < 300 && (obj as KubeObject).metadata?.name !== undefined) {
        const o = obj as KubeObject;
        obj = toTable(info, [o], { wide: true, now: this.now(), includeObject: includeObject(q), crd: reg.crdFor(info), resourceVersion: o.metadata?.resourceVersion });
      }
      sendJson(res, code, obj, warningHeaders(warnings));
    };
    switch (method) {
      case 'GET':
      case 'HEAD': {
        if (name === undefined) {
          if (boolParam(q.get('watch'))) {
            this.watch(req, res, info, ns, q, table);
            return;
          }
          const limit = q.get('limit');
          const list = await reg.list(info, ns, {
            labelSelector: q.get('labelSelector') ?? undefined,
            fieldSelector: q.get('fieldSelector') ?? undefined,
            limit: limit !== null && /^\d+$/.test(limit) ? Number(limit) : undefined,
            continue: q.get('continue') ?? undefined,
            resourceVersion: q.get('resourceVersion') ?? undefined,
          });
          if (table) {
            sendJson(res, 200, toTable(info, list.items, {
              wide: true, now: this.now(), includeObject: includeObject(q), crd: reg.crdFor(info),
              resourceVersion: list.metadata.resourceVersion, continue: list.metadata.continue,
            }));
          } else sendJson(res, 200, list);
          return;
        }
        if (sub === 'scale') return reply(200, await reg.getScale(info, ns, name));
        if (sub && sub !== 'status') throw methodNotAllowed();
        return reply(200, await reg.get(info, ns, name));
      }
      case 'POST': {
        if (name === undefined) {
          if (!info.verbs.includes('create')) throw methodNotAllowed();
          const opts = this.writeOpts(req, q);
          const body = await this.readObject(req);
          const w = await reg.create(info, ns, body, opts);
          return reply(info.virtual ? 201 : 201, w.object, w.warnings);
        }
        if (sub === 'binding' && info.kind === 'Pod') {
          const body = await this.readObject(req);
          const s = await reg.bind(ns!, name, body, this.writeOpts(req, q));
          return sendJson(res, 201, s);
        }
        if (sub === 'eviction' && info.kind === 'Pod') {
          const body = await this.readObject(req);
          const s = await reg.evict(ns!, name, body);
          return sendJson(res, 201, s);
        }
        req.resume();
        throw methodNotAllowed();
      }
      case 'PUT': {
        if (name === undefined) throw methodNotAllowed();
        const opts = this.writeOpts(req, q);
        const body = await this.readObject(req);
        if (sub === 'scale') return reply(200, await reg.updateScale(info, ns, name, () => body, opts));
        const w = await reg.update(info, ns, name, body, { ...opts, subresource: sub });
        return reply(w.created ? 201 : 200, w.object, w.warnings);
      }
      case 'PATCH': {
        if (name === undefined) throw methodNotAllowed();
        const ct = req.headers['content-type'];
        const pt = patchTypeOf(String(ct ?? ''));
        if (!pt) {
          req.resume();
          throw unsupportedMediaType(String(ct ?? ''));
        }
        const opts = this.writeOpts(req, q);
        if (pt === 'apply' && !q.get('fieldManager')) throw badRequest('PATCH requests with apply-patch content type require fieldManager to be set');
        const patch = decodeBody(await readBody(req), pt === 'apply' ? 'application/yaml' : 'application/json');
        if (sub === 'scale') {
          if (pt === 'apply') throw unsupportedMediaType(String(ct));
          const scaled = await reg.updateScale(info, ns, name, (cur) => {
            try {
              return applyPatch(cur, pt, patch, { group: 'autoscaling', version: 'v1', kind: 'Scale' });
            } catch (e) {
              if (e instanceof PatchError) throw apiError(e.code, e.code === 422 ? 'Invalid' : e.code === 415 ? 'UnsupportedMediaType' : 'BadRequest', e.message);
              throw e;
            }
          }, opts);
          return reply(200, scaled);
        }
        const w = await reg.patch(info, ns, name, pt, patch, { ...opts, subresource: sub });
        return reply(w.created ? 201 : 200, w.object, w.warnings);
      }
      case 'DELETE': {
        const body = await readBody(req);
        let del: Record<string, unknown> = {};
        if (body.length) {
          const parsed = decodeBody(body, 'application/json');
          if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) del = parsed as Record<string, unknown>;
          else throw badRequest('the request body must be a DeleteOptions object');
        }
        const opts = deleteOpts(del, q);
        if (name === undefined) {
          const list = await reg.deleteCollection(info, ns, {
            labelSelector: q.get('labelSelector') ?? undefined, fieldSelector: q.get('fieldSelector') ?? undefined,
          }, opts);
          return sendJson(res, 200, list);
        }
        if (sub) throw methodNotAllowed();
        const r2 = await reg.delete(info, ns, name, opts);
        if (r2.deleted && info.kind !== 'Pod' && info.kind !== 'Service') {
          return sendJson(res, 200, {
            kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
            details: { name, group: info.group || undefined, kind: info.resource, uid: r2.object.metadata?.uid },
          });
        }
        return reply(200, r2.object);
      }
      default:
        req.resume();
        throw methodNotAllowed();
    }
  }

  private watch(req: IncomingMessage, res: ServerResponse, info: ResourceInfo, ns: string | undefined, q: URLSearchParams, table: boolean): void {
    if (this.watches >= (this.opts.maxWatches ?? 4000)) throw tooManyRequests('Too many watches, please try again later.', 1);
    const reg = this.opts.registry;
    const timeout = Number(q.get('timeoutSeconds') ?? '0');
    const maxBuffer = this.opts.maxWatchBufferBytes ?? 16 * 1024 * 1024;
    const crd = reg.crdFor(info);
    let first = true;
    let ended = false;
    res.writeHead(200, { 'Content-Type': JSON_TYPE, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    this.watches++;
    const end = (): void => {
      if (ended) return;
      ended = true;
      this.watches--;
      this.watchStops.delete(end);
      if (timer) clearTimeout(timer);
      w.stop();
      if (!res.writableEnded) res.end();
    };
    const w = reg.watch(info, ns, {
      labelSelector: q.get('labelSelector') ?? undefined,
      fieldSelector: q.get('fieldSelector') ?? undefined,
      resourceVersion: q.get('resourceVersion') ?? undefined,
      allowWatchBookmarks: boolParam(q.get('allowWatchBookmarks')),
      sendInitialEvents: q.get('sendInitialEvents') === null ? undefined : boolParam(q.get('sendInitialEvents')),
    }, (ev) => {
      if (ended) return;
      let object: unknown = ev.object;
      if (table && (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED')) {
        object = toTable(info, [ev.object], {
          wide: true, now: this.now(), includeObject: includeObject(q), crd, resourceVersion: ev.object.metadata?.resourceVersion, omitColumns: !first,
        });
        first = false;
      }
      res.write(`${JSON.stringify({ type: ev.type, object })}\n`);
      if (res.writableLength > maxBuffer) {
        // A stalled watcher: close it rather than buffer without bound; the client relists.
        res.destroy();
        end();
      }
    });
    this.watchStops.add(end);
    const timer = timeout > 0 ? setTimeout(end, timeout * 1000) : undefined;
    res.on('close', end);
    void w.done.then(end);
  }

  private async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const r = route(url.pathname);
    const reject = (s: Status): void => {
      const body = JSON.stringify(s);
      socket.end(`HTTP/1.1 ${s.code} ${s.reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    };
    const denied = this.authorize(req, r);
    if (denied) return reject(denied.status);
    if (r.kind !== 'resource' || r.group !== '' || r.resource !== 'pods' || !r.name || !r.namespace
      || !(r.subresource === 'exec' || r.subresource === 'attach' || r.subresource === 'portforward')) {
      return reject(mkStatus(400, 'BadRequest', 'upgrade is only supported for pods/exec, pods/attach and pods/portforward'));
    }
    const h = this.podHandlers.get(r.subresource);
    let pod: KubeObject;
    try {
      pod = await this.opts.registry.get(this.opts.registry.catalog.lookup('', 'v1', 'pods')!, r.namespace, r.name);
    } catch (e) {
      return reject(e instanceof ApiError ? e.status : internal(String(e)).status);
    }
    if (!h?.upgrade) return reject(notFound('', `pods/${r.subresource}`, r.name).status);
    await h.upgrade(req, socket, head, { namespace: r.namespace, name: r.name, subresource: r.subresource, query: url.searchParams, pod });
  }
}

function includeObject(q: URLSearchParams): 'None' | 'Metadata' | 'Object' {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function deleteOpts(body: Record<string, unknown>, q: URLSearchParams): DeleteOpts {
  const out: DeleteOpts = {};
  const grace = body.gracePeriodSeconds ?? (q.get('gracePeriodSeconds') !== null ? Number(q.get('gracePeriodSeconds')) : undefined);
  if (grace !== undefined) {
    if (typeof grace !== 'number' || !Number.isInteger(grace)) throw badRequest('gracePeriodSeconds must be an integer');
    out.gracePeriodSeconds = grace < 0 ? 0 : grace;
  }
  let policy = body.propagationPolicy ?? q.get('propagationPolicy') ?? undefined;
  const orphan = body.orphanDependents ?? (q.get('orphanDependents') !== null ? boolParam(q.get('orphanDependents')) : undefined);
  if (policy === undefined && orphan !== undefined) policy = orphan ? 'Orphan' : 'Background';
  if (policy !== undefined) {
    if (policy !== 'Foreground' && policy !== 'Background' && policy !== 'Orphan') {
      throw apiError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: ${JSON.stringify(policy)}: supported values: "Foreground", "Background", "Orphan"`);
    }
    out.propagationPolicy = policy;
  }
  const pre = body.preconditions;
  if (pre && typeof pre === 'object' && !Array.isArray(pre)) {
    const p = pre as Record<string, unknown>;
    out.preconditions = {
      uid: typeof p.uid === 'string' ? p.uid : undefined,
      resourceVersion: typeof p.resourceVersion === 'string' ? p.resourceVersion : undefined,
    };
  }
  const dry = Array.isArray(body.dryRun) ? body.dryRun : q.getAll('dryRun');
  for (const d of dry) if (d !== 'All') throw badRequest(`dryRun: Unsupported value: "${String(d)}": supported values: "All"`);
  if (dry.includes('All')) out.dryRun = true;
  return out;
}
