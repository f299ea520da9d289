// Extension state and the server lifecycle, in the style of rust-analyzer's Ctx: the UI (status
// bar, views, output) lives as long as the extension; the LanguageClient and its handlers live as
// long as one server run, so a restart never drops the UI.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  RevealOutputChannelOn,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  BlockerTreeRequest,
  ExportReportRequest,
  ModulesRequest,
  ReanalyzeRequest,
  StatusNotification,
  StatusRequest,
  type BlockerTree,
  type BlockerTreeParams,
  type ModuleRow,
  type ServerStatus,
} from '../../server/src/protocol';
import type { ClysmApi } from './api';
import { serverSettings } from './config';
import { ModuleLanguageStatus } from './moduleStatus';
import { workspaceFolder } from './paths';
import { ServerNotRunning } from './requests';
import { CoverageStatusBar } from './statusBar';
import { BlockersView } from './views/blockersView';
import { ModulesView } from './views/modulesView';

/** The Generate Stage 1 command, linked from the status tooltip only once some build contributes it. */
const STAGE1_COMMAND = 'clysm.generateStage1';

export class Ctx implements vscode.Disposable {
  private client: LanguageClient | undefined;
  readonly output: vscode.LogOutputChannel;
  readonly statusBar: CoverageStatusBar;
  readonly blockers: BlockersView;
  readonly modules: ModulesView;
  private readonly moduleStatus: ModuleLanguageStatus;
  private readonly statusEmitter = new vscode.EventEmitter<ServerStatus>();
  private latest: ServerStatus | undefined;
  private starting: Promise<void> = Promise.resolve();
  /** Why no server runs (shown by the views); empty when a welcome view already says it. */
  private notRunning = 'The Clysm server is starting.';
  /** Lives as long as the extension. */
  private readonly extCleanup: vscode.Disposable[] = [];
  /** Lives as long as one server run. */
  private clientCleanup: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Clysm', { log: true });
    this.statusBar = new CoverageStatusBar(STAGE1_COMMAND);
    this.blockers = new BlockersView((params) => this.blockerTree(params));
    this.modules = new ModulesView(() => this.moduleRows(), vscode.Uri.joinPath(context.extensionUri, 'media'));
    this.moduleStatus = new ModuleLanguageStatus();
    this.pushExtCleanup(
      this.output,
      this.statusBar,
      this.blockers,
      this.modules,
      this.moduleStatus,
      this.statusEmitter,
      this.blockers.onDidLoad(() => this.statusBar.setRegressions(this.blockers.current()?.regressions ?? [])),
      this.modules.onDidLoad(() => this.moduleStatus.setRows(this.modules.current())),
    );
  }

  pushExtCleanup(...disposables: vscode.Disposable[]): void {
    this.extCleanup.push(...disposables);
  }

  private pushClientCleanup(...disposables: vscode.Disposable[]): void {
    this.clientCleanup.push(...disposables);
  }

  /** The client of the current server run, for commands that send their own requests. */
  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  get api(): ClysmApi {
    return {
      ready: () => this.starting,
      status: async () => (this.client?.isRunning() ? this.client.sendRequest(StatusRequest) : undefined),
      lastStatus: () => this.latest,
      onStatus: this.statusEmitter.event,
      statusBar: () => this.statusBar.snapshot(),
      moduleStatus: () => this.moduleStatus.snapshot(),
      blockers: () => ({
        tree: this.blockers.current(),
        message: this.blockers.view.message,
        badge: this.blockers.view.badge?.value,
        filter: this.blockers.currentFilter(),
        visible: this.blockers.view.visible,
      }),
      onBlockersVisibility: (listener, thisArgs, disposables) =>
        this.blockers.view.onDidChangeVisibility((e) => listener.call(thisArgs, e.visible), undefined, disposables),
      blockerItems: () => this.blockers.items(),
      onBlockersLoaded: this.blockers.onDidLoad,
      modules: () => ({ rows: this.modules.current(), message: this.modules.view.message }),
      moduleItems: () => this.modules.items(),
      onModulesLoaded: this.modules.onDidLoad,
      refreshViews: () => this.refreshViews(),
    };
  }

  start(): Promise<void> {
    this.starting = this.startClient().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.output.error(`Clysm server failed to start: ${message}`);
      this.notRunning = `The Clysm server failed to start: ${message}`;
      this.statusBar.showMessage('$(error) Clysm', this.notRunning, true);
      this.scheduleViewRefresh();
    });
    return this.starting;
  }

  private async startClient(): Promise<void> {
    const folder = workspaceFolder();
    if (!folder) {
      // The views' welcome content says what to do; no message on top of it.
      this.notRunning = '';
      this.statusBar.showMessage('$(circle-slash) Clysm', 'Open a folder with Clysm sources to check them.');
      this.scheduleViewRefresh();
      return;
    }
    if (!vscode.workspace.isTrusted) {
      // Limited mode: Stage 0 and SBCL run code from the workspace, so nothing runs until trusted.
      this.notRunning = '';
      this.statusBar.showMessage('$(shield) Clysm: restricted', 'This workspace is not trusted, so Clysm runs nothing (no Stage 0, no SBCL). Trust the workspace to check forms.', true);
      this.scheduleViewRefresh();
      return;
    }
    this.notRunning = 'The Clysm server is starting.';
    const serverModule = this.context.asAbsolutePath(path.join('dist', 'server.js'));
    // exnref is on by default from VS Code 1.103; the flag keeps older patch runtimes working.
    const execArgv = ['--experimental-wasm-exnref'];
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv } },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...execArgv, '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'commonlisp' }],
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: serverSettings(folder, this.context),
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{lisp,wasm}') },
      diagnosticPullOptions: {
        onChange: true,
        onSave: true,
        // clysm.diagnostics.run = onSave: ignore pulls caused by typing, as vscode-eslint does.
        filter: (_document, mode) =>
          mode === 'onType' && vscode.workspace.getConfiguration('clysm').get<string>('diagnostics.run', 'onType') === 'onSave',
      },
    };
    const client = new LanguageClient('clysm', 'Clysm Language Server', serverOptions, clientOptions);
    this.client = client;
    this.pushClientCleanup(
      client.onNotification(StatusNotification, (status) => {
        this.latest = status;
        this.statusBar.update(status);
        this.moduleStatus.statusChanged(status);
        this.statusEmitter.fire(status);
        // Each status may carry new counts: reload the views (throttled; this also retries a failed load).
        this.blockers.statusChanged(status);
        this.modules.scheduleRefresh();
      }),
    );
    await client.start();
    this.scheduleViewRefresh();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.notRunning = 'The Clysm server is not running.';
    for (const d of this.clientCleanup) d.dispose();
    this.clientCleanup = [];
    // Give the server a moment to exit cleanly, as rust-analyzer does.
    if (client) await client.stop(2000).catch((e: unknown) => this.output.warn(`stopping the server: ${String(e)}`));
    this.scheduleViewRefresh();
  }

  async restart(): Promise<void> {
    this.output.info('restarting the Clysm server');
    await this.stop();
    await this.start();
  }

  async reanalyze(): Promise<void> {
    if (!this.client?.isRunning()) {
      void vscode.window.showWarningMessage('Clysm: the server is not running.');
      return;
    }
    await this.client.sendRequest(ReanalyzeRequest);
    await this.refreshViews();
  }

  showOutput(): void {
    this.output.show(true);
  }

  exportReport(target: string): Promise<{ path: string; forms: number }> {
    return this.runningClient().sendRequest(ExportReportRequest, { path: target });
  }

  async refreshViews(): Promise<void> {
    await Promise.all([this.blockers.refresh(), this.modules.refresh()]);
  }

  dispose(): void {
    void this.stop();
    for (const d of this.extCleanup) d.dispose();
  }

  private scheduleViewRefresh(): void {
    this.blockers.statusChanged(this.latest);
    this.modules.scheduleRefresh();
  }

  private blockerTree(params: BlockerTreeParams): Promise<BlockerTree> {
    return this.runningClient().sendRequest(BlockerTreeRequest, params);
  }

  private moduleRows(): Promise<ModuleRow[]> {
    return this.runningClient().sendRequest(ModulesRequest);
  }

  private runningClient(): LanguageClient {
    if (!this.client?.isRunning()) throw new ServerNotRunning(this.notRunning);
    return this.client;
  }
}
