/**
 * `wheelhouse convert compose.yml [-o out.yaml] [--namespace NS] [--project NAME]`: reads a Compose file
 * and the files it refers to (env_file, secrets, configs, bind-mounted files, `.env`; paths relative to
 * the Compose file's folder, as Compose resolves them), writes the Kubernetes objects as multi-document
 * YAML to stdout (or to -o) and the conversion report to stderr.
 *
 * Exit codes: 0 converted (the report may still list unmapped items), 1 the file could not be converted
 * (unreadable, not Compose, bad interpolation …), 2 wrong usage.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { ComposeError, convertCompose, formatReport, toYaml } from './compose.ts';

export interface ConvertIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** Interpolation variables (Compose reads the shell's environment). */
  env: Record<string, string | undefined>;
  cwd: string;
}

const defaultIo = (): ConvertIo => ({
  stdout: (s) => void process.stdout.write(s),
  stderr: (s) => void process.stderr.write(s),
  env: process.env,
  cwd: process.cwd(),
});

export const CONVERT_USAGE = `usage: wheelhouse convert COMPOSE_FILE [options]

Turns a docker-compose.yml into Kubernetes manifests (Deployments, Services, ConfigMaps, Secrets,
PersistentVolumeClaims). The manifests go to stdout, the report of what changed or could not be
mapped goes to stderr.

options:
  -o, --output FILE     write the manifests to FILE instead of stdout
  -n, --namespace NS    put every object in namespace NS
  -p, --project NAME    the Compose project name (default: the Compose file's folder name)
`;

interface ConvertArgs {
  file?: string;
  output?: string;
  namespace?: string;
  project?: string;
  help: boolean;
}

class UsageError extends Error {}

function parseConvertArgs(argv: string[]): ConvertArgs {
  const args: ConvertArgs = { help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (flag === '-o' || flag === '--output') args.output = value();
    else if (flag === '-n' || flag === '--namespace') {
      const ns = value();
      if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63) throw new UsageError(`--namespace must be a DNS label (lower case letters, digits and "-"), got "${ns}"`);
      args.namespace = ns;
    } else if (flag === '-p' || flag === '--project') args.project = value();
    else if (a === '-h' || a === '--help') args.help = true;
    else if (a !== '-' && a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else if (args.file === undefined) args.file = a;
    else throw new UsageError(`only one Compose file can be converted at a time (got "${args.file}" and "${a}")`);
  }
  return args;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Runs the convert command; `argv` are the arguments after `convert`. Never throws. */
export async function runConvert(argv: string[], io: ConvertIo = defaultIo()): Promise<number> {
  let args: ConvertArgs;
  try {
    args = parseConvertArgs(argv);
  } catch (e) {
    io.stderr(`wheelhouse convert: ${message(e)}\n\n${CONVERT_USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout(CONVERT_USAGE);
    return 0;
  }
  if (!args.file) {
    io.stderr(`wheelhouse convert: which Compose file? (for example: wheelhouse convert docker-compose.yml)\n\n${CONVERT_USAGE}`);
    return 2;
  }
  const path = resolve(io.cwd, args.file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder, not a file' : message(e);
    io.stderr(`wheelhouse convert: cannot read ${args.file}: ${why}\n`);
    return 1;
  }
  const folder = dirname(path);
  const readFile = (p: string): string | undefined => {
    try {
      return readFileSync(resolve(folder, p), 'utf8');
    } catch {
      return undefined;
    }
  };
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(io.env)) if (v !== undefined) env[k] = v;
  const project = args.project ?? (io.env.COMPOSE_PROJECT_NAME || basename(folder));
  let result;
  try {
    result = convertCompose(text, { readFile, env, project, namespace: args.namespace });
  } catch (e) {
    if (e instanceof ComposeError) {
      io.stderr(`wheelhouse convert: ${args.file} cannot be converted: ${e.message}\n`);
      return 1;
    }
    io.stderr(`wheelhouse convert: ${args.file} is not a Compose file this command understands: ${message(e)}\n`);
    return 1;
  }
  const yaml = toYaml(result.objects);
  if (args.output) {
    try {
      writeFileSync(resolve(io.cwd, args.output), yaml);
    } catch (e) {
      io.stderr(`wheelhouse convert: cannot write ${args.output}: ${message(e)}\n`);
      return 1;
    }
  } else io.stdout(yaml);
  const counts = new Map<string, number>();
  for (const o of result.objects) counts.set(o.kind!, (counts.get(o.kind!) ?? 0) + 1);
  const summary = [...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'no objects';
  const report = formatReport(result.report);
  io.stderr(`converted ${args.file}: ${summary}${args.output ? ` → ${args.output}` : ''}\n${report ? `${report}\n` : ''}`);
  return 0;
}
