/**
 * The pod streaming subresources the API server upgrades: pods/exec, pods/attach and pods/portforward
 * (WebSocket and SPDY/3.1; see remote-command.ts and port-forward.ts). The bytes come from the kubelet
 * side (engine/kubelet/streams.ts), never from Docker directly.
 *
 * Register with `registerStreamingHandlers(apiServer, () => nodes?.streams, podAlive)`; `deps()` is
 * undefined while no node serves the cluster (requests then get a 400 Status saying so).
 */
import type { Pod } from 'kubernetes-types/core/v1';
import type { ApiClient } from '../api/client.ts';
import { R } from '../api/resources.ts';
import type { StreamDeps } from '../kubelet/streams.ts';
import type { PodHandler, PodRequest } from '../apiserver/server.ts';
import { serveRemoteCommand } from './remote-command.ts';
import { servePortForward, type PodAlive } from './port-forward.ts';

export type { PodAlive } from './port-forward.ts';

export interface StreamingHandlers {
  exec: PodHandler;
  attach: PodHandler;
  portforward: PodHandler;
}

export function streamingHandlers(deps: () => StreamDeps | undefined, alive?: PodAlive): StreamingHandlers {
  return {
    exec: { upgrade: (req, socket, head, ctx) => serveRemoteCommand('exec', deps(), req, socket, head, ctx) },
    attach: { upgrade: (req, socket, head, ctx) => serveRemoteCommand('attach', deps(), req, socket, head, ctx) },
    portforward: { upgrade: (req, socket, head, ctx) => servePortForward(deps(), alive, req, socket, head, ctx) },
  };
}

/** A PodAlive from an ApiClient: the pod still exists with the same uid and is Running. */
export function podAliveVia(client: Pick<ApiClient, 'get'>): PodAlive {
  return async (pod: Pod) => {
    try {
      const cur = await client.get<Pod & { metadata: object }>(R.pods, pod.metadata?.name ?? '', pod.metadata?.namespace ?? 'default');
      return cur.metadata?.uid === pod.metadata?.uid && cur.status?.phase === 'Running' && !cur.metadata?.deletionTimestamp;
    } catch {
      return false;
    }
  };
}

export interface PodHandlerRegistry {
  setPodHandler(subresource: PodRequest['subresource'], handler: PodHandler | undefined): void;
}

export function registerStreamingHandlers(server: PodHandlerRegistry, deps: () => StreamDeps | undefined, alive?: PodAlive): void {
  const h = streamingHandlers(deps, alive);
  server.setPodHandler('exec', h.exec);
  server.setPodHandler('attach', h.attach);
  server.setPodHandler('portforward', h.portforward);
}
