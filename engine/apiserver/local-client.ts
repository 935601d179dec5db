/**
 * The in-process ApiClient (engine/api/client.ts) for the engine's controllers, scheduler, kubelets and
 * network: it calls the same Registry the HTTP server calls, so defaulting, validation, conflicts (409),
 * NotFound (404), deletion and watch events are identical. Objects are copied in and out, never shared.
 */
import type {
  ApiClient, DeleteOptions, KubeList, KubeObject, ListOptions, PatchType, Watch, WatchEvent, WatchOptions, WriteOptions,
} from '../api/client.ts';
import type { ResourceType } from '../api/resources.ts';
import type { ResourceInfo } from '../registry/catalog.ts';
import type { Registry, WriteOpts } from '../registry/registry.ts';
import { apiError, badRequest, methodNotAllowed } from '../registry/errors.ts';
import { applyPatch } from './patch/index.ts';

export interface LocalClientOptions {
  /** The field manager recorded in managedFields for this client's writes (upstream: the component name). */
  fieldManager?: string;
}

export class LocalClient implements ApiClient {
  constructor(private readonly registry: Registry, private readonly opts: LocalClientOptions = {}) {}

  /** A client that records writes under another field manager (one per controller, like upstream). */
  withFieldManager(fieldManager: string): LocalClient {
    return new LocalClient(this.registry, { ...this.opts, fieldManager });
  }

  private info(type: ResourceType): ResourceInfo {
    const info = this.registry.catalog.of(type);
    if (!info) throw apiError(404, 'NotFound', `the server could not find the requested resource (${type.resource}.${type.group || 'core'}/${type.version})`);
    return info;
  }

  private write(opts?: WriteOptions): WriteOpts {
    return {
      dryRun: opts?.dryRun,
      fieldManager: opts?.fieldManager ?? this.opts.fieldManager ?? 'wheelhouse-engine',
      force: opts?.force,
      // As an HTTP request without ?fieldValidation: unknown fields are dropped (with a warning nobody reads).
      fieldValidation: 'Warn',
    };
  }

  private static ns(info: ResourceInfo, obj: KubeObject): string | undefined {
    return info.namespaced ? obj.metadata?.namespace : undefined;
  }

  async get<T extends KubeObject>(type: ResourceType, name: string, namespace?: string): Promise<T> {
    return (await this.registry.get(this.info(type), namespace, name)) as T;
  }

  async list<T extends KubeObject>(type: ResourceType, namespace?: string, opts?: ListOptions): Promise<KubeList<T>> {
    return (await this.registry.list(this.info(type), namespace, opts)) as KubeList<T>;
  }

  async create<T extends KubeObject>(type: ResourceType, obj: T, opts?: WriteOptions): Promise<T> {
    const info = this.info(type);
    const ns = LocalClient.ns(info, obj);
    if (info.namespaced && !ns) throw badRequest('metadata.namespace is required to create a namespaced object');
    return (await this.registry.create(info, ns, obj, this.write(opts))).object as T;
  }

  async update<T extends KubeObject>(type: ResourceType, obj: T, opts?: WriteOptions): Promise<T> {
    const info = this.info(type);
    return (await this.registry.update(info, LocalClient.ns(info, obj), String(obj.metadata?.name ?? ''), obj, this.write(opts))).object as T;
  }

  async updateStatus<T extends KubeObject>(type: ResourceType, obj: T, opts?: WriteOptions): Promise<T> {
    const info = this.info(type);
    if (!info.subresources.some((s) => s.name === 'status')) throw methodNotAllowed(`${info.resource} has no status subresource`);
    return (await this.registry.update(info, LocalClient.ns(info, obj), String(obj.metadata?.name ?? ''), obj, { ...this.write(opts), subresource: 'status' })).object as T;
  }

  async patch<T extends KubeObject>(
    type: ResourceType, name: string, namespace: string | undefined, patchType: PatchType, patch: unknown,
    opts?: WriteOptions & { subresource?: string },
  ): Promise<T> {
    const info = this.info(type);
    if (opts?.subresource === 'scale') {
      if (patchType === 'apply') throw apiError(415, 'UnsupportedMediaType', 'apply is not supported on the scale subresource');
      return (await this.registry.updateScale(info, namespace, name,
        (cur) => applyPatch(cur, patchType, patch, { group: 'autoscaling', version: 'v1', kind: 'Scale' }), this.write(opts))) as T;
    }
    return (await this.registry.patch(info, namespace, name, patchType, patch, { ...this.write(opts), subresource: opts?.subresource })).object as T;
  }

  async delete(type: ResourceType, name: string, namespace?: string, opts?: DeleteOptions): Promise<KubeObject> {
    return (await this.registry.delete(this.info(type), namespace, name, opts ?? {})).object;
  }

  async createSubresource<T extends KubeObject>(
    type: ResourceType, name: string, namespace: string | undefined, subresource: string, body: KubeObject,
  ): Promise<T> {
    const info = this.info(type);
    if (info.kind === 'Pod' && subresource === 'binding') return (await this.registry.bind(String(namespace), name, body, this.write())) as unknown as T;
    if (info.kind === 'Pod' && subresource === 'eviction') return (await this.registry.evict(String(namespace), name, body)) as unknown as T;
    throw methodNotAllowed(`POST ${info.resource}/${subresource} is not supported`);
  }

  watch<T extends KubeObject>(type: ResourceType, namespace: string | undefined, opts: WatchOptions, onEvent: (ev: WatchEvent<T>) => void): Watch {
    const info = this.info(type);
    const w = this.registry.watch(info, namespace, opts, (ev) => onEvent(ev as WatchEvent<T>));
    return { stop: () => w.stop(), done: w.done };
  }
}
