/**
 * Thin command handlers for activation: every command the extension contributes (package.json) that is not
 * already registered gets a stand-in. The first time any of them runs, all stand-ins are disposed, `load()`
 * registers the real commands (from a bundle required only now), and the call is re-dispatched to the real
 * handler with the same arguments. Later calls go straight to the real handlers.
 */
import * as vscode from 'vscode';
import type { Ctx } from '../ctx.ts';

export function registerLazyCommands(ctx: Ctx, load: () => void): void {
  const contributed = (ctx.extension.extension.packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes?.commands ?? [];
  const standIns: vscode.Disposable[] = [];
  let loaded = false;
  const loadOnce = (): void => {
    if (loaded) return;
    loaded = true;
    for (const d of standIns) d.dispose();
    load();
  };
  for (const { command } of contributed) {
    try {
      standIns.push(vscode.commands.registerCommand(command, (...args: unknown[]) => {
        loadOnce();
        return vscode.commands.executeCommand(command, ...args);
      }));
    } catch {
      // Registered eagerly by a module that must be live at activation (e.g. the CodeLens commands).
    }
  }
  ctx.register({ dispose: () => standIns.forEach((d) => d.dispose()) });
}
