/**
 * Whether the e2e layer can run: a Docker engine must answer on the local socket (or DOCKER_HOST).
 * Contract: `dockerSkip()` is `false` when the engine answers, a reason string when it does not and
 * Docker is optional, and throws when WHEELHOUSE_REQUIRE_DOCKER=1 (CI), so a missing engine fails the run.
 * Use it as `describe('…', { skip: await dockerSkip() }, …)`.
 */
import { request } from 'node:http';

export function dockerSocketPath(): string {
  const host = process.env.DOCKER_HOST;
  if (host?.startsWith('unix://')) return host.slice('unix://'.length);
  return '/var/run/docker.sock';
}

/** Pings the engine's `/_ping`; resolves to an error message or undefined when it answered OK. */
export function pingDocker(timeoutMs = 3000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request({ socketPath: dockerSocketPath(), path: '/_ping', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? undefined : `Docker answered /_ping with HTTP ${res.statusCode}`);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => resolve(`no Docker engine at ${dockerSocketPath()} (${err.message})`));
    req.end();
  });
}

let cached: Promise<string | false> | undefined;

export function dockerSkip(): Promise<string | false> {
  cached ??= pingDocker().then((problem) => {
    if (!problem) return false;
    if (process.env.WHEELHOUSE_REQUIRE_DOCKER === '1') {
      throw new Error(`WHEELHOUSE_REQUIRE_DOCKER=1 but ${problem}`);
    }
    return `e2e needs Docker: ${problem}`;
  });
  return cached;
}
