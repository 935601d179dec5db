/**
 * The engine's data directory and its private files. The directory is 0700 and every file holding a secret
 * (keys, token, kubeconfig) is written 0600, atomically (temp file + rename), so a crash never leaves half a key.
 */
import { homedir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { chmod, mkdir, open, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';

/** `$WHEELHOUSE_HOME`, else `~/.wheelhouse`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.WHEELHOUSE_HOME;
  return resolve(fromEnv && fromEnv.trim() ? fromEnv : join(homedir(), '.wheelhouse'));
}

export async function ensureDataDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (process.platform !== 'win32') await chmod(dir, 0o700);
}

/** Writes `content` to `path` with mode 0600 via a temp file and rename. */
export async function writeSecret(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const fh = await open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(content);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  if (process.platform !== 'win32') await chmod(path, 0o600);
}
