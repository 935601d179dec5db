/**
 * The one way the engine's controllers, scheduler, kubelets and network act on cluster state.
 *
 * Contract: an ApiClient has exactly the semantics of the HTTP API — the same defaulting, validation,
 * admission, resourceVersion conflicts (409), NotFound (404) and watch events — whether it is the
 * in-process client (engine/apiserver) or one speaking HTTPS. Errors are thrown as ApiError carrying the
 * upstream-shaped Status. Objects returned are the caller's to keep; objects passed in are not mutated.
 */
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import type { ResourceType } from './resources.ts';

/** kubernetes-types marks every field readonly; the engine builds and edits objects, so it uses this. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };
export type Meta = Writable<ObjectMeta>;

/** Any Kubernetes object. Concrete shapes come from the kubernetes-types package. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: Meta;
}

export interface KubeList<T extends KubeObject = KubeObject> {
  apiVersion: string;
  kind: string;
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  items: T[];
}

/** A Kubernetes `Status` (meta/v1), as the API answers errors. */
export interface Status {
  apiVersion: 'v1';
  kind: 'Status';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  code: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    uid?: string;
    retryAfterSeconds?: number;
    causes?: { reason?: string; message?: string; field?: string }[];
  };
}

export class ApiError extends Error {
  readonly status: Status;
  constructor(status: Status) {
    super(status.message);
    this.name = 'ApiError';
    this.status = status;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason;
  }
}

export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.code === 404;
}
export function isConflict(err: unknown): boolean {
  return err instanceof ApiError && err.code === 409;
}
export function isAlreadyExists(err: unknown): boolean {
  return err instanceof ApiError && err.code === 409 && err.reason === 'AlreadyExists';
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** Replay events after this revision; absent = start from now (after an initial list). */
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  /** For ERROR events, a Status (e.g. 410 Expired: relist). */
  object: T;
}

export interface Watch {
  /** Stops the watch; no events are delivered after it returns. */
  stop(): void;
  /** Resolves when the watch ends for any reason (stopped, expired, server closed it). */
  readonly done: Promise<void>;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  /** Server-side apply only: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export interface ApiClient {
  get<T extends KubeObject>(type: ResourceType, name: string, namespace?: string): Promise<T>;
  list<T extends KubeObject>(type: ResourceType, namespace?: string, opts?: ListOptions): Promise<KubeList<T>>;
  create<T extends KubeObject>(type: ResourceType, obj: T, opts?: WriteOptions): Promise<T>;
  /** Replaces the object; fails with 409 when metadata.resourceVersion is stale. */
  update<T extends KubeObject>(type: ResourceType, obj: T, opts?: WriteOptions): Promise<T>;
  /** Writes only `status`, through the status subresource. */
  updateStatus<T extends KubeObject>(type: ResourceType, obj: T, opts?: WriteOptions): Promise<T>;
  patch<T extends KubeObject>(
    type: ResourceType,
    name: string,
    namespace: string | undefined,
    patchType: PatchType,
    patch: unknown,
    opts?: WriteOptions & { subresource?: string },
  ): Promise<T>;
  /** Answers the object as it stands after the call (with deletionTimestamp set while finalizers hold it). */
  delete(type: ResourceType, name: string, namespace?: string, opts?: DeleteOptions): Promise<KubeObject>;
  /** POST to a subresource such as `binding` or `eviction`. */
  createSubresource<T extends KubeObject>(
    type: ResourceType,
    name: string,
    namespace: string | undefined,
    subresource: string,
    body: KubeObject,
  ): Promise<T>;
  /** Calls onEvent for each event in order; an ERROR event with a 410 Status means: relist. */
  watch<T extends KubeObject>(
    type: ResourceType,
    namespace: string | undefined,
    opts: WatchOptions,
    onEvent: (ev: WatchEvent<T>) => void,
  ): Watch;
}
