/**
 * The parts of the Compose specification (compose-spec.io) that the converter reads, after
 * normalisation: every short syntax is turned into its long form here, so the mapping code handles
 * one shape per field.
 */
export interface PortSpec {
  target: number;
  published?: number;
  hostIp?: string;
  protocol: 'TCP' | 'UDP';
}

export interface VolumeSpec {
  type: 'volume' | 'bind' | 'tmpfs';
  /** Volume name or host path; absent for anonymous volumes and tmpfs. */
  source?: string;
  target: string;
  readOnly: boolean;
}

export interface HealthcheckSpec {
  /** exec form of the test; undefined when disabled. */
  command?: string[];
  intervalSeconds?: number;
  timeoutSeconds?: number;
  retries?: number;
  startPeriodSeconds?: number;
  disabled: boolean;
}

export interface ServiceSpec {
  name: string;
  image?: string;
  build: boolean;
  entrypoint?: string[];
  command?: string[];
  environment: Record<string, string>;
  envFiles: string[];
  ports: PortSpec[];
  expose: number[];
  volumes: VolumeSpec[];
  dependsOn: { name: string; condition: 'service_started' | 'service_healthy' | 'service_completed_successfully' }[];
  healthcheck?: HealthcheckSpec;
  replicas?: number;
  limits: { cpus?: string; memory?: string };
  reservations: { cpus?: string; memory?: string };
  restart?: string;
  workingDir?: string;
  user?: string;
  hostname?: string;
  labels: Record<string, string>;
  secrets: { source: string; target: string }[];
  configs: { source: string; target: string }[];
  privileged: boolean;
  capAdd: string[];
  capDrop: string[];
  readOnly: boolean;
  tty: boolean;
  stdinOpen: boolean;
  /** Keys present in the service that the converter does not map, for the report. */
  unmappedKeys: string[];
}

export interface ComposeProject {
  services: ServiceSpec[];
  /** Named volumes declared at top level (external ones flagged). */
  volumes: Record<string, { external: boolean }>;
  secrets: Record<string, { file?: string; environment?: string; external: boolean }>;
  configs: Record<string, { file?: string; content?: string; environment?: string; external: boolean }>;
}
