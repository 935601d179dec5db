/**
 * Resolving a command's target: a tree row passes its TreeNodeModel; from the command palette the user
 * picks among the active cluster's objects of the allowed kinds.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.ts';
import type { ObjectRef } from '../model/objects.ts';
import { refOf } from '../model/objects.ts';
import type { TreeNodeModel } from '../model/tree.ts';

export function refFromArg(arg: unknown): ObjectRef | undefined {
  const m = arg as TreeNodeModel | undefined;
  if (m && typeof m === 'object' && m.ref && m.ref.kind && m.ref.name) return m.ref;
  const r = arg as ObjectRef | undefined;
  if (r && typeof r === 'object' && typeof r.kind === 'string' && typeof r.name === 'string' && typeof r.apiVersion === 'string') return r;
  return undefined;
}

export async function pickObject(ctx: Ctx, arg: unknown, kinds: readonly string[], title: string): Promise<ObjectRef | undefined> {
  const ref = refFromArg(arg);
  if (ref && kinds.includes(ref.kind)) return ref;
  const c = ctx.requireConnection();
  c.cache.ensure(kinds);
  const items = kinds.flatMap((k) => c.cache.store.list(k, ctx.namespace).map((o) => ({
    label: o.metadata?.name ?? '',
    description: `${k}${o.metadata?.namespace ? ` · ${o.metadata.namespace}` : ''}`,
    ref: refOf(o, k, k === 'Pod' ? 'v1' : undefined),
  })));
  if (items.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No {0} in the active cluster.', kinds.join(', ')));
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(items, { title, matchOnDescription: true });
  if (!pick) return undefined;
  const full = c.cache.store.get(pick.ref.kind, pick.ref.namespace, pick.ref.name);
  return full ? refOf(full, pick.ref.kind, apiVersionOf(pick.ref.kind)) : { ...pick.ref, apiVersion: apiVersionOf(pick.ref.kind) };
}

export function apiVersionOf(kind: string): string {
  switch (kind) {
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': return 'apps/v1';
    case 'Job': case 'CronJob': return 'batch/v1';
    case 'Ingress': return 'networking.k8s.io/v1';
    case 'StorageClass': return 'storage.k8s.io/v1';
    default: return 'v1';
  }
}

export function label(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
