/**
 * What a kubelet's pod workers share: the API client, the runtime, the node's identity and settings, the
 * event recorder, backoff bookkeeping and the sources of ConfigMaps/Secrets/claims.
 */
import type { ApiClient } from '../api/client.ts';
import type { Runtime } from '../runtime/types.ts';
import type { EventRecorder } from '../scheduler/events.ts';
import type { Backoff } from './backoff.ts';
import type { Clock } from './clock.ts';
import type { EnvSources } from './env.ts';
import type { ImageManager } from './images.ts';
import type { VolumeSources } from './volumes.ts';

export interface KubeletContext {
  client: ApiClient;
  runtime: Runtime;
  clock: Clock;
  nodeName: string;
  clusterName: string;
  networkName: string;
  sandboxImage: string;
  /** Host directory holding per-pod directories (volumes, termination logs). Must be visible to Docker. */
  podsDir: string;
  hostIP: string;
  /** Nameservers for dnsPolicy ClusterFirst; empty = Docker's embedded DNS on the cluster network. */
  clusterDNS: string[];
  clusterDomain: string;
  recorder: EventRecorder;
  crashBackoff: Backoff;
  images: ImageManager;
  sources: EnvSources & VolumeSources;
  nodeAllocatable(): { milliCpu: number; memory: number };
  log(msg: string): void;
}
