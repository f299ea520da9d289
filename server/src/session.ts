// One language-server session over one workspace folder: the backend, the workspace model,
// the open buffers, and the background analysis. server.ts only wires LSP to this.
import * as path from 'node:path';
import { selectBackend } from './backends/createBackend';
import type { ServerSettings, ServerStatus } from './protocol';
import type { AnalyzedForm, BackendStatus, CompilerBackend } from './types';
import { AnalysisCancelled, type ModuleAnalysis } from './workspace/analyzeModule';
import { ResultCache } from './workspace/resultCache';
import { DiskFiles, OverlayFiles } from './workspace/workspaceFiles';
import { resolveWorkspaceModules, WorkspaceModel, type ProgressReport } from './workspace/workspaceModel';

export interface SessionHooks {
  log(message: string): void;
  /** Status or coverage changed. */
  statusChanged(status: ServerStatus): void;
  /** Results of some module changed; the client should pull diagnostics again. */
  resultsChanged(): void;
  /** The backend is unusable or a stub: tell the user once per distinct message. */
  backendProblem(status: BackendStatus): void;
  progress(report: ProgressReport | undefined): void;
}

const stoppedStatus: BackendStatus = { state: 'starting', message: 'starting', engine: { name: 'none', version: '' } };

export class Session {
  private backend: CompilerBackend | undefined;
  private model: WorkspaceModel | undefined;
  private readonly files: OverlayFiles;
  private readonly cache = new ResultCache();
  private busyCount = 0;
  private background: AbortController | undefined;
  private lastRun: string | undefined;
  private lastRunMs: number | undefined;
  private backendReason = '';

  constructor(
    readonly root: string,
    private settings: ServerSettings,
    private readonly hooks: SessionHooks,
  ) {
    this.files = new OverlayFiles(new DiskFiles(root));
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

  async start(): Promise<void> {
    const modules = resolveWorkspaceModules(this.files, this.settings.modules).modules;
    const selected = await this.withBusy(() =>
      selectBackend({
        mode: this.settings.backend,
        workspaceRoot: this.root,
        stage0Path: this.settings.stage0Path,
        timeoutMs: this.settings.stage0TimeoutMs,
        modules,
        sbclPath: this.settings.sbclPath,
        sbclDynamicSpaceSizeMb: this.settings.sbclDynamicSpaceSizeMb,
        sbclExtraArgs: this.settings.sbclExtraArgs,
        coreCacheDir: this.settings.coreCacheDir,
        log: (m) => this.hooks.log(m),
      }),
    );
    this.backend = selected.backend;
    this.backendReason = selected.reason;
    const status = selected.status;
    this.model = new WorkspaceModel(this.files, this.backend, this.cache, this.settings.modules);
    this.hooks.log(`module list: ${this.model.modules.length} modules from ${this.model.moduleListSource}`);
    this.hooks.log(`backend ${this.backend.kind} (${selected.reason}): ${status.state}: ${status.message}`);
    if (status.state !== 'ready') this.hooks.backendProblem(status);
    this.publishStatus();
    this.hooks.resultsChanged();
    if (status.state === 'ready') void this.analyzeWorkspace();
  }

  isReady(): boolean {
    return this.backend?.status().state === 'ready';
  }

  /** Re-reads Stage 0 (it changed on disk) and re-checks everything. */
  async restartBackend(): Promise<void> {
    this.background?.abort();
    await this.backend?.dispose();
    await this.start();
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
  async analyzeWorkspace(): Promise<void> {
    if (!this.model || !this.isReady()) return;
    this.background?.abort();
    const controller = new AbortController();
    this.background = controller;
    const started = performance.now();
    try {
      await this.withBusy(() =>
        this.model!.analyzeAll(controller.signal, (report) => {
          this.hooks.progress(report);
          this.publishStatus();
        }),
      );
      this.lastRunMs = performance.now() - started;
      this.lastRun = new Date().toISOString();
      this.hooks.log(`workspace analysed: ${this.model.allForms().length} forms in ${this.lastRunMs.toFixed(0)} ms`);
    } catch (error) {
      if (!(error instanceof AnalysisCancelled)) this.hooks.log(`workspace analysis failed: ${String(error)}`);
    } finally {
      if (this.background === controller) this.background = undefined;
      this.hooks.progress(undefined);
      this.publishStatus();
      this.hooks.resultsChanged();
    }
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
    return analysis;
  }

  /** A file changed on disk (not through the editor). */
  async fileChangedOnDisk(relPath: string): Promise<void> {
    if (!this.model) return;
    if (relPath.endsWith('.wasm') && path.resolve(this.root, relPath) === this.stage0AbsolutePath()) {
      this.hooks.log(`Stage 0 changed on disk: ${relPath}; reloading`);
      await this.restartBackend();
      return;
    }
    if (!relPath.endsWith('.lisp')) return;
    const before = this.model.modules.join('\n');
    this.model.refreshModuleList();
    if (before !== this.model.modules.join('\n')) {
      await this.analyzeWorkspace();
    } else if (this.model.moduleIndexOf(relPath) !== undefined && this.isReady()) {
      await this.withBusy(() => this.model!.analyzeFile(relPath));
      this.publishStatus();
      this.hooks.resultsChanged();
    }
  }

  formAt(relPath: string, offset: number): AnalyzedForm | undefined {
    const analysis = this.model?.analysisOf(relPath);
    return analysis?.forms.find((f) => f.form.start <= offset && offset <= f.form.end);
  }

  moduleIndexOf(relPath: string): number | undefined {
    return this.model?.moduleIndexOf(relPath);
  }

  workspace(): WorkspaceModel | undefined {
    return this.model;
  }

  status(): ServerStatus {
    const summary = this.model?.summary();
    return {
      backend: this.backend?.kind ?? 'none',
      backendReason: this.backendReason,
      status: this.backend?.status() ?? stoppedStatus,
      busy: this.busyCount > 0,
      modulesDone: this.model?.analyzedModuleCount() ?? 0,
      modulesTotal: this.model?.modules.length ?? 0,
      moduleListSource: this.model?.moduleListSource ?? '',
      summary: summary ?? { total: 0, compiled: 0, failed: 0, skipped: 0, timeout: 0, readErrors: 0, noOutput: 0, crashed: 0, coveragePct: 0 },
      lastRun: this.lastRun,
      lastRunMs: this.lastRunMs,
    };
  }

  async dispose(): Promise<void> {
    this.background?.abort();
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
