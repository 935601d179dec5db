/** Node actions: cordon, uncordon, drain (eviction API, respecting PodDisruptionBudgets: 429 retries). */
import * as vscode from 'vscode';
import type { Pod } from 'kubernetes-types/core/v1';
import { guarded, type Ctx } from '../ctx.ts';
import { patchObject, listObjects, createObject } from '../kube/api.ts';
import { KubeError, errorText } from '../kube/rest.ts';
import { drainPlan, evictionBody } from '../model/drain.ts';
import { pickObject } from './pick.ts';
import { powerAnnotation } from '../model/nodesView.ts';

export function registerNodes(ctx: Ctx): void {
  const cmd = (id: string, fn: (arg: unknown) => unknown): void => ctx.register(vscode.commands.registerCommand(id, guarded(ctx, fn)));
  const setUnschedulable = async (arg: unknown, value: boolean): Promise<string | undefined> => {
    const ref = await pickObject(ctx, arg, ['Node'], value ? vscode.l10n.t('Cordon which node?') : vscode.l10n.t('Uncordon which node?'));
    if (!ref) return undefined;
    await patchObject(ctx.requireConnection(), ref, 'merge', { spec: { unschedulable: value ? true : null } });
    return ref.name;
  };
  cmd('wheelhouse.cordon', (arg) => setUnschedulable(arg, true));
  cmd('wheelhouse.uncordon', (arg) => setUnschedulable(arg, false));

  // Bundled engine only: power a virtual node off and on (the engine's node agents watch this annotation).
  const power = async (arg: unknown, on: boolean): Promise<void> => {
    const ref = await pickObject(ctx, arg, ['Node'], on ? vscode.l10n.t('Start which node?') : vscode.l10n.t('Stop which node?'));
    if (!ref) return;
    const c = ctx.requireConnection();
    if (!c.bundled) throw new Error(vscode.l10n.t('Only the bundled cluster\'s nodes can be stopped and started.'));
    await patchObject(c, ref, 'merge', { metadata: { annotations: { [powerAnnotation]: on ? null : 'stopped' } } });
    if (!on) void vscode.window.showInformationMessage(vscode.l10n.t('Node {0} stopped. Watch its pods: after the eviction timeout they are replaced on other nodes.', ref.name));
  };
  cmd('wheelhouse.stopNode', (arg) => power(arg, false));
  cmd('wheelhouse.startNode', (arg) => power(arg, true));

  cmd('wheelhouse.drain', async (arg) => {
    const ref = await pickObject(ctx, arg, ['Node'], vscode.l10n.t('Drain which node?'));
    if (!ref) return;
    const c = ctx.requireConnection();
    const pods = (await listObjects<Pod>(c, 'v1', 'Pod')).filter((p) => p.spec?.nodeName === ref.name);
    const plan = drainPlan(pods);
    const go = vscode.l10n.t('Drain');
    const force = vscode.l10n.t('Drain, deleting unmanaged pods');
    const buttons = plan.unmanaged.length ? [force] : [go];
    const pick = await vscode.window.showWarningMessage(vscode.l10n.t('Drain node {0}? It is cordoned, then {1} pods are evicted and rescheduled elsewhere.', ref.name, plan.evict.length),
      { modal: true, detail: [
        plan.unmanaged.length ? vscode.l10n.t('{0} pods have no controller and will NOT come back: {1}', plan.unmanaged.length, plan.unmanaged.map((p) => p.metadata?.name).join(', ')) : '',
        plan.skip.length ? vscode.l10n.t('Left in place: {0}', plan.skip.map((s) => `${s.pod.metadata?.name} (${s.reason})`).join(', ')) : '',
      ].filter(Boolean).join('\n\n') }, ...buttons);
    if (!pick) return;
    await patchObject(c, ref, 'merge', { spec: { unschedulable: true } });
    const victims = [...plan.evict, ...plan.unmanaged];
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Draining {0}', ref.name), cancellable: true }, async (progress, token) => {
      let done = 0;
      for (const p of victims) {
        if (token.isCancellationRequested) break;
        for (let attempt = 0; ; attempt++) {
          try {
            await createObject(c, { apiVersion: 'v1', kind: 'Pod', namespace: p.metadata?.namespace ?? '' }, evictionBody(p), { name: p.metadata?.name ?? '', sub: 'eviction' });
            break;
          } catch (err) {
            // 429: a PodDisruptionBudget forbids it right now; retry as kubectl does.
            if (err instanceof KubeError && err.code === 429 && attempt < 30 && !token.isCancellationRequested) { await new Promise((r) => setTimeout(r, 5000)); continue; }
            if (err instanceof KubeError && err.code === 404) break;
            ctx.log.warn(`evict ${p.metadata?.name}: ${errorText(err)}`);
            break;
          }
        }
        progress.report({ message: `${++done}/${victims.length} ${p.metadata?.name}`, increment: 100 / Math.max(1, victims.length) });
      }
    });
  });
}
