/** The bearer token every API request must carry; generated once per data dir, kept 0600. */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeSecret } from './files.ts';

export async function ensureToken(dataDir: string): Promise<string> {
  const path = join(dataDir, 'token');
  try {
    const t = (await readFile(path, 'utf8')).trim();
    if (/^[A-Za-z0-9_-]{32,}$/.test(t)) return t;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const token = randomBytes(32).toString('base64url');
  await writeSecret(path, `${token}\n`);
  return token;
}
