// Turns one module's text into analysed forms: read → cache lookup → backend → blame.
// Shared by the language server and the headless CLI, so both give the same answer.
import { readTopLevelForms, innerOperators, LineIndex } from '../reader';
import { blameForm } from '../blockers';
import type { AnalyzedForm, CompilerBackend, FormResult, TopLevelForm } from '../types';
import { formCacheKey, type ResultCache } from './resultCache';

export interface ModuleAnalysis {
  /** Workspace-relative path with `/` separators. */
  file: string;
  /** 1-based position in the module list. */
  moduleIndex: number;
  forms: AnalyzedForm[];
  /** Forms that were sent to the backend (cache misses) in this analysis. */
  compiledNow: number;
}

export interface AnalyzeModuleOptions {
  file: string;
  moduleIndex: number;
  text: string;
  backend: CompilerBackend;
  cache: ResultCache;
  signal?: AbortSignal;
  /** Called after each form, e.g. for progress. */
  onForm?: (done: number, total: number) => void;
}

export function formId(moduleIndex: number, formIndex: number): string {
  return `${moduleIndex}:${formIndex}`;
}

/** Thrown when an analysis is cancelled between two forms. */
export class AnalysisCancelled extends Error {
  constructor() {
    super('analysis cancelled');
    this.name = 'AnalysisCancelled';
  }
}

export async function analyzeModule(options: AnalyzeModuleOptions): Promise<ModuleAnalysis> {
  const { file, moduleIndex, text, backend, cache, signal } = options;
  const forms = readTopLevelForms(text);
  const lines = new LineIndex(text);
  const identity = backend.identity();
  const analyzed: AnalyzedForm[] = [];
  let compiledNow = 0;
  for (const form of forms) {
    // Each form is a cancellation point: a stale request must not hold the backend.
    if (signal?.aborted) throw new AnalysisCancelled();
    const id = formId(moduleIndex, form.index);
    let result: FormResult;
    if (form.kind === 'read-error') {
      result = { status: 'read-error', message: form.error ?? 'read error' };
    } else {
      const key = formCacheKey(identity, form.package, form.text);
      const cached = cache.get(key);
      if (cached) {
        result = cached;
      } else {
        // The signal is checked between forms only: aborting a compile would restart the
        // engine, and one form is short (the per-form timeout bounds the worst case).
        result = await backend.compileForm({ formId: id, text: form.text, package: form.package, operator: form.operator });
        compiledNow++;
        // An aborted compile says nothing about the form; never cache it.
        if (signal?.aborted) throw new AnalysisCancelled();
        cache.set(key, result);
      }
    }
    analyzed.push(toAnalyzedForm(file, id, moduleIndex, form, result, text, lines));
    options.onForm?.(analyzed.length, forms.length);
  }
  return { file, moduleIndex, forms: analyzed, compiledNow };
}

function toAnalyzedForm(
  file: string,
  id: string,
  moduleIndex: number,
  form: TopLevelForm,
  result: FormResult,
  text: string,
  lines: LineIndex,
): AnalyzedForm {
  const needsBlame = result.status !== 'compiled' && result.status !== 'skipped' && result.status !== 'no-output';
  const blame = needsBlame ? blameForm(form, result, innerOperators(text, form)) : {};
  return {
    file,
    id,
    moduleIndex,
    form,
    result,
    category: blame.category,
    blameOperator: blame.blameOperator,
    blameRange: blame.blameRange
      ? { start: lines.positionAt(blame.blameRange.start), end: lines.positionAt(blame.blameRange.end) }
      : undefined,
    recommendation: blame.recommendation,
  };
}
