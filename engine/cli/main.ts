/**
 * The engine's command line (`node dist/engine.js …`, `npx wheelhouse …`, `npm start`):
 *   serve       run in the foreground until Ctrl-C / SIGTERM
 *   up          start a detached engine for the data dir unless one runs; wait until it is ready
 *   down        stop the engine of the data dir
 *   status      say whether it runs, where, and whether it answers
 *   kubeconfig  print the kubeconfig path; --merge adds the `wheelhouse` context to ~/.kube/config
 * Options: --data-dir DIR (default $WHEELHOUSE_HOME or ~/.wheelhouse), --port N, --cluster-name NAME, and the
 * cluster settings below; each setting also reads an environment variable, so `up` (which starts `serve`
 * detached) and VS Code pass them on unchanged.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { parse } from 'yaml';
import { defaultDataDir, ensureDataDir } from '../config/files.ts';
import { mergeKubeconfig } from '../config/kubeconfig.ts';
import { Engine, ENGINE_VERSION, readState, type ClusterSettings, type EngineState } from '../engine.ts';
import { connectDocker } from '../runtime/docker.ts';
import { runConvert } from '../convert/cli.ts';
import { HttpApiClient } from '../api/http-client.ts';
import { nodeCommand, NODE_USAGE } from '../nodes/cli.ts';

interface Args {
  command: string;
  dataDir: string;
  port?: number;
  clusterName?: string;
  merge: boolean;
  apiOnly: boolean;
  help: boolean;
  settings: ClusterSettings;
}

const USAGE = `usage: wheelhouse <serve|up|down|status|kubeconfig|convert|node> [options]

  serve              run the engine in the foreground (Ctrl-C stops it)
  up                 start the engine in the background if it is not running, and wait until it is ready
  down               stop the running engine
  status             show whether the engine runs and where
  kubeconfig         print the path of the engine's kubeconfig
    --merge          also add the "wheelhouse" context to ~/.kube/config (current-context is not changed)
  convert FILE       turn a Docker Compose file into Kubernetes manifests (-o OUT, --namespace NS)
  node list|stop NAME|start NAME
                     list the virtual nodes, or stop/start one (its containers are killed; pods move after 30 s)

options:
  --data-dir DIR     where the engine keeps its state (default: $WHEELHOUSE_HOME or ~/.wheelhouse)
  --port N           listen on 127.0.0.1:N (default: the previous port if free, else any free port)
  --cluster-name N   the cluster's name in the kubeconfig and on its containers (default: wheelhouse)
  --api-only         serve the Kubernetes API only: no controllers, scheduler, network or nodes (no Docker use)

cluster settings (flag, or environment variable):
  --nodes N                 number of virtual nodes (WHEELHOUSE_NODES; default 3)
  --sandbox-image REF       pod sandbox image, needs sh and nc (WHEELHOUSE_SANDBOX_IMAGE; default busybox:1.36)
  --infra-image REF         Service proxy, DNS and ingress image, needs node (WHEELHOUSE_INFRA_IMAGE; default node:20-alpine)
  --ingress-http-port N     ingress HTTP port on 127.0.0.1 (WHEELHOUSE_INGRESS_HTTP_PORT; default 80)
  --ingress-https-port N    ingress HTTPS port on 127.0.0.1 (WHEELHOUSE_INGRESS_HTTPS_PORT; default 443)
`;

function portValue(name: string, v: string): number {
  const p = Number(v);
  if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error(`${name} must be a port number (0–65535)`);
  return p;
}

/** Cluster settings from the environment; flags override them. */
function settingsFromEnv(env: NodeJS.ProcessEnv): ClusterSettings {
  const s: ClusterSettings = {};
  if (env.WHEELHOUSE_SANDBOX_IMAGE) s.sandboxImage = env.WHEELHOUSE_SANDBOX_IMAGE;
  if (env.WHEELHOUSE_INFRA_IMAGE) s.infraImage = env.WHEELHOUSE_INFRA_IMAGE;
  if (env.WHEELHOUSE_INGRESS_HTTP_PORT) s.ingressHttpPort = portValue('WHEELHOUSE_INGRESS_HTTP_PORT', env.WHEELHOUSE_INGRESS_HTTP_PORT);
  if (env.WHEELHOUSE_INGRESS_HTTPS_PORT) s.ingressHttpsPort = portValue('WHEELHOUSE_INGRESS_HTTPS_PORT', env.WHEELHOUSE_INGRESS_HTTPS_PORT);
  if (env.WHEELHOUSE_NODES) s.nodeCount = nodeCount(env.WHEELHOUSE_NODES);
  return s;
}

function nodeCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 20) throw new Error('the number of nodes must be between 1 and 20');
  return n;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Args {
  const args: Args = { command: '', dataDir: defaultDataDir(env), merge: false, apiOnly: false, help: false, settings: settingsFromEnv(env) };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const eq = a.indexOf('=');
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const flag = a.split('=')[0];
    if (flag === '--data-dir') args.dataDir = value();
    else if (flag === '--port') {
      const p = Number(value());
      if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error('--port must be a port number (0–65535)');
      args.port = p;
    } else if (flag === '--cluster-name') {
      const n = value();
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n) || n.length > 40) throw new Error('--cluster-name must be a DNS label of at most 40 characters');
      args.clusterName = n;
    } else if (flag === '--sandbox-image') args.settings.sandboxImage = value();
    else if (flag === '--infra-image') args.settings.infraImage = value();
    else if (flag === '--ingress-http-port') args.settings.ingressHttpPort = portValue('--ingress-http-port', value());
    else if (flag === '--ingress-https-port') args.settings.ingressHttpsPort = portValue('--ingress-https-port', value());
    else if (flag === '--nodes') args.settings.nodeCount = nodeCount(value());
    else if (a === '--merge') args.merge = true;
    else if (a === '--api-only') args.apiOnly = true;
    else if (a === '-h' || a === '--help' || a === 'help') args.help = true;
    else if (!a.startsWith('-') && !args.command) args.command = a;
    else throw new Error(`unknown argument ${a}`);
  }
  return args;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** GET /readyz over TLS with the install's CA; true when it answers 200. */
function ready(url: string, ca: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(`${url}/readyz`, { ca, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

async function caOf(dataDir: string): Promise<string> {
  return readFile(join(dataDir, 'pki', 'ca.crt'), 'utf8');
}

async function running(dataDir: string): Promise<EngineState | undefined> {
  const s = await readState(dataDir);
  if (!s || !alive(s.pid)) return undefined;
  return (await ready(s.url, await caOf(dataDir).catch(() => ''))) ? s : undefined;
}

const lastPortFile = (dataDir: string): string => join(dataDir, 'last-port');

async function serve(args: Args): Promise<number> {
  let port = args.port;
  if (port === undefined) {
    const last = Number((await readFile(lastPortFile(args.dataDir), 'utf8').catch(() => '')).trim());
    if (Number.isInteger(last) && last > 0) port = last;
  }
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const start = (p: number | undefined): Promise<Engine> =>
    Engine.start({ dataDir: args.dataDir, port: p, clusterName: args.clusterName, apiOnly: args.apiOnly, settings: args.settings, connectRuntime: () => connectDocker(), log });
  let engine: Engine;
  try {
    engine = await start(port);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE' && args.port === undefined) engine = await start(0);
    else throw e;
  }
  await writeFile(lastPortFile(args.dataDir), `${engine.apiServer.port}\n`);
  process.stdout.write(`Wheelhouse engine ${ENGINE_VERSION} is serving the Kubernetes API at ${engine.url}\n`);
  process.stdout.write(`kubeconfig: ${engine.kubeconfigPath}\n`);
  process.stdout.write(`  try: kubectl --kubeconfig ${engine.kubeconfigPath} get namespaces\n`);
  if (args.apiOnly) process.stdout.write('API only: no controllers, scheduler, network or nodes run.\n');
  else if (engine.runtimeProblem) {
    process.stdout.write(`Docker is not reachable, so pods will not run until it is: ${engine.runtimeProblem}\n`);
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (sig: string): void => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`\n${sig}: stopping the engine…\n`);
      engine.stop().then(resolve, (e: unknown) => {
        log(`wheelhouse: error while stopping: ${e instanceof Error ? e.message : String(e)}`);
        resolve();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  process.stdout.write('stopped.\n');
  return 0;
}

async function up(args: Args): Promise<number> {
  const existing = await running(args.dataDir);
  if (existing) {
    process.stdout.write(`already running at ${existing.url} (pid ${existing.pid})\nkubeconfig: ${existing.kubeconfig}\n`);
    return 0;
  }
  const script = process.argv[1]!;
  const passthrough = ['serve', '--data-dir', args.dataDir];
  if (args.port !== undefined) passthrough.push('--port', String(args.port));
  if (args.clusterName) passthrough.push('--cluster-name', args.clusterName);
  if (args.apiOnly) passthrough.push('--api-only');
  const st = args.settings;
  if (st.sandboxImage) passthrough.push('--sandbox-image', st.sandboxImage);
  if (st.infraImage) passthrough.push('--infra-image', st.infraImage);
  if (st.ingressHttpPort !== undefined) passthrough.push('--ingress-http-port', String(st.ingressHttpPort));
  if (st.ingressHttpsPort !== undefined) passthrough.push('--ingress-https-port', String(st.ingressHttpsPort));
  if (st.nodeCount !== undefined) passthrough.push('--nodes', String(st.nodeCount));
  await ensureDataDir(args.dataDir);
  const logPath = join(args.dataDir, 'engine.log');
  const fd = openSync(logPath, 'a', 0o600);
  const child = spawn(process.execPath, [...process.execArgv, script, ...passthrough], { detached: true, stdio: ['ignore', fd, fd], env: process.env });
  closeSync(fd);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    if (exited !== undefined) break;
    const s = await readState(args.dataDir);
    if (s && s.pid === child.pid && (await ready(s.url, await caOf(args.dataDir).catch(() => '')))) {
      process.stdout.write(`started at ${s.url} (pid ${s.pid})\nkubeconfig: ${s.kubeconfig}\nlog: ${logPath}\n`);
      return 0;
    }
  }
  const tail = readFileSync(logPath, 'utf8').split('\n').slice(-15).join('\n');
  process.stderr.write(`the engine did not become ready${exited !== undefined ? ` (it exited with code ${exited})` : ' within 30 s'}; its log (${logPath}) ends with:\n${tail}\n`);
  if (exited === undefined && child.pid) process.kill(child.pid, 'SIGTERM');
  return 1;
}

async function down(args: Args): Promise<number> {
  const s = await readState(args.dataDir);
  if (!s || !alive(s.pid)) {
    process.stdout.write('not running\n');
    return 0;
  }
  process.kill(s.pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!alive(s.pid)) {
      process.stdout.write(`stopped (pid ${s.pid})\n`);
      return 0;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stderr.write(`the engine (pid ${s.pid}) did not stop within 30 s\n`);
  return 1;
}

async function status(args: Args): Promise<number> {
  const s = await readState(args.dataDir);
  if (!s || !alive(s.pid)) {
    process.stdout.write(`not running (data dir ${args.dataDir})\n`);
    return 3;
  }
  const ok = await ready(s.url, await caOf(args.dataDir).catch(() => ''));
  process.stdout.write(`${ok ? 'running' : 'starting or not answering'} at ${s.url} (pid ${s.pid}, cluster ${s.clusterName}, since ${s.startedAt})\nkubeconfig: ${s.kubeconfig}\n`);
  return ok ? 0 : 4;
}

async function kubeconfig(args: Args): Promise<number> {
  const path = join(args.dataDir, 'kubeconfig');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    process.stderr.write(`no kubeconfig in ${args.dataDir} yet: start the engine once (npm start, or wheelhouse up)\n`);
    return 1;
  }
  process.stdout.write(`${path}\n`);
  if (args.merge) {
    const doc = parse(text) as { clusters: { name: string; cluster: { server: string; 'certificate-authority-data': string } }[]; users: { user: { token: string } }[] };
    const cluster = doc.clusters[0]!;
    const target = await mergeKubeconfig({
      server: cluster.cluster.server,
      caCert: Buffer.from(cluster.cluster['certificate-authority-data'], 'base64').toString('utf8'),
      token: doc.users[0]!.user.token,
      clusterName: cluster.name,
    });
    process.stdout.write(`merged context "wheelhouse" into ${target} (current-context unchanged; use: kubectl --context wheelhouse …)\n`);
  }
  return 0;
}

/**
 * `wheelhouse node list|stop NAME|start NAME [--data-dir DIR]`: talks to the running engine of the data dir
 * over its API (HttpApiClient with the kubeconfig's token and the data dir's CA).
 */
export async function nodeCli(
  argv: string[],
  io: { stdout: (s: string) => void; stderr: (s: string) => void } = { stdout: (t) => void process.stdout.write(t), stderr: (t) => void io.stderr(t) },
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let dataDir = defaultDataDir(env);
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--data-dir' || a.startsWith('--data-dir=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (!v) {
        io.stderr(`--data-dir needs a value\n${NODE_USAGE}\n`);
        return 2;
      }
      dataDir = v;
    } else if (a.startsWith('-')) {
      io.stderr(`unknown argument ${a}\n${NODE_USAGE}\n`);
      return 2;
    } else rest.push(a);
  }
  const s = await running(dataDir);
  if (!s) {
    io.stderr(`wheelhouse node: no engine is running for ${dataDir} (start it with: wheelhouse up)\n`);
    return 3;
  }
  const kc = parse(await readFile(s.kubeconfig, 'utf8')) as { users?: { user?: { token?: string } }[] };
  const token = kc.users?.[0]?.user?.token;
  if (!token) {
    io.stderr(`wheelhouse node: ${s.kubeconfig} has no token\n`);
    return 1;
  }
  const client = new HttpApiClient({ server: s.url, token, ca: await caOf(dataDir), fieldManager: 'wheelhouse' });
  try {
    const r = await nodeCommand(client, rest);
    (r.code === 0 ? io.stdout : io.stderr)(r.output.map((l) => `${l}\n`).join(''));
    return r.code;
  } catch (e) {
    io.stderr(`wheelhouse node: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    client.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'node') return nodeCli(argv.slice(1));
  // `convert` has its own arguments (a Compose file and output options) and needs no engine.
  if (argv[0] === 'convert') return runConvert(argv.slice(1));
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (args.help || !args.command) {
    process.stdout.write(USAGE);
    return args.help ? 0 : 2;
  }
  try {
    switch (args.command) {
      case 'serve': return await serve(args);
      case 'up': return await up(args);
      case 'down': return await down(args);
      case 'status': return await status(args);
      case 'kubeconfig': return await kubeconfig(args);
      default:
        process.stderr.write(`unknown command "${args.command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    process.stderr.write(`wheelhouse ${args.command}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
