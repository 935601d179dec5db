/**
 * Where the Docker engine is, the way the docker CLI finds it. Contract: `resolveDockerEndpoint` returns
 * the endpoint from, in order, DOCKER_HOST; DOCKER_CONTEXT or the CLI's current context
 * (~/.docker/config.json → contexts/meta); the default socket (`/var/run/docker.sock`, the named pipe on
 * Windows), and when that socket is absent, Docker Desktop's per-user socket (~/.docker/run/docker.sock).
 * tcp:// uses TLS when DOCKER_TLS_VERIFY is set, with DOCKER_CERT_PATH (default ~/.docker) as the CLI does.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type DockerEndpoint =
  | { kind: 'socket'; socketPath: string; display: string }
  | { kind: 'tcp'; host: string; port: number; tls?: { ca: Buffer; cert: Buffer; key: Buffer }; display: string }
  | { kind: 'ssh'; host: string; port: number; username?: string; display: string };

export function parseDockerHost(host: string, env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  if (host.startsWith('unix://')) return { kind: 'socket', socketPath: host.slice('unix://'.length), display: host };
  if (host.startsWith('npipe://')) return { kind: 'socket', socketPath: host.slice('npipe://'.length).replace(/\//g, '\\'), display: host };
  const url = new URL(host.includes('://') ? host : `tcp://${host}`);
  if (url.protocol === 'ssh:') {
    return { kind: 'ssh', host: url.hostname, port: Number(url.port || 22), ...(url.username ? { username: url.username } : {}), display: host };
  }
  if (url.protocol !== 'tcp:' && url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`DOCKER_HOST=${host} is not understood: use unix:///path, tcp://host:port, npipe:////./pipe/name or ssh://user@host`);
  }
  const tlsVerify = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0';
  const useTls = tlsVerify || url.protocol === 'https:';
  const port = Number(url.port || (useTls ? 2376 : 2375));
  if (!useTls) return { kind: 'tcp', host: url.hostname, port, display: host };
  const dir = env.DOCKER_CERT_PATH || join(homedir(), '.docker');
  const read = (f: string) => {
    try {
      return readFileSync(join(dir, f));
    } catch {
      throw new Error(`DOCKER_TLS_VERIFY is set but ${join(dir, f)} cannot be read: set DOCKER_CERT_PATH to the folder with ca.pem, cert.pem and key.pem`);
    }
  };
  return { kind: 'tcp', host: url.hostname, port, tls: { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') }, display: host };
}

function contextHost(name: string): string | undefined {
  const meta = join(homedir(), '.docker', 'contexts', 'meta', createHash('sha256').update(name).digest('hex'), 'meta.json');
  try {
    const parsed = JSON.parse(readFileSync(meta, 'utf8')) as { Endpoints?: { docker?: { Host?: string } } };
    return parsed.Endpoints?.docker?.Host;
  } catch {
    return undefined;
  }
}

function currentContext(env: NodeJS.ProcessEnv): string | undefined {
  if (env.DOCKER_CONTEXT) return env.DOCKER_CONTEXT;
  try {
    const cfg = JSON.parse(readFileSync(join(env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json'), 'utf8')) as { currentContext?: string };
    return cfg.currentContext;
  } catch {
    return undefined;
  }
}

export function resolveDockerEndpoint(env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  if (env.DOCKER_HOST) return parseDockerHost(env.DOCKER_HOST, env);
  const ctx = currentContext(env);
  if (ctx && ctx !== 'default') {
    const host = contextHost(ctx);
    if (host) return parseDockerHost(host, env);
  }
  if (process.platform === 'win32') return { kind: 'socket', socketPath: '\\\\.\\pipe\\docker_engine', display: 'npipe:////./pipe/docker_engine' };
  const standard = '/var/run/docker.sock';
  const desktop = join(homedir(), '.docker', 'run', 'docker.sock');
  if (!existsSync(standard) && existsSync(desktop)) return { kind: 'socket', socketPath: desktop, display: `unix://${desktop}` };
  return { kind: 'socket', socketPath: standard, display: `unix://${standard}` };
}
