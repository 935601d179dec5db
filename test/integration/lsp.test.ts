// The real language server over LSP stdio: the esbuild bundle of server/main.ts, driven by vscode-jsonrpc.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { MessageConnection } from 'vscode-jsonrpc/node';

interface Diag { range: { start: { line: number; character: number } }; code: string; message: string; severity: number; data?: unknown }
interface PublishParams { uri: string; version?: number; diagnostics: Diag[] }

const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{ name: http, containerPort: 80 }]
          envFrom: [{ configMapRef: { name: web-config } }]
          resources: { requests: { cpu: 100m, memory: 64Mi }, limits: { cpu: 200m, memory: 128Mi } }
          readinessProbe: { httpGet: { path: /, port: http } }
`;

describe('language server over stdio', () => {
  let dir: string;
  let child: ChildProcess;
  let conn: MessageConnection;
  const published = new Map<string, PublishParams[]>();
  const waiters: (() => void)[] = [];

  function nextDiagnostics(uri: string, version: number, timeoutMs = 10_000): Promise<Diag[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} v${version}`)), timeoutMs);
      const check = () => {
        const got = (published.get(uri) ?? []).find((p) => p.version === version);
        if (got) { clearTimeout(timer); resolve(got.diagnostics); return true; }
        return false;
      };
      if (!check()) waiters.push(function w() { if (!check()) waiters.push(w); });
    });
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'wh-lsp-'));
    const bundle = join(dir, 'server.cjs');
    await build({ entryPoints: ['server/main.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: bundle, logLevel: 'warning', define: { 'import.meta.url': '__import_meta_url' }, banner: { js: 'const __import_meta_url = require("url").pathToFileURL(__filename).href;' } });
    const ws = join(dir, 'ws');
    mkdirSync(ws);
    writeFileSync(join(ws, 'config.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-config\ndata:\n  MODE: prod\n');
    child = spawn(process.execPath, [bundle, '--stdio'], { cwd: dir, stdio: ['pipe', 'pipe', 'inherit'] });
    conn = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    conn.onNotification('textDocument/publishDiagnostics', (p: PublishParams) => {
      const arr = published.get(p.uri) ?? [];
      arr.push(p);
      published.set(p.uri, arr);
      for (const w of waiters.splice(0)) w();
    });
    conn.onRequest('workspace/configuration', () => [{}]);
    conn.onRequest('client/registerCapability', () => null);
    conn.listen();
    const init = await conn.sendRequest('initialize', {
      processId: process.pid, rootUri: pathToFileURL(ws).href, workspaceFolders: [{ uri: pathToFileURL(ws).href, name: 'ws' }],
      capabilities: { workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } } },
    }) as { capabilities: Record<string, unknown> };
    assert.ok(init.capabilities.completionProvider);
    await conn.sendNotification('initialized', {});
  });

  after(() => {
    conn?.dispose();
    child?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  const uri = () => pathToFileURL(join(dir, 'ws', 'app.yaml')).href;

  it('publishes no diagnostics for a valid manifest once the workspace is scanned', async () => {
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(), languageId: 'yaml', version: 1, text: DEPLOY } });
    let diags = await nextDiagnostics(uri(), 1);
    // The ConfigMap lives in another file: once the scan has it, the reference resolves.
    for (let i = 0; i < 50 && diags.some((d) => d.code === 'missing-configmap'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      diags = published.get(uri())!.at(-1)!.diagnostics;
    }
    assert.deepEqual(diags.map((d) => d.code), []);
  });

  it('re-validates after an incremental edit', async () => {
    await conn.sendNotification('textDocument/didChange', {
      textDocument: { uri: uri(), version: 2 },
      contentChanges: [{ range: { start: { line: 5, character: 2 }, end: { line: 5, character: 10 } }, text: 'replica' }],
    });
    const diags = await nextDiagnostics(uri(), 2);
    assert.deepEqual(diags.map((d) => [d.code, d.range.start.line]), [['unknown-field', 5]]);
    assert.match(diags[0].message, /Did you mean "replicas"/);
  });

  it('offers a code action that fixes it', async () => {
    const diags = await nextDiagnostics(uri(), 2);
    const actions = await conn.sendRequest('textDocument/codeAction', { textDocument: { uri: uri() }, range: diags[0].range, context: { diagnostics: diags } }) as { title: string; edit: { changes: Record<string, { newText: string }[]> } }[];
    assert.equal(actions[0].title, 'Change to "replicas"');
    assert.equal(actions[0].edit.changes[uri()][0].newText, 'replicas');
  });

  it('completes keys with docs and hovers with the description', async () => {
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri: uri(), version: 3 }, contentChanges: [{ text: DEPLOY.replace('  replicas: 2\n', '  replicas: 2\n  min\n') }] });
    await nextDiagnostics(uri(), 3);
    const items = await conn.sendRequest('textDocument/completion', { textDocument: { uri: uri() }, position: { line: 6, character: 5 } }) as { label: string; detail?: string }[];
    const labels = items.map((i) => i.label);
    assert.ok(labels.includes('minReadySeconds'), labels.join(','));
    assert.ok(!labels.includes('replicas'), 'present keys are not offered again');
    const h = await conn.sendRequest('textDocument/hover', { textDocument: { uri: uri() }, position: { line: 5, character: 4 } }) as { contents: { value: string } };
    assert.match(h.contents.value, /\*\*replicas\*\* `integer`/);
    assert.match(h.contents.value, /Number of desired pods/);
  });

  it('goes to the definition of a referenced ConfigMap in another file', async () => {
    await conn.sendNotification('textDocument/didChange', { textDocument: { uri: uri(), version: 4 }, contentChanges: [{ text: DEPLOY }] });
    await nextDiagnostics(uri(), 4);
    const line = DEPLOY.split('\n').findIndex((l) => l.includes('web-config'));
    const col = DEPLOY.split('\n')[line].indexOf('web-config') + 2;
    const locs = await conn.sendRequest('textDocument/definition', { textDocument: { uri: uri() }, position: { line, character: col } }) as { uri: string; range: { start: { line: number } } }[];
    assert.equal(locs.length, 1);
    assert.ok(locs[0].uri.endsWith('/config.yaml'));
    assert.equal(locs[0].range.start.line, 3);
  });

  it('answers the CodeLens data request', async () => {
    const data = await conn.sendRequest('wheelhouse/codeLensData', { uri: uri() }) as { kind: string; name: string; apiVersion: string; kindRange: { start: { line: number } } }[];
    assert.deepEqual(data.map((d) => [d.apiVersion, d.kind, d.name, d.kindRange.start.line]), [['apps/v1', 'Deployment', 'web', 1]]);
  });
});
