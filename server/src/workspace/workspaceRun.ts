// The headless run: the whole workspace analysed by one backend, and what both the language
// server and clysm-check derive from it (regressions against a baseline, the Stage 1 report,
// the state to persist). One home, so the editor and the CLI always agree.
import { findRegressions, type Baseline, type PersistedBaseline } from '../report/baseline';
import { buildStage1Report, GENERATOR_VERSION, type Stage1Report } from '../report/stage1Report';
import type { BackendStatus, CompilerBackend } from '../types';
import { makePersistedState, type PersistedState } from './persistedState';
import type { ProgressReport, WorkspaceModel } from './workspaceModel';

/** Where the baseline comes from; `version` changes whenever `current()` may have. */
export interface BaselineSource {
  current(): Baseline | undefined;
  readonly version: number;
}

/** A baseline fixed for the whole run (the CLI's --baseline). */
export function fixedBaseline(baseline: Baseline | undefined): BaselineSource {
  return { current: () => baseline, version: 0 };
}

/** The status before any backend exists. */
export const NO_BACKEND_STATUS: BackendStatus = { state: 'starting', message: 'starting', engine: { name: 'none', version: '' } };

export class WorkspaceRun {
  /** When the last whole run finished (ISO time), and how long it took. */
  lastRun: string | undefined;
  lastRunMs: number | undefined;
  backend: CompilerBackend | undefined;
  backendReason = '';
  private regressionMemo: { key: string; ids: Set<string> } | undefined;

  constructor(
    readonly root: string,
    readonly model: WorkspaceModel,
    private readonly baseline: BaselineSource,
  ) {}

  useBackend(backend: CompilerBackend, reason: string): void {
    this.backend = backend;
    this.backendReason = reason;
    this.model.setBackend(backend);
  }

  /** Analyses every module in list order and stamps the run; returns the forms sent to the backend. */
  async analyzeAll(signal?: AbortSignal, onProgress?: (report: ProgressReport) => void, first: readonly string[] = []): Promise<number> {
    const started = performance.now();
    const compiled = await this.model.analyzeAll(signal, onProgress, first);
    this.lastRunMs = performance.now() - started;
    this.lastRun = new Date().toISOString();
    return compiled;
  }

  /** Ids of the forms that compiled in the baseline and fail now (memoised per model and baseline version). */
  regressionIds(): ReadonlySet<string> {
    const key = `${this.model.version}:${this.baseline.version}`;
    if (this.regressionMemo?.key !== key) {
      this.regressionMemo = { key, ids: new Set(findRegressions(this.model.allForms(), this.baseline.current()).map((f) => f.id)) };
    }
    return this.regressionMemo.ids;
  }

  backendStatus(): BackendStatus {
    return this.backend?.status() ?? NO_BACKEND_STATUS;
  }

  stage1Report(now = new Date()): Stage1Report {
    const baseline = this.baseline.current();
    return buildStage1Report({
      now,
      generatorVersion: GENERATOR_VERSION,
      backend: { kind: this.backend?.kind ?? 'none', reason: this.backendReason, identity: this.backend?.identity() ?? '', status: this.backendStatus() },
      modules: this.model.modules,
      moduleListSource: this.model.moduleListSource,
      forms: this.model.allForms(),
      problems: this.model.moduleProblems(),
      baseline: baseline ? { source: baseline.source, defunFailures: baseline.defunFailures } : undefined,
      regressionIds: this.regressionIds(),
    });
  }

  /** What the persistent cache stores: every module's analysis, and the baseline then in effect. */
  persistedState(now: Date, previousRun?: PersistedBaseline): PersistedState {
    return makePersistedState({
      root: this.root,
      now,
      backend: { kind: this.backend?.kind ?? 'none', identity: this.backend?.identity() ?? '' },
      moduleListSource: this.model.moduleListSource,
      modules: this.model.modules,
      lastRun: this.lastRun,
      lastRunMs: this.lastRunMs,
      analyses: this.model.persistedModules(),
      previousRun,
    });
  }
}
