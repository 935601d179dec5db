/**
 * The language client: starts `dist/server.js` (node module, stdio transport) when the first YAML document is
 * open, tells it which cluster is active (`wheelhouse/activeCluster`), and keeps Red Hat's YAML extension and
 * this one from reporting the same problem twice (setting `wheelhouse.validation.kubernetesFiles`).
 */
import * as vscode from 'vscode';
import type { LanguageClient, LanguageClientOptions, ServerOptions } from 'vscode-languageclient/node';
import type { CodeLensDataParams, CodeLensDataResult, DiagnosticCode } from '../../server/protocol.ts';
import type { Ctx } from '../ctx.ts';
import { dedupDiagnostics, type ValidationOwner } from '../model/validationOwner.ts';

/** Not (yet) in server/protocol.ts: the client's active cluster, for live-reference checks. */
export const activeClusterNotification = 'wheelhouse/activeCluster';
export interface ActiveClusterParams {
  /** A kubeconfig (YAML) holding only the active context; undefined when no cluster is reachable. */
  kubeconfig?: string;
  context?: string;
  namespace?: string;
}
const codeLensDataMethod = 'wheelhouse/codeLensData';

export const redHatYamlId = 'redhat.vscode-yaml';

export class Lsp implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;

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
    this.sendCluster();
    this.ctx.register(this.ctx.clusters.onDidChangeActive(() => this.sendCluster()), this.ctx.onDidChangeFilters(() => this.sendCluster()));
    return client;
  }

  private sendCluster(): void {
    if (!this.client) return;
    const c = this.ctx.clusters.connection();
    const params: ActiveClusterParams = c
      ? { kubeconfig: c.kc.exportConfig(), context: c.kc.getCurrentContext(), namespace: this.ctx.namespace ?? c.defaultNamespace }
      : {};
    void this.client.sendNotification(activeClusterNotification, params);
  }

  dispose(): void {
    void this.client?.stop();
  }
}
