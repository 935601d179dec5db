/**
 * Apply and delete from files: the active editor (or its selection), a file or folder from the explorer.
 * Server-side apply (field manager "wheelhouse"); with `wheelhouse.apply.dryRunDiff` a server dry-run runs
 * first and the live ↔ result diff is shown before anything changes. Field-manager conflicts offer --force-conflicts.
 */
import * as vscode from 'vscode';
import { stringify } from 'yaml';
import { guarded, type Ctx } from '../ctx.ts';
import type { Connection } from '../kube/clusters.ts';
import type { KObject } from '../model/objects.ts';
import { applyObject, getObject, deleteObject, resourceOf } from '../kube/api.ts';
import { isConflict, isNotFound, errorText } from '../kube/rest.ts';
import { parseManifests, applyOrder, describeRef, type ManifestDoc } from '../model/manifests.ts';
import { forEditing } from '../model/describe.ts';
import type { ReadonlyDocs } from './docs.ts';

export interface Source { name: string; text: string }

async function sourcesFrom(arg: unknown, selectionOnly: boolean): Promise<Source[]> {
  const uris = arg instanceof vscode.Uri ? [arg] : [];
  if (uris.length === 0) {
    const ed = vscode.window.activeTextEditor;
    if (!ed) throw new Error(vscode.l10n.t('Open a manifest file (or pick one in the explorer) first.'));
    const text = selectionOnly && !ed.selection.isEmpty ? ed.document.getText(ed.selection) : ed.document.getText();
    return [{ name: vscode.workspace.asRelativePath(ed.document.uri), text }];
  }
  const out: Source[] = [];
  for (const uri of uris) {
    const stat = await vscode.workspace.fs.stat(uri);
    const files = stat.type & vscode.FileType.Directory
      ? await vscode.workspace.findFiles(new vscode.RelativePattern(uri, '**/*.{yaml,yml,json}'), '**/node_modules/**')
      : [uri];
    for (const f of files.sort((a, b) => a.fsPath.localeCompare(b.fsPath))) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === f.toString());
      out.push({ name: vscode.workspace.asRelativePath(f), text: open ? open.getText() : Buffer.from(await vscode.workspace.fs.readFile(f)).toString('utf8') });
    }
  }
  return out;
}

export function collect(sources: readonly Source[]): { docs: ManifestDoc[]; errors: string[] } {
  const docs: ManifestDoc[] = [];
  const errors: string[] = [];
  for (const s of sources) {
    const p = parseManifests(s.text, s.name);
    docs.push(...p.docs);
    errors.push(...p.errors);
  }
  return { docs: applyOrder(docs), errors };
}

export function registerApply(ctx: Ctx, docsProvider: ReadonlyDocs): void {
  const cmd = (id: string, fn: (arg: unknown) => unknown): void => ctx.register(vscode.commands.registerCommand(id, guarded(ctx, fn)));
  cmd('wheelhouse.apply', async (arg) => applySources(ctx, docsProvider, await sourcesFrom(arg, false)));
  cmd('wheelhouse.applySelection', async () => applySources(ctx, docsProvider, await sourcesFrom(undefined, true)));
  cmd('wheelhouse.deleteFromFile', async (arg) => deleteSources(ctx, await sourcesFrom(arg, false)));
}

export async function applySources(ctx: Ctx, docsProvider: ReadonlyDocs, sources: Source[], opts: { skipDiff?: boolean } = {}): Promise<void> {
  const { docs, errors } = collect(sources);
  if (errors.length && docs.length === 0) throw new Error(errors.join('\n'));
  if (docs.length === 0) throw new Error(vscode.l10n.t('No Kubernetes objects found.'));
  const c = await connectForApply(ctx);
  const ns = ctx.namespace;
  if (!opts.skipDiff && vscode.workspace.getConfiguration('wheelhouse').get<boolean>('apply.dryRunDiff', false)) {
    if (!(await confirmWithDryRun(c, docsProvider, docs, ns))) return;
  }
  const results: string[] = [];
  const failures: string[] = [...errors];
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Applying to {0}', c.label) }, async (progress) => {
    for (const d of docs) {
      progress.report({ message: describeRef(d.object), increment: 100 / docs.length });
      try {
        await applyWithConflictChoice(c, d.object, ns);
        results.push(describeRef(d.object));
      } catch (err) {
        failures.push(`${describeRef(d.object)}: ${errorText(err)}`);
      }
    }
  });
  ctx.log.info(`applied ${results.join(', ')}${failures.length ? `; failed: ${failures.join('; ')}` : ''}`);
  if (failures.length) void vscode.window.showErrorMessage(vscode.l10n.t('Applied {0} of {1} objects. {2}', results.length, docs.length + errors.length, failures.join(' · ')));
  else void vscode.window.showInformationMessage(vscode.l10n.t('Applied {0} to {1}.', results.join(', '), c.label));
}

async function connectForApply(ctx: Ctx): Promise<Connection> {
  let c = ctx.connection();
  if (!c && ctx.clusters.activeId === 'wheelhouse') {
    // Applying is a first use: start the bundled cluster (unless disabled) and carry on.
    if (vscode.workspace.getConfiguration('wheelhouse').get<boolean>('engine.autoStart', true) && await ctx.engine.start()) c = ctx.connection();
  }
  if (!c) return ctx.requireConnection();
  return c;
}

async function applyWithConflictChoice(c: Connection, obj: KObject, ns: string | undefined): Promise<void> {
  try {
    await applyObject(c, obj, { namespace: ns });
  } catch (err) {
    if (!isConflict(err)) throw err;
    const force = vscode.l10n.t('Force (take ownership)');
    const pick = await vscode.window.showWarningMessage(vscode.l10n.t('{0}: another field manager owns some of these fields.', describeRef(obj)),
      { modal: true, detail: errorText(err) }, force);
    if (pick !== force) throw err;
    await applyObject(c, obj, { namespace: ns, force: true });
  }
}

async function confirmWithDryRun(c: Connection, docsProvider: ReadonlyDocs, docs: readonly ManifestDoc[], ns: string | undefined): Promise<boolean> {
  let live = '';
  let result = '';
  for (const d of docs) {
    const head = `# ${describeRef(d.object)}\n`;
    try {
      const r = await resourceOf(c, d.object.apiVersion ?? '', d.object.kind ?? '');
      const namespace = r.namespaced ? d.object.metadata?.namespace ?? ns ?? c.defaultNamespace : '';
      const ref = { apiVersion: d.object.apiVersion ?? '', kind: d.object.kind ?? '', namespace, name: d.object.metadata?.name ?? '' };
      const current = await getObject<KObject>(c, ref).catch((err) => { if (isNotFound(err)) return undefined; throw err; });
      const after = await applyObject(c, d.object, { namespace: ns, dryRun: true });
      live += head + (current ? stringify(strip(current)) : '# (does not exist yet)\n') + '---\n';
      result += head + stringify(strip(after)) + '---\n';
    } catch (err) {
      result += `${head}# dry-run failed: ${errorText(err)}\n---\n`;
      live += head + '---\n';
    }
  }
  const left = docsProvider.show('live.yaml', live);
  const right = docsProvider.show('after-apply.yaml', result);
  await vscode.commands.executeCommand('vscode.diff', left, right, vscode.l10n.t('Cluster now ↔ after apply (server dry-run)'));
  const go = vscode.l10n.t('Apply');
  return (await vscode.window.showInformationMessage(vscode.l10n.t('Apply these changes to {0}?', c.label), { modal: true }, go)) === go;
}

/** Fields the server changes on every write; hidden so the diff shows what the manifest changes. */
function strip(o: KObject): KObject {
  const copy = forEditing(o);
  const meta = copy.metadata as Record<string, unknown> | undefined;
  if (meta) for (const f of ['resourceVersion', 'generation', 'uid', 'creationTimestamp']) delete meta[f];
  delete (copy as { status?: unknown }).status;
  return copy;
}

export async function deleteSources(ctx: Ctx, sources: Source[]): Promise<void> {
  const { docs, errors } = collect(sources);
  if (docs.length === 0) throw new Error(errors.join('\n') || vscode.l10n.t('No Kubernetes objects found.'));
  const c = ctx.requireConnection();
  const yes = vscode.l10n.t('Delete');
  const pick = await vscode.window.showWarningMessage(vscode.l10n.t('Delete {0} objects from {1}?', docs.length, c.label),
    { modal: true, detail: docs.map((d) => describeRef(d.object)).join('\n') }, yes);
  if (pick !== yes) return;
  const failures: string[] = [];
  for (const d of [...docs].reverse()) {
    try {
      const r = await resourceOf(c, d.object.apiVersion ?? '', d.object.kind ?? '');
      const namespace = r.namespaced ? d.object.metadata?.namespace ?? ctx.namespace ?? c.defaultNamespace : '';
      await deleteObject(c, { apiVersion: d.object.apiVersion ?? '', kind: d.object.kind ?? '', namespace, name: d.object.metadata?.name ?? '' });
    } catch (err) {
      if (!isNotFound(err)) failures.push(`${describeRef(d.object)}: ${errorText(err)}`);
    }
  }
  if (failures.length) void vscode.window.showErrorMessage(failures.join(' · '));
  else void vscode.window.showInformationMessage(vscode.l10n.t('Deleted {0} objects.', docs.length));
}
