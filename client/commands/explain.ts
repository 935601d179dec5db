/**
 * "Why is this pod Pending / not Ready / restarting?": the command on pods in the tree (and from the palette),
 * and a hover on the `kind:` / `metadata.name` lines of workload manifests that explains the live pods of
 * that object in the active cluster. Both read the watch cache the views use (no extra requests, no polling);
 * the words come from model/explain.ts.
 */
import * as vscode from 'vscode';
import type { Event, Node, Pod } from 'kubernetes-types/core/v1';
import { guarded, type Ctx } from '../ctx.ts';
import type { Connection } from '../kube/clusters.ts';
import { explainPod, explainWorkload, hoverTarget, workloadMarkdown, type LiveState } from '../model/explain.ts';
import { getObject, listObjects } from '../kube/api.ts';
import { pickObject } from './pick.ts';

const liveKinds = ['Pod', 'ReplicaSet', 'Event', 'Node', 'Deployment', 'StatefulSet', 'DaemonSet', 'Job'];

function liveState(c: Connection, namespace: string | undefined): LiveState {
  const store = c.cache.store;
  return {
    pods: store.list<Pod>('Pod', namespace),
    replicaSets: store.list('ReplicaSet', namespace),
    events: store.list<Event>('Event', namespace),
    nodes: store.list<Node>('Node'),
  };
}

export function registerExplain(ctx: Ctx): void {
  ctx.register(vscode.commands.registerCommand('wheelhouse.explainPod', guarded(ctx, async (arg: unknown) => {
    const ref = await pickObject(ctx, arg, ['Pod'], vscode.l10n.t('Explain which pod?'));
    if (!ref) return;
    const c = ctx.requireConnection();
    c.cache.ensure(liveKinds);
    // The cache is what the views show; kinds no view has loaded yet are read once from the API instead.
    const pod = c.cache.store.get<Pod>('Pod', ref.namespace, ref.name)
      ?? (await getObject<Pod>(c, ref).catch(() => undefined));
    if (!pod) throw new Error(vscode.l10n.t('Pod {0} is no longer in the cluster.', ref.name));
    const live = liveState(c, ref.namespace);
    const events = c.cache.store.isSynced('Event') ? live.events : await listObjects<Event>(c, 'v1', 'Event', ref.namespace);
    const node = c.cache.store.isSynced('Node')
      ? live.nodes.find((n) => n.metadata?.name === pod.spec?.nodeName)
      : pod.spec?.nodeName ? await getObject<Node>(c, { apiVersion: 'v1', kind: 'Node', namespace: '', name: pod.spec.nodeName }).catch(() => undefined) : undefined;
    const e = explainPod(pod, events, node, vscode.l10n);
    const showEvents = vscode.l10n.t('Show Events');
    const choice = await vscode.window.showInformationMessage(e.headline, { modal: true, detail: e.details.join('\n\n') }, showEvents);
    if (choice === showEvents) {
      // The Events view filtered to this pod (the same filter the "Filter Events" command sets).
      ctx.setEventFilter(`Pod/${ref.name}`);
      await vscode.commands.executeCommand('wheelhouse.events.focus');
    }
  })));

  ctx.register(vscode.languages.registerHoverProvider({ language: 'yaml' }, {
    provideHover(document, position) {
      const target = hoverTarget(document.getText(), position.line);
      if (!target) return undefined;
      // Only explain when the views already have a connection: a hover must never start the engine.
      const c = ctx.clusters.connection();
      if (!c) return undefined;
      c.cache.ensure(liveKinds);
      if (!c.cache.store.isSynced('Pod')) return undefined;
      const namespace = target.namespace ?? c.defaultNamespace;
      const owner = c.cache.store.get(target.kind, namespace, target.name);
      const w = explainWorkload({ ...target, namespace }, owner, liveState(c, namespace), vscode.l10n);
      const md = new vscode.MarkdownString(workloadMarkdown(w));
      md.appendMarkdown(`\n\n_${vscode.l10n.t('Live state in cluster {0}', c.label)}_`);
      return new vscode.Hover(md);
    },
  }));
}

