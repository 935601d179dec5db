/**
 * Raw Kubernetes REST over a client-node KubeConfig: client-node supplies the endpoint, TLS material and
 * credentials (`applyToHTTPSOptions`, which also runs exec/OIDC auth plugins); bodies stay plain JSON, so
 * what the views and YAML documents show is exactly what the API server sent.
 * Contract: resolves with the parsed body on 2xx; rejects with `KubeError` carrying the API's Status otherwise.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import * as http from 'node:http';
import * as https from 'node:https';

export interface Status {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes?: { field?: string; message?: string; reason?: string }[] };
}

export class KubeError extends Error {
  constructor(readonly code: number, readonly status: Status, method: string, path: string) {
    super(status.message ?? `${method} ${path}: HTTP ${code}`);
    this.name = 'KubeError';
  }
  get reason(): string | undefined { return this.status.reason; }
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs?: number;
  /** Return the body as text (pod logs). */
  text?: boolean;
}

export function withQuery(path: string, query: RequestOptions['query']): string {
  if (!query) return path;
  const q = Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return q.length ? `${path}${path.includes('?') ? '&' : '?'}${q.join('&')}` : path;
}

export async function kubeRequest<T = unknown>(kc: KubeConfig, path: string, opts: RequestOptions = {}): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig context "${kc.getCurrentContext()}" has no cluster`);
  const base = new URL(cluster.server);
  // A server URL may carry a path prefix (proxies): API paths go beneath it.
  const full = new URL(base.pathname.replace(/\/$/, '') + withQuery(path, opts.query), base.origin);
  const method = opts.method ?? 'GET';
  const reqOpts: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
  await kc.applyToHTTPSOptions(reqOpts);
  const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  if (payload !== undefined) {
    reqOpts.headers = { ...reqOpts.headers, 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(payload) };
  }
  const mod = full.protocol === 'http:' ? http : https;
  return new Promise<T>((resolve, reject) => {
    const req = mod.request(full, reqOpts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) {
          if (opts.text) return resolve(text as T);
          try { resolve((text ? JSON.parse(text) : undefined) as T); } catch (err) { reject(err); }
          return;
        }
        let status: Status = { code, message: text.trim() || `HTTP ${code}` };
        try { const s = JSON.parse(text) as Status; if (s && typeof s === 'object') status = s; } catch { /* not JSON */ }
        reject(new KubeError(code, status, method, path));
      });
      res.on('error', reject);
    });
    req.setTimeout(opts.timeoutMs ?? 30_000, () => req.destroy(new Error(`${method} ${path}: no answer within ${(opts.timeoutMs ?? 30_000) / 1000} s`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

export function isNotFound(err: unknown): boolean {
  return err instanceof KubeError && err.code === 404;
}
export function isConflict(err: unknown): boolean {
  return err instanceof KubeError && err.code === 409;
}

/** A one-line message for the user from any error (Status message first). */
export function errorText(err: unknown): string {
  if (err instanceof KubeError) {
    const causes = err.status.details?.causes?.map((c) => `${c.field ? c.field + ': ' : ''}${c.message ?? c.reason ?? ''}`).filter(Boolean) ?? [];
    return [err.message, ...causes].join('; ');
  }
  return err instanceof Error ? err.message : String(err);
}
