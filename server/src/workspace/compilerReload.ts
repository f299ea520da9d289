// The self-hosting loop on the server side: a saved change to a file of the compiler itself
// (a source of the SBCL backend's system, or a Stage 0 rebuilt on disk) replaces the compiler in
// the backend, every form is re-checked by the new compiler generation, and the delta against
// the results just before is kept for the status bar, the views, the hover and the CLI. One
// change at a time, in the order they came.
import * as path from 'node:path';
import type { ReloadError } from '../backends/sbcl/hotReload';
import type { ChangedForm, LastChange, ReloadSummary } from '../protocol';
import type { AnalyzedForm } from '../types';
import { changedForms, deltaCounts, deltaText, outcomesById } from './delta';

/** What bringing in the new compiler did (the SBCL backend's ReloadOutcome is one). */
export interface CompilerReloadOutcome {
  mode: ReloadSummary['mode'];
  /** Forms evaluated in place. */
  forms: number;
  errors: ReloadError[];
  /** Names of the definitions evaluated in place (what the change was, for the delta's text). */
  names: string[];
}

/** A compiler that can be replaced while the server runs: the SBCL backend, or a Stage 0 (stage0Reload.ts). */
export interface ReloadableCompiler {
  /** Absolute paths of the compiler's own files (its .asd and sources, or the Stage 0 binary). */
  compilerFiles(): string[];
  /** Brings in the changed files; rejects when the new compiler is not usable (the results stay). */
  reload(files: string[]): Promise<CompilerReloadOutcome>;
  /** Changed forms the image could not take (it keeps their previous definitions). */
  reloadErrors(): ReloadError[];
}

export function isReloadable(backend: unknown): backend is ReloadableCompiler {
  const candidate = backend as Partial<ReloadableCompiler> | undefined;
  return typeof candidate?.compilerFiles === 'function' && typeof candidate.reload === 'function' && typeof candidate.reloadErrors === 'function';
}

export interface CompilerReloadDeps {
  /** The compiler to reload now, or undefined when there is none (or it cannot take a reload now). */
  compiler(): ReloadableCompiler | undefined;
  /** Every form's current result. */
  forms(): AnalyzedForm[];
  /** Re-checks every form of the module list with the current compiler; resolves when done. */
  recheckAll(): Promise<void>;
  /** Workspace-relative path, or undefined outside the workspace. */
  relativePath(file: string): string | undefined;
  log(message: string): void;
  /** A delta is ready. */
  changed(change: LastChange): void;
  /** The change could not be brought in (the new compiler is not usable); it is logged as well. */
  failed?(message: string): void;
}

export class CompilerReloadLoop {
  private last: LastChange | undefined;
  private byForm = new Map<string, ChangedForm>();
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: CompilerReloadDeps) {}

  /** True when `file` (absolute) is part of the compiler the backend has loaded. */
  isCompilerFile(file: string): boolean {
    return this.deps.compiler()?.compilerFiles().includes(path.resolve(file)) ?? false;
  }

  lastChange(): LastChange | undefined {
    return this.last;
  }

  /** How the last compiler change moved this form, if it did. */
  changeOf(formId: string): ChangedForm | undefined {
    return this.byForm.get(formId);
  }

  /**
   * Files of the compiler changed on disk (absolute paths, `changedAt` when noticed). Resolves
   * with the delta, or undefined when there was no compiler to reload or the new one is not
   * usable (said in the log; the results just before stay). Never rejects.
   */
  filesChanged(files: string[], changedAt = Date.now()): Promise<LastChange | undefined> {
    const next = this.chain.then(() => this.reloadAndRecheck(files, changedAt)).catch((error: unknown) => {
      const message = `compiler reload failed: ${error instanceof Error ? error.message : String(error)}`;
      this.deps.log(message);
      this.deps.failed?.(message);
      return undefined;
    });
    this.chain = next;
    return next;
  }

  private async reloadAndRecheck(files: string[], changedAt: number): Promise<LastChange | undefined> {
    const compiler = this.deps.compiler();
    if (!compiler) return undefined;
    const before = outcomesById(this.deps.forms());
    const outcome = await compiler.reload(files);
    await this.deps.recheckAll();
    const changed = changedForms(before, this.deps.forms());
    const counts = deltaCounts(changed);
    const shownFiles = files.map((file) => this.deps.relativePath(file) ?? file);
    const change: LastChange = {
      at: new Date().toISOString(),
      files: shownFiles,
      text: deltaText(counts, files, outcome.names),
      ...counts,
      reload: {
        mode: outcome.mode,
        forms: outcome.forms,
        errors: outcome.errors.map((error) => ({
          file: this.deps.relativePath(error.file) ?? error.file,
          line: error.range.start.line + 1,
          name: error.name ?? null,
          message: error.message,
        })),
      },
      ms: Date.now() - changedAt,
      changed,
    };
    this.last = change;
    this.byForm = new Map(changed.map((c) => [c.id, c]));
    this.deps.log(`compiler change: ${change.text} in ${change.ms} ms`);
    this.deps.changed(change);
    return change;
  }
}
