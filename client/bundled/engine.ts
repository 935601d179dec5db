/**
 * The bundled engine's lifecycle, in one place. The engine is its own process (`dist/engine.js`), run on
 * VS Code's own Node (`ELECTRON_RUN_AS_NODE=1 process.execPath`), detached and shared by every window and
 * by kubectl; `up` starts it (or finds it running) and returns, `down` stops it. Its state is read from the
 * API itself (GET /readyz through the engine's kubeconfig), never from process bookkeeping, so a window
 * that did not start the engine still sees it.
 */
import * as vscode from 'vscode';
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineState } from '../model/clustersView.ts';
import { engineHome, engineKubeconfigPath } from '../kube/kubeconfigs.ts';
import { kubeRequest, errorText } from '../kube/rest.ts';
import { pingDocker } from './docker.ts';

export class EngineManager implements vscode.Disposable {
  private state: EngineState = 'unknown';
  private detail: string | undefined;
  private readonly changed = new vscode.EventEmitter<EngineState>();
  readonly onDidChange = this.changed.event;
  private starting: Promise<boolean> | undefined;

  constructor(private readonly extensionUri: vscode.Uri, readonly output: vscode.OutputChannel) {}

  get home(): string {
    return engineHome(process.env, vscode.workspace.getConfiguration('wheelhouse').get<string>('engine.home') || undefined);
  }
  get kubeconfigPath(): string { return engineKubeconfigPath(this.home); }
  get currentState(): EngineState { return this.state; }
  get currentDetail(): string | undefined { return this.detail; }

  private set(state: EngineState, detail?: string): void {
    this.state = state;
    this.detail = detail;
    this.changed.fire(state);
  }

  /** Reads the state from Docker and the engine's API; never starts anything. */
  async refresh(): Promise<EngineState> {
    if (this.starting) return this.state;
    // Loaded on demand: reading the state is the first thing that needs the Kubernetes client library.
    const { bundledKubeConfig } = await import('../kube/connect.ts');
    const kc = bundledKubeConfig(this.home);
    if (kc) {
      try {
        await kubeRequest(kc, '/readyz', { text: true, timeoutMs: 3000 });
        this.set('running');
        return this.state;
      } catch (err) {
        this.detail = errorText(err);
      }
    }
    const docker = await pingDocker();
    if (docker) this.set('docker-unavailable', docker);
    else this.set('stopped', kc ? `The engine does not answer: ${this.detail}` : undefined);
    return this.state;
  }

  /** Starts the engine (with a progress notification) unless it runs; resolves whether it runs. */
  start(): Promise<boolean> {
    this.starting ??= this.doStart().finally(() => { this.starting = undefined; });
    return this.starting;
  }

  private async doStart(): Promise<boolean> {
    const docker = await pingDocker();
    if (docker) {
      this.set('docker-unavailable', docker);
      return false;
    }
    this.set('starting');
    return vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('Starting the bundled Kubernetes cluster…'),
      cancellable: false,
    }, async () => {
      const code = await this.run(['up']);
      if (code !== 0) {
        this.set('stopped', vscode.l10n.t('"engine up" exited with code {0}; see the Wheelhouse Engine output.', code));
        return false;
      }
      this.starting = undefined;
      return (await this.refresh()) === 'running';
    });
  }

  async stop(): Promise<void> {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Stopping the bundled cluster…') },
      () => this.run(['down']));
    await this.refresh();
  }

  /** Stops the engine and deletes its data dir (store, CA, kubeconfig) after a modal confirmation. */
  async reset(): Promise<boolean> {
    const yes = vscode.l10n.t('Reset');
    const pick = await vscode.window.showWarningMessage(
      vscode.l10n.t('Reset the bundled cluster? Every object in it is deleted and its containers are removed. Your manifest files are not touched.'),
      { modal: true }, yes);
    if (pick !== yes) return false;
    await this.run(['down']);
    const store = this.home;
    // Only the engine's own data dir, and only when it looks like one (a kubeconfig or store in it).
    if (existsSync(join(store, 'kubeconfig')) || existsSync(join(store, 'store'))) await rm(store, { recursive: true, force: true });
    await this.refresh();
    return true;
  }

  showLogs(): void {
    this.output.show(true);
  }

  async openKubeconfig(): Promise<void> {
    if (!existsSync(this.kubeconfigPath)) {
      void vscode.window.showInformationMessage(vscode.l10n.t('The bundled cluster has not been started yet, so it has no kubeconfig.'));
      return;
    }
    await vscode.window.showTextDocument(vscode.Uri.file(this.kubeconfigPath), { preview: true });
  }

  /** Runs `dist/engine.js <args>` on VS Code's Node; output goes to the Engine output channel. */
  run(args: string[]): Promise<number> {
    const script = vscode.Uri.joinPath(this.extensionUri, 'dist', 'engine.js').fsPath;
    this.output.appendLine(`$ wheelhouse ${args.join(' ')}`);
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [script, ...args], {
        env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', WHEELHOUSE_HOME: this.home },
        stdio: ['ignore', 'pipe', 'pipe'],
        // The engine outlives this window: `up` daemonizes the server itself; this only waits for `up` to return.
        detached: process.platform !== 'win32',
        windowsHide: true,
      });
      child.stdout.on('data', (b: Buffer) => this.output.append(b.toString()));
      child.stderr.on('data', (b: Buffer) => this.output.append(b.toString()));
      child.on('error', (err) => { this.output.appendLine(String(err)); resolve(-1); });
      child.on('exit', (code) => resolve(code ?? -1));
    });
  }

  dispose(): void {
    this.changed.dispose();
  }
}
