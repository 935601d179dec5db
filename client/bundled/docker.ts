/**
 * Whether a Docker engine answers, without dockerode (the client never talks to Docker itself; this one
 * ping only decides between "stopped" and "Docker unavailable" and which fix to show).
 * Windows named pipes and tcp:// DOCKER_HOST are pinged too.
 */
import { request } from 'node:http';

export function dockerEndpoint(env: NodeJS.ProcessEnv = process.env, platform = process.platform): { socketPath?: string; host?: string; port?: number } {
  const h = env.DOCKER_HOST;
  if (h?.startsWith('unix://')) return { socketPath: h.slice(7) };
  if (h?.startsWith('npipe://')) return { socketPath: h.slice(8).replace(/\//g, '\\') };
  if (h?.startsWith('tcp://')) {
    const u = new URL(h.replace('tcp://', 'http://'));
    return { host: u.hostname, port: Number(u.port || 2375) };
  }
  return { socketPath: platform === 'win32' ? '\\\\.\\pipe\\docker_engine' : '/var/run/docker.sock' };
}

/** Resolves undefined when Docker answers `/_ping`, else the problem in words. */
export function pingDocker(timeoutMs = 2000, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const ep = dockerEndpoint(env);
  return new Promise((resolve) => {
    const req = request({ ...ep, path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? undefined : `Docker answered HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve(`no Docker engine at ${ep.socketPath ?? `${ep.host}:${ep.port}`} (${err.message})`));
    req.end();
  });
}
