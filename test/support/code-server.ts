/**
 * A real VS Code for UI tests: code-server 4.100.3 (VS Code 1.100.3) installed from npm into
 * `.cache/code-server/` (gitignored), following shared ENVIRONMENT.md:
 *  - Debian's chromium, ripgrep and libkrb5-dev must be there (`.ci/run` installs them; `ensureSystemPackages`
 *    installs them with apt-get when running as root);
 *  - code-server's VS Code pins @vscode/ripgrep 1.15.11 whose postinstall downloads rg from GitHub, so its
 *    download cache is seeded with Debian's rg first.
 * Contract: `installCodeServer()` resolves to the code-server entry script (idempotent: a finished install is
 * marked by a stamp file); `startCodeServer()` starts it on 127.0.0.1 with fresh user-data and the given
 * extensions dir, and resolves once its HTTP port answers. Callers must `stop()` it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, copyFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';
import { request } from 'node:http';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const CODE_SERVER_VERSION = '4.100.3';
export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const cacheDir = join(repoRoot, '.cache', 'code-server');
export const chromiumPath = '/usr/bin/chromium';

function which(cmd: string): boolean {
  return ['/usr/bin', '/usr/local/bin', '/bin'].some((d) => existsSync(join(d, cmd)));
}

/** Installs chromium, ripgrep and libkrb5-dev through apt-get when missing; returns a reason when it cannot. */
export async function ensureSystemPackages(): Promise<string | undefined> {
  const missing: string[] = [];
  if (!which('chromium')) missing.push('chromium');
  if (!which('rg')) missing.push('ripgrep');
  if (!existsSync('/usr/include/krb5.h') && !existsSync('/usr/include/krb5/krb5.h')) missing.push('libkrb5-dev');
  if (missing.length === 0) return undefined;
  if (process.getuid?.() !== 0) return `missing Debian packages ${missing.join(', ')} and not root to install them`;
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    await run('apt-get', ['update', '-q'], { env, maxBuffer: 64 << 20 });
    await run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], { env, maxBuffer: 64 << 20 });
    return undefined;
  } catch (err) {
    return `apt-get install ${missing.join(' ')} failed: ${(err as Error).message.split('\n')[0]}`;
  }
}


/** Installs code-server into `.cache/code-server` once; resolves to its entry script. */
export async function installCodeServer(log: (line: string) => void = () => {}): Promise<string> {
  const entry = join(cacheDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const stamp = join(cacheDir, `installed-${CODE_SERVER_VERSION}`);
  if (existsSync(stamp) && existsSync(entry)) return entry;
  const problem = await ensureSystemPackages();
  if (problem) throw new Error(problem);
  await seedRipgrepCacheAsync();
  mkdirSync(cacheDir, { recursive: true });
  // A private package.json so npm installs here and never touches the repository's own manifest.
  writeFileSync(join(cacheDir, 'package.json'), '{ "name": "wheelhouse-code-server-cache", "private": true }\n');
  log(`installing code-server@${CODE_SERVER_VERSION} into ${cacheDir} (≈ 2-4 min, builds native modules)`);
  const env = { ...process.env, npm_config_yes: 'true', npm_config_unsafe_perm: 'true' };
  await run('npm', ['install', '--no-audit', '--no-fund', '--no-save', `code-server@${CODE_SERVER_VERSION}`], {
    cwd: cacheDir, env, maxBuffer: 256 << 20,
  });
  if (!existsSync(entry)) throw new Error(`code-server installed but ${entry} is missing`);
  writeFileSync(stamp, new Date().toISOString() + '\n');
  return entry;
}

async function seedRipgrepCacheAsync(): Promise<void> {
  const dir = join(tmpdir(), 'vscode-ripgrep-cache-1.15.11');
  const tarball = join(dir, 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz');
  if (existsSync(tarball)) return;
  mkdirSync(dir, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'rg-seed-'));
  try {
    copyFileSync('/usr/bin/rg', join(staging, 'rg'));
    await run('tar', ['czf', tarball, '-C', staging, 'rg']);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Installs a .vsix into an extensions dir with code-server's own CLI. */
export async function installExtension(entry: string, vsix: string, extensionsDir: string): Promise<void> {
  await run(process.execPath, [entry, '--extensions-dir', extensionsDir, '--install-extension', vsix, '--force'], {
    maxBuffer: 64 << 20,
  });
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? ok(addr.port) : fail(new Error('no port'))));
    });
    srv.on('error', fail);
  });
}

export interface CodeServer {
  url: string;
  port: number;
  userDataDir: string;
  output: () => string;
  stop(): Promise<void>;
}

export interface StartOptions {
  entry: string;
  extensionsDir: string;
  workspace: string;
  env?: NodeJS.ProcessEnv;
  /** Settings written to the fresh user-data dir's User/settings.json. */
  settings?: Record<string, unknown>;
  /** More code-server arguments (e.g. `--locale ko`). */
  extraArgs?: string[];
}

export async function startCodeServer(opts: StartOptions): Promise<CodeServer> {
  const port = await freePort();
  const userDataDir = mkdtempSync(join(tmpdir(), 'wh-cs-user-'));
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
    ...opts.settings,
  }, null, 2));
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [opts.entry,
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', '--extensions-dir', opts.extensionsDir, '--user-data-dir', userDataDir, ...(opts.extraArgs ?? []), opts.workspace,
  ], { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr?.on('data', (b: Buffer) => { out += b.toString(); });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise((r) => child.once('exit', r));
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (child.exitCode === null) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }
    }
    rmSync(userDataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${out}`);
    if (await answers(port)) return { url: `http://127.0.0.1:${port}`, port, userDataDir, output: () => out, stop };
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`code-server did not answer on ${port} within 60 s:\n${out}`);
}

function answers(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', timeout: 1000 }, (res) => { res.resume(); ok(true); });
    req.on('error', () => ok(false));
    req.on('timeout', () => { req.destroy(); ok(false); });
    req.end();
  });
}

/** What a workbench URL asks of VS Code's extension-development mode (see extensionTestsUrl). */
export interface ExtensionTestsTarget {
  /** Absolute path on code-server's machine of the folder to open. */
  folder: string;
  /** Absolute path of the extension to load in development mode (a folder with its package.json). */
  extensionDevelopmentPath: string;
  /** Absolute path of the CommonJS module whose `run()` the extension host calls (VS Code's `extensionTestsPath`). */
  extensionTestsPath: string;
}

/**
 * The workbench URL that runs an extension-host test suite in code-server, the browser counterpart of VS Code's
 * `--extensionDevelopmentPath` / `--extensionTestsPath`: VS Code's web workbench reads them from the `payload` query
 * parameter (a JSON list of [name, value] pairs), as URIs. They are `vscode-remote://<host:port>` URIs (the page's own
 * authority) so that the remote — code-server's Node extension host, with this process's environment — loads both.
 * When the suite's `run()` settles, the workbench stops its extension hosts and calls the page's
 * `window.codeAutomationExit(code)` if the page defines one; it does not close the page.
 */
export function extensionTestsUrl(cs: Pick<CodeServer, 'url' | 'port'>, target: ExtensionTestsTarget): string {
  const remote = (path: string): string => `vscode-remote://127.0.0.1:${cs.port}${path.split('/').map(encodeURIComponent).join('/')}`;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', remote(target.extensionDevelopmentPath)],
    ['extensionTestsPath', remote(target.extensionTestsPath)],
  ]);
  return `${cs.url}/?folder=${encodeURIComponent(target.folder)}&payload=${encodeURIComponent(payload)}`;
}
