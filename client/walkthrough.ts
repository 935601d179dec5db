/**
 * Context keys that complete the walkthrough steps when the user has really done them, read from the
 * cluster state in the watch cache (see model/progress.ts for the rules).
 */
import * as vscode from 'vscode';
import type { Ctx } from './ctx.ts';
import { learningProgress, type LearningProgress } from './model/progress.ts';

export function registerWalkthroughKeys(ctx: Ctx): void {
  let last: Partial<LearningProgress> = {};
  const set = (p: Partial<LearningProgress>): void => {
    for (const [k, v] of Object.entries(p) as [keyof LearningProgress, boolean][]) {
      if (!v || last[k]) continue; // steps only ever complete
      last = { ...last, [k]: true };
      void vscode.commands.executeCommand('setContext', `wheelhouse.${k}`, true);
    }
  };
  if (ctx.extension.workspaceState.get<boolean>('wheelhouse.didUndo')) set({ rolledBack: true });
  let sub: vscode.Disposable | undefined;
  const attach = (): void => {
    sub?.dispose();
    const c = ctx.clusters.connection();
    if (!c) return;
    c.cache.ensure(['Deployment', 'Pod', 'ReplicaSet']);
    sub = c.cache.store.onDidChange(() => set(learningProgress(c.cache.store, c.bundled)));
  };
  ctx.register(ctx.engine.onDidChange((s) => { if (s === 'running') set({ engineRunning: true }); }),
    ctx.clusters.onDidChangeActive(attach), { dispose: () => sub?.dispose() });
}
