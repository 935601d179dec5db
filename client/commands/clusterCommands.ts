/** Cluster and engine commands: choose cluster (never touching current-context), namespace, engine lifecycle, event filter. */
import * as vscode from 'vscode';
import type { Namespace } from 'kubernetes-types/core/v1';
import { guarded, type Ctx } from '../ctx.ts';
import type { TreeNodeModel } from '../model/tree.ts';
import { listObjects } from '../kube/api.ts';
import { dockerFix } from '../model/clustersView.ts';

export function registerClusterCommands(ctx: Ctx): void {
  const cmd = (id: string, fn: (arg: unknown) => unknown): void => ctx.register(vscode.commands.registerCommand(id, guarded(ctx, fn)));

  cmd('wheelhouse.selectCluster', async (arg) => {
    let id = (arg as TreeNodeModel | undefined)?.cluster;
    if (!id) {
      const pick = await vscode.window.showQuickPick(ctx.clusters.entries().map((e) => ({
        label: e.bundled ? vscode.l10n.t('Wheelhouse (bundled)') : e.context,
        description: [e.id === ctx.clusters.activeId && vscode.l10n.t('active'), e.bundled ? '' : e.cluster].filter(Boolean).join(' · '),
        id: e.id,
      })), { title: vscode.l10n.t('Show which cluster? (your kubeconfig\'s current-context is not changed)') });
      id = pick?.id;
    }
    if (!id) return;
    await ctx.clusters.setActive(id);
    ctx.connection();
  });

  cmd('wheelhouse.selectNamespace', async () => {
    const c = ctx.requireConnection();
    const names = (await listObjects<Namespace>(c, 'v1', 'Namespace')).map((n) => n.metadata?.name ?? '').sort();
    const all = vscode.l10n.t('All namespaces');
    const pick = await vscode.window.showQuickPick([all, ...names], { title: vscode.l10n.t('Show which namespace?'), placeHolder: ctx.namespace ?? all });
    if (pick === undefined) return;
    await ctx.setNamespace(pick === all ? undefined : pick);
  });

  cmd('wheelhouse.filterEvents', async (arg) => {
    const m = arg as TreeNodeModel | undefined;
    const value = m?.ref ? `${m.ref.kind}/${m.ref.name}` : await vscode.window.showInputBox({
      title: vscode.l10n.t('Show events about…'), prompt: vscode.l10n.t('Kind/name, name, or part of it. Empty shows all.'), value: ctx.eventFilter ?? '',
    });
    if (value === undefined) return;
    ctx.setEventFilter(value);
    if (m?.ref) await vscode.commands.executeCommand('wheelhouse.events.focus');
  });
  cmd('wheelhouse.clearEventFilter', () => ctx.setEventFilter(undefined));

  cmd('wheelhouse.engineStart', async () => {
    const ok = await ctx.engine.start();
    if (!ok && ctx.engine.currentState === 'docker-unavailable') {
      void vscode.window.showErrorMessage(vscode.l10n.t('Docker is not available: {0}', ctx.engine.currentDetail ?? ''), { detail: dockerFix, modal: false });
    } else if (!ok) {
      const logs = vscode.l10n.t('Show Logs');
      if (await vscode.window.showErrorMessage(vscode.l10n.t('The bundled cluster did not start. {0}', ctx.engine.currentDetail ?? ''), logs) === logs) ctx.engine.showLogs();
    } else if (ctx.clusters.activeId !== 'wheelhouse') {
      const show = vscode.l10n.t('Show It');
      if (await vscode.window.showInformationMessage(vscode.l10n.t('The bundled cluster is running.'), show) === show) await ctx.clusters.setActive('wheelhouse');
    }
  });
  cmd('wheelhouse.engineStop', () => ctx.engine.stop());
  cmd('wheelhouse.engineReset', async () => { if (await ctx.engine.reset()) ctx.clusters.closeConnection(); });
  cmd('wheelhouse.engineLogs', () => ctx.engine.showLogs());
  cmd('wheelhouse.openKubeconfig', () => ctx.engine.openKubeconfig());
  cmd('wheelhouse.refresh', async () => {
    ctx.clusters.reload();
    ctx.clusters.closeConnection();
    await ctx.engine.refresh();
    ctx.connection();
  });
}
