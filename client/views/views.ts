/**
 * Registers the six tree views. Each reads the active cluster's store through a pure view model and
 * redraws only when a kind it reads changed. A view's informers start when the view is first shown.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.ts';
import type { ViewInput } from '../model/viewInput.ts';
import type { TreeNodeModel } from '../model/tree.ts';
import { ModelTreeProvider } from './treeProvider.ts';
import { nodeRoots } from '../model/nodesView.ts';
import { workloadRoots } from '../model/workloadsView.ts';
import { networkRoots } from '../model/networkView.ts';
import { configRoots } from '../model/configView.ts';
import { eventRoots } from '../model/eventsView.ts';
import { clusterRoots } from '../model/clustersView.ts';
import { bundledId } from '../kube/kubeconfigs.ts';

interface ViewSpec {
  id: string;
  kinds: string[];
  roots: (input: ViewInput) => TreeNodeModel[];
}

const specs: ViewSpec[] = [
  { id: 'wheelhouse.nodes', kinds: ['Node', 'Pod'], roots: nodeRoots },
  { id: 'wheelhouse.workloads', kinds: ['Namespace', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod'], roots: workloadRoots },
  { id: 'wheelhouse.network', kinds: ['Namespace', 'Service', 'Endpoints', 'Ingress'], roots: networkRoots },
  { id: 'wheelhouse.config', kinds: ['Namespace', 'ConfigMap', 'Secret', 'PersistentVolumeClaim', 'PersistentVolume', 'StorageClass'], roots: configRoots },
  { id: 'wheelhouse.events', kinds: ['Event'], roots: eventRoots },
];

export function viewInput(ctx: Ctx): ViewInput | undefined {
  const c = ctx.connection();
  if (!c) return undefined;
  return { cluster: c.id, store: c.cache.store, relations: c.cache.relations, namespace: ctx.namespace, eventFilter: ctx.eventFilter, bundled: c.bundled, now: Date.now() };
}

function emptyMessage(ctx: Ctx, kinds: string[]): string | undefined {
  const c = ctx.clusters.connection();
  if (!ctx.clusters.loaded) return vscode.l10n.t('Loading…');
  if (!c) {
    if (ctx.clusters.activeId !== bundledId) return vscode.l10n.t('Cannot reach the selected cluster. {0}', ctx.clusters.activeHealth?.message ?? '');
    const s = ctx.engine.currentState;
    if (s === 'docker-unavailable') return vscode.l10n.t('Docker is not available, so the bundled cluster cannot run. Start Docker, then run "Wheelhouse: Start Bundled Cluster".');
    if (s === 'starting') return vscode.l10n.t('Starting the bundled cluster…');
    return vscode.l10n.t('The bundled cluster is not running. Start it from the Clusters view or with "Wheelhouse: Start Bundled Cluster".');
  }
  if (!kinds.every((k) => c.cache.store.isSynced(k))) return vscode.l10n.t('Loading…');
  if (ctx.namespace) return vscode.l10n.t('Nothing in namespace {0}.', ctx.namespace);
  return vscode.l10n.t('Nothing here yet.');
}

export function registerViews(ctx: Ctx): { providers: Map<string, ModelTreeProvider> } {
  const providers = new Map<string, ModelTreeProvider>();
  let storeSub: vscode.Disposable | undefined;
  const visible = new Set<string>();

  for (const spec of specs) {
    const provider = new ModelTreeProvider({
      roots: () => {
        const input = viewInput(ctx);
        if (!input) return [];
        return spec.roots(input);
      },
      emptyMessage: () => emptyMessage(ctx, spec.kinds),
    });
    const view = vscode.window.createTreeView(spec.id, { treeDataProvider: provider, showCollapseAll: true });
    provider.view = view;
    providers.set(spec.id, provider);
    const onVisible = (): void => {
      if (!view.visible) return;
      visible.add(spec.id);
      ctx.connection()?.cache.ensure(spec.kinds);
      provider.refresh();
    };
    ctx.register(provider, view, view.onDidChangeVisibility(onVisible));
    if (view.visible) onVisible();
  }

  // The clusters view reads the registry and the engine state, not a store.
  const clusters = new ModelTreeProvider({
    roots: () => clusterRoots({
      entries: ctx.clusters.entries(), active: ctx.clusters.activeId, engineState: ctx.engine.currentState,
      engineDetail: ctx.engine.currentDetail, activeHealth: ctx.clusters.activeHealth,
    }),
  });
  const clustersView = vscode.window.createTreeView('wheelhouse.clusters', { treeDataProvider: clusters });
  ctx.register(clusters, clustersView, ctx.clusters.onDidChange(() => clusters.refresh()), ctx.engine.onDidChange(() => clusters.refresh()));
  providers.set('wheelhouse.clusters', clusters);
  // First look at the Clusters view: read the engine's state (no start), after activation returned.
  setTimeout(() => void ctx.engine.refresh(), 0);

  const resubscribe = (): void => {
    storeSub?.dispose();
    const c = ctx.clusters.connection();
    if (c) {
      c.cache.ensure([...new Set(specs.filter((s) => visible.has(s.id)).flatMap((s) => s.kinds))]);
      storeSub = c.cache.store.onDidChange((kinds) => {
        for (const s of specs) if (s.kinds.some((k) => kinds.has(k))) providers.get(s.id)?.refresh();
      });
    }
    for (const s of specs) providers.get(s.id)?.refresh();
  };
  ctx.register(ctx.clusters.onDidChangeActive(resubscribe), ctx.onDidChangeFilters(() => { for (const s of specs) providers.get(s.id)?.refresh(); }),
    ctx.engine.onDidChange(() => { for (const s of specs) providers.get(s.id)?.refresh(); }),
    { dispose: () => storeSub?.dispose() });
  resubscribe();
  return { providers };
}
