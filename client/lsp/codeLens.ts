/**
 * CodeLens on each manifest document, from the language server's `wheelhouse/codeLensData`:
 * "Apply", "Delete" and the object's live status in the active cluster (from the watch cache, so lenses
 * refresh when the object changes, not on a timer).
 */
import * as vscode from 'vscode';
import type { CodeLensObject } from '../../server/protocol.ts';
import type { Ctx } from '../ctx.ts';
import type { Lsp } from './languageClient.ts';
import { kindInfo } from '../model/kinds.ts';
import { liveStatusText } from '../model/liveStatus.ts';
import { applySources, deleteSources } from '../commands/apply.ts';
import type { ReadonlyDocs } from '../commands/docs.ts';
import { guarded } from '../ctx.ts';

export function registerCodeLens(ctx: Ctx, lsp: Lsp, docs: ReadonlyDocs): void {
  const changed = new vscode.EventEmitter<void>();
  let sub: vscode.Disposable | undefined;
  const attach = (): void => {
    sub?.dispose();
    sub = ctx.clusters.connection()?.cache.store.onDidChange(() => changed.fire());
    changed.fire();
  };
  const provider: vscode.CodeLensProvider = {
    onDidChangeCodeLenses: changed.event,
    async provideCodeLenses(doc) {
      if (!vscode.workspace.getConfiguration('wheelhouse').get<boolean>('codeLens.enabled', true)) return [];
      let objects: CodeLensObject[];
      try { objects = await lsp.codeLensData(doc.uri); } catch { return []; }
      const c = ctx.clusters.connection();
      const lenses: vscode.CodeLens[] = [];
      for (const o of objects) {
        const r = new vscode.Range(o.kindRange.start.line, o.kindRange.start.character, o.kindRange.end.line, o.kindRange.end.character);
        const docRange = new vscode.Range(o.range.start.line, o.range.start.character, o.range.end.line, o.range.end.character);
        if (!o.hasErrors) lenses.push(new vscode.CodeLens(r, { title: vscode.l10n.t('$(cloud-upload) Apply'), command: 'wheelhouse.applyRange', arguments: [doc.uri, docRange] }));
        if (o.name) lenses.push(new vscode.CodeLens(r, { title: vscode.l10n.t('$(trash) Delete'), command: 'wheelhouse.deleteRange', arguments: [doc.uri, docRange] }));
        if (o.name && c) {
          const k = kindInfo(o.kind);
          if (k && k.apiVersion === o.apiVersion) {
            c.cache.ensure([o.kind]);
            const ns = k.namespaced ? o.namespace ?? ctx.namespace ?? c.defaultNamespace : '';
            const live = c.cache.store.get(o.kind, ns, o.name);
            const text = liveStatusText(o.kind, live, c.cache.store.isSynced(o.kind));
            lenses.push(new vscode.CodeLens(r, live
              ? { title: text, command: 'wheelhouse.viewYaml', arguments: [{ apiVersion: o.apiVersion, kind: o.kind, namespace: ns, name: o.name }] }
              : { title: text, command: '' }));
          }
        }
      }
      return lenses;
    },
  };
  ctx.register(vscode.languages.registerCodeLensProvider({ language: 'yaml' }, provider), changed, ctx.clusters.onDidChangeActive(attach), { dispose: () => sub?.dispose() });
  const rangeSource = async (uri: vscode.Uri, range: vscode.Range): Promise<{ name: string; text: string }[]> => {
    const doc = await vscode.workspace.openTextDocument(uri);
    return [{ name: vscode.workspace.asRelativePath(uri), text: doc.getText(range) }];
  };
  ctx.register(
    vscode.commands.registerCommand('wheelhouse.applyRange', guarded(ctx, async (uri: vscode.Uri, range: vscode.Range) => applySources(ctx, docs, await rangeSource(uri, range)))),
    vscode.commands.registerCommand('wheelhouse.deleteRange', guarded(ctx, async (uri: vscode.Uri, range: vscode.Range) => deleteSources(ctx, await rangeSource(uri, range)))),
  );
}
