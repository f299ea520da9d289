// Extension state and the server lifecycle, in the style of rust-analyzer's Ctx: the UI (status
// bar, views, output) lives as long as the extension; the LanguageClient and its handlers live as
// long as one server run, so a restart never drops the UI.
import * as vscode from 'vscode';
import { DidChangeConfigurationNotification, type LanguageClient } from 'vscode-languageclient/node';
import {
  BlockerTreeRequest,
  ExportReportRequest,
  FormMessageRequest,
  ModulesRequest,
  RootCausesRequest,
  ReanalyzeRequest,
  StatusNotification,
  StatusRequest,
  type BlockerTree,
  type BlockerTreeParams,
  type ClysmConfigurationChange,
  type ModuleRow,
  type RootCauseList,
  type ServerStatus,
} from '../../server/src/protocol';
import type { ClysmApi } from './api';
import { createClient } from './client';
import { serverSettings } from './config';
import { ModuleLanguageStatus } from './moduleStatus';
import { workspaceFolder } from './paths';
import { ServerNotRunning } from './requests';
import { CoverageStatusBar } from './statusBar';
import { BlockersView } from './views/blockersView';
import { ModulesView } from './views/modulesView';
import type { ServerRun } from './serverRun';

/** The Generate Stage 1 command, linked from the status tooltip only once some build contributes it. */
const STAGE1_COMMAND = 'clysm.generateStage1';

export class Ctx implements vscode.Disposable {
  /** The current server run: its client, watcher and handlers (disposed together on stop). */
  private run: ServerRun<LanguageClient> | undefined;
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
  /** Lives as long as the extension (what lives as long as one server run is in `run`). */
  private readonly extCleanup: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Clysm', { log: true });
    this.statusBar = new CoverageStatusBar(STAGE1_COMMAND);
    this.blockers = new BlockersView((params) => this.blockerTree(params), (params) => this.rootCauses(params));
    this.modules = new ModulesView(() => this.moduleRows(), vscode.Uri.joinPath(context.extensionUri, 'media'), context.workspaceState);
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

  /** The client of the current server run, for commands that send their own requests. */
  get languageClient(): LanguageClient | undefined {
    return this.run?.client;
  }


  get api(): ClysmApi {
    return {
      ready: () => this.starting,
      status: async () => (this.languageClient?.isRunning() ? this.languageClient.sendRequest(StatusRequest) : undefined),
      lastStatus: () => this.latest,
      onStatus: this.statusEmitter.event,
      statusBar: () => this.statusBar.snapshot(),
      moduleStatus: () => this.moduleStatus.snapshot(),
      blockers: () => ({
        tree: this.blockers.current(),
        message: this.blockers.view.message,
        badge: this.blockers.view.badge?.value,
        filter: this.blockers.currentFilter(),
        mode: this.blockers.currentMode(),
        fixes: this.blockers.currentFixes(),
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
    const run = createClient(this.context, folder, this.output);
    this.run = run;
    const client = run.client;
    run.own(
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
    const run = this.run;
    this.run = undefined;
    this.notRunning = 'The Clysm server is not running.';
    // Give the server a moment to exit cleanly, as rust-analyzer does; the watcher goes with the client.
    if (run) await run.stop(2000).catch((e: unknown) => this.output.warn(`stopping the server: ${String(e)}`));
    this.scheduleViewRefresh();
  }

  /**
   * Sends the settings to the running server, which applies the live ones at once (and pulls
   * diagnostics again); settings that need a restart wait for one.
   */
  async sendSettings(): Promise<void> {
    const folder = workspaceFolder();
    if (!folder || !this.languageClient?.isRunning()) return;
    const change: ClysmConfigurationChange = { settings: serverSettings(folder, this.context) };
    await this.languageClient.sendNotification(DidChangeConfigurationNotification.type, change);
  }

  async restart(): Promise<void> {
    this.output.info('restarting the Clysm server');
    await this.stop();
    await this.start();
  }

  async reanalyze(): Promise<void> {
    if (!this.languageClient?.isRunning()) {
      void vscode.window.showWarningMessage('Clysm: the server is not running.');
      return;
    }
    await this.languageClient.sendRequest(ReanalyzeRequest);
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

  private rootCauses(params: BlockerTreeParams): Promise<RootCauseList> {
    return this.runningClient().sendRequest(RootCausesRequest, params);
  }

  /** The full message of a form (Open Full Message). */
  formMessage(id: string): Promise<{ id: string; message: string } | null> {
    return this.runningClient().sendRequest(FormMessageRequest, { id });
  }

  private moduleRows(): Promise<ModuleRow[]> {
    return this.runningClient().sendRequest(ModulesRequest);
  }

  private runningClient(): LanguageClient {
    if (!this.languageClient?.isRunning()) throw new ServerNotRunning(this.notRunning);
    return this.languageClient;
  }
}
