// The server never crashes or hangs on hostile input: alias bombs, huge files, deep nesting, and random
// incremental edits interleaved with every request (a seeded fuzz; FUZZ_EDITS raises the count).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LanguageService } from '../../../server/service.ts';
import { complete } from '../../../server/completion.ts';
import { hover } from '../../../server/hover.ts';
import { definition, documentSymbols, foldingRanges, references } from '../../../server/navigation.ts';
import { codeActions } from '../../../server/actions.ts';

function everything(s: LanguageService, uri: string, off: number): void {
  const m = s.model(uri)!;
  const diags = s.diagnostics(uri);
  complete(m, off, s.index);
  hover(m, off, s.index);
  definition(m, off, s.index);
  references(m, off, s.index);
  documentSymbols(m);
  foldingRanges(m);
  s.codeLensData(uri);
  const pos = m.text.positionAt(off);
  codeActions(m, { start: pos, end: pos }, diags);
}

describe('robustness', () => {
  it('reports an alias bomb as excessive aliases instead of expanding it', () => {
    const s = new LanguageService();
    const levels = ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: bomb }\ndata:\n  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
      + levels.map((n, i) => `  ${n}: &${n} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(',')}]`).join('\n') + '\n';
    s.update('file:///bomb.yaml', 1, text);
    assert.deepEqual(s.diagnostics('file:///bomb.yaml').map((d) => [d.code, d.range.start.line]), [['excessive-aliases', 5]]);
    everything(s, 'file:///bomb.yaml', text.indexOf('*a'));
  });

  it('survives 10,000-deep nesting, block and flow', () => {
    const s = new LanguageService();
    let block = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\n  annotations:\n';
    for (let i = 0; i < 10_000; i++) block += `${' '.repeat(4 + i)}k${i}:\n`;
    s.update('file:///deep-block.yaml', 1, block);
    assert.ok(s.diagnostics('file:///deep-block.yaml').length > 0);
    everything(s, 'file:///deep-block.yaml', block.length - 3);
    const flow = `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: flow }\ndata:\n  a: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`;
    s.update('file:///deep-flow.yaml', 1, flow);
    assert.match(s.diagnostics('file:///deep-flow.yaml').map((d) => d.message).join('\n'), /nesting|type/i);
    everything(s, 'file:///deep-flow.yaml', flow.length - 5);
  });

  it('handles a 10 MB, 300,000-line file', () => {
    const s = new LanguageService();
    const line = '    the quick brown fox jumps ok\n';
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: huge\ndata:\n  big: |\n${line.repeat(300_000)}`;
    assert.ok(text.length > 9_900_000);
    s.update('file:///huge.yaml', 1, text);
    assert.deepEqual(s.diagnostics('file:///huge.yaml'), []);
    everything(s, 'file:///huge.yaml', text.length >> 1);
  });

  it('stays consistent under random incremental edits interleaved with requests', () => {
    const base = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: &l { app: web }
spec:
  replicas: 2
  selector:
    matchLabels: *l
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{ name: http, containerPort: 80 }]
          envFrom: [{ configMapRef: { name: cfg } }]
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: http }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: cfg }
data: { a: "1" }
`;
    const alphabet = ['a', 'z', ':', ' ', '  ', '\n', '-', '- ', '{', '}', '[', ']', '"', "'", '*', '&x ', '!!', '|', '>', '#', '---\n', '{{ .x }}', '\t', 'kind: ', 'apiVersion: v1', '0', '99999999999999999999', 'é', '\r\n'];
    let seed = 42;
    const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n; };
    const edits = Number(process.env.FUZZ_EDITS ?? 10_000);
    const s = new LanguageService();
    const uri = 'file:///fuzz.yaml';
    let doc = TextDocument.create(uri, 'yaml', 1, base);
    s.update(uri, 1, base);
    for (let i = 0; i < edits; i++) {
      const text = doc.getText();
      if (text.length > 4000 || rnd(200) === 0) {
        doc = TextDocument.create(uri, 'yaml', doc.version + 1, base);
      } else {
        const a = rnd(text.length + 1);
        const b = Math.min(text.length, a + rnd(4));
        const insert = rnd(3) === 0 ? '' : alphabet[rnd(alphabet.length)];
        doc = TextDocument.create(uri, 'yaml', doc.version + 1, TextDocument.applyEdits(doc, [{ range: { start: doc.positionAt(a), end: doc.positionAt(b) }, newText: insert }]));
      }
      const m = s.update(uri, doc.version, doc.getText());
      assert.equal(m.text.getText(), doc.getText());
      const off = rnd(doc.getText().length + 1);
      if (i % 4 === 0) s.diagnostics(uri);
      if (i % 4 === 1) complete(m, off, s.index);
      if (i % 4 === 2) hover(m, off, s.index);
      if (i % 50 === 3) everything(s, uri, off);
    }
  });
});
