/**
 * Read-only virtual documents (scheme `wheelhouse-ro`): describe output, revision templates, live YAML.
 * A document registered with a `refresh` function re-renders when asked (the live YAML view asks on every
 * change of its object in the watch cache).
 */
import * as vscode from 'vscode';

export const roScheme = 'wheelhouse-ro';

export class ReadonlyDocs implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private seq = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '';
  }

  /** Registers content under a fresh URI ending in `name` (the extension decides the language mode). */
  show(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: roScheme, path: `/${++this.seq}/${name}` });
    this.contents.set(uri.toString(), text);
    return uri;
  }

  /** A stable URI whose content can be updated in place. */
  set(uri: vscode.Uri, text: string): void {
    if (this.contents.get(uri.toString()) === text) return;
    this.contents.set(uri.toString(), text);
    this.emitter.fire(uri);
  }

  dispose(): void {
    this.emitter.dispose();
    this.contents.clear();
  }
}
