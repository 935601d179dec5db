/**
 * `GET /api/v1/namespaces/{ns}/pods/{name}/log` as upstream answers it: `text/plain`, streamed while
 * `follow=true`, with container, previous, tailLines, sinceSeconds, sinceTime, timestamps and limitBytes.
 * The bytes come from the kubelet side (engine/kubelet/streams.ts); this module only speaks HTTP.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pod } from 'kubernetes-types/core/v1';
import { podLogs, StreamError, type StreamDeps, type PodLogOptions } from '../kubelet/streams.ts';
import { badRequest, status as mkStatus } from '../registry/errors.ts';
import type { PodHandler, PodRequest } from './server.ts';

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`${name}: Invalid value: "${v}": must be an integer`);
  return Number(v);
}

export function logOptions(q: URLSearchParams): { container?: string; opts: PodLogOptions } {
  const tail = intParam(q, 'tailLines');
  const since = intParam(q, 'sinceSeconds');
  const limit = intParam(q, 'limitBytes');
  if (since !== undefined && since < 1) throw badRequest('sinceSeconds: Invalid value: must be greater than 0');
  if (limit !== undefined && limit < 1) throw badRequest('limitBytes: Invalid value: must be greater than 0');
  const sinceTime = q.get('sinceTime') ?? undefined;
  if (since !== undefined && sinceTime !== undefined) throw badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
  return {
    container: q.get('container') ?? undefined,
    opts: {
      follow: q.get('follow') === 'true', previous: q.get('previous') === 'true', tail, sinceSeconds: since, sinceTime,
      timestamps: q.get('timestamps') === 'true', limitBytes: limit,
    },
  };
}

/** The pods/log handler; `deps()` is undefined while no node (no container runtime) serves the cluster. */
export function podLogHandler(deps: () => StreamDeps | undefined): PodHandler {
  return {
    async http(_req: IncomingMessage, res: ServerResponse, ctx: PodRequest): Promise<void> {
      const d = deps();
      const { container, opts } = logOptions(ctx.query);
      if (!d) throw badRequest(`pod ${ctx.name} has no node running it: the container runtime (Docker) is not reachable`);
      let handle: { done: Promise<void>; stop(): void };
      try {
        let started = false;
        handle = await podLogs(d, ctx.pod as Pod, container, opts, (chunk) => {
          if (!started) {
            started = true;
            res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
          }
          res.write(chunk);
        });
        res.on('close', () => handle.stop());
        await handle.done;
        if (!started) res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 0 });
        res.end();
      } catch (e) {
        if (e instanceof StreamError) {
          const s = mkStatus(e.code, e.code === 404 ? 'NotFound' : e.code === 400 ? 'BadRequest' : 'InternalError', e.message);
          if (!res.headersSent) {
            res.writeHead(e.code, { 'Content-Type': 'application/json' });
            res.end(JSON.stringify(s));
          } else res.end();
          return;
        }
        throw e;
      }
    },
  };
}
