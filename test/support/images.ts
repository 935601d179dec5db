/**
 * The images the tests run, built offline (no registry is reachable in CI or here). Contract:
 * - `ensureTestImages()` resolves to image references tagged with a hash of each build context
 *   (`wheelhouse-test/busybox:<hash12>`), so a test that names them never triggers a pull (imagePullPolicy
 *   defaults to IfNotPresent for a non-latest tag); each image is also tagged `:latest`.
 * - It builds only what is missing, is idempotent, and is safe to call concurrently from several test
 *   processes: builds are serialised by a lock file in os.tmpdir(), and each process memoises its result.
 * - Inputs: the machine's static busybox (Debian package busybox-static, /bin/busybox, or
 *   $WHEELHOUSE_TEST_BUSYBOX) and the node binary running the tests with the libraries `ldd` lists.
 *   A missing or dynamically linked busybox fails with a message naming the package.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, realpathSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectDocker, type DockerRuntime } from '../../engine/runtime/docker.ts';
import { RuntimeNotFoundError } from '../../engine/runtime/types.ts';
import { tar, type TarEntry } from '../../engine/runtime/tar.ts';

export const BUSYBOX_IMAGE = 'wheelhouse-test/busybox';
export const PAUSE_IMAGE = 'wheelhouse-test/pause';
export const NODE_IMAGE = 'wheelhouse-test/node';
/** The label every test image carries (value: the context hash), so they can be found and pruned. */
export const TEST_IMAGE_LABEL = 'io.wheelhouse.test-image';

export interface TestImages {
  busybox: string;
  pause: string;
  node: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const contexts = join(here, 'images');

type ContextFile = { path: string; source: string; mode: number } | { path: string; content: Buffer; mode: number };

function busyboxPath(): string {
  const p = process.env.WHEELHOUSE_TEST_BUSYBOX || '/bin/busybox';
  if (!existsSync(p)) {
    throw new Error(`the offline test images need a static busybox at ${p}: install Debian's busybox-static package (apt-get install busybox-static) or set WHEELHOUSE_TEST_BUSYBOX`);
  }
  const head = readFileSync(p).subarray(0, 4096);
  // A dynamically linked ELF has a PT_INTERP naming the loader; a static one does not.
  if (head.includes(Buffer.from('/ld-linux')) || head.includes(Buffer.from('/ld-musl'))) {
    throw new Error(`${p} is dynamically linked and cannot run in an image FROM scratch: install Debian's busybox-static package (apt-get install busybox-static)`);
  }
  return p;
}

/** node plus every library `ldd` lists, at the paths ldd names (the loader resolves them there). */
function nodeRootfs(): ContextFile[] {
  const node = realpathSync(process.execPath);
  let out: string;
  try {
    out = execFileSync('ldd', [node], { encoding: 'utf8' });
  } catch (err) {
    const text = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`;
    if (/not a dynamic executable|statically linked/.test(text)) out = '';
    else throw new Error(`the node test image needs ldd (glibc's libc-bin) to list node's libraries: ${(err as Error).message}`);
  }
  const files: ContextFile[] = [{ path: 'rootfs/usr/local/bin/node', source: node, mode: 0o755 }];
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(0x/.exec(line);
    if (m) files.push({ path: `rootfs${m[1]}`, source: realpathSync(m[1]!), mode: 0o755 });
  }
  files.push({ path: 'rootfs/bin/busybox', source: busyboxPath(), mode: 0o755 });
  return files;
}

function contextFiles(image: keyof TestImages): ContextFile[] {
  const dockerfile = { path: 'Dockerfile', source: join(contexts, image, 'Dockerfile'), mode: 0o644 };
  switch (image) {
    case 'busybox': return [
      dockerfile,
      { path: 'busybox', source: busyboxPath(), mode: 0o755 },
      { path: 'etc/passwd', source: join(contexts, 'busybox', 'passwd'), mode: 0o644 },
      { path: 'etc/group', source: join(contexts, 'busybox', 'group'), mode: 0o644 },
    ];
    case 'pause': return [
      dockerfile,
      { path: 'busybox', source: busyboxPath(), mode: 0o755 },
      { path: 'pause.sh', source: join(contexts, 'pause', 'pause.sh'), mode: 0o755 },
    ];
    case 'node': return [dockerfile, ...nodeRootfs()];
  }
}

function contentOf(f: ContextFile): Buffer {
  return 'content' in f ? f.content : readFileSync(f.source);
}

/** The build context's content hash and its tar (built lazily: the node context is ≈100 MB). */
function prepare(image: keyof TestImages): { hash: string; archive: () => Buffer } {
  const files = contextFiles(image);
  const h = createHash('sha256');
  for (const f of files) {
    h.update(`${f.path}\0${f.mode}\0`);
    h.update(contentOf(f));
    h.update('\0');
  }
  return {
    hash: h.digest('hex').slice(0, 12),
    archive: () => {
      const entries: TarEntry[] = [];
      const dirs = new Set<string>();
      for (const f of files) {
        const parts = f.path.split('/');
        for (let i = 1; i < parts.length; i++) {
          const d = parts.slice(0, i).join('/');
          if (!dirs.has(d)) { dirs.add(d); entries.push({ type: 'directory', path: d }); }
        }
        entries.push({ type: 'file', path: f.path, content: contentOf(f), mode: f.mode });
      }
      return tar(entries);
    },
  };
}

const LOCK = join(tmpdir(), 'wheelhouse-test-images.lock');
const LOCK_STALE_MS = 10 * 60_000;

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the cross-process build lock; a lock of a dead process, or older than 10 minutes, is taken over. */
async function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      const fd = openSync(LOCK, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        const pid = Number(readFileSync(LOCK, 'utf8'));
        const age = Date.now() - statSync(LOCK).mtimeMs;
        if ((pid > 0 && !pidAlive(pid)) || age > LOCK_STALE_MS) unlinkSync(LOCK);
      } catch { /* released meanwhile */ }
      if (Date.now() > deadline) throw new Error(`waited too long for the test image lock ${LOCK}; remove it if no test run is building images`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    try {
      if (readFileSync(LOCK, 'utf8') === String(process.pid)) unlinkSync(LOCK);
    } catch { /* already gone */ }
  }
}

async function exists(rt: DockerRuntime, ref: string): Promise<boolean> {
  try {
    await rt.inspectImage(ref);
    return true;
  } catch (err) {
    if (err instanceof RuntimeNotFoundError) return false;
    throw err;
  }
}

async function ensureOne(rt: DockerRuntime, image: keyof TestImages, repo: string): Promise<string> {
  const ctx = prepare(image);
  const ref = `${repo}:${ctx.hash}`;
  if (await exists(rt, ref)) return ref;
  return withLock(async () => {
    if (!(await exists(rt, ref))) {
      const log: string[] = [];
      try {
        await rt.buildImage(ctx.archive(), { tags: [ref, `${repo}:latest`], labels: { [TEST_IMAGE_LABEL]: ctx.hash }, onProgress: (l) => log.push(l) });
      } catch (err) {
        throw new Error(`building the test image ${ref} failed: ${(err as Error).message}\n${log.join('')}`);
      }
    }
    return ref;
  });
}

let memo: Promise<TestImages> | undefined;

/** Builds (once, offline) and returns the hash-tagged references of the test images. */
export function ensureTestImages(): Promise<TestImages> {
  memo ??= (async () => {
    const rt = await connectDocker();
    // Sequential: the builds share the lock anyway and the machine has few cores.
    const busybox = await ensureOne(rt, 'busybox', BUSYBOX_IMAGE);
    const pause = await ensureOne(rt, 'pause', PAUSE_IMAGE);
    const node = await ensureOne(rt, 'node', NODE_IMAGE);
    return { busybox, pause, node };
  })();
  memo.catch(() => { memo = undefined; });
  return memo;
}
