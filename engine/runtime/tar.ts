/**
 * A minimal POSIX tar (ustar + PAX long names) encoder: enough to hand Docker a build context or a file for
 * `PUT /containers/{id}/archive`. Contract: entries are written in order, paths are relative (no leading
 * `/`), directories end up with mode 0755 unless told, files are owned by root (uid/gid 0) unless told.
 * Names longer than ustar allows get a PAX `path`/`linkpath` record, which Docker's extractor reads.
 */

export type TarEntry =
  | { type: 'file'; path: string; content: Buffer; mode?: number; uid?: number; gid?: number; mtime?: number }
  | { type: 'directory'; path: string; mode?: number; uid?: number; gid?: number; mtime?: number }
  | { type: 'symlink'; path: string; target: string; mtime?: number };

const BLOCK = 512;

function octal(n: number, width: number): string {
  // width includes the trailing NUL
  const s = Math.floor(n).toString(8);
  if (s.length > width - 1) throw new Error(`tar: value ${n} does not fit in ${width - 1} octal digits`);
  return s.padStart(width - 1, '0') + '\0';
}

function paxRecord(key: string, value: string): Buffer {
  // "<len> <key>=<value>\n" where len counts itself.
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return Buffer.from(`${len}${body}`);
}

function padBlock(buf: Buffer): Buffer[] {
  const rest = buf.length % BLOCK;
  return rest === 0 ? [buf] : [buf, Buffer.alloc(BLOCK - rest)];
}

/** Splits a path into ustar's prefix (≤155 bytes) and name (≤100 bytes), or undefined when it cannot. */
function splitUstar(path: string): { prefix: string; name: string } | undefined {
  if (Buffer.byteLength(path) <= 100) return { prefix: '', name: path };
  for (let i = path.indexOf('/'); i >= 0; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100 && name) return { prefix, name };
  }
  return undefined;
}

function header(fields: { name: string; prefix: string; mode: number; uid: number; gid: number; size: number; mtime: number; typeflag: string; linkname: string }): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(fields.name, 0, 100, 'utf8');
  h.write(octal(fields.mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(fields.uid, 8), 108, 'ascii');
  h.write(octal(fields.gid, 8), 116, 'ascii');
  h.write(octal(fields.size, 12), 124, 'ascii');
  h.write(octal(fields.mtime, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(fields.typeflag, 156, 'ascii');
  h.write(fields.linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write('root', 265, 'ascii');
  h.write('root', 297, 'ascii');
  h.write(fields.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + ' ', 148, 'ascii');
  return h;
}

function clean(path: string): string {
  const p = path.replace(/^\/+/, '');
  if (!p || p.split('/').some((seg) => seg === '..')) throw new Error(`tar: invalid entry path ${JSON.stringify(path)}`);
  return p;
}

/** Encodes entries into one tar archive (with the two zero blocks that end it). */
export function tar(entries: TarEntry[]): Buffer {
  const out: Buffer[] = [];
  const now = Math.floor(Date.now() / 1000);
  for (const e of entries) {
    let path = clean(e.path);
    if (e.type === 'directory' && !path.endsWith('/')) path += '/';
    const linkname = e.type === 'symlink' ? e.target : '';
    const split = splitUstar(path);
    const pax: Buffer[] = [];
    if (!split) pax.push(paxRecord('path', path));
    if (Buffer.byteLength(linkname) > 100) pax.push(paxRecord('linkpath', linkname));
    const mtime = e.mtime ?? now;
    if (pax.length) {
      const body = Buffer.concat(pax);
      out.push(header({ name: 'PaxHeader', prefix: '', mode: 0o644, uid: 0, gid: 0, size: body.length, mtime, typeflag: 'x', linkname: '' }));
      out.push(...padBlock(body));
    }
    const names = split ?? { prefix: '', name: path.slice(0, 100) };
    const content = e.type === 'file' ? e.content : Buffer.alloc(0);
    out.push(header({
      name: names.name,
      prefix: names.prefix,
      mode: e.type === 'file' ? (e.mode ?? 0o644) : e.type === 'directory' ? (e.mode ?? 0o755) : 0o777,
      uid: e.type === 'symlink' ? 0 : (e.uid ?? 0),
      gid: e.type === 'symlink' ? 0 : (e.gid ?? 0),
      size: content.length,
      mtime,
      typeflag: e.type === 'file' ? '0' : e.type === 'directory' ? '5' : '2',
      linkname: linkname.slice(0, 100),
    }));
    if (content.length) out.push(...padBlock(content));
  }
  out.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(out);
}
