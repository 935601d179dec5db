// Feature services with caret-marker fixtures: `<|>` marks the caret in a fixture.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LanguageService } from '../../../server/service.ts';
import { complete } from '../../../server/completion.ts';
import { hover } from '../../../server/hover.ts';
import { definition, documentSymbols, foldingRanges, references, workspaceSymbols } from '../../../server/navigation.ts';
import { codeActions } from '../../../server/actions.ts';
import { caretContext } from '../../../server/context.ts';
import type { CompletionItem, Diagnostic, TextEdit } from 'vscode-languageserver';

const CARET = '<|>';
function withCaret(src: string): { text: string; offset: number } {
  const offset = src.indexOf(CARET);
  assert.ok(offset >= 0, 'fixture has a caret');
  return { text: src.replace(CARET, ''), offset };
}

function setup(files: Record<string, string>, main: string) {
  const s = new LanguageService();
  for (const [name, text] of Object.entries(files)) s.update(`file:///ws/${name}`, 1, text, false);
  const { text, offset } = withCaret(main);
  const model = s.update('file:///ws/main.yaml', 1, text);
  return { s, model, offset };
}

function applyEdits(text: string, edits: TextEdit[], s: LanguageService, uri: string): string {
  const m = s.model(uri)!;
  const sorted = [...edits].sort((a, b) => m.text.offsetAt(b.range.start) - m.text.offsetAt(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, m.text.offsetAt(e.range.start)) + e.newText + out.slice(m.text.offsetAt(e.range.end));
  return out;
}

const labels = (items: CompletionItem[]) => items.map((i) => i.label);

const WEB = `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  LOG_LEVEL: info
  MODE: prod
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
stringData: { token: x }
`;

describe('caret context', () => {
  it('reads the path from indentation even when the document does not parse', () => {
    const { text, offset } = withCaret('spec:\n  template:\n    spec:\n      containers:\n        - name: a\n          ima<|>\n');
    const c = caretContext(text, offset);
    assert.deepEqual(c.path, ['spec', 'template', 'spec', 'containers', '[]']);
    assert.equal(c.at, 'key');
    assert.equal(c.prefix, 'ima');
    assert.ok(c.siblings.has('name'));
  });
  it('knows a value position and its key', () => {
    const { text, offset } = withCaret('spec:\n  strategy:\n    type: Rec<|>\n');
    const c = caretContext(text, offset);
    assert.deepEqual(c.path, ['spec', 'strategy', 'type']);
    assert.equal(c.at, 'value');
    assert.equal(c.prefix, 'Rec');
  });
  it('treats a new list item as its own map', () => {
    const { text, offset } = withCaret('spec:\n  containers:\n    - name: a\n      image: x\n    - <|>\n');
    const c = caretContext(text, offset);
    assert.deepEqual(c.path, ['spec', 'containers', '[]']);
    assert.equal(c.siblings.size, 0);
  });
});

describe('completion', () => {
  it('offers keys with docs, the required marker, and not the keys already there', () => {
    const { s, model, offset } = setup({}, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  <|>\n');
    const items = complete(model, offset, s.index);
    const sel = items.find((i) => i.label === 'selector')!;
    assert.match(sel.detail ?? '', /LabelSelector \(required\)/);
    assert.match(JSON.stringify(sel.documentation), /Label selector for pods/);
    assert.ok(!labels(items).includes('replicas'));
    assert.ok(labels(items).includes('strategy'));
    assert.equal((sel.textEdit as TextEdit).newText, 'selector:\n  ');
  });

  it('offers enum values and booleans', () => {
    const a = setup({}, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  strategy:\n    type: <|>\n');
    assert.deepEqual(labels(complete(a.model, a.offset, a.s.index)), ['Recreate', 'RollingUpdate']);
    const b = setup({}, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  paused: <|>\n');
    assert.deepEqual(labels(complete(b.model, b.offset, b.s.index)), ['true', 'false']);
    const c = setup({}, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      imagePullPolicy: If<|>\n');
    assert.deepEqual(labels(complete(c.model, c.offset, c.s.index)), ['Always', 'Never', 'IfNotPresent']);
  });

  it('completes kind and fixes apiVersion with it', () => {
    const src = 'apiVersion: v1\nkind: Depl<|>\nmetadata:\n  name: web\n';
    const { s, model, offset } = setup({}, src);
    const items = complete(model, offset, s.index);
    const dep = items.find((i) => i.label === 'Deployment')!;
    assert.equal(dep.detail, 'apps/v1');
    const out = applyEdits(withCaret(src).text, [dep.textEdit as TextEdit, ...(dep.additionalTextEdits ?? [])], s, 'file:///ws/main.yaml');
    assert.equal(out, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n');
  });

  it('completes apiVersion for the kind', () => {
    const { s, model, offset } = setup({}, 'apiVersion: <|>\nkind: HorizontalPodAutoscaler\n');
    assert.deepEqual(labels(complete(model, offset, s.index)), ['autoscaling/v2', 'autoscaling/v1']);
  });

  it('offers snippets in an empty document', () => {
    const { s, model, offset } = setup({}, '<|>');
    const items = complete(model, offset, s.index);
    assert.ok(labels(items).includes('Deployment') && labels(items).includes('Service') && labels(items).includes('kind'));
  });

  it('offers ConfigMap names and keys from the workspace in reference fields', () => {
    const pod = (tail: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      env:\n        - name: L\n          valueFrom:\n            configMapKeyRef:\n${tail}`;
    const a = setup({ 'cm.yaml': WEB }, pod('              name: <|>\n'));
    assert.deepEqual(labels(complete(a.model, a.offset, a.s.index)), ['web-config']);
    const b = setup({ 'cm.yaml': WEB }, pod('              name: web-config\n              key: <|>\n'));
    assert.deepEqual(labels(complete(b.model, b.offset, b.s.index)), ['LOG_LEVEL', 'MODE']);
  });

  it('offers container port names for a Service targetPort and template labels in selectors', () => {
    const dep = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: { app: web }\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          ports: [{ name: http, containerPort: 80 }]\n';
    const a = setup({ 'dep.yaml': dep }, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: { app: web }\n  ports:\n    - port: 80\n      targetPort: <|>\n');
    assert.deepEqual(labels(complete(a.model, a.offset, a.s.index)), ['http']);
    const b = setup({ 'dep.yaml': dep }, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    <|>\n');
    assert.deepEqual(labels(complete(b.model, b.offset, b.s.index)), ['app: web']);
  });
});

describe('hover', () => {
  it('shows description, type, default and required-ness', () => {
    const { s, model, offset } = setup({}, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  revision<|>HistoryLimit: 3\n');
    const h = hover(model, offset, s.index)!;
    const v = (h.contents as { value: string }).value;
    assert.match(v, /\*\*revisionHistoryLimit\*\* `integer`/);
    assert.match(v, /Default: `10`/);
    assert.doesNotMatch(v, /required/);
    const r = setup({}, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  sel<|>ector: {}\n');
    assert.match((hover(r.model, r.offset, r.s.index)!.contents as { value: string }).value, /`LabelSelector` — required/);
  });

  it('shows the referenced object on a reference', () => {
    const { s, model, offset } = setup({ 'cm.yaml': WEB }, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      envFrom:\n        - configMapRef: { name: web-co<|>nfig }\n');
    const v = (hover(model, offset, s.index)!.contents as { value: string }).value;
    assert.match(v, /ConfigMap `web-config` in namespace `default` — cm.yaml/);
    assert.match(v, /Keys: `LOG_LEVEL`, `MODE`/);
  });
});

describe('navigation', () => {
  const dep = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: { app: web }\n  template:\n    metadata:\n      labels: { app: web }\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          envFrom: [{ configMapRef: { name: web-config } }]\n';

  it('goes from a Service selector to the pod templates it selects', () => {
    const { s, model, offset } = setup({ 'dep.yaml': dep }, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: w<|>eb\n');
    const locs = definition(model, offset, s.index);
    assert.deepEqual(locs.map((l) => [l.uri, l.range.start.line]), [['file:///ws/dep.yaml', 3]]);
  });

  it('finds the users of a ConfigMap', () => {
    const { s, model, offset } = setup({ 'dep.yaml': dep }, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web-c<|>onfig\ndata: {}\n');
    const locs = references(model, offset, s.index);
    assert.deepEqual(locs.map((l) => [l.uri, l.range.start.line]), [['file:///ws/dep.yaml', 14]]);
  });

  it('outlines documents as "Kind name" and folds blocks', () => {
    const { model, s } = setup({}, `${WEB}---\nfoo: bar\n<|>`);
    const syms = documentSymbols(model);
    assert.deepEqual(syms.map((x) => x.name), ['ConfigMap web-config', 'Secret web-secret', 'foo']);
    assert.deepEqual(syms[0].children!.map((c) => c.name), ['apiVersion', 'kind', 'metadata', 'data']);
    const folds = foldingRanges(model);
    assert.ok(folds.some((f) => f.startLine === 0 && f.endLine === 6), JSON.stringify(folds));
    assert.ok(folds.some((f) => f.startLine === 2 && f.endLine === 3));
    assert.deepEqual(workspaceSymbols(s.index, 'secret').map((x) => x.name), ['Secret web-secret']);
  });
});

describe('code actions', () => {
  function fix(files: Record<string, string>, src: string, code: string, title: RegExp): string {
    const { s } = setup(files, `${src}<|>`);
    const uri = 'file:///ws/main.yaml';
    const diags = s.diagnostics(uri).filter((d) => d.code === code) as Diagnostic[];
    assert.equal(diags.length, 1, `one ${code} diagnostic: ${JSON.stringify(s.diagnostics(uri).map((d) => d.code))}`);
    const actions = codeActions(s.model(uri)!, diags[0].range, diags);
    const a = actions.find((x) => title.test(x.title));
    assert.ok(a, `action ${title}: ${actions.map((x) => x.title).join(', ')}`);
    return applyEdits(src, a.edit!.changes![uri], s, uri);
  }

  it('upgrades extensions/v1beta1 Deployment to apps/v1 with a selector from the template labels', () => {
    const out = fix({}, 'apiVersion: extensions/v1beta1\nkind: Deployment\nmetadata:\n  name: old\nspec:\n  template:\n    metadata:\n      labels:\n        app: old\n    spec:\n      containers:\n        - name: a\n          image: busybox:1.36\n', 'removed-api', /Upgrade to apps\/v1/);
    assert.match(out, /^apiVersion: apps\/v1\n/);
    assert.match(out, /selector:\n {4}matchLabels:\n {6}app: old/);
  });

  it('upgrades a v1beta1 Ingress, moving serviceName/servicePort', () => {
    const out = fix({}, 'apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata:\n  name: old\nspec:\n  rules:\n    - http:\n        paths:\n          - path: /\n            backend:\n              serviceName: web\n              servicePort: 80\n', 'removed-api', /Upgrade/);
    assert.match(out, /service:\n\s+name: web\n\s+port:\n\s+number: 80/);
    assert.match(out, /pathType: ImplementationSpecific/);
    assert.doesNotMatch(out, /serviceName/);
  });

  it('replaces a misspelt field and makes template labels match the selector', () => {
    assert.match(fix({}, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndatas: {}\n', 'unknown-field', /Change to "data"/), /\ndata: \{\}/);
    const out = fix({}, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  selector:\n    matchLabels:\n      app: a\n  template:\n    metadata:\n      labels:\n        app: b\n    spec:\n      containers:\n        - name: a\n          image: busybox:1.36\n', 'selector-mismatch', /template labels/);
    assert.match(out, /labels:\n\s+app: a\n/);
  });

  it('adds a missing required field, a resources skeleton, and a stub ConfigMap', () => {
    assert.match(fix({}, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  ports:\n    - name: http\n      targetPort: 80\n', 'required', /Add required field "port"/), /- name: http\n {6}port: \n {6}targetPort: 80/);
    const pod = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: a\n      image: busybox:1.36\n';
    assert.match(fix({}, pod, 'no-resources', /resources skeleton/), /- name: a\n {6}resources:\n {8}requests:\n {10}cpu: 100m/);
    const withRef = pod.replace('image: busybox:1.36\n', 'image: busybox:1.36\n      resources: { requests: { cpu: 1m, memory: 1Mi }, limits: { cpu: 1m, memory: 1Mi } }\n      envFrom: [{ configMapRef: { name: app-env } }]\n');
    assert.match(fix({}, withRef, 'missing-configmap', /Create ConfigMap "app-env"/), /\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n {2}name: app-env\ndata:\n/);
  });
});

describe('what is left alone', () => {
  const quiet = (name: string, text: string) => {
    const s = new LanguageService();
    s.update(`file:///ws/${name}`, 1, text);
    return s.diagnostics(`file:///ws/${name}`);
  };
  it('Helm templates, kustomization files, CI and Compose files get no diagnostics', () => {
    assert.deepEqual(quiet('templates/deploy.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  replicas: {{ .Values.replicas }}\n  {{- include "x" . | nindent 2 }}\n'), []);
    assert.deepEqual(quiet('kustomization.yaml', 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\npatches:\n  - path: patch.yaml\n'), []);
    assert.deepEqual(quiet('ci.yml', 'on: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: [{ uses: actions/checkout@v4 }]\n'), []);
    assert.deepEqual(quiet('compose.yaml', 'services:\n  web:\n    image: nginx\n    ports: ["80:80"]\n'), []);
  });
  it('a kustomize patch is a partial object: no missing-field errors', () => {
    const s = new LanguageService();
    s.update('file:///ws/kustomization.yaml', 1, 'resources: [deploy.yaml]\npatches:\n  - path: patch.yaml\n', false);
    s.update('file:///ws/patch.yaml', 1, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n');
    assert.deepEqual(s.diagnostics('file:///ws/patch.yaml'), []);
    s.update('file:///ws/patch.yaml', 2, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replica: 5\n');
    assert.deepEqual(s.diagnostics('file:///ws/patch.yaml').map((d) => d.code), ['unknown-field']);
  });
  it('each best-practice warning has its own setting', () => {
    const s = new LanguageService();
    const text = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: a\nspec:\n  selector: { matchLabels: { app: a } }\n  template:\n    metadata: { labels: { app: a } }\n    spec:\n      containers:\n        - name: a\n          image: nginx\n';
    s.update('file:///ws/a.yaml', 1, text);
    assert.deepEqual(s.diagnostics('file:///ws/a.yaml').map((d) => d.code).sort(), ['latest-tag', 'no-probes', 'no-resources']);
    s.setSettings({ lint: { resources: false, latestTag: false, probes: true, privileged: true, hostPath: true } });
    assert.deepEqual(s.diagnostics('file:///ws/a.yaml').map((d) => d.code), ['no-probes']);
    s.setSettings({ crossResource: false, lint: { resources: false, latestTag: false, probes: false, privileged: false, hostPath: false } });
    assert.deepEqual(s.diagnostics('file:///ws/a.yaml'), []);
  });
  it('CodeLens data lists every object of a file', () => {
    const s = new LanguageService();
    s.update('file:///ws/a.yaml', 1, `${WEB}---\napiVersion: ops.example.com/v1\nkind: Backup\nmetadata: { name: b, namespace: ops }\n`);
    assert.deepEqual(s.codeLensData('file:///ws/a.yaml').map((o) => [o.kind, o.name, o.namespace, o.builtin, o.kindRange.start.line]),
      [['ConfigMap', 'web-config', undefined, true, 1], ['Secret', 'web-secret', undefined, true, 9], ['Backup', 'b', 'ops', false, 15]]);
  });
});

describe('custom resources', () => {
  const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: backups.ops.example.com
spec:
  group: ops.example.com
  scope: Namespaced
  names: { plural: backups, singular: backup, kind: Backup }
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [schedule]
              properties:
                schedule: { type: string }
                retention: { type: integer }
                mode: { type: string, enum: [full, incremental] }
`;
  const check = (cr: string) => {
    const s = new LanguageService();
    s.update('file:///ws/crd.yaml', 1, crd, false);
    s.update('file:///ws/cr.yaml', 1, cr);
    return s.diagnostics('file:///ws/cr.yaml').map((d) => [d.code, d.range.start.line, d.message]);
  };
  it('validates a custom resource against its CRD in the workspace', () => {
    assert.deepEqual(check('apiVersion: ops.example.com/v1\nkind: Backup\nmetadata: { name: b }\nspec: { schedule: "0 3 * * *", retention: 7, mode: full }\n'), []);
    assert.deepEqual(check('apiVersion: ops.example.com/v1\nkind: Backup\nmetadata: { name: b }\nspec:\n  retension: 7\n  mode: partial\n').map((d) => [d[0], d[1]]),
      [['unknown-field', 4], ['enum', 5], ['required', 3]]);
    assert.equal(check('apiVersion: ops.example.com/v2\nkind: Backup\nmetadata: { name: b }\n')[0][0], 'unknown-api-version');
  });
  it('completes and hovers custom resource fields from the CRD', () => {
    const s = new LanguageService();
    s.update('file:///ws/crd.yaml', 1, crd, false);
    const { text, offset } = withCaret('apiVersion: ops.example.com/v1\nkind: Backup\nmetadata: { name: b }\nspec:\n  schedule: x\n  <|>\n');
    const m = s.update('file:///ws/cr.yaml', 1, text);
    assert.deepEqual(labels(complete(m, offset, s.index)), ['retention', 'mode']);
    const h = withCaret('apiVersion: ops.example.com/v1\nkind: Backup\nmetadata: { name: b }\nspec:\n  mode: f<|>ull\n');
    const m2 = s.update('file:///ws/cr2.yaml', 1, h.text);
    const c = withCaret('apiVersion: ops.example.com/v1\nkind: Backup\nmetadata: { name: b }\nspec:\n  mode: <|>\n');
    const m3 = s.update('file:///ws/cr3.yaml', 1, c.text);
    assert.deepEqual(labels(complete(m3, c.offset, s.index)), ['full', 'incremental']);
    assert.match((hover(m2, h.offset, s.index)!.contents as { value: string }).value, /\*\*mode\*\* `string`[\s\S]*Values: `full`, `incremental`/);
  });
  it('leaves custom resources without a known CRD alone', () => {
    const s = new LanguageService();
    s.update('file:///ws/cr.yaml', 1, 'apiVersion: other.example.com/v1\nkind: Thing\nmetadata: { name: t }\nspec: { anything: [1, 2] }\n');
    assert.deepEqual(s.diagnostics('file:///ws/cr.yaml'), []);
  });
});

describe('the connected cluster', () => {
  const dep = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: { matchLabels: { app: web } }\n  template:\n    metadata: { labels: { app: web } }\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          resources: { requests: { cpu: 1m, memory: 1Mi }, limits: { cpu: 1m, memory: 1Mi } }\n          readinessProbe: { tcpSocket: { port: 80 } }\n          env:\n            - name: A\n              valueFrom: { configMapKeyRef: { name: live-config, key: A } }\n            - name: B\n              valueFrom: { configMapKeyRef: { name: live-config, key: B } }\n';
  it('objects that exist only in the cluster are not reported missing; their keys are checked', () => {
    const s = new LanguageService();
    s.update('file:///ws/dep.yaml', 1, dep);
    assert.deepEqual(s.diagnostics('file:///ws/dep.yaml').map((d) => d.code), ['missing-configmap', 'missing-configmap']);
    s.setClusterObjects({ context: 'wheelhouse', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'live-config', namespace: 'default', keys: ['A'] }] });
    const d = s.diagnostics('file:///ws/dep.yaml');
    assert.deepEqual(d.map((x) => [x.code, x.range.start.line]), [['missing-key', 18]]);
    assert.match(d[0].message, /in cluster "wheelhouse" has no key "B"/);
    s.setClusterObjects({ context: 'wheelhouse', objects: [] });
    assert.equal(s.diagnostics('file:///ws/dep.yaml').length, 2);
  });
  it('a Service selecting live pods is fine; custom resources validate against cluster CRD schemas', () => {
    const s = new LanguageService();
    s.update('file:///ws/svc.yaml', 1, 'apiVersion: v1\nkind: Service\nmetadata: { name: api }\nspec:\n  selector: { app: api }\n  ports: [{ port: 80 }]\n');
    assert.deepEqual(s.diagnostics('file:///ws/svc.yaml').map((d) => d.code), ['service-selects-nothing']);
    s.setClusterObjects({ context: 'kind-dev', objects: [{ apiVersion: 'v1', kind: 'Pod', name: 'api-1', namespace: 'default', labels: { app: 'api' } }] });
    assert.deepEqual(s.diagnostics('file:///ws/svc.yaml'), []);
    s.update('file:///ws/cr.yaml', 1, 'apiVersion: ops.example.com/v1\nkind: Backup\nmetadata: { name: b }\nspec: { schedul: x }\n');
    assert.deepEqual(s.diagnostics('file:///ws/cr.yaml'), []);
    s.setCustomResourceSchemas({ schemas: [{ group: 'ops.example.com', version: 'v1', kind: 'Backup', schema: { type: 'object', properties: { spec: { type: 'object', properties: { schedule: { type: 'string' } } } } } }] });
    assert.deepEqual(s.diagnostics('file:///ws/cr.yaml').map((d) => d.code), ['unknown-field']);
  });
});

describe('resources lint', () => {
  const pod = (resources: string) => `apiVersion: v1\nkind: Pod\nmetadata: { name: p }\nspec:\n  containers:\n    - name: a\n      image: busybox:1.36\n${resources}`;
  const codes = (text: string) => {
    const s = new LanguageService();
    s.update('file:///ws/p.yaml', 1, text);
    return s.diagnostics('file:///ws/p.yaml').map((d) => [d.code, d.message.replace(/:.*/, '')]);
  };
  it('limits alone are complete (requests default to them); requests alone miss limits', () => {
    assert.deepEqual(codes(pod('      resources: { limits: { cpu: 100m, memory: 64Mi } }\n')), []);
    assert.deepEqual(codes(pod('      resources: { requests: { cpu: 100m, memory: 64Mi } }\n')), [['no-resources', 'Container "a" sets no resource limits']]);
    assert.deepEqual(codes(pod('')), [['no-resources', 'Container "a" sets no resource requests or limits']]);
  });
});

describe('kind: List', () => {
  it('validates each item against its own kind', () => {
    const s = new LanguageService();
    s.update('file:///ws/list.yaml', 1, 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: { name: a }\n    data: { x: "1" }\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: { name: b }\n    datas: {}\n');
    assert.deepEqual(s.diagnostics('file:///ws/list.yaml').map((d) => [d.code, d.range.start.line]), [['unknown-field', 10]]);
  });
});
