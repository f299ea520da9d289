// Regressions: a form that compiled in a baseline and fails now. The baseline is an earlier
// run (kept in memory and persisted with the cache) or a report file (our export or
// `clysm-check --json`). Pure: the caller reads files.
//
// Matching rule (form ids shift when forms are inserted, so ids are not used):
//   - a form with a defined name matches on (file, operator, name, n), where n counts the
//     earlier forms of the same file with that same operator and name (0 for the first;
//     this keeps `defmethod`s of one generic function apart);
//   - a form without a name (`(loop ...)`, `(setf ...)`; atoms and read errors count as one
//     "no operator" kind) matches on (file, operator, n) with n counted among the unnamed
//     forms of that operator in the file: positional, like an id, but only among its own
//     kind, so inserting a `defun` above it does not shift it.
// A form with no match in the baseline is new and never a regression.
import type { AnalyzedForm } from '../types';
import { isProblemStatus } from './checkReport';
import { countsAsFailed } from './stage1Report';

export interface MatchableForm {
  file: string;
  operator: string | null;
  name: string | null;
  /** Position within the file; forms are matched in this order. */
  formIndex: number;
}

export interface Baseline {
  /** What the user is told: `previous run (…)` or `report /path/x.json`. */
  source: string;
  /** Match key → status in the baseline. */
  statuses: Map<string, string>;
  /** DEFUN forms that did not compile, for the report's `defun_failure_reduction`. */
  defunFailures: number;
}

export class BaselineError extends Error {}

const SEP = '\u001f';

/** Match keys of forms, in the same order (see the rule at the top of this file). */
export function matchKeys(forms: readonly MatchableForm[]): string[] {
  const seen = new Map<string, number>();
  const order = forms.map((_, i) => i).sort((a, b) => {
    const fa = forms[a];
    const fb = forms[b];
    return fa.file < fb.file ? -1 : fa.file > fb.file ? 1 : fa.formIndex - fb.formIndex;
  });
  const keys: string[] = new Array<string>(forms.length);
  for (const i of order) {
    const f = forms[i];
    const base = [f.file, f.operator ?? '(no operator)', f.name ?? ''].join(SEP);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    keys[i] = `${base}${SEP}${n}`;
  }
  return keys;
}

export function matchableOf(f: AnalyzedForm): MatchableForm {
  return { file: f.file, operator: f.form.operator ?? null, name: f.form.name ?? null, formIndex: f.form.index };
}

export function baselineFromForms(source: string, forms: readonly AnalyzedForm[]): Baseline {
  const keys = matchKeys(forms.map(matchableOf));
  return {
    source,
    statuses: new Map(keys.map((key, i) => [key, forms[i].result.status])),
    defunFailures: forms.filter((f) => f.form.operator === 'DEFUN' && countsAsFailed(f.result.status)).length,
  };
}

interface ReportFormLike {
  file: string;
  form_index: number;
  operator: string | null;
  name: string | null;
  status: string;
}

function isReportForm(x: unknown): x is ReportFormLike {
  if (typeof x !== 'object' || x === null) return false;
  const f = x as Record<string, unknown>;
  const optionalString = (v: unknown) => v === null || v === undefined || typeof v === 'string';
  return typeof f.file === 'string' && typeof f.form_index === 'number' && typeof f.status === 'string' && optionalString(f.operator) && optionalString(f.name);
}

/**
 * A baseline from a parsed report: our export (docs/report-format.md) or `clysm-check --json`.
 * Clysm's own stage1-report.json has no per-form data and cannot be matched: say so.
 */
export function baselineFromReport(source: string, json: unknown): Baseline {
  if (typeof json !== 'object' || json === null) throw new BaselineError('the baseline is not a JSON object');
  const forms = (json as { forms?: unknown }).forms;
  if (!Array.isArray(forms)) {
    throw new BaselineError('the baseline has no per-form detail ("forms"); export one with clysm-check --report or "Clysm: Export Report" (Clysm\'s own stage1-report.json cannot be matched per form)');
  }
  const bad = forms.findIndex((f) => !isReportForm(f));
  if (bad >= 0) throw new BaselineError(`baseline form ${bad} lacks file, form_index, operator, name or status`);
  const list = forms as ReportFormLike[];
  const keys = matchKeys(list.map((f) => ({ file: f.file, operator: f.operator ?? null, name: f.name ?? null, formIndex: f.form_index })));
  const declared = (json as { defun_failures?: unknown }).defun_failures;
  return {
    source,
    statuses: new Map(keys.map((key, i) => [key, list[i].status])),
    defunFailures: typeof declared === 'number' ? declared : list.filter((f) => f.operator === 'DEFUN' && countsAsFailed(f.status)).length,
  };
}

/** Forms that compiled in the baseline and now fail (failed, timeout, read error, crash), in input order. */
export function findRegressions(forms: readonly AnalyzedForm[], baseline: Baseline | undefined): AnalyzedForm[] {
  if (!baseline) return [];
  const keys = matchKeys(forms.map(matchableOf));
  return forms.filter((f, i) => isProblemStatus(f.result.status) && baseline.statuses.get(keys[i]) === 'compiled');
}

export interface PersistedBaseline {
  source: string;
  statuses: [string, string][];
  defunFailures: number;
}

export function persistBaseline(b: Baseline): PersistedBaseline {
  return { source: b.source, statuses: [...b.statuses], defunFailures: b.defunFailures };
}

export function restoreBaseline(p: PersistedBaseline): Baseline {
  return { source: p.source, statuses: new Map(p.statuses), defunFailures: p.defunFailures };
}
