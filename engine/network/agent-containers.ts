/**
 * Runs the engine's infrastructure containers (Service proxies, cluster DNS, ingress): each is the
 * infra image's Node running dist/agent.js with a JSON configuration file, both copied in before start.
 *
 * Contract: ensure() is idempotent. What cannot change in a running container (image, address, aliases,
 * published ports, arguments) is hashed into a label; a different hash means remove and recreate (only
 * that container: pods are never touched). Everything else is configuration, rewritten in place and
 * picked up by the agent within its 100 ms poll. Configuration is written only when it changed.
 */
import { createHash } from 'node:crypto';
import type { PortBinding, Runtime, ContainerInfo } from '../runtime/types.ts';
import { RuntimeNotFoundError } from '../runtime/types.ts';
import { labelFilter, labelKey } from '../runtime/labels.ts';

export const AGENT_DIR = '/wheelhouse';
export const AGENT_PATH = `${AGENT_DIR}/agent.js`;
export const CONFIG_PATH = `${AGENT_DIR}/config.json`;

export interface AgentSpec {
  /** Docker name (runtime/names.ts infraName). */
  name: string;
  component: 'proxy' | 'dns' | 'ingress';
  /** For per-object containers (a Service's proxy): `namespace/name`. */
  object?: string;
  image: string;
  network: string;
  ip?: string;
  aliases?: string[];
  ports?: PortBinding[];
  /** Agent arguments after the mode and config path (e.g. `--port 53`). */
  args?: string[];
}

export interface AgentContainersOptions {
  clusterName: string;
  /** The bundled agent program (dist/agent.js). */
  agentSource: Buffer;
  log(line: string): void;
}

const SPEC_HASH = 'specHash';

export function specHash(spec: AgentSpec): string {
  const { name, component, object, image, network, ip, aliases, ports, args } = spec;
  return createHash('sha256').update(JSON.stringify({ name, component, object, image, network, ip, aliases: [...(aliases ?? [])].sort(), ports, args })).digest('hex').slice(0, 16);
}

export class AgentContainers {
  /** Last configuration written per container id. */
  private readonly written = new Map<string, string>();
  /** The container last ensured per name, with its spec hash. */
  private readonly known = new Map<string, { id: string; hash: string }>();
  private readonly pulling = new Map<string, Promise<void>>();

  constructor(
    private readonly runtime: Runtime,
    private readonly opts: AgentContainersOptions,
  ) {}

  /** Containers of a component (all of this cluster's when component is omitted). */
  async list(component?: AgentSpec['component']): Promise<ContainerInfo[]> {
    return this.runtime.listContainers(labelFilter({ cluster: this.opts.clusterName, role: 'infra', ...(component ? { component } : {}) }), { all: true });
  }

  private ensureImage(image: string): Promise<void> {
    let p = this.pulling.get(image);
    if (!p) {
      p = this.runtime.inspectImage(image).then(
        () => undefined,
        async (err) => {
          if (!(err instanceof RuntimeNotFoundError)) throw err;
          this.opts.log(`wheelhouse: pulling ${image} for the cluster network…`);
          let last = 0;
          await this.runtime.pullImage(image, (pr) => {
            if (pr.total && pr.current && Date.now() - last > 2000) {
              last = Date.now();
              this.opts.log(`wheelhouse: pulling ${image}: ${pr.status} ${Math.round((100 * pr.current) / pr.total)}%`);
            }
          });
          this.opts.log(`wheelhouse: pulled ${image}`);
        },
      );
      this.pulling.set(image, p);
      p.catch(() => this.pulling.delete(image));
    }
    return p;
  }

  /** Makes the container exist, run with this spec, and carry this configuration; resolves to its id. */
  async ensure(spec: AgentSpec, config: unknown): Promise<string> {
    const hash = specHash(spec);
    // Fast path for the common case, an endpoint change: the container this engine last saw for the name,
    // with the same spec, gets its configuration and a state check at once (one round trip, not a list
    // then a write), which is most of the time between an Endpoints update and the proxy following it.
    const known = this.known.get(spec.name);
    if (known && known.hash === hash) {
      const [wrote, info] = await Promise.allSettled([this.writeConfig(known.id, config), this.runtime.inspectContainer(known.id)]);
      if (wrote.status === 'fulfilled' && info.status === 'fulfilled' && info.value.labels[labelKey(SPEC_HASH)] === hash) {
        if (info.value.state !== 'running') await this.runtime.startContainer(known.id);
        return known.id;
      }
      this.known.delete(spec.name);
      this.written.delete(known.id);
    }
    const id = await this.ensureSlow(spec, hash, config);
    this.known.set(spec.name, { id, hash });
    return id;
  }

  private async ensureSlow(spec: AgentSpec, hash: string, config: unknown): Promise<string> {
    const existing = (await this.list(spec.component)).find((c) => c.name === spec.name || c.name === `/${spec.name}`);
    if (existing && existing.labels[labelKey(SPEC_HASH)] === hash) {
      if (existing.state !== 'running') {
        await this.writeConfig(existing.id, config, true);
        await this.runtime.startContainer(existing.id);
      } else await this.writeConfig(existing.id, config);
      return existing.id;
    }
    if (existing) {
      this.opts.log(`wheelhouse: replacing ${spec.component} container ${spec.name} (its ports, address or image changed)`);
      await this.remove(existing.id);
    }
    await this.ensureImage(spec.image);
    const id = await this.runtime.createContainer({
      name: spec.name,
      image: spec.image,
      labels: {
        cluster: this.opts.clusterName,
        role: 'infra',
        component: spec.component,
        ...(spec.object ? { object: spec.object } : {}),
        [SPEC_HASH]: hash,
      },
      command: ['node', AGENT_PATH],
      args: [spec.component, CONFIG_PATH, ...(spec.args ?? [])],
      network: spec.network,
      ...(spec.ip ? { ipv4Address: spec.ip } : {}),
      ...(spec.aliases?.length ? { networkAliases: spec.aliases } : {}),
      ...(spec.ports?.length ? { ports: spec.ports } : {}),
      stopSignal: 'SIGTERM',
    });
    try {
      await this.runtime.putFile(id, AGENT_PATH, this.opts.agentSource, 0o644);
      await this.writeConfig(id, config, true);
      await this.runtime.startContainer(id);
    } catch (err) {
      await this.remove(id);
      throw err;
    }
    return id;
  }

  async writeConfig(id: string, config: unknown, force = false): Promise<void> {
    const text = JSON.stringify(config);
    if (!force && this.written.get(id) === text) return;
    await this.runtime.putFile(id, CONFIG_PATH, Buffer.from(text), 0o644);
    this.written.set(id, text);
  }

  async remove(id: string): Promise<void> {
    this.written.delete(id);
    for (const [name, k] of this.known) if (k.id === id) this.known.delete(name);
    await this.runtime.removeContainer(id, { force: true }).catch((err) => {
      if (!(err instanceof RuntimeNotFoundError)) throw err;
    });
  }
}
