// What the client's Blockers and Modules views show, built from analysed forms. Pure: the
// client renders these shapes (protocol/analysis.ts) and holds no analysis logic.
import { aggregateBlockers, compilableCount, isReadError, summarize } from '../blockers';
import type { BlockerTree, FormRef, ModuleRow } from '../protocol';
import type { AnalyzedForm } from '../types';

export function formRef(f: AnalyzedForm, regression = false): FormRef {
  const ref: FormRef = {
    id: f.id,
    file: f.file,
    // The blamed subform when there is one, as the diagnostic does.
    range: f.blameRange ?? f.form.range,
    operator: f.form.operator ?? null,
    name: f.form.name ?? null,
    status: f.result.status,
    message: f.result.message ?? null,
  };
  if (regression) ref.regression = true;
  return ref;
}

/**
 * Categories (by affected forms) → normalised message patterns (by count) → forms.
 * Regressions come first: as their own list, and first within each pattern; otherwise forms
 * keep module-list order. Read errors are not forms: they come as their own list, outside the
 * categories. With `file`, only that module's forms count, and the impact percentages and
 * priorities are relative to that module's compilable forms.
 */
export function buildBlockerTree(forms: readonly AnalyzedForm[], regressionIds: ReadonlySet<string>, file?: string): BlockerTree {
  const scope = file === undefined ? forms : forms.filter((f) => f.file === file);
  const byId = new Map(scope.map((f, i) => [f.id, { form: f, order: i }]));
  const ordered = (ids: readonly string[]): FormRef[] =>
    ids
      .map((id) => byId.get(id))
      .filter((x) => x !== undefined)
      .sort((a, b) => Number(regressionIds.has(b.form.id)) - Number(regressionIds.has(a.form.id)) || a.order - b.order)
      .map((x) => formRef(x.form, regressionIds.has(x.form.id)));
  return {
    regressions: scope.filter((f) => regressionIds.has(f.id)).map((f) => formRef(f, true)),
    readErrors: scope.filter(isReadError).map((f) => formRef(f, regressionIds.has(f.id))),
    categories: aggregateBlockers(scope).map((b) => ({
      category: b.category,
      count: b.count,
      impactPct: b.impactPct,
      priority: b.priority,
      priorityReason: b.priorityReason,
      recommendation: b.recommendation,
      patterns: b.patterns.map((p) => ({ pattern: p.pattern, count: p.count, forms: ordered(p.formIds) })),
    })),
    compilableForms: compilableCount(summarize(scope)),
  };
}

export interface ModuleState {
  forms: readonly AnalyzedForm[];
  /** From the persisted state, not analysed again yet. */
  stale: boolean;
}

/** Every module in list order, analysed or not, with its counts and coverage. */
export function buildModuleRows(
  modules: readonly string[],
  stateOf: (file: string) => ModuleState | undefined,
  problemOf: (file: string) => string | undefined,
): ModuleRow[] {
  return modules.map((file, i) => {
    const state = stateOf(file);
    const s = summarize(state?.forms ?? []);
    const row: ModuleRow = {
      file,
      moduleIndex: i + 1,
      analysed: state !== undefined,
      total: s.total,
      compiled: s.compiled,
      failed: s.failed,
      skipped: s.skipped,
      readErrors: s.readErrors,
      coveragePct: s.coveragePct,
    };
    const problem = problemOf(file);
    if (problem !== undefined) row.problem = problem;
    if (state?.stale) row.stale = true;
    return row;
  });
}
