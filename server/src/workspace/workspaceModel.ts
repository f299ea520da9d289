// The whole workspace as the compiler sees it: the module list in compile order, the latest
// analysis of every module, and the coverage and blockers derived from them.
import { aggregateBlockers, summarize, type Blocker, type Summary } from '../blockers';
import type { AnalyzedForm, CompilerBackend } from '../types';
import { analyzeModule, AnalysisCancelled, type ModuleAnalysis } from './analyzeModule';
import { resolveModuleList } from './moduleList';
import type { ResultCache } from './resultCache';
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
  /** Module-level problems: missing files, non-UTF-8 text. */
  readonly problems = new Map<string, string>();

  constructor(
    private readonly files: WorkspaceFiles,
    private backend: CompilerBackend,
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
    for (const file of [...this.analyses.keys()]) if (!this.modules.includes(file)) this.analyses.delete(file);
  }

  /** 1-based module index, or undefined when the file is not a module of the compiler. */
  moduleIndexOf(file: string): number | undefined {
    const index = this.modules.indexOf(file);
    return index < 0 ? undefined : index + 1;
  }

  analysisOf(file: string): ModuleAnalysis | undefined {
    return this.analyses.get(file);
  }

  /** Analyses one module from the given text (an editor buffer) or from the file source. */
  async analyzeFile(file: string, signal?: AbortSignal, text?: string): Promise<ModuleAnalysis | undefined> {
    const moduleIndex = this.moduleIndexOf(file);
    if (moduleIndex === undefined) return undefined;
    let source = text;
    if (source === undefined) {
      const read = this.files.read(file);
      if (!read) {
        this.problems.set(file, `Module not found: ${file}`);
        this.analyses.delete(file);
        return undefined;
      }
      source = read.text;
      if (read.warning) this.problems.set(file, read.warning);
      else this.problems.delete(file);
    }
    const analysis = await analyzeModule({ file, moduleIndex, text: source, backend: this.backend, cache: this.cache, signal });
    this.analyses.set(file, analysis);
    return analysis;
  }

  /** Analyses every module in list order, as Clysm's own generator does. */
  async analyzeAll(signal?: AbortSignal, onProgress?: (report: ProgressReport) => void): Promise<number> {
    let compiledNow = 0;
    for (let i = 0; i < this.modules.length; i++) {
      if (signal?.aborted) throw new AnalysisCancelled();
      const file = this.modules[i];
      onProgress?.({ moduleNumber: i + 1, moduleCount: this.modules.length, file });
      const analysis = await this.analyzeFile(file, signal);
      compiledNow += analysis?.compiledNow ?? 0;
    }
    return compiledNow;
  }

  /** Every analysed form, in module-list order. */
  allForms(): AnalyzedForm[] {
    const forms: AnalyzedForm[] = [];
    for (const file of this.modules) forms.push(...(this.analyses.get(file)?.forms ?? []));
    return forms;
  }

  analyzedModuleCount(): number {
    return this.modules.filter((file) => this.analyses.has(file)).length;
  }

  summary(): Summary {
    return summarize(this.allForms());
  }

  blockers(): Blocker[] {
    const forms = this.allForms();
    return aggregateBlockers(forms, forms.length);
  }

  moduleProblems(): ModuleProblem[] {
    return [...this.problems].map(([file, message]) => ({ file, message }));
  }
}
