// The extension's entry point: builds the context object and lets each feature module register itself.
// Activation does no network or process work: the engine starts on first use, the language server when the
// first YAML document is open, informers when a view is shown (bench/extension measures this).
import { ActivationTrace, bundleReady } from './lazy/activationTrace.ts';
import * as vscode from 'vscode';
import { Ctx } from './ctx.ts';
import { registerViews } from './views/views.ts';
import { registerClusterCommands } from './commands/clusterCommands.ts';
import { registerRollout } from './commands/rollout.ts';
import { registerPods } from './commands/pods.ts';
import { registerResources } from './commands/resources.ts';
import { registerNodes } from './commands/nodes.ts';
import { registerApply } from './commands/apply.ts';
import { ReadonlyDocs, roScheme } from './commands/docs.ts';
import { registerStatusBar } from './statusBar.ts';
import { registerWalkthroughKeys } from './walkthrough.ts';
import { Lsp } from './lsp/languageClient.ts';
import { registerCodeLens } from './lsp/codeLens.ts';

export interface WheelhouseApi {
  /** The active cluster's id in the clusters registry. */
  activeCluster(): string;
}

export function activate(context: vscode.ExtensionContext): WheelhouseApi {
  const trace = new ActivationTrace();
  const ctx = new Ctx(context);
  trace.mark('ctx');
  try {
    const docs = new ReadonlyDocs();
    ctx.register(docs, vscode.workspace.registerTextDocumentContentProvider(roScheme, docs));
    registerClusterCommands(ctx);
    registerRollout(ctx, docs);
    registerPods(ctx);
    registerResources(ctx, docs);
    registerNodes(ctx);
    registerApply(ctx, docs);
    trace.mark('commands');
    registerStatusBar(ctx);
    registerWalkthroughKeys(ctx);
    registerViews(ctx);
    trace.mark('views');
    const lsp = new Lsp(ctx);
    ctx.register(lsp);
    registerCodeLens(ctx, lsp, docs);
    const startLsp = (d: vscode.TextDocument): void => { if (d.languageId === 'yaml') void lsp.start(); };
    ctx.register(vscode.workspace.onDidOpenTextDocument(startLsp));
    setTimeout(() => vscode.workspace.textDocuments.forEach(startLsp), 0);
    trace.mark('lsp');
    trace.finish();
  } catch (err) {
    // Surface activation failures instead of leaving views silently empty.
    void vscode.window.showErrorMessage(vscode.l10n.t('Wheelhouse failed to activate: {0}', (err as Error).message));
    throw err;
  }
  return { activeCluster: () => ctx.clusters.activeId };
}

export function deactivate(): void {}

bundleReady();
