// Turns one module's text into analysed forms: read → cache lookup → backend → blame.
// Shared by the language server and the headless CLI, so both give the same answer.
import { createHash } from 'node:crypto';
import { readTopLevelForms, innerOperators, LineIndex } from '../reader';
import { blameForm } from '../blockers';
import type { AnalyzedForm, CompilerBackend, FormResult, TopLevelForm } from '../types';
import { advanceContext, EMPTY_CONTEXT, isOrderSensitive, moduleDirectiveDigest } from './directives';
import { CompilePipeline } from './compilePipeline';
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

/** What one form needs: a read error, a cached result, or the result of a planned compile. */
type FormPlan = { key: undefined } | { key: string; cached: FormResult } | { key: string; request: number };

/** A module whose forms are keyed and whose cache misses are queued; finish() waits for their results. */
export interface PlannedModule {
  directiveDigest: string;
  finish(): Promise<ModuleAnalysis>;
}

export async function analyzeModule(options: AnalyzeModuleOptions): Promise<ModuleAnalysis> {
  return (await planModule(options)).finish();
}

/**
 * Reads the module, keys every form and looks it up, and plans the misses on the pipeline
 * (a run's own, so that the next module's misses queue behind this one's). A key depends on
 * the texts of the directives before it, never on results, so no result is needed to plan.
 */
export async function planModule(options: AnalyzeModuleOptions & { pipeline?: CompilePipeline }): Promise<PlannedModule> {
  const { moduleIndex, text, backend, cache, signal } = options;
  const forms = readTopLevelForms(text);
  const identity = backend.identity();
  const timeLimitMs = backend.timeLimitMs();
  const slices = new Slices(signal);
  const pipeline = options.pipeline ?? new CompilePipeline(backend, signal);
  const plans: FormPlan[] = [];
  let compiledNow = 0;
  let context = options.context ?? EMPTY_CONTEXT;
  for (const form of forms) {
    await slices.maybeYield();
    if (signal?.aborted) throw new AnalysisCancelled();
    if (form.kind === 'read-error') {
      plans.push({ key: undefined });
    } else {
      const key = formCacheKey(identity, form.package, form.text, context);
      const cached = cache.get(key, timeLimitMs);
      if (cached) plans.push({ key, cached });
      else {
        const { index, fresh } = pipeline.plan(key, { formId: formId(moduleIndex, form.index), text: form.text, package: form.package, operator: form.operator });
        if (fresh) compiledNow++;
        plans.push({ key, request: index });
      }
    }
    // A directive re-keys the forms after it, never itself.
    if (isOrderSensitive(form)) context = advanceContext(context, form.text);
  }
  const directiveDigest = moduleDirectiveDigest(forms);
  return { directiveDigest, finish: () => finishModule(options, forms, plans, pipeline, compiledNow, directiveDigest) };
}

/** The results of a planned module, in form order, with their blame. */
async function finishModule(
  options: AnalyzeModuleOptions,
  forms: TopLevelForm[],
  plans: FormPlan[],
  pipeline: CompilePipeline,
  compiledNow: number,
  directiveDigest: string,
): Promise<ModuleAnalysis> {
  const { file, moduleIndex, text, cache, signal } = options;
  const timeLimitMs = options.backend.timeLimitMs();
  const lines = new LineIndex(text);
  const slices = new Slices(signal);
  const analyzed: AnalyzedForm[] = [];
  const keys: (string | undefined)[] = [];
  const earlier = previousByKey(options.previous);
  for (const [i, form] of forms.entries()) {
    await slices.maybeYield();
    // Each form is a cancellation point: a stale request must not hold the backend, and no
    // request is sent after it.
    if (signal?.aborted) throw new AnalysisCancelled();
    const id = formId(moduleIndex, form.index);
    const plan = plans[i];
    let result: FormResult;
    if (plan.key === undefined) result = { status: 'read-error', message: form.error ?? 'read error' };
    else if ('cached' in plan) result = plan.cached;
    else {
      result = withTimeLimit(await compiled(pipeline, plan.request, signal), timeLimitMs);
      // A result that arrives after an abort says nothing the analysis may keep; never cache it.
      if (signal?.aborted) throw new AnalysisCancelled();
      cache.set(plan.key, result);
    }
    const reused = plan.key === undefined ? undefined : reuseBlame(earlier.get(plan.key), form, result);
    analyzed.push(reused ? { ...reused, file, id, moduleIndex, form, result } : toAnalyzedForm(file, id, moduleIndex, form, result, text, lines));
    keys.push(plan.key);
    options.onForm?.(analyzed.length, forms.length);
  }
  return { file, moduleIndex, forms: analyzed, keys, compiledNow, textHash: textHash(text), directiveDigest };
}

/** The backend's result for a planned request; an abort while waiting for it cancels the analysis. */
async function compiled(pipeline: CompilePipeline, request: number, signal: AbortSignal | undefined): Promise<FormResult> {
  try {
    return await pipeline.result(request);
  } catch (error) {
    if (signal?.aborted) throw new AnalysisCancelled();
    throw error;
  }
}

/** Yields to the event loop every SLICE_MS of work, in an interactive analysis (one with a signal). */
class Slices {
  private start = performance.now();

  constructor(private readonly signal: AbortSignal | undefined) {}

  async maybeYield(): Promise<void> {
    if (!this.signal || performance.now() - this.start <= SLICE_MS) return;
    await yieldToEventLoop();
    this.start = performance.now();
  }
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
