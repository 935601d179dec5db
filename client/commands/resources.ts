/**
 * Any-resource actions: live read-only YAML, describe, edit-and-apply (a `wheelhouse-edit:` document whose
 * save replaces the object after a diff confirmation, with 409-conflict handling), delete, copy name,
 * reveal one Secret value on explicit request.
 */
import * as vscode from 'vscode';
import { stringify, parse } from 'yaml';
import type { Event, Secret } from 'kubernetes-types/core/v1';
import { guarded, type Ctx } from '../ctx.ts';
import type { KObject, ObjectRef } from '../model/objects.ts';
import { getObject, deleteObject, replaceObject } from '../kube/api.ts';
import { isConflict, errorText } from '../kube/rest.ts';
import { describe, forEditing } from '../model/describe.ts';
import { diffLines, diffStats, renderDiff } from '../model/diff.ts';
import { refFromArg, label } from './pick.ts';
import type { ReadonlyDocs } from './docs.ts';
import type { TreeNodeModel } from '../model/tree.ts';
import { encodeEditUri, decodeEditUri } from '../model/editUri.ts';

export const editScheme = 'wheelhouse-edit';

export function registerResources(ctx: Ctx, docs: ReadonlyDocs): void {
  const cmd = (id: string, fn: (arg: unknown) => unknown): void => ctx.register(vscode.commands.registerCommand(id, guarded(ctx, fn)));
  const need = (arg: unknown): ObjectRef => {
    const r = refFromArg(arg);
    if (!r) throw new Error(vscode.l10n.t('Run this command from an object in a Wheelhouse view.'));
    return r;
  };

  cmd('wheelhouse.viewYaml', async (arg) => {
    const ref = need(arg);
    const c = ctx.requireConnection();
    const render = (o: KObject): string => `# ${vscode.l10n.t('Live, read-only: {0} in {1}. Updates as the cluster changes.', label(ref), c.label)}\n${stringify(forEditing(o))}`;
    const uri = docs.show(`${ref.kind}-${ref.name}.yaml`, render(await getObject<KObject>(c, ref)));
    // Keep the document live from the watch cache while it is open.
    c.cache.ensure([ref.kind]);
    const sub = c.cache.store.onDidChange((kinds) => {
      if (!kinds.has(ref.kind)) return;
      const o = c.cache.store.get(ref.kind, ref.namespace, ref.name);
      if (o) docs.set(uri, render(o));
    });
    const closeSub = vscode.workspace.onDidCloseTextDocument((d) => { if (d.uri.toString() === uri.toString()) { sub.dispose(); closeSub.dispose(); } });
    ctx.register(sub, closeSub);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
    await vscode.window.showTextDocument(doc, { preview: true });
  });

  cmd('wheelhouse.describe', async (arg) => {
    const ref = need(arg);
    const c = ctx.requireConnection();
    const obj = await getObject<KObject>(c, ref);
    const events = c.cache.store.list<Event>('Event', ref.namespace || undefined)
      .filter((e) => e.involvedObject.kind === ref.kind && e.involvedObject.name === ref.name);
    const uri = docs.show(`${ref.kind}-${ref.name}.describe.txt`, describe(ref.kind, obj, events, Date.now()));
    await vscode.window.showTextDocument(uri, { preview: true });
  });

  cmd('wheelhouse.edit', async (arg) => {
    const ref = need(arg);
    const c = ctx.requireConnection();
    const uri = vscode.Uri.from({ scheme: editScheme, path: encodeEditUri(c.id, ref) });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'yaml');
    await vscode.window.showTextDocument(doc);
  });

  cmd('wheelhouse.delete', async (arg) => {
    const ref = need(arg);
    const yes = vscode.l10n.t('Delete');
    const pick = await vscode.window.showWarningMessage(vscode.l10n.t('Delete {0}?', label(ref)), { modal: true,
      detail: ref.kind === 'Pod' ? vscode.l10n.t('If a controller owns this pod, it creates a replacement.') : undefined }, yes);
    if (pick !== yes) return;
    await deleteObject(ctx.requireConnection(), ref);
  });

  cmd('wheelhouse.copyName', async (arg) => {
    const ref = need(arg);
    await vscode.env.clipboard.writeText(ref.name);
    void vscode.window.setStatusBarMessage(vscode.l10n.t('Copied {0}', ref.name), 3000);
  });

  cmd('wheelhouse.revealSecret', async (arg) => {
    const m = arg as TreeNodeModel | undefined;
    const ref = need(arg);
    if (ref.kind !== 'Secret') throw new Error(vscode.l10n.t('Reveal works on Secret keys.'));
    const secret = await getObject<Secret>(ctx.requireConnection(), ref);
    const keys = Object.keys(secret.data ?? {});
    const key = m?.key ?? await vscode.window.showQuickPick(keys, { title: vscode.l10n.t('Reveal which key of {0}?', ref.name) });
    if (!key) return;
    const raw = secret.data?.[key];
    if (raw === undefined) throw new Error(vscode.l10n.t('Secret {0} has no key {1}.', ref.name, key));
    const value = Buffer.from(raw, 'base64').toString('utf8');
    const copy = vscode.l10n.t('Copy');
    const pick = await vscode.window.showInformationMessage(vscode.l10n.t('{0}/{1}: {2}', ref.name, key, value), { modal: true }, copy);
    if (pick === copy) await vscode.env.clipboard.writeText(value);
  });

  ctx.register(vscode.workspace.registerFileSystemProvider(editScheme, new EditFs(ctx), { isCaseSensitive: true }));
}

/**
 * The edit documents. readFile = GET (without managedFields); writeFile = diff confirmation, then PUT with the
 * resourceVersion read at open time — a 409 means someone changed the object since: the user chooses to
 * overwrite (re-read the resourceVersion and PUT again) or to cancel and reload.
 */
class EditFs implements vscode.FileSystemProvider {
  private readonly emitter = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.emitter.event;
  private readonly opened = new Map<string, string>();

  constructor(private readonly ctx: Ctx) {}

  watch(): vscode.Disposable { return new vscode.Disposable(() => {}); }
  stat(): vscode.FileStat { return { type: vscode.FileType.File, ctime: 0, mtime: Date.now(), size: 0 }; }
  readDirectory(): [string, vscode.FileType][] { return []; }
  createDirectory(): void { throw vscode.FileSystemError.NoPermissions(); }
  delete(): void { throw vscode.FileSystemError.NoPermissions(); }
  rename(): void { throw vscode.FileSystemError.NoPermissions(); }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    const { ref } = decodeEditUri(uri.path);
    const obj = await getObject<KObject>(this.ctx.requireConnection(), ref);
    const text = stringify(forEditing(obj));
    this.opened.set(uri.toString(), text);
    return Buffer.from(text, 'utf8');
  }

  async writeFile(uri: vscode.Uri, content: Uint8Array): Promise<void> {
    const { ref } = decodeEditUri(uri.path);
    const c = this.ctx.requireConnection();
    const text = Buffer.from(content).toString('utf8');
    let edited: KObject;
    try { edited = parse(text) as KObject; } catch (err) { throw new Error(vscode.l10n.t('Not valid YAML: {0}', errorText(err))); }
    if (edited?.kind !== ref.kind || edited.metadata?.name !== ref.name) throw new Error(vscode.l10n.t('The document must stay {0}; kind and name cannot change.', label(ref)));
    const before = this.opened.get(uri.toString()) ?? '';
    const ops = diffLines(before, text);
    const st = diffStats(ops);
    if (st.added + st.removed === 0) return;
    const apply = vscode.l10n.t('Apply');
    const pick = await vscode.window.showWarningMessage(vscode.l10n.t('Apply your changes to {0} in {1}? (+{2} −{3} lines)', label(ref), c.label, st.added, st.removed),
      { modal: true, detail: renderDiff(ops).split('\n').slice(0, 40).join('\n') }, apply);
    if (pick !== apply) throw vscode.FileSystemError.Unavailable(vscode.l10n.t('Not applied.'));
    try {
      await replaceObject(c, edited);
    } catch (err) {
      if (!isConflict(err)) throw new Error(errorText(err));
      const overwrite = vscode.l10n.t('Overwrite');
      const again = await vscode.window.showWarningMessage(vscode.l10n.t('{0} changed on the cluster since you opened it.', label(ref)),
        { modal: true, detail: vscode.l10n.t('Overwrite applies your version over the newer one. Cancel keeps the cluster as it is; reopen the document to see the latest.') }, overwrite);
      if (again !== overwrite) throw vscode.FileSystemError.Unavailable(vscode.l10n.t('Conflict: not applied.'));
      const latest = await getObject<KObject>(c, ref);
      await replaceObject(c, { ...edited, metadata: { ...edited.metadata, resourceVersion: latest.metadata?.resourceVersion } });
    }
    const fresh = await getObject<KObject>(c, ref);
    this.opened.set(uri.toString(), stringify(forEditing(fresh)));
    void vscode.window.setStatusBarMessage(vscode.l10n.t('Applied {0}', label(ref)), 4000);
  }
}
