/** Rollout controls for Deployments, StatefulSets and DaemonSets: restart, undo, pause/resume, scale, live status. */
import * as vscode from 'vscode';
import { stringify } from 'yaml';
import type { Deployment, ReplicaSet, ControllerRevision, StatefulSet, DaemonSet } from 'kubernetes-types/apps/v1';
import { guarded, type Ctx } from '../ctx.ts';
import type { Connection } from '../kube/clusters.ts';
import type { KObject, ObjectRef } from '../model/objects.ts';
import { getObject, listObjects, patchObject, scaleObject } from '../kube/api.ts';
import { rolloutStatus } from '../model/workloadStatus.ts';
import { restartPatch, pausePatch, deploymentRevisions, controllerRevisions, deploymentUndoPatch, type Revision } from '../model/rollout.ts';
import { diffLines, diffStats } from '../model/diff.ts';
import { pickObject, label } from './pick.ts';
import type { ReadonlyDocs } from './docs.ts';

const rolloutKinds = ['Deployment', 'StatefulSet', 'DaemonSet'];

export function registerRollout(ctx: Ctx, docs: ReadonlyDocs): void {
  const cmd = (id: string, fn: (arg: unknown) => unknown): void => ctx.register(vscode.commands.registerCommand(id, guarded(ctx, fn)));

  cmd('wheelhouse.rolloutRestart', async (arg) => {
    const ref = await pickObject(ctx, arg, rolloutKinds, vscode.l10n.t('Restart which workload?'));
    if (!ref) return;
    const c = ctx.requireConnection();
    await patchObject(c, ref, 'strategic', restartPatch(new Date()));
    void watchRollout(ctx, c, ref, vscode.l10n.t('Restarting {0}', label(ref)));
  });

  cmd('wheelhouse.rolloutPause', async (arg) => setPaused(ctx, arg, true));
  cmd('wheelhouse.rolloutResume', async (arg) => setPaused(ctx, arg, false));

  cmd('wheelhouse.scale', async (arg) => {
    const ref = await pickObject(ctx, arg, ['Deployment', 'StatefulSet', 'ReplicaSet'], vscode.l10n.t('Scale which workload?'));
    if (!ref) return;
    const c = ctx.requireConnection();
    const obj = c.cache.store.get<Deployment>(ref.kind, ref.namespace, ref.name) ?? await getObject<Deployment>(c, ref);
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Scale {0}', label(ref)),
      prompt: vscode.l10n.t('Number of replicas'),
      value: String(obj.spec?.replicas ?? 1),
      validateInput: (v) => (/^\d+$/.test(v.trim()) ? undefined : vscode.l10n.t('Enter a whole number, 0 or more.')),
    });
    if (value === undefined) return;
    await scaleObject(c, ref, Number(value.trim()));
    if (ref.kind !== 'ReplicaSet') void watchRollout(ctx, c, ref, vscode.l10n.t('Scaling {0} to {1}', label(ref), value.trim()));
  });

  cmd('wheelhouse.rolloutUndo', async (arg) => {
    const ref = await pickObject(ctx, arg, rolloutKinds, vscode.l10n.t('Undo the rollout of which workload?'));
    if (!ref) return;
    const c = ctx.requireConnection();
    const { revisions, current } = await revisionsOf(c, ref);
    const others = revisions.filter((r) => !r.current);
    if (others.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} has no earlier revision to go back to.', label(ref)));
      return;
    }
    const currentYaml = stringify(current?.template ?? {});
    const items = others.map((r) => {
      const st = diffStats(diffLines(currentYaml, stringify(r.template ?? {})));
      return {
        label: vscode.l10n.t('Revision {0}', r.revision),
        description: r.changeCause ?? vscode.l10n.t('no change-cause'),
        detail: vscode.l10n.t('{0} · pod template vs current: +{1} −{2} lines', r.name, st.added, st.removed),
        revision: r,
        buttons: [{ iconPath: new vscode.ThemeIcon('diff'), tooltip: vscode.l10n.t('Show the pod template diff') }],
      };
    });
    const qp = vscode.window.createQuickPick<(typeof items)[number]>();
    qp.title = vscode.l10n.t('Roll {0} back to…', label(ref));
    qp.items = items;
    const showDiff = (r: Revision): Thenable<unknown> => {
      const left = docs.show(`${ref.name}-current.yaml`, currentYaml);
      const right = docs.show(`${ref.name}-revision-${r.revision}.yaml`, stringify(r.template ?? {}));
      return vscode.commands.executeCommand('vscode.diff', left, right, vscode.l10n.t('{0}: current ↔ revision {1}', ref.name, r.revision), { preview: true, preserveFocus: true });
    };
    qp.onDidTriggerItemButton((e) => void showDiff(e.item.revision));
    const chosen = await new Promise<Revision | undefined>((resolve) => {
      qp.onDidAccept(() => { resolve(qp.selectedItems[0]?.revision); qp.hide(); });
      qp.onDidHide(() => resolve(undefined));
      qp.show();
    });
    qp.dispose();
    if (!chosen) return;
    await undoTo(c, ref, chosen);
    await ctx.extension.workspaceState.update('wheelhouse.didUndo', true);
    void vscode.commands.executeCommand('setContext', 'wheelhouse.didUndo', true);
    void watchRollout(ctx, c, ref, vscode.l10n.t('Rolling {0} back to revision {1}', label(ref), chosen.revision));
  });

  cmd('wheelhouse.rolloutStatus', async (arg) => {
    const ref = await pickObject(ctx, arg, rolloutKinds, vscode.l10n.t('Watch the rollout of which workload?'));
    if (ref) await watchRollout(ctx, ctx.requireConnection(), ref, vscode.l10n.t('Rollout of {0}', label(ref)));
  });
}

async function setPaused(ctx: Ctx, arg: unknown, paused: boolean): Promise<void> {
  const ref = await pickObject(ctx, arg, ['Deployment'], paused ? vscode.l10n.t('Pause which Deployment?') : vscode.l10n.t('Resume which Deployment?'));
  if (!ref) return;
  await patchObject(ctx.requireConnection(), ref, 'merge', pausePatch(paused));
  void vscode.window.showInformationMessage(paused ? vscode.l10n.t('{0} paused: template changes wait until you resume.', label(ref)) : vscode.l10n.t('{0} resumed.', label(ref)));
}

export async function revisionsOf(c: Connection, ref: ObjectRef): Promise<{ revisions: Revision[]; current?: Revision }> {
  if (ref.kind === 'Deployment') {
    const d = await getObject<Deployment>(c, ref);
    const sets = (await listObjects<ReplicaSet>(c, 'apps/v1', 'ReplicaSet', ref.namespace))
      .filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === d.metadata?.uid));
    const revisions = deploymentRevisions(d, sets);
    return { revisions, current: revisions.find((r) => r.current) ?? { revision: 0, name: 'current', template: d.spec?.template, current: true } };
  }
  const obj = await getObject<StatefulSet | DaemonSet>(c, ref);
  const revs = await listObjects<ControllerRevision>(c, 'apps/v1', 'ControllerRevision', ref.namespace);
  const currentName = (obj as StatefulSet).status?.updateRevision;
  const revisions = controllerRevisions(obj as KObject, revs, currentName);
  if (!revisions.some((r) => r.current) && revisions[0]) revisions[0].current = true;
  return { revisions, current: { revision: 0, name: 'current', template: obj.spec?.template, current: true } };
}

export async function undoTo(c: Connection, ref: ObjectRef, target: Revision): Promise<void> {
  if (ref.kind === 'Deployment') {
    const d = await getObject<Deployment>(c, ref);
    if (d.spec?.paused) throw new Error(`cannot roll back a paused deployment; resume it first`);
    await patchObject(c, ref, 'json', deploymentUndoPatch(d, target));
    return;
  }
  // StatefulSet/DaemonSet: the ControllerRevision holds a strategic-merge patch of the spec (rollback.go).
  await patchObject(c, ref, 'strategic', target.data ?? {});
}

/**
 * Shows rollout progress in a notification until `rolloutStatus` says done (or failed), from the watch
 * cache — no polling. Cancel stops watching; the rollout itself goes on.
 */
export function watchRollout(ctx: Ctx, c: Connection, ref: ObjectRef, title: string): Thenable<void> {
  c.cache.ensure([ref.kind]);
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) =>
    new Promise<void>((resolve) => {
      let last = 0;
      const check = (): boolean => {
        const obj = c.cache.store.get(ref.kind, ref.namespace, ref.name);
        if (!obj) return false;
        const s = rolloutStatus(ref.kind, obj);
        const frac = Math.round((s.fraction ?? 0) * 100);
        progress.report({ message: s.message, increment: Math.max(0, frac - last) });
        last = Math.max(last, frac);
        if (s.failed) void vscode.window.showErrorMessage(s.message);
        else if (s.done) void vscode.window.setStatusBarMessage(`$(check) ${s.message}`, 5000);
        return s.done || !!s.failed;
      };
      // A fresh patch is not yet in the cache: wait one store update before trusting "done".
      let seenChange = false;
      const sub = c.cache.store.onDidChange((kinds) => {
        if (!kinds.has(ref.kind)) return;
        seenChange = true;
        if (check()) finish();
      });
      const timer = setTimeout(() => { if (!seenChange && check()) finish(); }, 3000);
      const finish = (): void => { sub.dispose(); clearTimeout(timer); cancel.dispose(); resolve(); };
      const cancel = token.onCancellationRequested(finish);
      ctx.log.info(`watching rollout of ${label(ref)}`);
    }));
}
