/// <reference types="mocha" />
// Runs inside VS Code's extension host (see index.ts): activation, the contributed commands and views, and a
// diagnostic from the language server on a broken manifest.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const extensionId = 'wheelhouse.wheelhouse';

async function eventually<T>(fn: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('Wheelhouse in the extension host', () => {
  it('activates and returns its API', async () => {
    const ext = vscode.extensions.getExtension(extensionId);
    assert.ok(ext, `${extensionId} is installed`);
    const api = (await ext.activate()) as { activeCluster(): string };
    assert.equal(api.activeCluster(), 'wheelhouse');
  });

  it('registers every command it contributes', async () => {
    const ext = vscode.extensions.getExtension(extensionId)!;
    const pkg = JSON.parse(readFileSync(join(ext.extensionPath, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = pkg.contributes.commands.map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, []);
  });

  it('opens its views', async () => {
    for (const view of ['wheelhouse.clusters', 'wheelhouse.nodes', 'wheelhouse.workloads', 'wheelhouse.network']) {
      await vscode.commands.executeCommand(`${view}.focus`);
    }
  });

  it('reports a diagnostic from the language server on a broken manifest', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test workspace is open');
    const uri = vscode.Uri.joinPath(folder.uri, 'broken.yaml');
    await vscode.window.showTextDocument(uri);
    const diags = await eventually(() => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length ? d : undefined;
    }, 'diagnostics on broken.yaml');
    assert.ok(diags.some((d) => /selectorr/.test(d.message) || d.range.start.line === 5), diags.map((d) => d.message).join('; '));
  });
});
