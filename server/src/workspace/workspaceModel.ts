// The whole workspace as the compiler sees it: the module list in compile order, the latest
// analysis of every module, and the coverage and blockers derived from them.
import { aggregateBlockers, summarize, type Blocker, type Summary } from '../blockers';
import { readTopLevelForms } from '../reader';
import type { AnalyzedForm, CompilerBackend, FormResult } from '../types';
import { AnalysisCancelled, planModule, type ModuleAnalysis, type PlannedModule } from './analyzeModule';
import { CompilePipeline } from './compilePipeline';
import { moduleDirectiveDigest, PrefixContextChain } from './directives';
import { resolveModuleList } from './moduleList';
import type { ResultCache } from './resultCache';
import { restoreModule, persistModule, type PersistedModule } from './persistedState';
import type { WorkspaceFiles } from './workspaceFiles';

export interface ModuleProblem {
  file: string;
  message: string;
}

export interface ProgressReport {
  moduleNumber: number;
  moduleCount: number;
  file: string;
}

/**
 * Status updates during a whole-workspace run. Each one summarises every form, so one per
 * module made a run quadratic in the number of modules (5,000 modules: 8 of 17 s).
 */
export const STATUS_UPDATES_PER_RUN = 200;

/** Whether the status is worth publishing at this progress report: about STATUS_UPDATES_PER_RUN per run, evenly spread, the last included. */
export function publishesStatus(report: ProgressReport): boolean {
  const every = Math.ceil(report.moduleCount / STATUS_UPDATES_PER_RUN);
  return report.moduleNumber % every === 0 || report.moduleNumber === report.moduleCount;
}

/** The module list for a workspace: the setting, else Clysm's own lists, else every .lisp file. */
export function resolveWorkspaceModules(files: WorkspaceFiles, override: string[] | null): { modules: string[]; source: string } {
  return resolveModuleList({
    override,
    readFile: (rel) => files.read(rel)?.text,
    listLispFiles: () => files.listLispFiles(),
  });
}

/** A module read and keyed, its misses queued (planModule). */
interface PlannedOne {
  file: string;
  moduleIndex: number;
  planned: PlannedModule;
}

export class WorkspaceModel {
  modules: string[] = [];
  moduleListSource = '';
  private readonly analyses = new Map<string, ModuleAnalysis>();
  /** Directive digest of each module as last read (directives.ts); drives order-sensitive keys. */
  private readonly digests = new Map<string, string>();
  /** Prefix contexts in list order, extended one module at a time (directives.ts). */
  private contexts = this.newContextChain();
  /** 0-based position of each module's first occurrence in `modules`. */
  private moduleIndexes = new Map<string, number>();
  /** Modules whose analysis was restored from the persisted state and not redone since. */
  private readonly stale = new Set<string>();
  /** Module-level problems: missing files, non-UTF-8 text. */
  readonly problems = new Map<string, string>();
  /** Bumped on every change of the analyses, so derived data can be memoised. */
  version = 0;
  /**
   * Called when an analysis outside analyzeAll changed a module's directives: every later
   * module is then keyed differently and should be analysed again.
   */
  onDirectivesChanged: ((moduleIndex: number) => void) | undefined;

  constructor(
    private readonly files: WorkspaceFiles,
    private backend: CompilerBackend | undefined,
    readonly cache: ResultCache,
    private readonly moduleOverride: string[] | null = null,
  ) {
    this.refreshModuleList();
  }

  setBackend(backend: CompilerBackend): void {
    this.backend = backend;
  }

  refreshModuleList(): void {
    const resolved = resolveWorkspaceModules(this.files, this.moduleOverride);
    this.modules = resolved.modules;
    this.moduleListSource = resolved.source;
    this.moduleIndexes = new Map();
    for (let i = this.modules.length - 1; i >= 0; i--) this.moduleIndexes.set(this.modules[i], i); // first occurrence wins
    this.contexts = this.newContextChain();
    for (const file of [...this.analyses.keys()]) if (!this.moduleIndexes.has(file)) this.analyses.delete(file);
    this.version++;
  }

  /** Shows stored analyses (a previous session's) until each module is analysed again. */
  restore(modules: readonly PersistedModule[]): number {
    let restored = 0;
    for (const stored of modules) {
      const moduleIndex = this.moduleIndexOf(stored.file);
      if (moduleIndex === undefined || this.analyses.has(stored.file)) continue;
      this.analyses.set(stored.file, restoreModule(stored, moduleIndex));
      if (this.digests.get(stored.file) !== stored.directiveDigest) this.contexts.digestChanged(moduleIndex - 1);
      this.digests.set(stored.file, stored.directiveDigest);
      this.stale.add(stored.file);
      restored++;
    }
    this.version++;
    return restored;
  }

  /** The analyses to persist, in list order. */
  persistedModules(): PersistedModule[] {
    return [...new Set(this.modules)].flatMap((file) => {
      const analysis = this.analyses.get(file);
      return analysis ? [persistModule(analysis)] : [];
    });
  }

  isStale(file: string): boolean {
    return this.stale.has(file);
  }

  staleModuleCount(): number {
    return this.stale.size;
  }

  /** Directive context the given module starts in: its predecessors' directive digests. */
  private prefixContext(moduleIndex: number): string {
    return this.contexts.contextAt(moduleIndex - 1);
  }

  private newContextChain(): PrefixContextChain {
    return new PrefixContextChain((index) => this.digestOf(this.modules[index]));
  }

  private digestOf(file: string): string {
    let digest = this.digests.get(file);
    if (digest === undefined) {
      // A module not analysed yet (a document opened before the background run reached it).
      const text = this.files.read(file)?.text;
      digest = moduleDirectiveDigest(text === undefined ? [] : readTopLevelForms(text));
      this.digests.set(file, digest);
    }
    return digest;
  }

  /** 1-based module index, or undefined when the file is not a module of the compiler. */
  moduleIndexOf(file: string): number | undefined {
    const index = this.moduleIndexes.get(file);
    return index === undefined ? undefined : index + 1;
  }

  /** The form compiled once more, for its bytes: cached and restored results keep none (Show Wasm). */
  compileAgain(form: AnalyzedForm, signal?: AbortSignal): Promise<FormResult> {
    if (!this.backend) throw new Error('no compiler backend yet');
    return this.backend.compileForm({ formId: form.id, text: form.form.text, package: form.form.package, operator: form.form.operator }, signal);
  }

  analysisOf(file: string): ModuleAnalysis | undefined {
    return this.analyses.get(file);
  }

  /** Analyses one module from the given text (an editor buffer) or from the file source. */
  async analyzeFile(file: string, signal?: AbortSignal, text?: string): Promise<ModuleAnalysis | undefined> {
    const planned = await this.planOne(file, signal, text, true);
    if (!planned) return undefined;
    const analysis = await this.finishOne(planned);
    this.noteDigest(file, planned.moduleIndex, analysis.directiveDigest, true);
    return analysis;
  }

  /**
   * Reads a module and queues its cache misses on `pipeline` (analyzeModule.planModule);
   * undefined when it is not a module or is missing (then its problem is noted).
   */
  private async planOne(file: string, signal: AbortSignal | undefined, text: string | undefined, notify: boolean, pipeline?: CompilePipeline): Promise<PlannedOne | undefined> {
    const moduleIndex = this.moduleIndexOf(file);
    if (moduleIndex === undefined) return undefined;
    // A run keeps the backend it started with, even if setBackend() is called meanwhile.
    const backend = pipeline?.backend ?? this.backend;
    if (!backend) throw new Error('no compiler backend yet');
    let source = text;
    if (source === undefined) {
      const read = this.files.read(file);
      if (!read) {
        this.problems.set(file, `Module not found: ${file}`);
        this.analyses.delete(file);
        this.stale.delete(file);
        this.version++;
        // A missing module has no directives: the modules after it may be keyed differently now.
        this.noteDigest(file, moduleIndex, moduleDirectiveDigest([]), notify);
        return undefined;
      }
      source = read.text;
      if (read.warning) this.problems.set(file, read.warning);
      else this.problems.delete(file);
    }
    const context = this.prefixContext(moduleIndex);
    const previous = this.analyses.get(file);
    const planned = await planModule({ file, moduleIndex, text: source, backend, cache: this.cache, signal, context, previous, pipeline });
    return { file, moduleIndex, planned };
  }

  private async finishOne({ file, planned }: PlannedOne): Promise<ModuleAnalysis> {
    const analysis = await planned.finish();
    this.analyses.set(file, analysis);
    this.stale.delete(file);
    this.version++;
    return analysis;
  }

  private noteDigest(file: string, moduleIndex: number, digest: string, notify: boolean): void {
    const before = this.digests.get(file);
    this.digests.set(file, digest);
    if (before !== digest) this.contexts.digestChanged(moduleIndex - 1);
    if (notify && before !== undefined && before !== digest && moduleIndex < this.modules.length) this.onDirectivesChanged?.(moduleIndex);
  }

  /**
   * Analyses every module in list order, as Clysm's own generator does. The next module is
   * planned before this one's results are awaited, on one pipeline, so that the backend
   * compiles across module boundaries without waiting (compilePipeline.ts).
   */
  async analyzeAll(signal?: AbortSignal, onProgress?: (report: ProgressReport) => void, first: readonly string[] = []): Promise<number> {
    // The modules the user looks at get their results first. With the directives of the last
    // run; the list-order pass then finds them in the cache unless those changed.
    const order = [...first.map((file) => ({ file, moduleNumber: 0 })), ...this.modules.map((file, i) => ({ file, moduleNumber: i + 1 }))];
    const pipeline = this.backend ? new CompilePipeline(this.backend, signal) : undefined;
    // The digest each planned module had before: put back if its analysis does not complete,
    // so that a later analyzeFile still sees the change and re-keys the modules after it.
    const digestsBefore = new Map<string, string | undefined>();
    const plan = async (at: number): Promise<PlannedOne | undefined> => {
      if (signal?.aborted) throw new AnalysisCancelled();
      const { file } = order[at];
      const planned = await this.planOne(file, signal, undefined, false, pipeline);
      // The next module's keys need this module's directives now: note them (no notification:
      // in list order every module sees its predecessors' fresh directives).
      if (planned) {
        if (!digestsBefore.has(file)) digestsBefore.set(file, this.digests.get(file));
        this.noteDigest(file, planned.moduleIndex, planned.planned.directiveDigest, false);
      }
      return planned;
    };
    let compiledNow = 0;
    try {
      let next = order.length > 0 ? await plan(0) : undefined;
      for (let at = 0; at < order.length; at++) {
        const current = next;
        const { file, moduleNumber } = order[at];
        if (moduleNumber > 0) onProgress?.({ moduleNumber, moduleCount: this.modules.length, file });
        next = at + 1 < order.length ? await plan(at + 1) : undefined;
        if (!current) continue;
        compiledNow += (await this.finishOne(current)).compiledNow;
        digestsBefore.delete(file);
      }
    } catch (error) {
      for (const [file, digest] of digestsBefore) {
        const moduleIndex = this.moduleIndexOf(file);
        if (moduleIndex === undefined) continue;
        if (digest === undefined) this.digests.delete(file);
        else this.digests.set(file, digest);
        this.contexts.digestChanged(moduleIndex - 1);
      }
      throw error;
    }
    return compiledNow;
  }

  /** Every analysed form, in module-list order. */
  allForms(): AnalyzedForm[] {
    const forms: AnalyzedForm[] = [];
    // One push per form: spreading a module's forms into push() overflows the stack past ~125,000.
    for (const file of this.modules) for (const form of this.analyses.get(file)?.forms ?? []) forms.push(form);
    return forms;
  }

  analyzedModuleCount(): number {
    return this.modules.filter((file) => this.analyses.has(file)).length;
  }

  summary(): Summary {
    return summarize(this.allForms());
  }

  blockers(): Blocker[] {
    return aggregateBlockers(this.allForms());
  }

  moduleProblems(): ModuleProblem[] {
    return [...this.problems].map(([file, message]) => ({ file, message }));
  }
}
