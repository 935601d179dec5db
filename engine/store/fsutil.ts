/**
 * The file-system operations the file store uses, behind a small interface so that crash tests can run it
 * on a simulated disk that loses whatever was not fsynced (test/support/store-lazyfs.ts). `nodeFs` is the
 * real one.
 */
import * as fsp from 'node:fs/promises';

export interface StoreFile {
  write(buf: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  /** fdatasync: the data (and the size needed to read it) is on stable storage. */
  datasync(): Promise<void>;
  /** fsync: data and all metadata. */
  sync(): Promise<void>;
  truncate(len: number): Promise<void>;
  close(): Promise<void>;
}

export type OpenFlags = 'r' | 'r+' | 'w' | 'wx';

export interface StoreFs {
  open(path: string, flags: OpenFlags, mode?: number): Promise<StoreFile>;
  readFile(path: string): Promise<Buffer>;
  readdir(dir: string): Promise<string[]>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** Hard link; fails with EEXIST when `to` exists. */
  link(from: string, to: string): Promise<void>;
  /** mkdir -p; resolves to the first directory it created, if any (like fs.mkdir with recursive). */
  mkdir(dir: string, mode: number): Promise<string | undefined>;
  chmod(path: string, mode: number): Promise<void>;
  /** Makes the directory's entries (files created, renamed or removed in it) durable. */
  syncDir(dir: string): Promise<void>;
}

export const nodeFs: StoreFs = {
  open: (path, flags, mode) => fsp.open(path, flags, mode),
  readFile: (path) => fsp.readFile(path),
  readdir: (dir) => fsp.readdir(dir),
  rename: fsp.rename,
  unlink: fsp.unlink,
  link: fsp.link,
  mkdir: (dir, mode) => fsp.mkdir(dir, { recursive: true, mode }),
  chmod: fsp.chmod,
  // Windows cannot open directories for syncing (NTFS journals metadata itself), so it is a no-op there.
  syncDir: async (dir) => {
    if (process.platform === 'win32') return;
    const fh = await fsp.open(dir, 'r');
    try {
      await fh.sync();
    } catch (e) {
      // Some file systems cannot sync a directory; their entries are then as durable as they get.
      if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
    } finally {
      await fh.close();
    }
  },
};

/** fsyncs a directory on the real file system. */
export function fsyncDir(dir: string): Promise<void> {
  return nodeFs.syncDir(dir);
}

/** Writes all of `buf` at `position` (write(2) may write less than asked). */
export async function writeAll(fh: StoreFile, buf: Uint8Array, position: number): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off, position + off);
    if (bytesWritten <= 0) throw new Error(`write returned ${bytesWritten}`);
    off += bytesWritten;
  }
}
