// What both reports share (clysm-check's and the exported Stage 1 report): the per-form fields
// and the blocker entries, one shape and one builder each, so both compute them the same way.
import type { Blocker } from '../blockers';
import type { AnalyzedForm, Range } from '../types';

export interface ReportFormFields {
  id: string;
  file: string;
  module_index: number;
  form_index: number;
  /** 1-based. */
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  operator: string | null;
  name: string | null;
  status: string;
  category: string | null;
  message: string | null;
  bytes: number | null;
}

/** 1-based line and column of a 0-based position. */
export function position(p: { line: number; character: number }): { line: number; column: number } {
  return { line: p.line + 1, column: p.character + 1 };
}

/** The shared fields of `f`, positioned at `range` (the form's own, or the blamed subform's). */
export function reportFormFields(f: AnalyzedForm, range: Range): ReportFormFields {
  const start = position(range.start);
  const end = position(range.end);
  return {
    id: f.id,
    file: f.file,
    module_index: f.moduleIndex,
    form_index: f.form.index,
    line: start.line,
    column: start.column,
    end_line: end.line,
    end_column: end.column,
    operator: f.form.operator ?? null,
    name: f.form.name ?? null,
    status: f.result.status,
    category: f.category ?? null,
    message: f.result.message ?? null,
    bytes: f.result.bytes ?? null,
  };
}

export interface ReportBlocker {
  category: string;
  count: number;
  impact_pct: number;
  priority: string;
  recommendation: string;
  forms: string[];
}

export function reportBlockers(blockers: readonly Blocker[]): ReportBlocker[] {
  return blockers.map((b) => ({
    category: b.category,
    count: b.count,
    impact_pct: b.impactPct,
    priority: b.priority,
    recommendation: b.recommendation,
    forms: b.formIds,
  }));
}
