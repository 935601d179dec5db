/**
 * Starting engines in tests.
 *
 * - `startEngine(opts)` runs the built bundle (`dist/engine.js serve`) as a child process with a fresh temp
 *   data dir and a unique cluster name; it resolves once the API answers, with the kubeconfig path, URL,
 *   token and CA, and `stop()` (SIGTERM, then SIGKILL after 10 s; removes the data dir unless keepDataDir).
 *   Build first (`node esbuild.mjs`; `npm test` does).
 * - `startInProcessEngine(opts)` runs the same composition root inside the test process (memory store by
 *   default): fast integration tests over real HTTPS, plus `engine.client` (the in-process ApiClient).
 *
 * `request(h, method, path, body?, headers?)` sends one authenticated HTTPS request and returns status,
 * headers and the parsed body — for tests that look at raw API answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request as httpsRequest, type Agent } from 'node:https';
import { checkServerIdentity } from 'node:tls';
import { randomBytes } from 'node:crypto';
import { Engine, type ComponentStarter } from '../../engine/engine.ts';
import { readPlan } from '../../engine/network/plan.ts';
import { pingDocker } from './docker.ts';
import type { HistoryOptions } from '../../engine/store/index.ts';

export interface EngineHandle {
  url: string;
  kubeconfig: string;
  token: string;
  ca: string;
  dataDir: string;
  clusterName: string;
  stop(): Promise<void>;
}

export interface StartOptions {
  clusterName?: string;
  dataDir?: string;
  keepDataDir?: boolean;
  extraArgs?: string[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export function uniqueName(prefix = 'wht'): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

const BUNDLE = resolve('dist/engine.js');

export async function startEngine(opts: StartOptions = {}): Promise<EngineHandle> {
  if (!existsSync(BUNDLE)) throw new Error('dist/engine.js is missing: run `node esbuild.mjs` first');
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'wheelhouse-e2e-')));
  const clusterName = opts.clusterName ?? uniqueName();
  const child: ChildProcess = spawn(process.execPath, [BUNDLE, 'serve', '--data-dir', dataDir, '--port', '0', '--cluster-name', clusterName, ...(opts.extraArgs ?? [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    // The engine leaves pods running on purpose (a restarted engine adopts them): a test removes what its cluster left.
    if (!opts.keepDataDir) await removeDockerLeftovers(clusterName, dataDir);
    if (!opts.keepDataDir && !opts.dataDir) await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
    let url: string | undefined;
    while (!url) {
      if (child.exitCode !== null) throw new Error(`engine exited with ${child.exitCode}:\n${out}`);
      if (Date.now() > deadline) throw new Error(`engine did not print its URL in time:\n${out}`);
      url = /serving the Kubernetes API at (https:\/\/\S+)/.exec(out)?.[1];
      if (!url) await new Promise((r) => setTimeout(r, 50));
    }
    const token = (await readFile(join(dataDir, 'token'), 'utf8')).trim();
    const ca = await readFile(join(dataDir, 'pki', 'ca.crt'), 'utf8');
    return { url, kubeconfig: join(dataDir, 'kubeconfig'), token, ca, dataDir, clusterName, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Removes a test cluster's containers, network and volumes, when Docker is there. */
async function removeDockerLeftovers(clusterName: string, dataDir: string): Promise<void> {
  if (await pingDocker(1000)) return;
  const { connectDocker } = await import('../../engine/runtime/docker.ts');
  const { removeClusterFromDocker } = await import('./full-engine.ts');
  const runtime = await connectDocker().catch(() => undefined);
  if (runtime) await removeClusterFromDocker(runtime, clusterName, (await readPlan(dataDir))?.network).catch(() => undefined);
}

export interface InProcessHandle extends EngineHandle {
  engine: Engine;
}

export async function startInProcessEngine(opts: {
  store?: 'memory' | 'file'; components?: ComponentStarter[]; clusterName?: string; storeHistory?: HistoryOptions;
} = {}): Promise<InProcessHandle> {
  const dataDir = await mkdtemp(join(tmpdir(), 'wheelhouse-int-'));
  const clusterName = opts.clusterName ?? uniqueName();
  let engine: Engine;
  try {
    engine = await Engine.start({
      dataDir, port: 0, clusterName, store: opts.store ?? 'memory', storeHistory: opts.storeHistory, components: opts.components ?? [],
    });
  } catch (e) {
    await rm(dataDir, { recursive: true, force: true });
    throw e;
  }
  return {
    engine, url: engine.url, kubeconfig: engine.kubeconfigPath, token: engine.token, ca: engine.caCert, dataDir, clusterName,
    stop: async () => {
      await engine.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON answers
  body: any;
}

export function request(
  h: Pick<EngineHandle, 'url' | 'token' | 'ca'>, method: string, path: string, body?: unknown,
  headers: Record<string, string> = {}, opts: { auth?: boolean; agent?: Agent } = {},
): Promise<RawResponse> {
  return new Promise((resolveP, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const hdrs: Record<string, string> = { Accept: 'application/json', ...headers };
    if (opts.auth !== false) hdrs.Authorization = `Bearer ${h.token}`;
    if (payload !== undefined && !hdrs['Content-Type']) hdrs['Content-Type'] = 'application/json';
    if (payload !== undefined) hdrs['Content-Length'] = String(Buffer.byteLength(payload));
    // The certificate names 127.0.0.1; check it against that even when a test sends another Host header.
    const req = httpsRequest(`${h.url}${path}`, { method, ca: h.ca, headers: hdrs, agent: opts.agent, checkServerIdentity: (_host, cert) => checkServerIdentity('127.0.0.1', cert) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        resolveP({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
