/**
 * The language server's protocol beyond LSP: custom requests and the settings it reads. Types only, so the
 * client can `import type` them.
 *
 * Settings: the server reads the `wheelhouse` section (pulled with workspace/configuration when the client
 * supports it, else from didChangeConfiguration's `settings.wheelhouse`, else initializationOptions).
 */

/** Best-practice warnings, each on its own switch (all on by default). */
export interface LintSettings {
  /** Containers of workloads without resources requests/limits. */
  resources: boolean;
  /** Images without a tag, or tagged `:latest`. */
  latestTag: boolean;
  /** Deployment/StatefulSet/DaemonSet containers without a readiness or liveness probe. */
  probes: boolean;
  /** Privileged containers (securityContext.privileged or allowPrivilegeEscalation with privileged). */
  privileged: boolean;
  /** hostPath volumes of the Docker socket or `/`. */
  hostPath: boolean;
}

export interface ServerSettings {
  lint: LintSettings;
  /** Cross-resource checks (missing ConfigMaps, selectors matching nothing, …). Default true. */
  crossResource: boolean;
  /** Scan the workspace folders' YAML files for cross-resource checks and navigation. Default true. */
  scanWorkspace: boolean;
}

export const defaultSettings: ServerSettings = {
  lint: { resources: true, latestTag: true, probes: true, privileged: true, hostPath: true },
  crossResource: true,
  scanWorkspace: true,
};

/** `wheelhouse/codeLensData`: one entry per Kubernetes object in a document. */
export const codeLensDataMethod = 'wheelhouse/codeLensData';

export interface CodeLensDataParams {
  uri: string;
}

export interface LspRange {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

export interface CodeLensObject {
  /** The whole YAML document holding the object (from its `---` line). */
  range: LspRange;
  /** The line of `kind:` (where a client puts its lens). */
  kindRange: LspRange;
  apiVersion: string;
  kind: string;
  name?: string;
  /** As written; undefined when the manifest names none (the cluster's default then applies). */
  namespace?: string;
  /** Built-in kind known to the schema (false for custom resources). */
  builtin: boolean;
  /** The document has errors (a client may want to disable "Apply"). */
  hasErrors: boolean;
}

export type CodeLensDataResult = CodeLensObject[];

/** Diagnostic codes the server publishes (Diagnostic.code), with `source: 'wheelhouse'`. */
export type DiagnosticCode =
  | 'yaml-syntax' | 'duplicate-key' | 'excessive-aliases'
  | 'missing-api-version' | 'missing-kind' | 'unknown-api-version' | 'unknown-kind' | 'removed-api' | 'deprecated-api'
  | 'unknown-field' | 'type' | 'required' | 'enum' | 'format'
  | 'invalid-name' | 'invalid-label' | 'invalid-port' | 'invalid-cron'
  | 'selector-mismatch' | 'service-selects-nothing' | 'missing-configmap' | 'missing-secret' | 'missing-key'
  | 'missing-pvc' | 'missing-serviceaccount' | 'unknown-target-port' | 'missing-service' | 'missing-service-port'
  | 'missing-scale-target' | 'duplicate-object'
  | 'no-resources' | 'latest-tag' | 'no-probes' | 'privileged' | 'dangerous-hostpath';

/**
 * `wheelhouse/clusterObjects` (notification, client → server): what the connected cluster (the bundled engine or a
 * kubeconfig context) holds, so cross-resource checks stop warning about objects that exist only there. Each
 * notification replaces the previous set; an empty list means disconnected.
 */
export const clusterObjectsMethod = 'wheelhouse/clusterObjects';

export interface ClusterObject {
  apiVersion: string;
  kind: string;
  /** Unset for cluster-scoped kinds. */
  namespace?: string;
  name: string;
  /** Pods (and pod templates): their labels, so Service selectors can match live pods. */
  labels?: Record<string, string>;
  /** ConfigMaps and Secrets: their data keys. */
  keys?: string[];
  /** Services: their ports. */
  ports?: { name?: string; port: number }[];
}

export interface ClusterObjectsParams {
  /** The context's name, shown in messages (`wheelhouse`, a kubeconfig context). */
  context: string;
  objects: ClusterObject[];
}

/**
 * `wheelhouse/customResourceSchemas` (notification, client → server): CRD schemas read from the connected
 * cluster (its CustomResourceDefinitions or `/openapi/v3`), used for custom resources whose CRD is not in the
 * workspace. Replaces the previous set.
 */
export const customResourceSchemasMethod = 'wheelhouse/customResourceSchemas';

export interface CustomResourceSchema {
  group: string;
  version: string;
  kind: string;
  /** The version's openAPIV3Schema. */
  schema: unknown;
}

export interface CustomResourceSchemasParams {
  schemas: CustomResourceSchema[];
}
