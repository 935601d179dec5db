/**
 * The clusters registry: which clusters exist (bundled engine + kubeconfig contexts), which one the views
 * show (pinned per workspace in workspaceState; the kubeconfig's current-context is never written), and
 * the live connection to it (KubeConfig, discovery, watch cache). Switching disposes the old cache.
 */
import * as vscode from 'vscode';
import type { KubeConfig } from '@kubernetes/client-node';
import { dirname, basename } from 'node:path';
import type { ClusterEntry } from '../model/clustersView.ts';
import type { ClusterCache } from './cache.ts';
import type { Discovery } from './discovery.ts';
import { bundledId, bundledContext, contextEntries, listContexts, userKubeconfigFiles, type ContextList } from './kubeconfigs.ts';
import { kubeRequest, errorText } from './rest.ts';
import type * as ConnectModule from './connect.ts';

/** The lazily loaded half (client-node); see kube/connect.ts. */
type ConnectLib = typeof ConnectModule;

export interface Connection {
  id: string;
  label: string;
  kc: KubeConfig;
  cache: ClusterCache;
  discovery: Discovery;
  bundled: boolean;
  /** The namespace new objects go to when a manifest names none. */
  defaultNamespace: string;
}

const activeKey = 'wheelhouse.activeCluster';

export class Clusters implements vscode.Disposable {
  private listed: ContextList = { contexts: [], errors: [] };
  private files: string[] = [];
  private lib: ConnectLib | undefined;
  private loading: Promise<ConnectLib> | undefined;
  private conn: Connection | undefined;
  private health: { ok: boolean; message?: string } | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the list, the active cluster or its health changes. */
  readonly onDidChange = this.changed.event;
  private readonly activeChanged = new vscode.EventEmitter<Connection | undefined>();
  readonly onDidChangeActive = this.activeChanged.event;
  private watchers: vscode.Disposable[] = [];

  constructor(private readonly state: vscode.Memento, private readonly engineHome: () => string) {
    this.reload();
  }

  get activeId(): string {
    return this.state.get<string>(activeKey) ?? bundledId;
  }

  get activeHealth(): { ok: boolean; message?: string } | undefined { return this.health; }

  entries(): ClusterEntry[] {
    const bundled: ClusterEntry = { id: bundledId, context: bundledContext, cluster: bundledContext, user: bundledContext, source: this.engineHome(), bundled: true };
    return [bundled, ...contextEntries(this.listed)];
  }

  /** Re-reads the kubeconfig files (they are watched too). */
  reload(): void {
    const files = userKubeconfigFiles();
    this.files = files;
    this.listed = listContexts(files);
    for (const w of this.watchers) w.dispose();
    this.watchers = files.map((f) => {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(f)), basename(f)));
      const again = (): void => { this.reload(); this.changed.fire(); };
      return vscode.Disposable.from(w, w.onDidChange(again), w.onDidCreate(again), w.onDidDelete(again));
    });
    this.changed.fire();
  }

  async setActive(id: string): Promise<void> {
    if (!this.entries().some((e) => e.id === id)) throw new Error(`unknown cluster ${id}`);
    await this.state.update(activeKey, id);
    this.closeConnection();
    this.changed.fire();
    this.activeChanged.fire(undefined);
  }

  get loaded(): boolean { return !!this.lib; }

  /** Loads the Kubernetes client library (once); connection() is undefined until it is there. */
  load(): Promise<ConnectLib> {
    // A macrotask first: the library's initialisation must not run inside the activation call's microtasks.
    this.loading ??= new Promise((r) => setTimeout(r, 0)).then(() => import('./connect.ts')).then((lib) => {
      this.lib = lib;
      this.activeChanged.fire(undefined);
      this.changed.fire();
      return lib;
    });
    return this.loading;
  }

  /** The active connection, or undefined when the cluster cannot be reached (no kubeconfig yet) or the client library is still loading. */
  connection(): Connection | undefined {
    if (this.conn) return this.conn;
    const lib = this.lib;
    if (!lib) {
      void this.load();
      return undefined;
    }
    const id = this.activeId;
    let kc: KubeConfig | undefined;
    let label = id;
    try {
      if (id === bundledId) {
        kc = lib.bundledKubeConfig(this.engineHome());
        label = 'wheelhouse';
      } else {
        const entry = this.entries().find((e) => e.id === id);
        if (!entry) return undefined;
        kc = lib.kubeConfigFor(lib.mergeKubeconfigs(this.files), entry.context);
        label = entry.context;
      }
    } catch (err) {
      this.health = { ok: false, message: errorText(err) };
      return undefined;
    }
    if (!kc) return undefined;
    const cache = new lib.ClusterCache(kc);
    cache.setErrorHandler((kind, err) => this.setHealth({ ok: false, message: `watch ${kind}: ${errorText(err)}` }));
    cache.store.onDidChange(() => { if (!this.health?.ok) this.setHealth({ ok: true }); });
    this.conn = {
      id, label, kc, cache, discovery: new lib.Discovery(kc), bundled: id === bundledId,
      defaultNamespace: kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default',
    };
    void this.checkHealth(this.conn);
    this.activeChanged.fire(this.conn);
    return this.conn;
  }

  /** Drops the connection (e.g. after the engine restarted with a new CA); the next use reconnects. */
  closeConnection(): void {
    this.conn?.cache.dispose();
    this.conn = undefined;
    this.health = undefined;
  }

  private async checkHealth(c: Connection): Promise<void> {
    try {
      await kubeRequest(c.kc, '/version', { timeoutMs: 5000 });
      if (this.conn === c) this.setHealth({ ok: true });
    } catch (err) {
      if (this.conn === c) this.setHealth({ ok: false, message: errorText(err) });
    }
  }

  private setHealth(h: { ok: boolean; message?: string }): void {
    if (this.health?.ok === h.ok && this.health?.message === h.message) return;
    this.health = h;
    this.changed.fire();
  }

  dispose(): void {
    this.closeConnection();
    for (const w of this.watchers) w.dispose();
    this.changed.dispose();
    this.activeChanged.dispose();
  }
}
