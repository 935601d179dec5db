/**
 * "Wheelhouse: Import Docker Compose File…": runs `dist/engine.js convert FILE` on VS Code's own Node
 * (ELECTRON_RUN_AS_NODE=1 process.execPath, as the bundled engine is started), then opens the manifests as a
 * new untitled YAML document or writes `<name>.k8s.yaml` next to the Compose file (asking before it
 * overwrites), and shows the conversion report (what changed meaning or could not be mapped) in the
 * "Wheelhouse Compose Import" output channel. The conversion itself lives in engine/convert (one code path
 * for the CLI and the extension).
 */
import * as vscode from 'vscode';
import { spawn } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { guarded, type Ctx } from '../ctx.ts';

interface Converted {
  code: number;
  stdout: string;
  stderr: string;
}

function runConvert(script: string, file: string, output?: string): Promise<Converted> {
  return new Promise((resolve, reject) => {
    const args = [script, 'convert', basename(file), ...(output ? ['-o', output] : [])];
    const child = spawn(process.execPath, args, { cwd: dirname(file), env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** `docker-compose.yml` → `docker-compose.k8s.yaml`, `compose.prod.yaml` → `compose.prod.k8s.yaml`. */
export function outputName(file: string): string {
  return basename(file).replace(/\.ya?ml$/i, '') + '.k8s.yaml';
}

const composeName = /^(docker-)?compose[^/]*\.ya?ml$/i;

async function pickComposeFile(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && composeName.test(basename(active.fsPath))) return active;
  const found = await vscode.workspace.findFiles('**/{docker-compose,compose}*.{yml,yaml}', '**/node_modules/**', 50);
  if (found.length > 0) {
    const pick = await vscode.window.showQuickPick(
      [...found.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u as vscode.Uri | undefined })), { label: vscode.l10n.t('Choose another file…'), uri: undefined }],
      { title: vscode.l10n.t('Import which Docker Compose file?') },
    );
    if (!pick) return undefined;
    if (pick.uri) return pick.uri;
  }
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { [vscode.l10n.t('Compose files')]: ['yml', 'yaml'] }, title: vscode.l10n.t('Import which Docker Compose file?') });
  return chosen?.[0];
}

export function registerCompose(ctx: Ctx): void {
  let channel: vscode.OutputChannel | undefined;
  const report = (): vscode.OutputChannel => {
    if (!channel) {
      channel = vscode.window.createOutputChannel(vscode.l10n.t('Wheelhouse Compose Import'));
      ctx.register(channel);
    }
    return channel;
  };

  ctx.register(vscode.commands.registerCommand('wheelhouse.importCompose', guarded(ctx, async (arg: unknown) => {
    const uri = await pickComposeFile(arg);
    if (!uri) return;
    if (uri.scheme !== 'file') throw new Error(vscode.l10n.t('Only Compose files on disk can be imported.'));
    const file = uri.fsPath;
    const outName = outputName(file);
    const untitled = { label: vscode.l10n.t('Open as a new document'), description: vscode.l10n.t('review, then save or apply it'), save: false };
    const save = { label: vscode.l10n.t('Save as {0}', outName), description: vscode.l10n.t('next to the Compose file'), save: true };
    const how = await vscode.window.showQuickPick([untitled, save], { title: vscode.l10n.t('Import {0} as Kubernetes manifests', basename(file)) });
    if (!how) return;
    const target = join(dirname(file), outName);
    if (how.save) {
      const exists = await vscode.workspace.fs.stat(vscode.Uri.file(target)).then(() => true, () => false);
      if (exists) {
        const overwrite = vscode.l10n.t('Overwrite');
        const answer = await vscode.window.showWarningMessage(vscode.l10n.t('{0} already exists. Overwrite it?', outName), { modal: true }, overwrite);
        if (answer !== overwrite) return;
      }
    }
    const script = vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'engine.js').fsPath;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Converting {0}…', basename(file)) },
      () => runConvert(script, file, how.save ? outName : undefined),
    );
    const out = report();
    out.appendLine(`── ${file}`);
    out.appendLine(result.stderr.trimEnd());
    if (result.code !== 0) {
      out.show(true);
      throw new Error(result.stderr.trim().split('\n')[0]?.replace(/^wheelhouse convert:\s*/, '') || vscode.l10n.t('The conversion failed (exit code {0}).', result.code));
    }
    if (how.save) {
      await vscode.window.showTextDocument(vscode.Uri.file(target));
    } else {
      const doc = await vscode.workspace.openTextDocument({ language: 'yaml', content: result.stdout });
      await vscode.window.showTextDocument(doc);
    }
    const issues = result.stderr.split('\n').filter((l) => /^(unmapped|changed)\s/.test(l)).length;
    const show = vscode.l10n.t('Show Report');
    const message = issues > 0
      ? vscode.l10n.t('Converted {0}. {1} item(s) could not be mapped or changed meaning: see the report.', basename(file), issues)
      : vscode.l10n.t('Converted {0}. Everything was mapped.', basename(file));
    const choice = await vscode.window.showInformationMessage(message, show);
    if (choice === show) out.show();
  })));
}
