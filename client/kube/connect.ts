/**
 * Everything that needs @kubernetes/client-node at run time, loaded lazily (dynamic import) on the first
 * connection, so activating the extension never pays for loading the client library: kubeconfig merging with
 * client-node's loader (relative paths, auth plugins), an in-memory KubeConfig per context, and the
 * connection object (watch cache + discovery).
 * kubectl's merge rule: the first file that defines a name wins; nothing is ever written back, so the files'
 * current-context never changes.
 */
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster, Context, User } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { ClusterCache } from './cache.ts';
import { Discovery } from './discovery.ts';
import { bundledContext, engineKubeconfigPath } from './kubeconfigs.ts';

export interface MergedKubeconfig {
  clusters: Cluster[];
  users: User[];
  contexts: (Context & { source: string })[];
  currentContext?: string;
  errors: string[];
}

export function mergeKubeconfigs(files: readonly string[]): MergedKubeconfig {
  const out: MergedKubeconfig = { clusters: [], users: [], contexts: [], errors: [] };
  for (const file of files) {
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(file);
    } catch (err) {
      out.errors.push(`${file}: ${(err as Error).message}`);
      continue;
    }
    for (const c of kc.getClusters()) if (!out.clusters.some((x) => x.name === c.name)) out.clusters.push(c);
    for (const u of kc.getUsers()) if (!out.users.some((x) => x.name === u.name)) out.users.push(u);
    for (const c of kc.getContexts()) if (!out.contexts.some((x) => x.name === c.name)) out.contexts.push({ ...c, source: file });
    if (!out.currentContext && kc.getCurrentContext()) out.currentContext = kc.getCurrentContext();
  }
  return out;
}

/** An in-memory KubeConfig for one context of a merged set; never saved. */
export function kubeConfigFor(merged: MergedKubeconfig, context: string): KubeConfig {
  const ctx = merged.contexts.find((c) => c.name === context);
  if (!ctx) throw new Error(`no context "${context}" in the kubeconfig files`);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: merged.clusters.filter((c) => c.name === ctx.cluster),
    users: merged.users.filter((u) => u.name === ctx.user),
    contexts: [{ name: ctx.name, cluster: ctx.cluster, user: ctx.user, namespace: ctx.namespace }],
    currentContext: ctx.name,
  });
  return kc;
}

/** The bundled engine's KubeConfig, from the kubeconfig file in its data dir. */
export function bundledKubeConfig(home: string): KubeConfig | undefined {
  const file = engineKubeconfigPath(home);
  if (!existsSync(file)) return undefined;
  const merged = mergeKubeconfigs([file]);
  const name = merged.contexts.find((c) => c.name === bundledContext)?.name ?? merged.currentContext ?? merged.contexts[0]?.name;
  return name ? kubeConfigFor(merged, name) : undefined;
}

export { ClusterCache, Discovery };
