/**
 * Writes a set of files into a directory the way upstream's AtomicWriter does, so a container that has
 * the directory mounted sees either the old set or the new one, never a mix: the files go into a fresh
 * `..<timestamp>` directory, `..data` is switched to it with an atomic rename of a symlink, and each
 * top-level name is a symlink through `..data`. Files that disappeared from the set disappear.
 */
import { mkdir, readdir, readlink, rename, rm, symlink, writeFile, lstat } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';

export interface FileToWrite {
  /** Relative path inside the volume (validated: no `..`, not absolute). */
  path: string;
  content: Buffer;
  mode: number;
}

export function checkRelativePath(p: string): void {
  if (!p || p.startsWith('/') || normalize(p).split(sep).includes('..')) throw new Error(`invalid path ${JSON.stringify(p)}: must be relative and may not contain '..'`);
}

/** Returns true when anything changed. */
export async function writeAtomically(dir: string, files: FileToWrite[], previous?: Map<string, string>): Promise<boolean> {
  for (const f of files) checkRelativePath(f.path);
  const signature = JSON.stringify(files.map((f) => [f.path, f.mode, f.content.toString('base64')]));
  if (previous?.get(dir) === signature) return false;
  await mkdir(dir, { recursive: true });
  const stamp = `..${new Date().toISOString().replace(/[:.]/g, '_')}.${process.hrtime.bigint().toString(36)}`;
  const target = join(dir, stamp);
  await mkdir(target, { recursive: true });
  for (const f of files) {
    const p = join(target, f.path);
    await mkdir(dirname(p), { recursive: true });
    await writeFile(p, f.content, { mode: f.mode });
  }
  let old: string | undefined;
  try {
    old = await readlink(join(dir, '..data'));
  } catch {
    old = undefined;
  }
  const tmpLink = join(dir, '..data_tmp');
  await rm(tmpLink, { force: true });
  await symlink(stamp, tmpLink);
  await rename(tmpLink, join(dir, '..data'));
  const tops = new Set(files.map((f) => f.path.split('/')[0]!));
  for (const top of tops) {
    const link = join(dir, top);
    try {
      const st = await lstat(link);
      if (st.isSymbolicLink()) continue;
      await rm(link, { recursive: true, force: true });
    } catch {
      // absent
    }
    await symlink(join('..data', top), link);
  }
  for (const name of await readdir(dir)) {
    if (name.startsWith('..')) {
      if (name !== '..data' && name !== stamp && name === old) await rm(join(dir, name), { recursive: true, force: true });
      continue;
    }
    if (!tops.has(name)) await rm(join(dir, name), { recursive: true, force: true });
  }
  previous?.set(dir, signature);
  return true;
}
