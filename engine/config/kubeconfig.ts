/**
 * Kubeconfigs for the engine: its own (`<data dir>/kubeconfig`, 0600, context `wheelhouse`), and — only
 * when asked (`kubeconfig --merge`) — the same context merged into the user's ~/.kube/config without
 * changing its current-context.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { parse, stringify } from 'yaml';
import { writeSecret } from './files.ts';

export const CONTEXT = 'wheelhouse';

export interface KubeconfigInput {
  server: string;
  caCert: string;
  token: string;
  clusterName: string;
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

interface KubeconfigDoc {
  apiVersion?: string;
  kind?: string;
  preferences?: object;
  clusters?: Named<object>[];
  users?: Named<object>[];
  contexts?: Named<object>[];
  'current-context'?: string;
  [k: string]: unknown;
}

function entries(input: KubeconfigInput): { cluster: Named<object>; user: Named<object>; context: Named<object> } {
  return {
    cluster: { name: input.clusterName, cluster: { server: input.server, 'certificate-authority-data': Buffer.from(input.caCert).toString('base64') } },
    user: { name: `${input.clusterName}-admin`, user: { token: input.token } },
    context: { name: CONTEXT, context: { cluster: input.clusterName, user: `${input.clusterName}-admin`, namespace: 'default' } },
  };
}

export function renderKubeconfig(input: KubeconfigInput): string {
  const e = entries(input);
  const doc: KubeconfigDoc = {
    apiVersion: 'v1', kind: 'Config', preferences: {},
    clusters: [e.cluster], users: [e.user], contexts: [e.context], 'current-context': CONTEXT,
  };
  return stringify(doc);
}

export async function writeKubeconfig(dataDir: string, input: KubeconfigInput): Promise<string> {
  const path = join(dataDir, 'kubeconfig');
  await writeSecret(path, renderKubeconfig(input));
  return path;
}

function upsert(list: Named<object>[] | undefined, entry: Named<object>): Named<object>[] {
  const out = (list ?? []).filter((x) => x && x.name !== entry.name);
  out.push(entry);
  return out;
}

/** Adds (or refreshes) the `wheelhouse` context in `target` (default ~/.kube/config); current-context is untouched. */
export async function mergeKubeconfig(input: KubeconfigInput, target = join(homedir(), '.kube', 'config')): Promise<string> {
  let doc: KubeconfigDoc = {};
  try {
    const parsed: unknown = parse(await readFile(target, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) doc = parsed as KubeconfigDoc;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${target}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const e = entries(input);
  doc.apiVersion ??= 'v1';
  doc.kind ??= 'Config';
  doc.clusters = upsert(doc.clusters, e.cluster);
  doc.users = upsert(doc.users, e.user);
  doc.contexts = upsert(doc.contexts, e.context);
  await writeSecret(target, stringify(doc));
  return target;
}
