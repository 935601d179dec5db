/**
 * `npm run bench:lsp`: our language server vs yaml-language-server (YLS), side by side in one process tree, on the
 * same generated 5,000-line, 200-document manifest with 5 planted errors. Both get the same Kubernetes schema:
 * ours has it built in; YLS gets schema/generated/kubernetes.json converted to one draft-07 file whose top level
 * dispatches on apiVersion/kind with if/then (the cheap form: each document is checked against its own kind only),
 * strict (`additionalProperties: false`) like our unknown-field check.
 *
 * Measured per server: time to first diagnostics, edit → published diagnostics (p50/p95 over EDITS one-character
 * edits), completion and hover latency (p50/p95), peak RSS (VmHWM). Rounds alternate the servers.
 *   ROUNDS=3 EDITS=30 npm run bench:lsp
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { JsonSchema, SchemaDocument } from '../../schema/types.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 2);
const EDITS = Number(process.env.EDITS ?? 30);
const REQUESTS = Number(process.env.REQUESTS ?? 50);

// ---- the manifest ----
interface Manifest { text: string; lines: string[]; replicasLines: number[]; completionAt: { line: number; character: number }; planted: number }

function generateManifest(): Manifest {
  const docs: string[] = [];
  const res = '          resources:\n            requests: { cpu: 100m, memory: 128Mi }\n            limits: { cpu: 500m, memory: 256Mi }\n';
  let planted = 0;
  for (let i = 0; docs.length < 200; i++) {
    const n = `app-${i}`;
    const plant = (k: number) => i === k * 7 + 4;
    docs.push(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${n}-config\n  labels: { app: ${n} }\n${plant(4) ? (planted++, 'datas') : 'data'}:\n  LOG_LEVEL: info\n  GREETING: "hello from ${n}"\n  TIMEOUT: 30s\n`);
    docs.push(`apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${n}\n  labels: { app: ${n}, tier: web }\nspec:\n  ${plant(0) ? (planted++, 'replica') : 'replicas'}: ${plant(2) ? (planted++, '"x"') : 2}\n  selector:\n    matchLabels: { app: ${n} }\n  template:\n    metadata:\n      labels: { app: ${n}, tier: web }\n    spec:\n      containers:\n        - name: web\n          image: registry.example.com/${n}:1.${i}.0\n          ${plant(1) ? (planted++, 'imagePulPolicy') : 'imagePullPolicy'}: IfNotPresent\n          ports:\n            - name: http\n              containerPort: 8080\n          envFrom:\n            - configMapRef: { name: ${n}-config }\n${res}          readinessProbe:\n            httpGet: { path: /ready, port: http }\n          livenessProbe:\n            httpGet: { path: /healthz, port: http }\n            periodSeconds: 10\n`);
    docs.push(`apiVersion: v1\nkind: Service\nmetadata:\n  name: ${n}\n  labels: { app: ${n} }\nspec:\n  selector: { app: ${n} }\n  ports:\n    - name: http\n      port: ${plant(3) ? (planted++, '"80"') : 80}\n      targetPort: http\n`);
    if (i % 3 === 0) docs.push(`apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: ${n}\nspec:\n  rules:\n    - host: ${n}.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service:\n                name: ${n}\n                port: { number: 80 }\n`);
    if (i % 5 === 1) docs.push(`apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ${n}-migrate\nspec:\n  backoffLimit: 2\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n        - name: migrate\n          image: registry.example.com/${n}:1.${i}.0\n          args: ["migrate"]\n${res}`);
  }
  let text = docs.slice(0, 200).join('---\n');
  // Pad to 5,000 lines with comments in the last document (as real files carry).
  const count = text.split('\n').length;
  if (count < 5000) text += Array.from({ length: 5000 - count }, (_, i) => `# note ${i}`).join('\n') + '\n';
  const lines = text.split('\n');
  const replicasLines = lines.flatMap((l, i) => (/^ {2}replicas: \d+$/.test(l) ? [i] : []));
  const firstDeployment = lines.indexOf('kind: Deployment');
  const firstSpec = lines.indexOf('spec:', firstDeployment);
  return { text, lines, replicasLines, completionAt: { line: firstSpec + 1, character: 2 }, planted };
}

// ---- the schema for YLS ----
function strict(s: JsonSchema): unknown {
  if (Array.isArray(s)) return s.map((x) => strict(x as JsonSchema));
  if (!s || typeof s !== 'object') return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k.startsWith('x-kubernetes-') || k === 'readOnly') continue;
    if (k === 'format' && (v === 'quantity' || v === 'int-or-string')) continue;
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as Record<string, JsonSchema>).map(([p, ps]) => [p, strict(ps)])) : typeof v === 'object' ? strict(v as JsonSchema) : v;
  }
  if (s.type === 'object' && s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

function ylsSchema(doc: SchemaDocument): unknown {
  const definitions = Object.fromEntries(Object.entries(doc.definitions).map(([k, v]) => [k, strict(v)]));
  const allOf = Object.entries(doc.gvk).filter(([, d]) => !d.startsWith('io.k8s.apimachinery.')).map(([key, def]) => {
    const i = key.lastIndexOf('/');
    return { if: { properties: { apiVersion: { const: key.slice(0, i) }, kind: { const: key.slice(i + 1) } }, required: ['apiVersion', 'kind'] }, then: { $ref: `#/definitions/${def}` } };
  });
  return { $schema: 'http://json-schema.org/draft-07/schema#', definitions, allOf };
}

// ---- LSP driving ----
interface Stats { firstDiag: number; firstCount: number; edits: number[]; completion: number[]; completionItems: number; hover: number[]; hoverOk: boolean; rssMiB: number }

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}

function peakRss(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function drive(name: string, command: string[], settings: (section: string) => unknown, dir: string, manifest: Manifest): Promise<Stats> {
  const child: ChildProcess = spawn(process.execPath, command, { stdio: ['pipe', 'pipe', 'ignore'], cwd: dir });
  const conn: MessageConnection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const uri = pathToFileURL(join(dir, 'bench.yaml')).href;
  let onPublish: ((n: number) => void) | undefined;
  conn.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: unknown[] }) => { if (p.uri === uri) onPublish?.(p.diagnostics.length); });
  conn.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map((i) => settings(i.section ?? '')));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onNotification(() => undefined);
  conn.listen();
  const nextPublish = (ms = 30_000) => new Promise<number>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${name}: no diagnostics within ${ms} ms`)), ms);
    onPublish = (n) => { clearTimeout(t); onPublish = undefined; resolve(n); };
  });
  try {
    await conn.sendRequest('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'bench' }], capabilities: { workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } }, textDocument: { completion: { completionItem: { snippetSupport: true } }, hover: { contentFormat: ['markdown', 'plaintext'] } } } });
    await conn.sendNotification('initialized', {});
    await conn.sendNotification('workspace/didChangeConfiguration', { settings: { yaml: settings('yaml'), wheelhouse: settings('wheelhouse') } });
    await new Promise((r) => setTimeout(r, 300));
    let t = performance.now();
    let p = nextPublish();
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text: manifest.text } });
    let firstCount = await p;
    // Some servers publish an empty list first (before the schema is loaded): wait for the real one.
    while (firstCount === 0) firstCount = await nextPublish();
    const firstDiag = performance.now() - t;
    const edits: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const line = manifest.replicasLines[i % manifest.replicasLines.length];
      const value = manifest.lines[line].endsWith('2') ? '3' : '2';
      manifest.lines[line] = manifest.lines[line].slice(0, -1) + value;
      p = nextPublish();
      t = performance.now();
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: i + 2 }, contentChanges: [{ range: { start: { line, character: manifest.lines[line].length - 1 }, end: { line, character: manifest.lines[line].length } }, text: value }] });
      await p;
      edits.push(performance.now() - t);
    }
    const completion: number[] = [];
    let completionItems = 0;
    for (let i = 0; i < REQUESTS; i++) {
      t = performance.now();
      const r = await conn.sendRequest('textDocument/completion', { textDocument: { uri }, position: manifest.completionAt }) as { items?: unknown[] } | unknown[] | null;
      completion.push(performance.now() - t);
      completionItems = Array.isArray(r) ? r.length : r?.items?.length ?? 0;
    }
    const hover: number[] = [];
    let hoverOk = false;
    const hl = manifest.replicasLines[0];
    for (let i = 0; i < REQUESTS; i++) {
      t = performance.now();
      const h = await conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: hl, character: 4 } }) as { contents?: unknown } | null;
      hover.push(performance.now() - t);
      hoverOk = /desired pods/.test(JSON.stringify(h?.contents ?? ''));
    }
    const rssMiB = peakRss(child.pid!);
    return { firstDiag, firstCount, edits, completion, completionItems, hover, hoverOk, rssMiB };
  } finally {
    conn.dispose();
    child.kill();
  }
}

function row(label: string, s: Stats): string {
  const f = (x: number) => x.toFixed(1).padStart(8);
  return `${label.padEnd(22)} first ${f(s.firstDiag)} ms (${s.firstCount} diags) | edit→diags p50 ${f(pct(s.edits, 50))} p95 ${f(pct(s.edits, 95))} | completion p50 ${f(pct(s.completion, 50))} p95 ${f(pct(s.completion, 95))} (${s.completionItems} items) | hover p50 ${f(pct(s.hover, 50))} | peak RSS ${f(s.rssMiB)} MiB`;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wh-bench-lsp-'));
  try {
    const require = createRequire(import.meta.url);
    const server = join(dir, 'server.cjs');
    await build({ entryPoints: ['server/main.ts'], bundle: true, platform: 'node', format: 'cjs', outfile: server, logLevel: 'warning', define: { 'import.meta.url': '__import_meta_url' }, banner: { js: 'const __import_meta_url = require("url").pathToFileURL(__filename).href;' } });
    const schemaDoc = JSON.parse(readFileSync(join(dirname(new URL(import.meta.url).pathname), '../../schema/generated/kubernetes.json'), 'utf8')) as SchemaDocument;
    const schemaFile = join(dir, 'kubernetes.schema.json');
    writeFileSync(schemaFile, JSON.stringify(ylsSchema(schemaDoc)));
    const ylsBin = join(dirname(require.resolve('yaml-language-server/package.json')), 'bin', 'yaml-language-server');
    const ylsVersion = (JSON.parse(readFileSync(require.resolve('yaml-language-server/package.json'), 'utf8')) as { version: string }).version;
    const yamlSettings = { schemas: { [pathToFileURL(schemaFile).href]: ['*.yaml'] }, validate: true, completion: true, hover: true, schemaStore: { enable: false }, kubernetesCRDStore: { enable: false }, maxItemsComputed: 5000 };
    const ylsSettings = (section: string) => (section === 'yaml' ? yamlSettings : section === 'http' ? { proxyStrictSSL: true } : {});
    const oursSettings = (section: string) => (section === 'wheelhouse' ? {} : null);
    const manifest = generateManifest();
    console.log(`manifest: ${manifest.lines.length} lines, 200 documents, ${manifest.planted} planted errors; yaml-language-server ${ylsVersion}; ${ROUNDS} round(s), ${EDITS} edits, ${REQUESTS} completions/hovers`);
    const ours: Stats[] = [];
    const yls: Stats[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const a = await drive('wheelhouse', [server, '--stdio'], oursSettings, dir, { ...manifest, lines: [...manifest.lines] });
      console.log(row(`wheelhouse   r${r + 1}`, a));
      ours.push(a);
      const b = await drive('yaml-language-server', [ylsBin, '--stdio'], ylsSettings, dir, { ...manifest, lines: [...manifest.lines] });
      console.log(row(`yaml-ls      r${r + 1}`, b));
      yls.push(b);
    }
    const all = (xs: Stats[], k: 'edits' | 'completion' | 'hover') => xs.flatMap((x) => x[k]);
    const med = (xs: number[]) => pct(xs, 50);
    const oE = med(all(ours, 'edits')); const yE = med(all(yls, 'edits'));
    const oC = med(all(ours, 'completion')); const yC = med(all(yls, 'completion'));
    const oH = med(all(ours, 'hover')); const yH = med(all(yls, 'hover'));
    const oF = med(ours.map((x) => x.firstDiag)); const yF = med(yls.map((x) => x.firstDiag));
    const oR = Math.max(...ours.map((x) => x.rssMiB)); const yR = Math.max(...yls.map((x) => x.rssMiB));
    console.log('\nsummary (medians over all rounds)          wheelhouse   yaml-language-server   ratio (yls / ours)');
    const line = (l: string, o: number, y: number, unit: string) => console.log(`${l.padEnd(40)} ${o.toFixed(1).padStart(10)} ${unit}  ${y.toFixed(1).padStart(14)} ${unit}  ${(y / o).toFixed(1).padStart(10)}×`);
    line('first diagnostics', oF, yF, 'ms');
    line('edit → diagnostics p50', oE, yE, 'ms');
    line('edit → diagnostics p95', pct(all(ours, 'edits'), 95), pct(all(yls, 'edits'), 95), 'ms');
    line('completion p50', oC, yC, 'ms');
    line('hover p50', oH, yH, 'ms');
    line('peak RSS', oR, yR, 'MiB');
    console.log(`\ndiagnostics on open: wheelhouse ${ours[0].firstCount}, yaml-language-server ${yls[0].firstCount} (planted ${manifest.planted}); completion items: ${ours[0].completionItems} vs ${yls[0].completionItems}; hover shows the description: ${ours[0].hoverOk} vs ${yls[0].hoverOk}`);
    console.log(`targets: diagnostics p50 ≤ 50 ms (${oE <= 50 ? 'met' : 'missed'}) and ≥ 5× faster than yaml-language-server (${yE / oE >= 5 ? 'met' : 'missed'}); completion p50 ≤ 15 ms (${oC <= 15 ? 'met' : 'missed'})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
