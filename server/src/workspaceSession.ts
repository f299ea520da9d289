// One language-server session over one workspace folder: the backend's life, the open buffers
// and the background analysis, over a WorkspaceRun (the model, regressions, the report). The
// persisted results live in ResultPersistence, the baseline in BaselineTracker. server.ts only
// wires LSP to this.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectBackend, type BackendConfig, type SelectedBackend } from './backends/createBackend';
import { wasiBuildPath } from './backends/stage0/backend';
import type { Blocker, Summary } from './blockers';
import type { HoverContext, Staleness } from './lsp/formPresentation';
import { itemAtOffset } from './lsp/hoverTarget';
import { buildBlockerTree, buildModuleRows } from './lsp/viewData';
import type { BlockerTree, ModuleRow, ServerSettings, ServerStatus } from './protocol';
import { BaselineTracker } from './report/baselineTracker';
import type { Stage1Report } from './report/stage1Report';
import type { AnalyzedForm, BackendStatus, CompilerBackend } from './types';
import { AnalysisCancelled, textHash, type ModuleAnalysis } from './workspace/analyzeModule';
import { writeFileAtomic } from './util/atomicWrite';
import { ResultCache } from './workspace/resultCache';
import { ResultPersistence } from './workspace/resultPersistence';
import { DiskFiles, OverlayFiles } from './workspace/workspaceFiles';
import { CompilerReloadLoop, isReloadable, type ReloadableCompiler } from './workspace/compilerReload';
import { reloadableCompilerOf, type RebuildableStage0 } from './workspace/stage0Reload';
import { watchCompilerFiles } from './workspace/compilerFileWatcher';
import type { LastChange } from './protocol';
import type { ReloadError } from './backends/sbcl/hotReload';
import { publishesStatus, WorkspaceModel, type ProgressReport } from './workspace/workspaceModel';
import { NO_BACKEND_STATUS, WorkspaceRun } from './workspace/workspaceRun';

export interface WorkspaceSessionHooks {
  log(message: string): void;
  /** Status or coverage changed. */
  statusChanged(status: ServerStatus): void;
  /** Results of some module changed; the client should pull diagnostics again. */
  resultsChanged(): void;
  /** The backend is unusable or a stub: tell the user once per distinct message. */
  backendProblem(status: BackendStatus): void;
  progress(report: ProgressReport | undefined): void;
}

export interface WorkspaceSessionOptions {
  /** Replaceable for tests (e.g. to count backend calls); defaults to the real selection. */
  selectBackend?: (config: BackendConfig) => Promise<SelectedBackend>;
  /** Delay between an edit and the cache write it causes (edits come in bursts). */
  cacheWriteDelayMs?: number;
}

const DEFAULT_CACHE_WRITE_DELAY_MS = 2000;

interface WholeRun {
  /** A whole run (start, restart, re-analyse) rotates the "previous run" baseline; a run caused by an edit does not. */
  rotateBaseline: boolean;
  /** Check the modules open in the editor before the list-order pass (after a compiler reload). */
  openFirst?: boolean;
}

export class WorkspaceSession {
  private run: WorkspaceRun | undefined;
  private readonly files: OverlayFiles;
  private readonly cache = new ResultCache();
  private readonly baselines = new BaselineTracker((file) => fs.readFileSync(file, 'utf8'));
  private persistence: ResultPersistence | undefined;
  private busyCount = 0;
  private background: AbortController | undefined;
  /** A rotating whole run was started and has not completed yet (a later run finishes its job). */
  private runCompletionPending = false;
  private downstreamTimer: NodeJS.Timeout | undefined;
  private backendStatusSubscription: { dispose(): void } | undefined;
  /** Compiler files outside the folder, which the editor's file watcher does not see. */
  private outsideCompilerWatcher: { close(): void } | undefined;
  /** Saved changes to the compiler itself (SBCL sources, a rebuilt Stage 0): reload, re-check everything, keep the delta. */
  readonly compilerLoop = new CompilerReloadLoop({
    compiler: () => this.reloadableCompiler(),
    forms: () => this.model?.allForms() ?? [],
    recheckAll: () => this.analyzeWorkspace({ rotateBaseline: false, openFirst: true }),
    relativePath: (file) => this.relativePath(file),
    log: (message) => this.hooks.log(message),
    changed: () => {
      this.publishStatus();
      this.hooks.resultsChanged();
    },
  });
  /** The workspace's blockers and summary for hovers, which come in bursts; per model version. */
  private overview: { version: number; blockers: Blocker[]; summary: Summary } | undefined;
  /** Settles when the first backend is chosen: requests that need one wait on it at start-up. */
  private readonly chosen: Promise<void>;
  private markChosen: () => void = () => undefined;

  constructor(
    readonly root: string,
    private settings: ServerSettings,
    private readonly hooks: WorkspaceSessionHooks,
    private readonly options: WorkspaceSessionOptions = {},
  ) {
    this.files = new OverlayFiles(new DiskFiles(root));
    this.chosen = new Promise((resolve) => {
      this.markChosen = resolve;
    });
  }

  /** Settings changed while running; only their live fields differ (protocol/settings.ts applyLiveSettings). */
  useSettings(settings: ServerSettings): void {
    this.settings = settings;
  }

  /** Workspace-relative path with `/` separators, or undefined for files outside the root. */
  relativePath(fsPath: string): string | undefined {
    const rel = path.relative(this.root, fsPath);
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return rel.split(path.sep).join('/');
  }

  stage0AbsolutePath(): string {
    return path.resolve(this.root, this.settings.stage0Path);
  }

  /** Shows the persisted results at once, then starts the backend and revalidates in the background. */
  async start(): Promise<void> {
    this.ensureRun();
    await this.startBackend();
  }

  private get model(): WorkspaceModel | undefined {
    return this.run?.model;
  }

  private get backend(): WorkspaceRun['backend'] {
    return this.run?.backend;
  }

  private ensureRun(): WorkspaceRun {
    if (this.run) return this.run;
    const model = new WorkspaceModel(this.files, undefined, this.cache, this.settings.modules);
    model.onDirectivesChanged = (moduleIndex) => this.scheduleDownstream(moduleIndex);
    const run = new WorkspaceRun(this.root, model, this.baselines);
    this.run = run;
    this.hooks.log(`module list: ${model.modules.length} modules from ${model.moduleListSource}`);
    this.configureBaseline();
    this.restorePersisted(run);
    return run;
  }

  private configureBaseline(): void {
    const report = this.settings.baselineReport ? path.resolve(this.root, this.settings.baselineReport) : undefined;
    const problem = this.baselines.configure(report);
    if (problem) this.hooks.log(`${problem}; comparing with the previous run instead`);
  }

  /** Loads the saved state (if any) and publishes it before any backend exists. */
  private restorePersisted(run: WorkspaceRun): void {
    if (!this.settings.storageDir) return;
    const persistence = new ResultPersistence(
      this.settings.storageDir,
      this.root,
      (m) => this.hooks.log(m),
      () => run.persistedState(new Date(), this.baselines.persisted()),
      this.options.cacheWriteDelayMs ?? DEFAULT_CACHE_WRITE_DELAY_MS,
    );
    this.persistence = persistence;
    const state = persistence.load(this.cache);
    if (!state) return;
    const restored = run.model.restore(state.analyses);
    run.lastRun = state.lastRun;
    run.lastRunMs = state.lastRunMs;
    this.baselines.restore(state.previousRun, run.model.allForms(), state.savedAt);
    this.hooks.log(`restored ${restored} modules (${this.cache.size} cached results) from ${persistence.store.file}, saved ${state.savedAt}`);
    this.publishStatus();
    this.hooks.resultsChanged();
  }

  private async startBackend(): Promise<void> {
    const run = this.ensureRun();
    const model = run.model;
    const select = this.options.selectBackend ?? selectBackend;
    const selected = await this.withBusy(() =>
      select({
        mode: this.settings.backend,
        workspaceRoot: this.root,
        stage0Path: this.settings.stage0Path,
        timeoutMs: this.settings.stage0TimeoutMs,
        modules: model.modules,
        sbclPath: this.settings.sbclPath,
        sbclDynamicSpaceSizeMb: this.settings.sbclDynamicSpaceSizeMb,
        sbclExtraArgs: this.settings.sbclExtraArgs,
        coreCacheDir: this.settings.coreCacheDir,
        stage0Engine: this.settings.stage0Engine,
        wasmtimePath: this.settings.wasmtimePath,
        stage0MaxMemoryMb: this.settings.stage0MaxMemoryMb,
        stage0LoadTimeoutMs: this.settings.stage0LoadTimeoutMs,
        log: (m) => this.hooks.log(m),
      }),
    );
    const backend = selected.backend;
    run.useBackend(backend, selected.reason);
    this.markChosen();
    this.backendStatusSubscription?.dispose();
    // A crash and restart of SBCL happen between analyses' own status reports: forward them.
    this.backendStatusSubscription = backend.onDidChangeStatus?.((changed) => {
      if (changed.state === 'error') this.hooks.backendProblem(changed);
      this.publishStatus();
    });
    const status = selected.status;
    this.hooks.log(`backend ${backend.kind} (${selected.reason}): ${status.state}: ${status.message}`);
    if (status.state !== 'ready') this.hooks.backendProblem(status);
    this.watchCompilerOutsideFolder();
    this.publishStatus();
    this.hooks.resultsChanged();
    if (status.state === 'ready') void this.analyzeWorkspace();
  }

  private watchCompilerOutsideFolder(): void {
    this.outsideCompilerWatcher?.close();
    this.outsideCompilerWatcher = undefined;
    const outside = this.backendCompiler()?.compilerFiles().filter((file) => this.relativePath(file) === undefined) ?? [];
    if (outside.length === 0) return;
    this.hooks.log(`watching ${outside.length} compiler files outside the workspace folder`);
    // The loop does nothing while the backend cannot take a reload.
    this.outsideCompilerWatcher = watchCompilerFiles(outside, (files, firstSeen) => void this.compilerLoop.filesChanged(files, firstSeen));
  }

  /** The compiler of the backend in use, as the self-hosting loop reloads it: the SBCL backend's system, or the Stage 0 binary. */
  private backendCompiler(): ReloadableCompiler | undefined {
    return reloadableCompilerOf(this.backend, (stage0) => ({ files: () => this.stage0Files(), load: () => this.reloadStage0(stage0) }));
  }

  /**
   * The compiler the loop can reload now: the SBCL backend once ready; the Stage 0 in use
   * whatever its state once started (a rebuild that does not load leaves it in error, and the
   * next rebuild is a reload again, compared with the results of the last one that loaded).
   */
  private reloadableCompiler(): ReloadableCompiler | undefined {
    const state = this.backend?.status().state;
    const canReload = isReloadable(this.backend) ? state === 'ready' : state !== undefined && state !== 'stopped';
    return canReload ? this.backendCompiler() : undefined;
  }

  /** The Stage 0 binaries whose change is a rebuild: the configured one, and its WASI build for the wasmtime engine. */
  private stage0Files(): string[] {
    const stage0 = this.stage0AbsolutePath();
    return this.settings.stage0Engine === 'wasmtime' ? [stage0, wasiBuildPath(stage0, () => true)] : [stage0];
  }

  private async reloadStage0(backend: RebuildableStage0): Promise<BackendStatus> {
    // A form compiled while the binary is swapped would be keyed to one Stage 0 and compiled by the other.
    this.background?.abort();
    this.hooks.log('Stage 0 changed on disk: loading it again');
    const status = await this.withBusy(() => backend.reload());
    if (status.state !== 'ready') this.hooks.backendProblem(status);
    this.publishStatus();
    return status;
  }

  isReady(): boolean {
    return this.backend?.status().state === 'ready';
  }

  /** The backend in use, once chosen (Generate Stage 1 runs its generator). */
  activeBackend(): CompilerBackend | undefined {
    return this.backend;
  }

  /** Resolves once a backend is chosen (at once when one is). */
  backendChosen(): Promise<void> {
    return this.chosen;
  }

  /** Chooses and starts the backend again, then re-checks everything. */
  async restartBackend(): Promise<void> {
    this.background?.abort();
    this.backendStatusSubscription?.dispose();
    await this.backend?.dispose();
    await this.startBackend();
  }

  /** Drops every cached result and analyses the whole workspace again. */
  async reanalyze(): Promise<void> {
    this.cache.clear();
    this.model?.refreshModuleList();
    this.hooks.resultsChanged();
    await this.analyzeWorkspace();
  }

  /** Stops the running background analysis (the user cancelled its progress). */
  cancelAnalysis(): void {
    this.background?.abort();
  }

  /** Background analysis of every module in list order. Cancels a running one first. */
  async analyzeWorkspace(whole: WholeRun = { rotateBaseline: true }): Promise<void> {
    const run = this.run;
    if (!run || !this.isReady()) return;
    const model = run.model;
    this.background?.abort();
    const controller = new AbortController();
    this.background = controller;
    if (whole.rotateBaseline) {
      this.configureBaseline();
      this.baselines.runStarted();
      this.runCompletionPending = true;
    }
    try {
      const compiled = await this.withBusy(() =>
        run.analyzeAll(controller.signal, (report) => {
          this.hooks.progress(report);
          if (publishesStatus(report)) this.publishStatus();
        }, whole.openFirst ? this.files.openPaths() : []),
      );
      const finishedAt = run.lastRun ?? new Date().toISOString();
      if (this.persistence) this.persistence.restoredSavedAt = undefined;
      if (this.runCompletionPending) {
        this.baselines.runCompleted(model.allForms(), finishedAt);
        this.runCompletionPending = false;
      }
      this.hooks.log(`workspace analysed: ${model.allForms().length} forms, ${compiled} sent to the backend, in ${(run.lastRunMs ?? 0).toFixed(0)} ms`);
      this.persistence?.saveNow();
    } catch (error) {
      if (!(error instanceof AnalysisCancelled)) this.hooks.log(`workspace analysis failed: ${String(error)}`);
    } finally {
      if (this.background === controller) this.background = undefined;
      this.hooks.progress(undefined);
      this.publishStatus();
      this.hooks.resultsChanged();
    }
  }

  /**
   * An order-sensitive form of module `moduleIndex` changed: every later module is keyed
   * differently now. Re-check them once the edits pause (unchanged keys cost nothing).
   */
  private scheduleDownstream(moduleIndex: number): void {
    this.hooks.log(`directives of module ${moduleIndex} changed: re-checking the modules after it`);
    if (this.downstreamTimer) clearTimeout(this.downstreamTimer);
    this.downstreamTimer = setTimeout(() => {
      this.downstreamTimer = undefined;
      void this.analyzeWorkspace({ rotateBaseline: false });
    }, Math.max(200, this.settings.diagnosticsDelayMs));
  }

  /** The editor's buffer for a module (undefined when closed: fall back to the file on disk). */
  setOpenText(relPath: string, text: string | undefined): void {
    this.files.setOpen(relPath, text);
  }

  /** Analyses one module from its current text. Undefined when it is not a compiler module. */
  async analyzeDocument(relPath: string, text: string, signal?: AbortSignal): Promise<ModuleAnalysis | undefined> {
    if (!this.model || !this.backend || this.backend.status().state === 'error') return undefined;
    const analysis = await this.withBusy(() => this.model!.analyzeFile(relPath, signal, text));
    this.publishStatus();
    this.persistence?.saveSoon();
    return analysis;
  }

  /**
   * A file was saved or changed on disk, open in the editor or not: when it belongs to the
   * compiler the backend has loaded (a source of the SBCL backend's system, or the Stage 0 in
   * use), reload it and re-check every form. True when it did.
   */
  async compilerFileChanged(file: string): Promise<boolean> {
    const absolute = path.resolve(this.root, file);
    if (!this.compilerLoop.isCompilerFile(absolute)) return false;
    await this.compilerLoop.filesChanged([absolute]);
    return true;
  }

  /** The delta of the last compiler change (clysm/lastChange). */
  lastChange(): LastChange | undefined {
    return this.compilerLoop.lastChange();
  }

  /** Changed compiler forms the backend's image could not take, in the file `relPath`. */
  reloadErrorsIn(relPath: string): ReloadError[] {
    return this.reloadErrorsByFile().get(path.resolve(this.root, relPath)) ?? [];
  }

  /** Changed compiler forms the backend's image could not take, by absolute file path. */
  reloadErrorsByFile(): Map<string, ReloadError[]> {
    const byFile = new Map<string, ReloadError[]>();
    const backend = this.backend;
    if (!isReloadable(backend)) return byFile;
    for (const error of backend.reloadErrors()) byFile.set(error.file, [...(byFile.get(error.file) ?? []), error]);
    return byFile;
  }

  /** A file changed on disk (not through the editor). */
  async fileChangedOnDisk(relPath: string): Promise<void> {
    if (!this.model) return;
    if (await this.compilerFileChanged(relPath)) return;
    // Stage 0 changed while another backend is in use (auto chose SBCL) or none is yet: choose again.
    if (this.stage0Files().includes(path.resolve(this.root, relPath))) {
      this.hooks.log(`Stage 0 changed on disk: ${relPath}; choosing the backend again`);
      await this.restartBackend();
      return;
    }
    if (!relPath.endsWith('.lisp')) return;
    const before = this.model.modules.join('\n');
    this.model.refreshModuleList();
    if (before !== this.model.modules.join('\n')) {
      await this.analyzeWorkspace({ rotateBaseline: false });
    } else if (this.model.moduleIndexOf(relPath) !== undefined && this.isReady()) {
      await this.withBusy(() => this.model!.analyzeFile(relPath));
      this.publishStatus();
      this.hooks.resultsChanged();
      this.persistence?.saveSoon();
    }
  }

  formAt(relPath: string, offset: number): AnalyzedForm | undefined {
    return itemAtOffset(this.model?.analysisOf(relPath)?.forms ?? [], offset);
  }

  /**
   * Stored results for a document while the backend is still starting, when they match its
   * text exactly. Not once the backend turned out unusable: then nothing is painted red.
   */
  storedFormsFor(relPath: string, text: string): AnalyzedForm[] | undefined {
    if (this.backend && this.backend.status().state !== 'starting') return undefined;
    const analysis = this.model?.analysisOf(relPath);
    return analysis && analysis.textHash === textHash(text) ? analysis.forms : undefined;
  }

  /** Set while the results shown come from the restored saved state and the backend cannot re-check them. */
  staleness(now = new Date()): Staleness | undefined {
    const savedAt = this.persistence?.restoredSavedAt;
    if (savedAt === undefined || this.isReady()) return undefined;
    const status = this.backend?.status();
    const reason = !status || status.state === 'starting' ? 'the backend is still starting' : `the backend is not usable (${status.state}: ${status.message})`;
    return { savedAt: new Date(savedAt), now, reason };
  }

  moduleIndexOf(relPath: string): number | undefined {
    return this.model?.moduleIndexOf(relPath);
  }

  workspace(): WorkspaceModel | undefined {
    return this.model;
  }

  /** Ids of the forms that compiled in the baseline and fail now. */
  regressionIds(): ReadonlySet<string> {
    return this.run?.regressionIds() ?? new Set();
  }

  isRegression(form: AnalyzedForm): boolean {
    return this.regressionIds().has(form.id);
  }

  /** What a hover says beside the form itself. */
  hoverContext(form: AnalyzedForm): HoverContext | undefined {
    const model = this.model;
    if (!model) return undefined;
    if (this.overview?.version !== model.version) this.overview = { version: model.version, blockers: model.blockers(), summary: model.summary() };
    return {
      blockers: this.overview.blockers,
      summary: this.overview.summary,
      regressionBaseline: this.isRegression(form) ? this.baselineSource() : undefined,
      stale: this.staleness(),
      compilerChange: this.compilerChangeOf(form.id),
    };
  }

  private compilerChangeOf(formId: string): HoverContext['compilerChange'] {
    const form = this.compilerLoop.changeOf(formId);
    const mode = this.compilerLoop.lastChange()?.reload.mode;
    return form && mode ? { form, mode } : undefined;
  }

  baselineSource(): string {
    return this.baselines.source();
  }

  blockerTree(file?: string): BlockerTree {
    return buildBlockerTree(this.model?.allForms() ?? [], this.regressionIds(), file);
  }

  moduleRows(): ModuleRow[] {
    const model = this.model;
    if (!model) return [];
    return buildModuleRows(
      model.modules,
      (file) => {
        const analysis = model.analysisOf(file);
        return analysis ? { forms: analysis.forms, stale: model.isStale(file) } : undefined;
      },
      (file) => model.problems.get(file),
    );
  }

  stage1Report(now = new Date()): Stage1Report {
    return this.ensureRun().stage1Report(now);
  }

  /** Writes the report atomically (a temp file, then a rename). */
  exportReport(target: string): { path: string; forms: number } {
    const file = path.resolve(this.root, target);
    const report = this.stage1Report();
    writeFileAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
    this.hooks.log(`report written to ${file}: ${report.forms.length} forms`);
    return { path: file, forms: report.forms.length };
  }

  status(): ServerStatus {
    const run = this.run;
    const summary = this.model?.summary();
    const stale = this.model?.staleModuleCount() ?? 0;
    const savedAt = this.persistence?.restoredSavedAt;
    return {
      backend: this.backend?.kind ?? 'none',
      backendReason: run?.backendReason ?? '',
      status: run?.backendStatus() ?? NO_BACKEND_STATUS,
      busy: this.busyCount > 0,
      modulesDone: this.model?.analyzedModuleCount() ?? 0,
      modulesTotal: this.model?.modules.length ?? 0,
      moduleListSource: this.model?.moduleListSource ?? '',
      summary: summary ?? { total: 0, compiled: 0, failed: 0, skipped: 0, timeout: 0, readErrors: 0, noOutput: 0, crashed: 0, coveragePct: 0 },
      lastRun: run?.lastRun,
      lastRunMs: run?.lastRunMs,
      regressions: this.regressionIds().size,
      baselineSource: this.baselines.source(),
      ...(stale > 0 && savedAt !== undefined && { restoredResults: { savedAt, staleModules: stale } }),
      ...(this.compilerLoop.lastChange() && { lastChange: { text: this.compilerLoop.lastChange()!.text, at: this.compilerLoop.lastChange()!.at } }),
    };
  }

  async dispose(): Promise<void> {
    this.background?.abort();
    if (this.downstreamTimer) clearTimeout(this.downstreamTimer);
    this.persistence?.flush();
    this.backendStatusSubscription?.dispose();
    this.outsideCompilerWatcher?.close();
    await this.backend?.dispose();
  }

  private publishStatus(): void {
    this.hooks.statusChanged(this.status());
  }

  private async withBusy<T>(work: () => Promise<T>): Promise<T> {
    this.busyCount++;
    if (this.busyCount === 1) this.publishStatus();
    try {
      return await work();
    } finally {
      this.busyCount--;
    }
  }
}
