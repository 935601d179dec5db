/**
 * An ApiClient over the engine's REST API (HTTPS, bearer token, the cluster CA): what a separate process —
 * the CLI, a test — uses to talk to a running engine with the same semantics as the in-process client.
 * Errors come back as ApiError carrying the server's Status; a transport failure is an ApiError 503 whose
 * message names the server. Watches read newline-delimited JSON; a 410 (or any failure to start) is
 * delivered as one ERROR event with the Status, as the in-process client does.
 */
import { request as httpsRequest, Agent } from 'node:https';
import type { IncomingMessage } from 'node:http';
import {
  ApiError, type ApiClient, type DeleteOptions, type KubeList, type KubeObject, type ListOptions, type PatchType, type Status,
  type Watch, type WatchEvent, type WatchOptions, type WriteOptions,
} from './client.ts';
import type { ResourceType } from './resources.ts';

export interface HttpClientOptions {
  /** https://127.0.0.1:PORT */
  server: string;
  token: string;
  /** PEM of the cluster CA. */
  ca: string;
  /** Default field manager for writes (kubectl-like clients name themselves). */
  fieldManager?: string;
}

const PATCH_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

function statusOf(code: number, text: string, fallback: string): Status {
  try {
    const s = JSON.parse(text) as Status;
    if (s && s.kind === 'Status') return s;
  } catch {
    // not a Status: fall through
  }
  return { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', message: text.trim() || fallback, reason: code === 503 ? 'ServiceUnavailable' : 'InternalError', code } as Status;
}

export class HttpApiClient implements ApiClient {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(private readonly opts: HttpClientOptions) {
    this.base = new URL(opts.server);
    this.agent = new Agent({ keepAlive: true, ca: opts.ca });
  }

  /** Closes idle connections (the process can exit). */
  close(): void {
    this.agent.destroy();
  }

  private path(type: ResourceType, namespace: string | undefined, name?: string, subresource?: string): string {
    const gv = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
    const ns = type.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${gv}${ns}/${type.resource}${name !== undefined ? `/${encodeURIComponent(name)}` : ''}${subresource ? `/${subresource}` : ''}`;
  }

  private open(method: string, path: string, body?: string, contentType = 'application/json'): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest({
        host: this.base.hostname, port: this.base.port, path, method, agent: this.agent, servername: this.base.hostname === '127.0.0.1' ? undefined : this.base.hostname,
        headers: {
          Authorization: `Bearer ${this.opts.token}`, Accept: 'application/json',
          ...(body !== undefined ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) } : {}),
        },
      }, resolve);
      req.on('error', (e) => reject(new ApiError(statusOf(503, '', `cannot reach the engine at ${this.opts.server}: ${e.message}`))));
      req.end(body);
    });
  }

  private async call<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const res = await this.open(method, path, body === undefined ? undefined : JSON.stringify(body), contentType);
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const code = res.statusCode ?? 500;
    if (code >= 400) throw new ApiError(statusOf(code, text, `${method} ${path}: HTTP ${code}`));
    return JSON.parse(text) as T;
  }

  private query(params: Record<string, string | number | boolean | undefined>): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
    const s = q.toString();
    return s ? `?${s}` : '';
  }

  private writeQuery(opts: WriteOptions = {}, extra: Record<string, string | boolean | undefined> = {}): string {
    return this.query({ dryRun: opts.dryRun ? 'All' : undefined, fieldManager: opts.fieldManager ?? this.opts.fieldManager, force: opts.force ? true : undefined, ...extra });
  }

  get<T extends KubeObject>(type: ResourceType, name: string, namespace?: string): Promise<T> {
    return this.call<T>('GET', this.path(type, namespace, name));
  }

  list<T extends KubeObject>(type: ResourceType, namespace?: string, opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.call<KubeList<T>>('GET', this.path(type, namespace) + this.query({ ...opts }));
  }

  create<T extends KubeObject>(type: ResourceType, obj: T, opts?: WriteOptions): Promise<T> {
    return this.call<T>('POST', this.path(type, obj.metadata?.namespace) + this.writeQuery(opts), obj);
  }

  update<T extends KubeObject>(type: ResourceType, obj: T, opts?: WriteOptions): Promise<T> {
    return this.call<T>('PUT', this.path(type, obj.metadata?.namespace, String(obj.metadata?.name ?? '')) + this.writeQuery(opts), obj);
  }

  updateStatus<T extends KubeObject>(type: ResourceType, obj: T, opts?: WriteOptions): Promise<T> {
    return this.call<T>('PUT', this.path(type, obj.metadata?.namespace, String(obj.metadata?.name ?? ''), 'status') + this.writeQuery(opts), obj);
  }

  patch<T extends KubeObject>(
    type: ResourceType, name: string, namespace: string | undefined, patchType: PatchType, patch: unknown, opts: WriteOptions & { subresource?: string } = {},
  ): Promise<T> {
    const fm = opts.fieldManager ?? this.opts.fieldManager ?? (patchType === 'apply' ? 'wheelhouse' : undefined);
    return this.call<T>('PATCH', this.path(type, namespace, name, opts.subresource) + this.writeQuery({ ...opts, fieldManager: fm }), patch, PATCH_TYPES[patchType]);
  }

  delete(type: ResourceType, name: string, namespace?: string, opts: DeleteOptions = {}): Promise<KubeObject> {
    const body = {
      apiVersion: 'v1', kind: 'DeleteOptions',
      ...(opts.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {}),
      ...(opts.propagationPolicy ? { propagationPolicy: opts.propagationPolicy } : {}),
      ...(opts.preconditions ? { preconditions: opts.preconditions } : {}),
      ...(opts.dryRun ? { dryRun: ['All'] } : {}),
    };
    return this.call<KubeObject>('DELETE', this.path(type, namespace, name), body);
  }

  createSubresource<T extends KubeObject>(type: ResourceType, name: string, namespace: string | undefined, subresource: string, body: KubeObject): Promise<T> {
    return this.call<T>('POST', this.path(type, namespace, name, subresource), body);
  }

  watch<T extends KubeObject>(type: ResourceType, namespace: string | undefined, opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void): Watch {
    let stopped = false;
    let res: IncomingMessage | undefined;
    let finish!: () => void;
    const done = new Promise<void>((r) => (finish = r));
    const deliver = (ev: WatchEvent<T>): void => {
      if (!stopped) onEvent(ev);
    };
    const error = (s: Status): void => deliver({ type: 'ERROR', object: s as unknown as T });
    const path = this.path(type, namespace) + this.query({
      watch: 1, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, resourceVersion: opts.resourceVersion,
      allowWatchBookmarks: opts.allowWatchBookmarks ? true : undefined,
    });
    void (async () => {
      try {
        res = await this.open('GET', path);
        if (stopped) {
          res.destroy();
          return;
        }
        const code = res.statusCode ?? 500;
        if (code >= 400) {
          const chunks: Buffer[] = [];
          for await (const c of res) chunks.push(c as Buffer);
          error(statusOf(code, Buffer.concat(chunks).toString('utf8'), `watch ${path}: HTTP ${code}`));
          return;
        }
        let buf = '';
        for await (const c of res) {
          buf += (c as Buffer).toString('utf8');
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line) deliver(JSON.parse(line) as WatchEvent<T>);
          }
        }
      } catch (e) {
        if (!stopped) error(e instanceof ApiError ? e.status : statusOf(500, '', `watch ${path}: ${e instanceof Error ? e.message : String(e)}`));
      } finally {
        finish();
      }
    })();
    return {
      stop: () => {
        stopped = true;
        res?.destroy();
        if (!res) finish();
      },
      done,
    };
  }
}
