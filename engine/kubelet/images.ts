/**
 * Image handling as the kubelet's image manager: imagePullPolicy (default Always for `:latest`/untagged,
 * else IfNotPresent), local images used as they are, pulls reported as Events (with progress), pull
 * failures as ErrImagePull and then ImagePullBackOff while the backoff (10 s doubling to 300 s) runs.
 * Credentials come from the pod's imagePullSecrets (kubernetes.io/dockerconfigjson or dockercfg).
 */
import type { Container, Secret } from 'kubernetes-types/core/v1';
import type { ImageInfo, Runtime } from '../runtime/types.ts';
import { RuntimeNotFoundError } from '../runtime/types.ts';
import { isLatest, parseImageRef } from '../runtime/refs.ts';
import { Backoff, IMAGE_PULL_BACKOFF } from './backoff.ts';
import type { Clock } from './clock.ts';

export class ImageError extends Error {
  constructor(readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName', message: string) {
    super(message);
  }
}

export type Auth = { username?: string; password?: string; serverAddress?: string };

export function pullPolicy(c: Container): 'Always' | 'IfNotPresent' | 'Never' {
  if (c.imagePullPolicy === 'Always' || c.imagePullPolicy === 'IfNotPresent' || c.imagePullPolicy === 'Never') return c.imagePullPolicy;
  try {
    return isLatest(c.image ?? '') ? 'Always' : 'IfNotPresent';
  } catch {
    return 'IfNotPresent';
  }
}

/** Finds credentials for the image's registry in dockerconfigjson/dockercfg Secrets. */
export function authFor(image: string, secrets: readonly Secret[]): Auth | undefined {
  const registry = parseImageRef(image).registry;
  const names = registry === 'docker.io' ? ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'] : [registry, `https://${registry}`, `http://${registry}`];
  for (const s of secrets) {
    const raw = s.data?.['.dockerconfigjson'] ?? s.data?.['.dockercfg'];
    if (!raw) continue;
    let cfg: Record<string, unknown>;
    try {
      cfg = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as Record<string, unknown>;
    } catch {
      continue;
    }
    const auths = (cfg.auths ?? cfg) as Record<string, { username?: string; password?: string; auth?: string }>;
    for (const [host, a] of Object.entries(auths)) {
      const h = host.replace(/\/+$/, '');
      if (!names.some((n) => n.replace(/\/+$/, '') === h || n.replace(/\/+$/, '') === h.replace(/^https?:\/\//, ''))) continue;
      let { username, password } = a;
      if (a.auth && (!username || !password)) {
        const dec = Buffer.from(a.auth, 'base64').toString('utf8');
        const i = dec.indexOf(':');
        username = dec.slice(0, i);
        password = dec.slice(i + 1);
      }
      return { username, password, serverAddress: host };
    }
  }
  return undefined;
}

export type ImageEvent = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

export class ImageManager {
  private readonly backoff = new Backoff(IMAGE_PULL_BACKOFF);
  private readonly lastFailure = new Map<string, { at: number; message: string }>();
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly runtime: Runtime, private readonly clock: Clock) {}

  /** Makes the container's image present per its pull policy; throws ImageError with the waiting reason. */
  async ensure(c: Container, backoffKey: string, event: ImageEvent, auth: () => Promise<Auth | undefined>): Promise<ImageInfo> {
    const image = c.image ?? '';
    try {
      parseImageRef(image);
    } catch (err) {
      throw new ImageError('InvalidImageName', `Failed to apply default image tag "${image}": ${(err as Error).message}`);
    }
    const policy = pullPolicy(c);
    const local = await this.runtime.inspectImage(image).catch((err: unknown) => {
      if (err instanceof RuntimeNotFoundError) return undefined;
      throw err;
    });
    if (policy === 'Never') {
      if (local) return local;
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      event('Warning', 'ErrImageNeverPull', msg);
      throw new ImageError('ErrImageNeverPull', msg);
    }
    if (policy === 'IfNotPresent' && local) {
      event('Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return local;
    }
    const failed = this.lastFailure.get(backoffKey);
    if (failed && this.backoff.remaining(backoffKey, failed.at, this.clock.now()) > 0) {
      event('Normal', 'BackOff', `Back-off pulling image "${image}"`);
      throw new ImageError('ImagePullBackOff', `Back-off pulling image "${image}": ${failed.message}`);
    }
    if (failed) this.backoff.next(backoffKey, this.clock.now());
    const start = this.clock.now();
    event('Normal', 'Pulling', `Pulling image "${image}"`);
    try {
      let p = this.inFlight.get(image);
      if (!p) {
        let lastReport = this.clock.now();
        const layers = new Map<string, { current: number; total: number }>();
        const creds = await auth();
        p = this.runtime.pullImage(image, (prog) => {
          if (prog.id && prog.total) layers.set(prog.id, { current: prog.current ?? 0, total: prog.total });
          if (this.clock.now() - lastReport >= 5000 && layers.size) {
            lastReport = this.clock.now();
            let cur = 0, tot = 0;
            for (const l of layers.values()) {
              cur += l.current;
              tot += l.total;
            }
            event('Normal', 'Pulling', `Pulling image "${image}": ${(cur / 1e6).toFixed(1)} MB of ${(tot / 1e6).toFixed(1)} MB`);
          }
        }, creds).finally(() => this.inFlight.delete(image));
        this.inFlight.set(image, p);
      }
      await p;
    } catch (err) {
      const message = (err as Error).message;
      this.lastFailure.set(backoffKey, { at: this.clock.now(), message });
      if (!failed) this.backoff.next(backoffKey, this.clock.now());
      event('Warning', 'Failed', `Failed to pull image "${image}": ${message}`);
      event('Warning', 'Failed', 'Error: ErrImagePull');
      throw new ImageError('ErrImagePull', message);
    }
    this.lastFailure.delete(backoffKey);
    this.backoff.reset(backoffKey);
    const info = await this.runtime.inspectImage(image);
    const secs = ((this.clock.now() - start) / 1000).toFixed(3);
    event('Normal', 'Pulled', `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting). Image size: ${info.sizeBytes} bytes.`);
    return info;
  }

  forget(prefix: string): void {
    this.backoff.forgetPrefix(prefix);
    for (const k of this.lastFailure.keys()) if (k.startsWith(prefix)) this.lastFailure.delete(k);
  }
}
