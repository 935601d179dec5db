/** The status bar item: active cluster, namespace and health; click to switch cluster. */
import * as vscode from 'vscode';
import type { Ctx } from './ctx.ts';
import { bundledId } from './kube/kubeconfigs.ts';

export function registerStatusBar(ctx: Ctx): void {
  const item = vscode.window.createStatusBarItem('wheelhouse.cluster', vscode.StatusBarAlignment.Left, 50);
  item.name = vscode.l10n.t('Wheelhouse cluster');
  item.command = 'wheelhouse.selectCluster';
  const update = (): void => {
    const id = ctx.clusters.activeId;
    const entry = ctx.clusters.entries().find((e) => e.id === id);
    const name = id === bundledId ? 'wheelhouse' : entry?.context ?? id;
    const ns = ctx.namespace ? ` · ${ctx.namespace}` : '';
    let icon = '$(vm)';
    let health = vscode.l10n.t('connected');
    item.backgroundColor = undefined;
    if (id === bundledId && ctx.engine.currentState !== 'running') {
      const s = ctx.engine.currentState;
      icon = s === 'starting' ? '$(sync~spin)' : s === 'docker-unavailable' ? '$(error)' : '$(debug-stop)';
      health = s === 'docker-unavailable' ? vscode.l10n.t('Docker unavailable') : s === 'starting' ? vscode.l10n.t('starting') : vscode.l10n.t('stopped');
      if (s === 'docker-unavailable') item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
    } else if (ctx.clusters.activeHealth && !ctx.clusters.activeHealth.ok) {
      icon = '$(warning)';
      health = vscode.l10n.t('unreachable: {0}', ctx.clusters.activeHealth.message ?? '');
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
    }
    item.text = `${icon} ${name}${ns}`;
    item.tooltip = vscode.l10n.t('Wheelhouse: {0} ({1}). Click to switch cluster.', name, health);
    item.show();
  };
  ctx.register(item, ctx.clusters.onDidChange(update), ctx.engine.onDidChange(update), ctx.onDidChangeFilters(update));
  update();
}
