/**
 * The clusters a user can pick: the bundled engine's kubeconfig and every context of the user's
 * kubeconfig files (KUBECONFIG with several files, else ~/.kube/config), merged with kubectl's rule:
 * the first file that defines a name wins. Connecting (kube/connect.ts) builds an in-memory KubeConfig;
 * nothing is ever written back, so the files' current-context never changes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { ClusterEntry } from '../model/clustersView.ts';

export const bundledId = 'wheelhouse';
export const bundledContext = 'wheelhouse';

export function engineHome(env: NodeJS.ProcessEnv = process.env, configured?: string): string {
  return configured || env.WHEELHOUSE_HOME || join(homedir(), '.wheelhouse');
}

export function engineKubeconfigPath(home: string): string {
  return join(home, 'kubeconfig');
}

/** The user's kubeconfig files, in precedence order; only files that exist. */
export function userKubeconfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter(Boolean) : [join(homedir(), '.kube', 'config')];
  return [...new Set(list)].filter((f) => existsSync(f));
}

export interface ContextInfo {
  name: string;
  cluster: string;
  user: string;
  namespace?: string;
  source: string;
}

export interface ContextList {
  contexts: ContextInfo[];
  currentContext?: string;
  errors: string[];
}

/**
 * The contexts of the kubeconfig files (names only, first definition wins), read with a plain YAML parse so
 * listing clusters never loads the Kubernetes client library (kube/connect.ts does, on first connection).
 */
export function listContexts(files: readonly string[]): ContextList {
  const out: ContextList = { contexts: [], errors: [] };
  for (const file of files) {
    let doc: { contexts?: { name?: string; context?: { cluster?: string; user?: string; namespace?: string } }[]; 'current-context'?: string } | null;
    try {
      doc = parse(readFileSync(file, 'utf8')) as typeof doc;
    } catch (err) {
      out.errors.push(`${file}: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    for (const c of doc?.contexts ?? []) {
      if (!c?.name || out.contexts.some((x) => x.name === c.name)) continue;
      out.contexts.push({ name: c.name, cluster: c.context?.cluster ?? '', user: c.context?.user ?? '', namespace: c.context?.namespace, source: file });
    }
    if (!out.currentContext && doc?.['current-context']) out.currentContext = doc['current-context'];
  }
  return out;
}

export function contextEntries(list: ContextList): ClusterEntry[] {
  return list.contexts.map((c) => ({
    id: `ctx:${c.name}`,
    context: c.name,
    cluster: c.cluster,
    user: c.user,
    namespace: c.namespace,
    source: c.source,
    bundled: false,
  }));
}
