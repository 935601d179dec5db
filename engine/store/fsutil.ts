/** Small file-system helpers for the file store: durable directory entries and complete writes. */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';

/**
 * fsyncs a directory so that a file created, renamed or removed in it survives a crash. Windows cannot
 * open directories for syncing (NTFS journals metadata itself), so it is a no-op there.
 */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } catch (e) {
    // Some file systems cannot sync a directory; their entries are then as durable as they get.
    if ((e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
  } finally {
    await fh.close();
  }
}

/** Writes all of `buf` at `position` (write(2) may write less than asked). */
export async function writeAll(fh: FileHandle, buf: Uint8Array, position: number): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off, position + off);
    if (bytesWritten <= 0) throw new Error(`write returned ${bytesWritten}`);
    off += bytesWritten;
  }
}
