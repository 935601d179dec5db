// The extension's entry point: builds the context object and lets each feature module register itself.
// Activation does no network or process work: the engine starts on first use, the language server when the
// first YAML document is open, informers when a view is shown (bench/extension measures this).
import { ActivationTrace, bundleReady } from './lazy/activationTrace.ts';
import * as vscode from 'vscode';
import { Ctx } from './ctx.ts';
import { registerViews } from './views/views.ts';
import { registerLazyCommands } from './lazy/lazyCommands.ts';
import type * as CommandsModule from './lazy/commands.ts';
import { ReadonlyDocs, roScheme } from './commands/docs.ts';
import { registerStatusBar } from './statusBar.ts';
import { registerWalkthroughKeys } from './walkthrough.ts';
import { Lsp } from './lsp/languageClient.ts';
import { registerCodeLens } from './lsp/codeLens.ts';
import { registerExplain } from './commands/explain.ts';

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
    registerStatusBar(ctx);
    registerWalkthroughKeys(ctx);
    registerViews(ctx);
    trace.mark('views');
    const lsp = new Lsp(ctx);
    ctx.register(lsp);
    registerCodeLens(ctx, lsp, docs);
    trace.mark('codeLens');
    // Feature modules that must be live from activation (providers such as hovers or CodeLens, with their
    // commands) register here, before registerLazyCommands, e.g. registerExplain(ctx).
    // Command-only modules go in lazy/commands.ts (e.g. registerCompose(ctx)): they load on the first command run,
    // behind stand-ins for every contributed command not registered by then.
    registerExplain(ctx);
    trace.mark('explain');
    registerLazyCommands(ctx, () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      (require('./client-commands.js') as typeof CommandsModule).registerCommands(ctx, docs);
    });
    trace.mark('commands');
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
