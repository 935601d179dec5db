/**
 * One process per store directory: an exclusive `LOCK` file holding the owner's pid and host name.
 * A lock left by a process that no longer exists on this host (crash, kill -9) is stale and taken over;
 * a live owner — or one on another host, which we cannot check — makes the open fail with StoreLockedError.
 * The lock is written to `LOCK.<pid>.tmp` first and then hard-linked to `LOCK` (link fails if `LOCK` exists),
 * so `LOCK` is never seen empty or half-written, even when its creator is killed midway.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { StoreFs } from './fsutil.ts';
import { nodeFs, writeAll } from './fsutil.ts';

export class StoreLockedError extends Error {
  readonly pid: number | undefined;
  readonly lockFile: string;
  constructor(lockFile: string, pid: number | undefined, host: string | undefined) {
    super(
      `store directory is in use: ${lockFile} is held by ` +
        (pid === undefined ? 'another process (it could not be taken over)' : `pid ${pid}${host && host !== hostname() ? ` on host ${host}` : ''}`) +
        '. Stop that engine first; if it is certainly gone, delete the lock file.',
    );
    this.name = 'StoreLockedError';
    this.pid = pid;
    this.lockFile = lockFile;
  }
}

export interface DirLock {
  release(): Promise<void>;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** For file systems without hard links: create-exclusive, then write (not atomic against a kill midway). */
async function createExclusive(fs: StoreFs, file: string, content: string): Promise<boolean> {
  let fh;
  try {
    fh = await fs.open(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await writeAll(fh, Buffer.from(content), 0);
    await fh.sync();
  } finally {
    await fh.close();
  }
  return true;
}

export async function acquireLock(dir: string, fs: StoreFs = nodeFs): Promise<DirLock> {
  const file = join(dir, 'LOCK');
  const mine = `${process.pid}\n${hostname()}\n`;
  const tmp = `${file}.${process.pid}.tmp`;
  for (let attempt = 0; attempt < 5; attempt++) {
    const fh = await fs.open(tmp, 'w', 0o600);
    try {
      await writeAll(fh, Buffer.from(mine), 0);
      await fh.sync();
    } finally {
      await fh.close();
    }
    let linked = false;
    try {
      await fs.link(tmp, file);
      linked = true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') linked = await createExclusive(fs, file, mine);
      else if (code !== 'EEXIST') throw e;
    } finally {
      await fs.unlink(tmp).catch(() => undefined);
    }
    if (linked) {
      await fs.syncDir(dir);
      return {
        release: async () => {
          const now = await fs.readFile(file).then((b) => b.toString('utf8'), () => '');
          if (now === mine) await fs.unlink(file).catch(() => undefined);
        },
      };
    }
    let text: string;
    try {
      text = (await fs.readFile(file)).toString('utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw e;
    }
    const m = /^(\d+)\n([^\n]*)\n$/.exec(text);
    if (m) {
      const pid = Number(m[1]);
      if (m[2] !== hostname() || alive(pid)) throw new StoreLockedError(file, pid, m[2]);
    }
    // Stale (its owner is gone), or unreadable — which the link protocol never produces, so it is debris of
    // a file-system crash. Remove it and try again.
    await fs.unlink(file).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }
  throw new StoreLockedError(file, undefined, undefined);
}
