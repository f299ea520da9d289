// The whole workspace as the compiler sees it: the module list in compile order, the latest
// analysis of every module, and the coverage and blockers derived from them.
import { aggregateBlockers, summarize, type Blocker, type Summary } from '../blockers';
import { readTopLevelForms } from '../reader';
import type { AnalyzedForm, CompilerBackend, FormResult } from '../types';
import { analyzeModule, AnalysisCancelled, type ModuleAnalysis } from './analyzeModule';
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
  analyzeFile(file: string, signal?: AbortSignal, text?: string): Promise<ModuleAnalysis | undefined> {
    return this.analyzeOne(file, signal, text, true);
  }

  private async analyzeOne(file: string, signal: AbortSignal | undefined, text: string | undefined, notify: boolean): Promise<ModuleAnalysis | undefined> {
    const moduleIndex = this.moduleIndexOf(file);
    if (moduleIndex === undefined) return undefined;
    const backend = this.backend;
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
    const analysis = await analyzeModule({ file, moduleIndex, text: source, backend, cache: this.cache, signal, context, previous });
    this.analyses.set(file, analysis);
    this.stale.delete(file);
    this.version++;
    this.noteDigest(file, moduleIndex, analysis.directiveDigest, notify);
    return analysis;
  }

  private noteDigest(file: string, moduleIndex: number, digest: string, notify: boolean): void {
    const before = this.digests.get(file);
    this.digests.set(file, digest);
    if (before !== digest) this.contexts.digestChanged(moduleIndex - 1);
    if (notify && before !== undefined && before !== digest && moduleIndex < this.modules.length) this.onDirectivesChanged?.(moduleIndex);
  }

  /** Analyses every module in list order, as Clysm's own generator does. */
  async analyzeAll(signal?: AbortSignal, onProgress?: (report: ProgressReport) => void, first: readonly string[] = []): Promise<number> {
    let compiledNow = 0;
    // The modules the user looks at get their results first. With the directives of the last
    // run; the list-order pass below then finds them in the cache unless those changed.
    for (const file of first) {
      if (signal?.aborted) throw new AnalysisCancelled();
      compiledNow += (await this.analyzeOne(file, signal, undefined, false))?.compiledNow ?? 0;
    }
    for (let i = 0; i < this.modules.length; i++) {
      if (signal?.aborted) throw new AnalysisCancelled();
      const file = this.modules[i];
      onProgress?.({ moduleNumber: i + 1, moduleCount: this.modules.length, file });
      // In list order every module sees its predecessors' fresh directives: nothing to notify.
      const analysis = await this.analyzeOne(file, signal, undefined, false);
      compiledNow += analysis?.compiledNow ?? 0;
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
