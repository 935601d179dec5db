/**
 * Where the HPA gets pod usage (the resource metrics API's role). The kubelet/runtime side implements it
 * from container stats (Docker stats); `metrics.k8s.io` can be served from the same source.
 */
export interface ContainerUsage {
  name: string;
  /** CPU in millicores, averaged over the window. */
  cpuMilli: number;
  /** Working-set memory in bytes. */
  memoryBytes: number;
}

export interface PodUsage {
  namespace: string;
  name: string;
  /** When the sample was taken (epoch ms) and over how long CPU was averaged. */
  timestamp: number;
  windowMs: number;
  containers: ContainerUsage[];
}

export interface MetricsSource {
  /** Usage of the named pods' containers; pods without a sample are simply absent from the answer. */
  podUsage(namespace: string, podNames: readonly string[]): Promise<PodUsage[]>;
}
