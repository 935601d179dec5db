/**
 * A simulated disk for power-loss tests (LazyFS-style): an in-memory StoreFs where file contents become
 * durable only on fsync/fdatasync and directory entries (create, rename, link, unlink) only on a directory
 * fsync. `crash()` is a power cut: every file reverts to its durable content — plus, at random, a prefix of
 * bytes appended since (a torn write) — every directory to its durable entries or, at random, to its
 * current ones (as if the journal happened to commit), and every handle of the old "boot" fails with EIO.
 * Each operation yields to the event loop first, so a cut can fall between any two of them.
 */
import { posix } from 'node:path';
import type { OpenFlags, StoreFile, StoreFs } from '../../engine/store/fsutil.ts';

interface Inode {
  data: Buffer;
  len: number;
  durable: Buffer;
}

interface Dir {
  entries: Map<string, Inode>;
  durable: Map<string, Inode>;
  durableExists: boolean;
}

function err(code: string, what: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`${code}: ${what}`);
  e.code = code;
  return e;
}

const yieldNow = () => new Promise<void>((r) => setImmediate(r));

export class LazyFs {
  private readonly dirs = new Map<string, Dir>([['/', { entries: new Map(), durable: new Map(), durableExists: true }]]);
  private gen = 0;
  syncs = 0;

  /** `dropFileSyncs`: file fsync/fdatasync do nothing — a negative control for the tests' harness. */
  constructor(private readonly opts: { dropFileSyncs?: boolean } = {}) {}

  /** A StoreFs for one "boot": it fails with EIO after the next crash(). */
  view(): StoreFs {
    const gen = this.gen;
    const live = async () => {
      await yieldNow();
      if (gen !== this.gen) throw err('EIO', 'the machine lost power');
    };
    const dirOf = (path: string): [Dir, string] => {
      const d = this.dirs.get(posix.dirname(path));
      if (!d) throw err('ENOENT', `no directory ${posix.dirname(path)}`);
      return [d, posix.basename(path)];
    };
    const handle = (inode: Inode): StoreFile => ({
      write: async (buf, offset, length, position) => {
        await live();
        const end = position + length;
        if (end > inode.data.length) {
          const grown = Buffer.alloc(Math.max(end, inode.data.length * 2));
          inode.data.copy(grown, 0, 0, inode.len);
          inode.data = grown;
        }
        if (position > inode.len) inode.data.fill(0, inode.len, position);
        Buffer.from(buf.buffer, buf.byteOffset + offset, length).copy(inode.data, position);
        inode.len = Math.max(inode.len, end);
        return { bytesWritten: length };
      },
      datasync: async () => {
        await live();
        if (!this.opts.dropFileSyncs) inode.durable = Buffer.from(inode.data.subarray(0, inode.len));
        this.syncs++;
      },
      sync: async () => {
        await live();
        if (!this.opts.dropFileSyncs) inode.durable = Buffer.from(inode.data.subarray(0, inode.len));
        this.syncs++;
      },
      truncate: async (len) => {
        await live();
        if (len < inode.len) inode.len = len;
      },
      close: async () => {
        await live();
      },
    });
    return {
      open: async (path: string, flags: OpenFlags) => {
        await live();
        const [d, name] = dirOf(path);
        let inode = d.entries.get(name);
        if (flags === 'wx' && inode) throw err('EEXIST', path);
        if ((flags === 'r' || flags === 'r+') && !inode) throw err('ENOENT', path);
        if (!inode) {
          inode = { data: Buffer.alloc(256), len: 0, durable: Buffer.alloc(0) };
          d.entries.set(name, inode);
        } else if (flags === 'w') inode.len = 0;
        return handle(inode);
      },
      readFile: async (path) => {
        await live();
        const [d, name] = dirOf(path);
        const inode = d.entries.get(name);
        if (!inode) throw err('ENOENT', path);
        return Buffer.from(inode.data.subarray(0, inode.len));
      },
      readdir: async (dir) => {
        await live();
        const d = this.dirs.get(dir);
        if (!d) throw err('ENOENT', dir);
        return [...d.entries.keys()];
      },
      rename: async (from, to) => {
        await live();
        const [a, an] = dirOf(from);
        const [b, bn] = dirOf(to);
        const inode = a.entries.get(an);
        if (!inode) throw err('ENOENT', from);
        a.entries.delete(an);
        b.entries.set(bn, inode);
      },
      unlink: async (path) => {
        await live();
        const [d, name] = dirOf(path);
        if (!d.entries.delete(name)) throw err('ENOENT', path);
      },
      link: async (from, to) => {
        await live();
        const [a, an] = dirOf(from);
        const [b, bn] = dirOf(to);
        const inode = a.entries.get(an);
        if (!inode) throw err('ENOENT', from);
        if (b.entries.has(bn)) throw err('EEXIST', to);
        b.entries.set(bn, inode);
      },
      mkdir: async (dir) => {
        await live();
        let first: string | undefined;
        const parts = dir.split('/').filter(Boolean);
        for (let i = 1; i <= parts.length; i++) {
          const p = `/${parts.slice(0, i).join('/')}`;
          if (!this.dirs.has(p)) {
            this.dirs.set(p, { entries: new Map(), durable: new Map(), durableExists: false });
            first ??= p;
          }
        }
        return first;
      },
      chmod: async () => {
        await live();
      },
      syncDir: async (dir) => {
        await live();
        const d = this.dirs.get(dir);
        if (!d) throw err('ENOENT', dir);
        d.durable = new Map(d.entries);
        for (const [p, c] of this.dirs) if (posix.dirname(p) === dir && p !== dir) c.durableExists = true;
        this.syncs++;
      },
    };
  }

  /** Power cut. `rnd` decides torn tails and which directories' pending changes happened to persist. */
  crash(rnd: () => number): void {
    this.gen++;
    for (const [p, d] of [...this.dirs]) {
      if (!d.durableExists) {
        this.dirs.delete(p);
        continue;
      }
      if (rnd() >= 0.3) d.entries = new Map(d.durable);
      d.durable = new Map(d.entries);
    }
    const inodes = new Set<Inode>();
    for (const d of this.dirs.values()) for (const i of d.entries.values()) inodes.add(i);
    for (const i of inodes) {
      const cur = i.data.subarray(0, i.len);
      let keep = i.durable;
      if (cur.length > keep.length && cur.subarray(0, keep.length).equals(keep) && rnd() < 0.5) {
        keep = Buffer.from(cur.subarray(0, keep.length + Math.floor(rnd() * (cur.length - keep.length + 1))));
      }
      i.data = Buffer.from(keep);
      i.len = keep.length;
      i.durable = Buffer.from(keep);
    }
  }
}
