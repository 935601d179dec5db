// The extension in a real VS Code: code-server 4.100.3 with the packaged .vsix, driven by Playwright in Debian's
// Chromium, against the bundled engine (dist/engine.js) on this machine's Docker. Screenshots go to docs/screenshots/.
// Skipped with the reason when Docker, Chromium or code-server is unavailable, unless WHEELHOUSE_REQUIRE_DOCKER=1.
import { describe, test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { dockerSkip } from '../support/docker.ts';
import { installCodeServer, installExtension, startCodeServer, repoRoot, type CodeServer } from '../support/code-server.ts';
import { startEngine, request, type EngineHandle } from '../support/engine.ts';
import { openWorkbench, Workbench } from '../support/ui/workbench.ts';
import { ensureTestImages } from '../support/images.ts';
import { summarizePod } from '../../client/model/podStatus.ts';
import type { Pod } from 'kubernetes-types/core/v1';

const run = promisify(execFile);
/** Real kubectl, to check from outside VS Code what the UI did. */
const kubectl = ['/usr/lib/google-cloud-sdk/bin/kubectl.1.32', '/usr/bin/kubectl'].find((p) => existsSync(p)) ?? 'kubectl';
let entry = '';

async function uiSkip(): Promise<string | false> {
  const docker = await dockerSkip();
  if (docker) return docker;
  try {
    entry = await installCodeServer((l) => console.log(`# ${l}`));
    return false;
  } catch (err) {
    const reason = `UI tests need code-server and Chromium: ${(err as Error).message.split('\n')[0]}`;
    if (process.env.WHEELHOUSE_REQUIRE_DOCKER === '1') throw new Error(reason);
    return reason;
  }
}

const appYaml = (image: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: ${image}
        command: ["sh", "-c", "httpd -f -p 8080"]
        ports:
        - containerPort: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
`;

const brokenYaml = `apiVersion: v1
kind: Service
metadata:
  name: broken
spec:
  selectorr: {app: web}
  ports:
  - port: 80
`;

const completeYaml = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: typing
spec:
  rep`;

describe('the extension in code-server', { skip: await uiSkip() }, () => {
  let engine: EngineHandle;
  let cs: CodeServer;
  let browser: Browser;
  let wb: Workbench;
  let workspace: string;
  let extensionsDir: string;
  let hasNodes = false;

  before(async () => {
    // `npm test` and `npm run test:ui` package first; packaging here too would rebuild dist/ under other tests.
    if (!existsSync(join(repoRoot, 'dist', 'wheelhouse.vsix'))) await run('npm', ['run', 'package'], { cwd: repoRoot, maxBuffer: 64 << 20 });
    extensionsDir = mkdtempSync(join(tmpdir(), 'wh-ui-ext-'));
    await installExtension(entry, join(repoRoot, 'dist', 'wheelhouse.vsix'), extensionsDir);
    // Images built offline (no registry here): the pods, their sandboxes and the Service proxies start without a pull.
    const images = await ensureTestImages();
    engine = await startEngine({
      env: { WHEELHOUSE_SANDBOX_IMAGE: images.busybox, WHEELHOUSE_INFRA_IMAGE: images.node, WHEELHOUSE_INGRESS_HTTP_PORT: '0', WHEELHOUSE_INGRESS_HTTPS_PORT: '0' },
    });
    workspace = mkdtempSync(join(tmpdir(), 'wh-ui-ws-'));
    writeFileSync(join(workspace, 'app.yaml'), appYaml(images.busybox));
    writeFileSync(join(workspace, 'broken.yaml'), brokenYaml);
    writeFileSync(join(workspace, 'complete.yaml'), completeYaml);
    // An empty KUBECONFIG file list: the Clusters view shows only the bundled engine, never the machine's contexts.
    const kubeconfig = join(workspace, '.no-kubeconfig');
    cs = await startCodeServer({
      entry, extensionsDir, workspace,
      env: { WHEELHOUSE_HOME: engine.dataDir, KUBECONFIG: kubeconfig },
      settings: { 'wheelhouse.engine.autoStart': false, 'workbench.colorTheme': 'Default Dark Modern', 'window.commandCenter': false },
    });
    const opened = await openWorkbench(cs.url, workspace);
    browser = opened.browser;
    wb = new Workbench(opened.page);
  });

  // A failed step leaves a screenshot of the workbench in test-results/ (gitignored) to see what VS Code showed.
  const uiTest = (name: string, fn: (t: TestContext) => Promise<void>): void => {
    test(name, async (t) => {
      try {
        await fn(t);
      } catch (err) {
        await wb?.page.screenshot({ path: join(repoRoot, 'test-results', `ui-${name.replace(/\W+/g, '-').slice(0, 60)}.png`) }).catch(() => {});
        throw err;
      }
    });
  };

  after(async () => {
    await browser?.close().catch(() => {});
    await cs?.stop();
    await engine?.stop();
    for (const d of [workspace, extensionsDir]) if (d && existsSync(d)) rmSync(d, { recursive: true, force: true });
  });

  /**
   * Runs a tree item's context-menu action until its effect shows (up to 3 tries). VS Code's menus act on a
   * highlighted item, and the tree re-renders as the cluster changes: on a loaded machine a right-click or a
   * click can land on a re-rendered row and do nothing, or open no menu at all. The check stays about the
   * command's effect.
   */
  const menuUntil = async (view: string, rowName: string, item: string, effect: () => Promise<boolean>, what: string): Promise<void> => {
    let lastError = '';
    for (let attempt = 1; ; attempt++) {
      // A right-click that a re-render swallowed opens no menu (or another row's): that is a failed try too.
      const opened = await wb.contextMenu(await wb.row(view, rowName), item).then(
        () => true,
        (err: Error) => ((lastError = err.message.split('\n')[0]!), false),
      );
      const deadline = Date.now() + 10_000;
      while (opened && Date.now() < deadline) {
        if (await effect().catch(() => false)) return;
        await new Promise((r) => setTimeout(r, 250));
      }
      if (attempt === 3) assert.fail(`${item} on ${rowName}: ${what} did not happen in 3 tries${lastError ? ` (last menu error: ${lastError})` : ''}`);
      await wb.page.keyboard.press('Escape');
    }
  };

  uiTest('activates: the Clusters view shows the bundled engine running and active; the status bar names it', async () => {
    await wb.openWheelhouse();
    await wb.expandPane('Clusters');
    const row = await wb.row('Clusters', 'Wheelhouse (bundled)', 60_000);
    await assertEventually(async () => /running · active/.test((await row.textContent()) ?? ''), 'engine shown as running and active');
    await wb.page.locator('.statusbar-item', { hasText: 'wheelhouse' }).first().waitFor({ timeout: 15_000 });
  });

  uiTest('the commands are registered in the palette', async () => {
    // The palette list is virtualized: filter for each title rather than reading every row.
    for (const t of ['Apply to Cluster', 'Switch Cluster…', 'Switch Namespace…', 'Start Bundled Cluster', 'Undo Rollout…', 'Show Logs…', 'Show Active Port-Forwards']) {
      await wb.page.keyboard.press('Escape');
      await wb.page.keyboard.press('F1');
      await wb.page.locator('.quick-input-widget input').fill(`>Wheelhouse: ${t}`);
      await wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: `Wheelhouse: ${t}` }).first().waitFor({ timeout: 10_000 });
    }
    await wb.page.keyboard.press('Escape');
  });

  uiTest('apply a Deployment and a Service from the command palette; the views show them', async () => {
    await wb.openFile('app.yaml');
    await wb.runCommand('Wheelhouse: Apply to Cluster');
    await wb.notification(/Applied Service default\/web|Applied Service web/);
    const d = await request(engine, 'GET', '/apis/apps/v1/namespaces/default/deployments/web');
    assert.equal(d.status, 200);
    await wb.openWheelhouse();
    await wb.expandPane('Workloads');
    await wb.row('Workloads', 'web', 30_000);
    await wb.expandPane('Network');
    await wb.row('Network', 'web', 30_000);
    const nodes = await request(engine, 'GET', '/api/v1/nodes');
    hasNodes = (nodes.body?.items?.length ?? 0) > 0;
    await wb.screenshot('views-after-apply');
  });

  uiTest('scale to 3 from the tree', async () => {
    await menuUntil('Workloads', 'web', 'Scale…', () => wb.page.locator('.quick-input-widget input[aria-label^="Scale"]').isVisible(), 'the replicas input box');
    await wb.answer('3');
    await assertEventually(async () => (await request(engine, 'GET', '/apis/apps/v1/namespaces/default/deployments/web')).body?.spec?.replicas === 3, 'replicas 3 in the API');
    await assertEventually(async () => /\/3/.test((await (await wb.row('Workloads', 'web')).textContent()) ?? ''), 'the tree row shows …/3');
  });

  uiTest('restart the rollout from the tree', async () => {
    await menuUntil('Workloads', 'web', 'Restart Rollout',
      async () => !!(await request(engine, 'GET', '/apis/apps/v1/namespaces/default/deployments/web')).body?.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'],
      'restartedAt on the pod template');
  });

  uiTest('undo to a picked revision from the tree (needs the Deployment controller)', async (t) => {
    const sets = await request(engine, 'GET', '/apis/apps/v1/namespaces/default/replicasets');
    if ((sets.body?.items?.length ?? 0) < 2) return t.skip('the bundled engine created fewer than two ReplicaSets, so there is no revision to go back to');
    const pick = wb.page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Revision' }).first();
    await menuUntil('Workloads', 'web', 'Undo Rollout…', () => pick.isVisible(), 'the revision picker');
    await wb.screenshot('undo-picker');
    await wb.page.keyboard.press('Enter');
    await assertEventually(async () => !(await request(engine, 'GET', '/apis/apps/v1/namespaces/default/deployments/web')).body?.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'],
      'the template of the revision before the restart');
  });

  uiTest('describe and live YAML open read-only documents from the tree', async () => {
    const describeTab = wb.page.locator('.tab[aria-label*="Deployment-web.describe.txt"]').first();
    await menuUntil('Workloads', 'web', 'Describe', () => describeTab.isVisible(), 'the describe document');
    await wb.page.locator('.monaco-editor .view-lines', { hasText: 'Events:' }).first().waitFor({ timeout: 20_000 });
    const yamlTab = wb.page.locator('.tab[aria-label*="Deployment-web.yaml"]').first();
    await menuUntil('Workloads', 'web', 'View Live YAML', () => yamlTab.isVisible(), 'the live YAML document');
    await wb.page.locator('.monaco-editor .view-lines', { hasText: 'Live, read-only' }).first().waitFor({ timeout: 20_000 });
    await wb.screenshot('live-yaml');
  });

  uiTest('a diagnostic from the language server', async () => {
    await wb.openFile('broken.yaml');
    await wb.page.locator('.monaco-editor .squiggly-error, .monaco-editor .squiggly-warning').first().waitFor({ timeout: 60_000 });
    await wb.screenshot('diagnostic');
  });

  uiTest('a completion from the language server', async () => {
    await wb.openFile('complete.yaml');
    await wb.page.locator('.monaco-editor .view-lines').first().click();
    await wb.page.keyboard.press('Control+End');
    await wb.page.keyboard.press('Control+Space');
    const suggest = wb.page.locator('.suggest-widget .monaco-list-row', { hasText: 'replicas' }).first();
    await suggest.waitFor({ timeout: 30_000 });
    await wb.screenshot('completion');
    await wb.page.keyboard.press('Escape');
  });

  uiTest('pods under their node, logs and exec (needs the engine to run pods)', async (t) => {
    if (!hasNodes) return t.skip('the bundled engine registered no nodes, so no pod can run yet');
    await wb.expandPane('Nodes');
    // Wait for a Running and Ready pod of the Deployment; if none comes, say why (the pod's own status).
    let running: Pod | undefined;
    let why = '';
    const deadline = Date.now() + 60_000;
    while (!running && Date.now() < deadline) {
      const pods = ((await request(engine, 'GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).body?.items ?? []) as Pod[];
      running = pods.find((p) => summarizePod(p).health === 'ok');
      why = pods.map((p) => `${p.metadata?.name}: ${summarizePod(p).status} ${summarizePod(p).reason ?? ''}`).join('; ');
      if (!running) await new Promise((r) => setTimeout(r, 1000));
    }
    if (!running?.spec?.nodeName || !running.metadata?.name) return t.skip(`no pod of the Deployment became Ready on the bundled engine within 60 s (${why || 'no pods'})`);
    const nodeRow = await wb.row('Nodes', running.spec.nodeName);
    await wb.expandRow(nodeRow);
    const podRow = await wb.row('Nodes', running.metadata.name);
    await wb.screenshot('nodes-with-pods');
    await wb.contextMenu(podRow, 'Show Logs…');
    await wb.answer('Current (no follow)');
    await wb.page.locator('.part.panel .monaco-editor').first().waitFor({ timeout: 30_000 });
    await wb.contextMenu(podRow, 'Open Shell in Container');
    const terminal = wb.page.locator('.terminal-wrapper').first();
    await terminal.waitFor({ timeout: 30_000 });
    // xterm draws on a canvas, so the terminal's text is not in the DOM: the proof is a file the typed command
    // writes in the pod, read back with kubectl. Type into the terminal itself, not the tree.
    await terminal.click();
    const podName = running.metadata.name;
    const cat = () => run(kubectl, ['--kubeconfig', engine.kubeconfig, 'exec', podName, '--', 'cat', '/tmp/typed-in-vscode']).then((r) => r.stdout.trim(), () => '');
    await assertEventually(async () => {
      await wb.page.keyboard.type('echo wheelhouse-$((40+2)) > /tmp/typed-in-vscode\n');
      await new Promise((r) => setTimeout(r, 1000));
      return (await cat()) === 'wheelhouse-42';
    }, 'the command typed in the exec terminal to run in the pod', 45_000);
    await wb.screenshot('exec-terminal');
  });
});

async function assertEventually(fn: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn().catch(() => false)) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
