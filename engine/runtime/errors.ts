/**
 * Docker errors in plain words. Contract: `dockerError(err, what)` returns
 * - RuntimeNotFoundError for 404 (`what` names the thing: "container abc", "network x", "image y");
 * - RuntimeConflictError for 409 and 403 (Docker's "in use", "not running", "active endpoints");
 * - RuntimeUnavailableError when nothing answered (socket missing, connection refused, permission denied);
 * - otherwise an Error "<what>: <Docker's own message>".
 * Docker's message is kept verbatim after our words, so the user sees what the engine said.
 */
import { RuntimeConflictError, RuntimeNotFoundError, RuntimeUnavailableError } from './types.ts';

interface DockerodeError {
  statusCode?: number;
  reason?: string;
  json?: unknown;
  code?: string;
  message?: string;
  address?: string;
}

/** Docker's own message from a dockerode error (its JSON body, else dockerode's text). */
export function dockerMessage(err: unknown): string {
  const e = (err ?? {}) as DockerodeError;
  const json = e.json as { message?: string } | string | Buffer | null | undefined;
  if (json && typeof json === 'object' && !Buffer.isBuffer(json) && typeof json.message === 'string') return json.message.trim();
  if (typeof json === 'string' && json.trim()) return json.trim();
  if (Buffer.isBuffer(json) && json.length) {
    const text = json.toString().trim();
    try {
      const parsed = JSON.parse(text) as { message?: string };
      if (parsed.message) return parsed.message.trim();
    } catch { /* not JSON */ }
    return text;
  }
  // dockerode: "(HTTP code 404) no such container - No such container: x "
  const m = /^\(HTTP code \d+\) [^-]*- (.*)$/s.exec(e.message ?? '');
  return (m ? m[1]! : e.message ?? String(err)).trim();
}

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EPERM', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

export function isUnreachable(err: unknown): boolean {
  const code = (err as DockerodeError | undefined)?.code;
  return typeof code === 'string' && UNREACHABLE.has(code) && (err as DockerodeError).statusCode === undefined;
}

/** The one-sentence explanation (with the fix) for a connection failure to `endpoint`. */
export function unreachableMessage(err: unknown, endpoint: string): string {
  const code = (err as DockerodeError | undefined)?.code;
  if (code === 'ENOENT') {
    return `Docker is not running or not installed: there is no Docker socket at ${endpoint}; install Docker (Docker Desktop, or the docker.io package) and start it, or set DOCKER_HOST.`;
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return `Docker is running but this user may not use its socket at ${endpoint}; add the user to the docker group (sudo usermod -aG docker $USER, then log in again).`;
  }
  return `Docker is not running: nothing answers at ${endpoint} (${code ?? 'no answer'}); start Docker (Docker Desktop, or sudo systemctl start docker) and try again.`;
}

export function dockerError(err: unknown, what: string, endpoint = 'the Docker socket'): Error {
  if (err instanceof RuntimeNotFoundError || err instanceof RuntimeConflictError || err instanceof RuntimeUnavailableError) return err;
  if (isUnreachable(err)) return new RuntimeUnavailableError(unreachableMessage(err, endpoint));
  const status = (err as DockerodeError | undefined)?.statusCode;
  const msg = dockerMessage(err);
  if (status === 404) return new RuntimeNotFoundError(what);
  if (status === 409 || status === 403) return new RuntimeConflictError(`${what}: ${msg}`);
  return new Error(`${what}: ${msg}`);
}
