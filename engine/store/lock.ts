/**
 * One process per store directory: an exclusive `LOCK` file holding the owner's pid and host name.
 * A lock left by a process that no longer exists on this host (crash, kill -9) is stale and taken over;
 * a live owner — or one on another host, which we cannot check — makes the open fail with StoreLockedError.
 */
import { hostname } from 'node:os';
import { join } from 'node:path';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { fsyncDir } from './fsutil.ts';

export class StoreLockedError extends Error {
  readonly pid: number | undefined;
  readonly lockFile: string;
  constructor(lockFile: string, pid: number | undefined, host: string | undefined) {
    super(
      `store directory is in use: ${lockFile} is held by ` +
        (pid === undefined ? 'a process that is still writing it' : `pid ${pid}${host && host !== hostname() ? ` on host ${host}` : ''}`) +
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

/** A lock file whose content cannot be parsed is treated as being written for this long. */
const UNREADABLE_GRACE_MS = 5000;

export async function acquireLock(dir: string): Promise<DirLock> {
  const file = join(dir, 'LOCK');
  const mine = `${process.pid}\n${hostname()}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fh = await open(file, 'wx', 0o600);
      try {
        await fh.writeFile(mine);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsyncDir(dir);
      return {
        release: async () => {
          const now = await readFile(file, 'utf8').catch(() => '');
          if (now === mine) await unlink(file).catch(() => undefined);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let text: string;
    let mtimeMs: number;
    try {
      text = await readFile(file, 'utf8');
      mtimeMs = (await stat(file)).mtimeMs;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw e;
    }
    const m = /^(\d+)\n([^\n]*)\n$/.exec(text);
    if (!m) {
      if (Date.now() - mtimeMs < UNREADABLE_GRACE_MS) throw new StoreLockedError(file, undefined, undefined);
    } else {
      const pid = Number(m[1]);
      if (m[2] !== hostname() || alive(pid)) throw new StoreLockedError(file, pid, m[2]);
    }
    // Stale: its owner is gone. Remove it and try again.
    await unlink(file).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }
  throw new StoreLockedError(file, undefined, undefined);
}
