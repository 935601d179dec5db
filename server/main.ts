/**
 * The language server's entry point (issue 7): `node dist/server.js --stdio` speaks LSP on its own.
 * This file only wires the connection to the LanguageService: document sync, diagnostics scheduling, the
 * workspace scan and file watching, settings, and the request handlers (each guarded so a bug answers empty
 * instead of killing the server).
 */
import { createConnection, DidChangeWatchedFilesNotification, FileChangeType, ProposedFeatures, TextDocuments, TextDocumentSyncKind } from 'vscode-languageserver/node';
import type { InitializeParams, InitializeResult } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { promises as fs } from 'node:fs';
import type { Dirent } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LanguageService } from './service.ts';
import { complete } from './completion.ts';
import { hover } from './hover.ts';
import { definition, documentSymbols, foldingRanges, references, workspaceSymbols } from './navigation.ts';
import { codeActions } from './actions.ts';
import { clusterObjectsMethod, codeLensDataMethod, customResourceSchemasMethod } from './protocol.ts';
import type { ClusterObjectsParams, CodeLensDataParams, CodeLensDataResult, CustomResourceSchemasParams, ServerSettings } from './protocol.ts';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const service = new LanguageService();
let folders: string[] = [];
let canPullConfig = false;
let canWatch = false;

const MAX_SCAN_FILES = 5000;
const MAX_SCAN_BYTES = 2 * 1024 * 1024;
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'out', 'vendor', '.cache', 'target', 'build']);

function guard<P, R>(name: string, fallback: R, fn: (p: P) => R): (p: P) => R {
  return (p: P) => {
    try {
      return fn(p);
    } catch (e) {
      connection.console.error(`${name} failed: ${e instanceof Error ? e.stack ?? e.message : String(e)}`);
      return fallback;
    }
  };
}

const isYamlUri = (uri: string) => /\.ya?ml$/i.test(uri) || /(^|\/)Kustomization$/.test(uri);

// ---- diagnostics scheduling: the edited document at once, other open documents shortly after ----
const pending = new Set<string>();
let flushScheduled = false;
let othersTimer: NodeJS.Timeout | undefined;

function publish(uri: string): void {
  const doc = documents.get(uri);
  const model = service.model(uri);
  if (!doc || !model || model.version !== doc.version) return; // stale: a newer version is on its way
  const diagnostics = guard('diagnostics', [], () => service.diagnostics(uri))(undefined);
  void connection.sendDiagnostics({ uri, version: doc.version, diagnostics });
}

function schedule(uri: string): void {
  pending.add(uri);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(() => {
      flushScheduled = false;
      const uris = [...pending];
      pending.clear();
      for (const u of uris) publish(u);
    });
  }
}

function scheduleOthers(except?: string, delay = 250): void {
  if (othersTimer) clearTimeout(othersTimer);
  othersTimer = setTimeout(() => {
    othersTimer = undefined;
    for (const u of service.openUris()) if (u !== except) publish(u);
  }, delay);
}

function sync(doc: TextDocument): void {
  if (!isYamlUri(doc.uri) && doc.languageId !== 'yaml') return;
  guard('update', undefined, () => service.update(doc.uri, doc.version, doc.getText()))(undefined);
  schedule(doc.uri);
  scheduleOthers(doc.uri);
}

documents.onDidOpen((e) => sync(e.document));
documents.onDidChangeContent((e) => sync(e.document));
documents.onDidClose((e) => {
  const uri = e.document.uri;
  void connection.sendDiagnostics({ uri, diagnostics: [] });
  if (uri.startsWith('file:') && folders.some((f) => fileURLToPath(uri).startsWith(f))) {
    fs.readFile(fileURLToPath(uri), 'utf8').then((t) => service.close(uri, t), () => service.close(uri));
  } else {
    service.close(uri);
  }
  scheduleOthers();
});

// ---- settings ----
async function loadSettings(pushed?: unknown): Promise<void> {
  let s: unknown = pushed;
  if (canPullConfig) {
    try {
      [s] = await connection.workspace.getConfiguration([{ section: 'wheelhouse' }]);
    } catch { /* keep what was pushed */ }
  }
  service.setSettings((s ?? undefined) as Partial<ServerSettings> | undefined);
  for (const u of service.openUris()) publish(u);
}

// ---- workspace scan ----
async function scan(dir: string, out: string[], depth = 0): Promise<void> {
  if (out.length >= MAX_SCAN_FILES || depth > 20) return;
  let entries: Dirent[];
  try { entries = await fs.readdir(dir, { withFileTypes: true }); } catch { return; }
  for (const e of entries) {
    if (out.length >= MAX_SCAN_FILES) return;
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) await scan(join(dir, e.name), out, depth + 1);
    } else if (e.isFile() && (/\.ya?ml$/i.test(e.name) || e.name === 'Kustomization')) {
      out.push(join(dir, e.name));
    }
  }
}

async function loadFile(path: string): Promise<void> {
  const uri = pathToFileURL(path).href;
  if (service.isOpen(uri)) return;
  try {
    const st = await fs.stat(path);
    if (st.size > MAX_SCAN_BYTES) return;
    service.update(uri, 0, await fs.readFile(path, 'utf8'), false);
  } catch {
    service.forget(uri);
  }
}

async function scanWorkspace(): Promise<void> {
  if (!service.settings.scanWorkspace) return;
  const files: string[] = [];
  for (const f of folders) await scan(f, files);
  for (let i = 0; i < files.length; i++) {
    await loadFile(files[i]);
    if (i % 50 === 49) await new Promise((r) => setImmediate(r)); // let requests in
  }
  scheduleOthers(undefined, 0);
}

connection.onInitialize((params: InitializeParams): InitializeResult => {
  folders = (params.workspaceFolders ?? []).filter((f) => f.uri.startsWith('file:')).map((f) => fileURLToPath(f.uri));
  if (folders.length === 0 && params.rootUri?.startsWith('file:')) folders = [fileURLToPath(params.rootUri)];
  canPullConfig = !!params.capabilities.workspace?.configuration;
  canWatch = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
  const init = params.initializationOptions as { settings?: unknown } | undefined;
  service.setSettings((init?.settings ?? undefined) as Partial<ServerSettings> | undefined);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      completionProvider: { triggerCharacters: [':', ' ', '-'], resolveProvider: false },
      hoverProvider: true,
      documentSymbolProvider: true,
      workspaceSymbolProvider: true,
      foldingRangeProvider: true,
      definitionProvider: true,
      referencesProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
    },
    serverInfo: { name: 'wheelhouse-language-server', version: '0.1.0' },
  };
});

/** Loads the schema and warms the parser and validator, so the first document opened is not the one that pays. */
function warmUp(): void {
  const uri = 'wheelhouse:warm-up.yaml';
  service.update(uri, 0, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: w }\nspec:\n  selector: { matchLabels: { a: b } }\n  template:\n    metadata: { labels: { a: b } }\n    spec: { containers: [{ name: c, image: x:1 }] }\n', false);
  service.diagnostics(uri);
  service.forget(uri);
}

connection.onInitialized(() => {
  guard('warm-up', undefined, warmUp)(undefined);
  if (canWatch) void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{yaml,yml}' }, { globPattern: '**/Kustomization' }] });
  void loadSettings().then(() => scanWorkspace());
});

connection.onDidChangeConfiguration((p) => {
  const s = (p.settings as { wheelhouse?: unknown } | undefined)?.wheelhouse;
  void loadSettings(s);
});

connection.onDidChangeWatchedFiles(async (p) => {
  for (const c of p.changes) {
    if (!c.uri.startsWith('file:') || service.isOpen(c.uri)) continue;
    if (c.type === FileChangeType.Deleted) service.forget(c.uri);
    else await loadFile(fileURLToPath(c.uri));
  }
  scheduleOthers(undefined, 50);
});

// ---- requests ----
function modelAt(uri: string) {
  const m = service.model(uri);
  const d = documents.get(uri);
  return m && d && m.version === d.version ? m : undefined;
}

connection.onCompletion(guard('completion', [], (p) => {
  const m = modelAt(p.textDocument.uri);
  return m ? complete(m, m.text.offsetAt(p.position), service.index) : [];
}));
connection.onHover(guard('hover', null, (p) => {
  const m = modelAt(p.textDocument.uri);
  return m ? hover(m, m.text.offsetAt(p.position), service.index) : null;
}));
connection.onDocumentSymbol(guard('documentSymbol', [], (p) => {
  const m = modelAt(p.textDocument.uri);
  return m ? documentSymbols(m) : [];
}));
connection.onWorkspaceSymbol(guard('workspaceSymbol', [], (p) => workspaceSymbols(service.index, p.query)));
connection.onFoldingRanges(guard('foldingRange', [], (p) => {
  const m = modelAt(p.textDocument.uri);
  return m ? foldingRanges(m) : [];
}));
connection.onDefinition(guard('definition', [], (p) => {
  const m = modelAt(p.textDocument.uri);
  return m ? definition(m, m.text.offsetAt(p.position), service.index) : [];
}));
connection.onReferences(guard('references', [], (p) => {
  const m = modelAt(p.textDocument.uri);
  return m ? references(m, m.text.offsetAt(p.position), service.index) : [];
}));
connection.onCodeAction(guard('codeAction', [], (p) => {
  const m = modelAt(p.textDocument.uri);
  return m ? codeActions(m, p.range, p.context.diagnostics) : [];
}));
connection.onRequest(codeLensDataMethod, guard('codeLensData', [] as CodeLensDataResult, (p: CodeLensDataParams) => service.codeLensData(p.uri)));

connection.onNotification(clusterObjectsMethod, guard('clusterObjects', undefined, (p: ClusterObjectsParams) => { service.setClusterObjects(p); scheduleOthers(undefined, 0); }));
connection.onNotification(customResourceSchemasMethod, guard('customResourceSchemas', undefined, (p: CustomResourceSchemasParams) => { service.setCustomResourceSchemas(p); scheduleOthers(undefined, 0); }));

process.on('uncaughtException', (e) => connection.console.error(`uncaught: ${e.stack ?? e.message}`));
documents.listen(connection);
connection.listen();
