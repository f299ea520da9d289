// Extension state and the server lifecycle, in the style of rust-analyzer's Ctx: the UI (status
// bar, views, output) lives as long as the extension; the LanguageClients and their handlers live
// as long as one server run, so a restart never drops the UI. One server runs per analysed
// workspace folder (docs/multi-root.md); the status bar follows the active editor's folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
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
  LastChangeRequest,
  StatusRequest,
  type BlockerTreeParams,
  type ClysmConfigurationChange,
  type RootCauseList,
  type ServerStatus,
} from '../../server/src/protocol';
import type { ClysmApi } from './api';
import { createClient } from './client';
import { serverSettings } from './config';
import { folderToShow, foldersToAnalyse, type FolderRef } from './folders/clysmFolders';
import { ModuleLanguageStatus } from './moduleStatus';
import { folderOf } from './paths';
import { ServerNotRunning } from './requests';
import { CoverageStatusBar } from './statusBar';
import { BlockersView, type FolderTree } from './views/blockersView';
import { LastChangeNotifier } from './views/lastChange';
import { ModulesView, type FolderRows } from './views/modulesView';
import type { ServerRun } from './serverRun';

/** One analysed folder: its server run and the last status it sent. */
interface FolderRun {
  folder: vscode.WorkspaceFolder;
  run: ServerRun<LanguageClient>;
  latest?: ServerStatus;
}

/** The Generate Stage 1 command, linked from the status tooltip only once some build contributes it. */
const STAGE1_COMMAND = 'clysm.generateStage1';

export class Ctx implements vscode.Disposable {
  /** The current server runs, one per analysed folder, by folder URI (each disposed whole on stop). */
  private runs = new Map<string, FolderRun>();
  /** The folder whose status the status bar shows. */
  private shownFolder: string | undefined;
  readonly output: vscode.LogOutputChannel;
  readonly statusBar: CoverageStatusBar;
  readonly blockers: BlockersView;
  readonly modules: ModulesView;
  private readonly moduleStatus: ModuleLanguageStatus;
  private readonly statusEmitter = new vscode.EventEmitter<ServerStatus>();
  private readonly lastChangeNotifier = new LastChangeNotifier();
  private starting: Promise<void> = Promise.resolve();
  /** Why no server runs (shown by the views); empty when a welcome view already says it. */
  private notRunning = 'The Clysm server is starting.';
  /** Lives as long as the extension (what lives as long as one server run is in `run`). */
  private readonly extCleanup: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Clysm', { log: true });
    this.statusBar = new CoverageStatusBar(STAGE1_COMMAND);
    this.blockers = new BlockersView((params, folderUri, withFixes) => this.blockerTrees(params, folderUri, withFixes));
    this.modules = new ModulesView(() => this.moduleRows(), vscode.Uri.joinPath(context.extensionUri, 'media'), context.workspaceState);
    this.moduleStatus = new ModuleLanguageStatus();
    this.pushExtCleanup(
      this.output,
      this.statusBar,
      this.blockers,
      this.modules,
      this.moduleStatus,
      this.statusEmitter,
      this.blockers.onDidLoad(() => this.showRegressions()),
      this.modules.onDidLoad(() => this.moduleStatus.setGroups(this.modules.currentGroups())),
      vscode.window.onDidChangeActiveTextEditor(() => this.showStatus()),
    );
  }

  pushExtCleanup(...disposables: vscode.Disposable[]): void {
    this.extCleanup.push(...disposables);
  }

  /** The client of the folder the status bar shows, for commands that send their own requests. */
  get languageClient(): LanguageClient | undefined {
    return this.shown()?.run.client;
  }

  /** The folder the status bar shows (the active editor's, among the analysed ones). */
  get activeFolder(): vscode.WorkspaceFolder | undefined {
    return this.shown()?.folder;
  }

  /** The analysed folders, in workspace order. */
  analysedFolders(): FolderRef[] {
    return [...this.runs.values()].map(({ folder }) => ({ uri: folder.uri.toString(), name: folder.name }));
  }


  get api(): ClysmApi {
    return {
      ready: () => this.starting,
      status: async () => (this.languageClient?.isRunning() ? this.languageClient.sendRequest(StatusRequest) : undefined),
      lastStatus: () => this.shown()?.latest,
      folders: () => this.analysedFolders(),
      blockerGroups: () => this.blockers.currentGroups(),
      moduleGroups: () => this.modules.currentGroups(),
      onStatus: this.statusEmitter.event,
      statusBar: () => this.statusBar.viewState(),
      moduleStatus: () => this.moduleStatus.viewState(),
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
    const open = vscode.workspace.workspaceFolders ?? [];
    if (open.length === 0) {
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
    const facts = open.map((folder) => ({
      folder,
      uri: folder.uri.toString(),
      name: folder.name,
      hasClysmAsd: folder.uri.scheme === 'file' && fs.existsSync(path.join(folder.uri.fsPath, 'clysm.asd')),
      modulesConfigured: (vscode.workspace.getConfiguration('clysm', folder.uri).get<string[] | null>('modules') ?? []).length > 0,
    }));
    const chosen = foldersToAnalyse(facts);
    if (open.length > 1) this.output.info(`analysing ${chosen.map((f) => f.name).join(', ')} of ${open.length} workspace folders (a Clysm checkout or clysm.modules)`);
    for (const { folder } of chosen) this.startFolder(folder, chosen.length > 1);
    this.showStatus();
    await Promise.all([...this.runs.values()].map(({ run }) => run.client.start()));
    this.scheduleViewRefresh();
  }

  private startFolder(folder: vscode.WorkspaceFolder, several: boolean): void {
    const run = createClient(this.context, folder, this.output, several);
    const entry: FolderRun = { folder, run };
    this.runs.set(folder.uri.toString(), entry);
    run.own(
      run.client.onNotification(StatusNotification, (status) => {
        entry.latest = status;
        this.lastChangeNotifier.statusChanged(status.lastChange);
        if (this.shown() === entry) {
          this.statusBar.update(status, this.runs.size > 1 ? folder.name : undefined);
          this.moduleStatus.statusChanged(status);
        }
        this.statusEmitter.fire(status);
        // Each status may carry new counts: reload the views (throttled; this also retries a failed load).
        this.blockers.statusChanged(this.shown()?.latest);
        this.modules.scheduleRefresh();
      }),
    );
  }

  async stop(): Promise<void> {
    const runs = [...this.runs.values()];
    this.runs = new Map();
    this.notRunning = 'The Clysm server is not running.';
    // Give each server a moment to exit cleanly, as rust-analyzer does; the watchers go with the clients.
    await Promise.all(runs.map(({ folder, run }) => run.stop(2000).catch((e: unknown) => this.output.warn(`stopping the server of ${folder.name}: ${String(e)}`))));
    this.scheduleViewRefresh();
  }

  /** The run of the folder the status bar shows (see folderToShow). */
  private shown(): FolderRun | undefined {
    const editor = vscode.window.activeTextEditor;
    const editorFolder = editor ? folderOf(editor.document.uri)?.uri.toString() : undefined;
    this.shownFolder = folderToShow([...this.runs.keys()], editorFolder, this.shownFolder);
    return this.shownFolder === undefined ? undefined : this.runs.get(this.shownFolder);
  }

  /** Shows the status (and the regressions) of the active editor's folder. */
  private showStatus(): void {
    const entry = this.shown();
    if (!entry) return;
    if (entry.latest) this.statusBar.update(entry.latest, this.runs.size > 1 ? entry.folder.name : undefined);
    else this.statusBar.showMessage('$(sync~spin) Clysm', `Starting the Clysm language server for ${entry.folder.name}…`);
    this.moduleStatus.statusChanged(entry.latest);
    this.showRegressions();
  }

  private showRegressions(): void {
    const uri = this.shown()?.folder.uri.toString();
    const group = this.blockers.currentGroups()?.find((g) => g.folder.uri === uri);
    this.statusBar.setRegressions(group?.tree.regressions ?? [], uri);
  }

  /**
   * Sends the settings to the running server, which applies the live ones at once (and pulls
   * diagnostics again); settings that need a restart wait for one.
   */
  async sendSettings(): Promise<void> {
    await Promise.all(
      [...this.runs.values()].map(async ({ folder, run }) => {
        if (!run.client.isRunning()) return;
        const change: ClysmConfigurationChange = { settings: serverSettings(folder, this.context) };
        await run.client.sendNotification(DidChangeConfigurationNotification.type, change);
      }),
    );
  }

  async restart(): Promise<void> {
    this.output.info('restarting the Clysm server');
    await this.stop();
    await this.start();
  }

  /** Re-checks every analysed folder. */
  async reanalyze(): Promise<void> {
    const running = [...this.runs.values()].filter(({ run }) => run.client.isRunning());
    if (running.length === 0) {
      void vscode.window.showWarningMessage('Clysm: the server is not running.');
      return;
    }
    await Promise.all(running.map(({ run }) => run.client.sendRequest(ReanalyzeRequest)));
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
    this.blockers.statusChanged(this.shown()?.latest);
    this.modules.scheduleRefresh();
  }

  /** Every analysed folder's tree (only `folderUri`'s when given: the active-module filter), with its Fixes list when asked. */
  private blockerTrees(params: BlockerTreeParams, folderUri: string | undefined, withFixes: boolean): Promise<FolderTree[]> {
    const runs = this.runningFolders().filter(({ folder }) => folderUri === undefined || folder.uri.toString() === folderUri);
    return Promise.all(
      runs.map(async ({ folder, run, latest }): Promise<FolderTree> => {
        const [tree, fixes, lastChange] = await Promise.all([
          run.client.sendRequest(BlockerTreeRequest, params),
          withFixes ? run.client.sendRequest(RootCausesRequest, params) : Promise.resolve<RootCauseList | undefined>(undefined),
          // The delta is asked for only once a compiler change happened (the status says so).
          latest?.lastChange ? run.client.sendRequest(LastChangeRequest) : Promise.resolve(null),
        ]);
        return { folder: refOf(folder), tree, ...(fixes && { fixes }), ...(lastChange && { lastChange }) };
      }),
    );
  }

  /** The full message of a form (Open Full Message), from the server of the folder the status bar shows. */
  formMessage(id: string): Promise<{ id: string; message: string } | null> {
    return this.runningClient().sendRequest(FormMessageRequest, { id });
  }

  private moduleRows(): Promise<FolderRows[]> {
    return Promise.all(this.runningFolders().map(async ({ folder, run }) => ({ folder: refOf(folder), rows: await run.client.sendRequest(ModulesRequest) })));
  }

  /** The runs whose server is up; throws (with why not) when there is none. */
  private runningFolders(): FolderRun[] {
    const running = [...this.runs.values()].filter(({ run }) => run.client.isRunning());
    if (running.length === 0) throw new ServerNotRunning(this.notRunning);
    return running;
  }

  private runningClient(): LanguageClient {
    if (!this.languageClient?.isRunning()) throw new ServerNotRunning(this.notRunning);
    return this.languageClient;
  }
}

function refOf(folder: vscode.WorkspaceFolder): FolderRef {
  return { uri: folder.uri.toString(), name: folder.name };
}
