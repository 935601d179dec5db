/**
 * Ctx: what every feature module receives. Owns the output channels, the engine manager, the clusters
 * registry and the view filters. Heavy parts (engine process, language server, informers) start lazily:
 * constructing Ctx does no I/O beyond reading the kubeconfig files.
 */
import * as vscode from 'vscode';
import { EngineManager } from './bundled/engine.ts';
import { Clusters, type Connection } from './kube/clusters.ts';
import { bundledId } from './kube/kubeconfigs.ts';

export class Ctx implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  readonly engine: EngineManager;
  readonly clusters: Clusters;
  /** The namespace the views show; undefined = all. */
  namespace: string | undefined;
  eventFilter: string | undefined;
  private readonly filtersChanged = new vscode.EventEmitter<void>();
  readonly onDidChangeFilters = this.filtersChanged.event;
  private autoStartTried = false;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Wheelhouse', { log: true });
    this.engine = new EngineManager(extension.extensionUri, vscode.window.createOutputChannel('Wheelhouse Engine'));
    this.clusters = new Clusters(extension.workspaceState, () => this.engine.home);
    this.namespace = extension.workspaceState.get<string>('wheelhouse.namespace');
    this.register(this.log, this.engine, this.engine.output, this.clusters, this.filtersChanged);
    // When the engine comes up (or goes down) the bundled connection must be rebuilt from its kubeconfig.
    this.register(this.engine.onDidChange((s) => {
      if (this.clusters.activeId === bundledId && (s === 'running' || s === 'stopped')) {
        this.clusters.closeConnection();
        this.clusters.connection();
      }
    }));
  }

  register(...d: vscode.Disposable[]): void {
    this.extension.subscriptions.push(...d);
  }

  async setNamespace(ns: string | undefined): Promise<void> {
    this.namespace = ns;
    await this.extension.workspaceState.update('wheelhouse.namespace', ns);
    this.filtersChanged.fire();
  }

  setEventFilter(f: string | undefined): void {
    this.eventFilter = f || undefined;
    this.filtersChanged.fire();
  }

  /**
   * The active connection for a view or command. For the bundled cluster, the first use starts the engine
   * when `wheelhouse.engine.autoStart` allows it.
   */
  connection(): Connection | undefined {
    const c = this.clusters.connection();
    if (!c && this.clusters.loaded && this.clusters.activeId === bundledId && !this.autoStartTried) {
      this.autoStartTried = true;
      void this.engine.refresh().then((s) => {
        if (s === 'running') { this.clusters.closeConnection(); this.clusters.connection(); return; }
        if (s === 'stopped' && vscode.workspace.getConfiguration('wheelhouse').get<boolean>('engine.autoStart', true)) void this.engine.start();
      });
    }
    return c;
  }

  /** Like connection(), but tells the user what is missing when there is none. */
  requireConnection(): Connection {
    const c = this.connection();
    if (!c) {
      const msg = this.clusters.activeId === bundledId
        ? vscode.l10n.t('The bundled cluster is not running. Start it with "Wheelhouse: Start Bundled Cluster".')
        : vscode.l10n.t('Cannot connect to the selected cluster: {0}', this.clusters.activeHealth?.message ?? '');
      throw new Error(msg);
    }
    return c;
  }

  dispose(): void {
    // Everything is in extension.subscriptions.
  }
}

/** Wraps a command handler: errors become one error notification (and a log line) instead of a silent reject. */
export function guarded<A extends unknown[]>(ctx: Ctx, fn: (...args: A) => unknown): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      // Commands may run before the views loaded the Kubernetes client library.
      await ctx.clusters.load();
      await fn(...args);
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      ctx.log.error(text);
      void vscode.window.showErrorMessage(text);
    }
  };
}
