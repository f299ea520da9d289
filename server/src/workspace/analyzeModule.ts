// Turns one module's text into analysed forms: read → cache lookup → backend → blame.
// Shared by the language server and the headless CLI, so both give the same answer.
import { createHash } from 'node:crypto';
import { readTopLevelForms, innerOperators, LineIndex } from '../reader';
import { blameForm } from '../blockers';
import type { AnalyzedForm, CompilerBackend, FormResult, TopLevelForm } from '../types';
import { advanceContext, EMPTY_CONTEXT, isOrderSensitive, moduleDirectiveDigest } from './directives';
import { formCacheKey, withTimeLimit, type ResultCache } from './resultCache';

export interface ModuleAnalysis {
  /** Workspace-relative path with `/` separators. */
  file: string;
  /** 1-based position in the module list. */
  moduleIndex: number;
  forms: AnalyzedForm[];
  /** Cache key of each form (parallel to `forms`); undefined for read errors, which are never cached. */
  keys: (string | undefined)[];
  /** Forms that were sent to the backend (cache misses) in this analysis. */
  compiledNow: number;
  /** sha256 of the analysed text: tells whether a stored analysis still matches a document. */
  textHash: string;
  /** Digest of this module's directives (directives.ts): when it changes, later modules re-key. */
  directiveDigest: string;
}

export interface AnalyzeModuleOptions {
  file: string;
  moduleIndex: number;
  text: string;
  backend: CompilerBackend;
  cache: ResultCache;
  signal?: AbortSignal;
  /** Hash of the directives of every earlier module (directives.ts modulePrefixContext). */
  context?: string;
  /** The module's previous analysis: unchanged forms reuse its blame instead of re-scanning. */
  previous?: ModuleAnalysis;
  /** Called after each form, e.g. for progress. */
  onForm?: (done: number, total: number) => void;
}

/**
 * Longest stretch of work between two yields to the event loop in an interactive analysis
 * (one with a signal): a 10,000-line module whose forms are all cached is read, keyed and
 * blamed without a single await, and hovers and cancellations must not wait for all of it.
 */
const SLICE_MS = 8;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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

export function textHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export async function analyzeModule(options: AnalyzeModuleOptions): Promise<ModuleAnalysis> {
  const { file, moduleIndex, text, backend, cache, signal } = options;
  const forms = readTopLevelForms(text);
  const lines = new LineIndex(text);
  const identity = backend.identity();
  const timeLimitMs = backend.timeLimitMs();
  const analyzed: AnalyzedForm[] = [];
  const keys: (string | undefined)[] = [];
  let context = options.context ?? EMPTY_CONTEXT;
  let compiledNow = 0;
  const earlier = previousByKey(options.previous);
  let sliceStart = performance.now();
  for (const form of forms) {
    if (signal && performance.now() - sliceStart > SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
    // Each form is a cancellation point: a stale request must not hold the backend.
    if (signal?.aborted) throw new AnalysisCancelled();
    const id = formId(moduleIndex, form.index);
    let result: FormResult;
    let key: string | undefined;
    if (form.kind === 'read-error') {
      result = { status: 'read-error', message: form.error ?? 'read error' };
    } else {
      key = formCacheKey(identity, form.package, form.text, context);
      const cached = cache.get(key, timeLimitMs);
      if (cached) {
        result = cached;
      } else {
        // The signal is checked between forms only: aborting a compile would restart the
        // engine, and one form is short (the per-form timeout bounds the worst case).
        result = withTimeLimit(await backend.compileForm({ formId: id, text: form.text, package: form.package, operator: form.operator }), timeLimitMs);
        compiledNow++;
        // An aborted compile says nothing about the form; never cache it.
        if (signal?.aborted) throw new AnalysisCancelled();
        cache.set(key, result);
      }
    }
    // A directive re-keys the forms after it, never itself.
    if (isOrderSensitive(form)) context = advanceContext(context, form.text);
    const reused = key === undefined ? undefined : reuseBlame(earlier.get(key), form, result);
    analyzed.push(reused ? { ...reused, file, id, moduleIndex, form, result } : toAnalyzedForm(file, id, moduleIndex, form, result, text, lines));
    keys.push(key);
    options.onForm?.(analyzed.length, forms.length);
  }
  return { file, moduleIndex, forms: analyzed, keys, compiledNow, textHash: textHash(text), directiveDigest: moduleDirectiveDigest(forms) };
}

function previousByKey(previous: ModuleAnalysis | undefined): Map<string, AnalyzedForm> {
  const byKey = new Map<string, AnalyzedForm>();
  previous?.keys.forEach((key, i) => {
    if (key !== undefined) byKey.set(key, previous.forms[i]);
  });
  return byKey;
}

function sameOutcome(a: FormResult, b: FormResult): boolean {
  return a.status === b.status && a.message === b.message && a.errorType === b.errorType;
}

/**
 * The blame of an unchanged form (same key, so same text; same outcome), moved with the form.
 * Re-scanning every failing form for its inner operators on each keystroke is the largest
 * cost of re-checking a big module, and the answer cannot have changed. Only when the form
 * starts at the same column: then every line of it moved by the same number of lines.
 */
function reuseBlame(before: AnalyzedForm | undefined, form: TopLevelForm, result: FormResult): Omit<AnalyzedForm, 'file' | 'id' | 'moduleIndex' | 'form' | 'result'> | undefined {
  if (!before || !sameOutcome(before.result, result) || before.form.range.start.character !== form.range.start.character) return undefined;
  const shift = form.range.start.line - before.form.range.start.line;
  const move = (p: { line: number; character: number }) => ({ line: p.line + shift, character: p.character });
  return {
    category: before.category,
    blameOperator: before.blameOperator,
    blameRange: before.blameRange ? { start: move(before.blameRange.start), end: move(before.blameRange.end) } : undefined,
    recommendation: before.recommendation,
  };
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
