/**
 * The language client: starts `dist/server.js` (node module, stdio transport) when the first YAML document is
 * open, tells it which cluster is active (`wheelhouse/activeCluster`), and keeps Red Hat's YAML extension and
 * this one from reporting the same problem twice (setting `wheelhouse.validation.kubernetesFiles`).
 */
import * as vscode from 'vscode';
import type { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import type { CodeLensDataParams, CodeLensDataResult, DiagnosticCode, ClusterObjectsParams } from '../../server/protocol.ts';
import { clusterObjects, clusterObjectKinds } from '../model/clusterObjects.ts';
import type { Ctx } from '../ctx.ts';
import { dedupDiagnostics, type ValidationOwner } from '../model/validationOwner.ts';

// Method names as in server/protocol.ts (only types may be imported from server/).
const codeLensDataMethod = 'wheelhouse/codeLensData';
const clusterObjectsMethod = 'wheelhouse/clusterObjects';
/** At most one clusterObjects notification per this interval while the cluster changes. */
const clusterObjectsIntervalMs = 1000;

export const redHatYamlId = 'redhat.vscode-yaml';

export class Lsp implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private storeSub: vscode.Disposable | undefined;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ctx: Ctx) {}

  /** Starts the server once; later calls return the same client. */
  start(): Promise<LanguageClient | undefined> {
    this.starting ??= this.doStart().catch((err) => {
      this.ctx.log.error(`language server failed to start: ${(err as Error).message}`);
      void vscode.window.showErrorMessage(vscode.l10n.t('The Wheelhouse language server did not start: {0}', (err as Error).message));
      return undefined;
    });
    return this.starting;
  }

  async codeLensData(uri: vscode.Uri): Promise<CodeLensDataResult> {
    const c = await this.start();
    if (!c) return [];
    const params: CodeLensDataParams = { uri: c.code2ProtocolConverter.asUri(uri) };
    return c.sendRequest<CodeLensDataResult>(codeLensDataMethod, params);
  }

  private async doStart(): Promise<LanguageClient> {
    // Loaded here, not at activation: the client library is only needed once a YAML document is open.
    const { LanguageClient, TransportKind } = await import('vscode-languageclient/node');
    const module = vscode.Uri.joinPath(this.ctx.extension.extensionUri, 'dist', 'server.js').fsPath;
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.stdio },
      debug: { module, transport: TransportKind.stdio, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const owner = (): ValidationOwner => vscode.workspace.getConfiguration('wheelhouse').get<ValidationOwner>('validation.kubernetesFiles', 'wheelhouse');
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ language: 'yaml', scheme: 'file' }, { language: 'yaml', scheme: 'untitled' }, { language: 'yaml', scheme: 'wheelhouse-edit' }],
      synchronize: { configurationSection: 'wheelhouse' },
      outputChannel: this.ctx.log,
      middleware: {
        handleDiagnostics: (uri, diagnostics, next) => {
          const redHat = !!vscode.extensions.getExtension(redHatYamlId);
          next(uri, dedupDiagnostics(diagnostics, owner(), redHat, (d) => (typeof d.code === 'object' ? d.code.value : d.code) as DiagnosticCode | number | undefined));
        },
      },
    };
    const client = new LanguageClient('wheelhouse', vscode.l10n.t('Wheelhouse Kubernetes'), serverOptions, clientOptions);
    await client.start();
    this.client = client;
    this.followCluster();
    this.ctx.register(this.ctx.clusters.onDidChangeActive(() => this.followCluster()), { dispose: () => { this.storeSub?.dispose(); clearTimeout(this.pending); } });
    return client;
  }

  /** Feeds the server the active cluster's objects (from the watch cache), throttled; an empty set when disconnected. */
  private followCluster(): void {
    this.storeSub?.dispose();
    const c = this.ctx.clusters.connection();
    if (c) {
      c.cache.ensure(clusterObjectKinds);
      this.storeSub = c.cache.store.onDidChange(() => this.scheduleSend());
    }
    this.scheduleSend(0);
  }

  private scheduleSend(delay = clusterObjectsIntervalMs): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      if (!this.client) return;
      const c = this.ctx.clusters.connection();
      const params: ClusterObjectsParams = c ? { context: c.label, objects: clusterObjects(c.cache.store) } : { context: '', objects: [] };
      void this.client.sendNotification(clusterObjectsMethod, params);
    }, delay);
  }

  dispose(): void {
    void this.client?.stop();
  }
}
