// The exported report: every field of Clysm's `dist/stage1-report.json` (clysm-facts.md §3.1),
// with correct counts (no list-splicing inflation, §1.4), plus per-form detail with positions
// and the backend that produced it. Pure: the caller passes the time and the data.
// Every field's computation is documented in docs/report-format.md.
import { createHash } from 'node:crypto';
import { aggregateBlockers, isReadError, normalizeMessage, summarize } from '../blockers';
import { round2 } from '../blockers/priority';
import type { AnalyzedForm, BackendStatus } from '../types';
import { position, reportBlockers, reportFormFields, type ReportBlocker, type ReportFormFields } from './reportForm';

export const REPORT_FORMAT = 'clysm-vscode-report';
export const REPORT_FORMAT_VERSION = 1;
/** What Clysm's writer puts in `stage0_version` (a constant there too); the real identity is in `backend`. */
export const STAGE0_VERSION = 'stage0-v1.0';
/** Written into every report's `generator` block. */
export const GENERATOR_VERSION = '0.1.0';
const TOP_BLOCKERS = 5;
const TOP_PATTERNS = 10;
const PATTERN_EXAMPLES = 3;

/** The shared fields (positioned at the form itself, not at a blamed subform) plus the Stage 1 report's own. */
export interface Stage1ReportForm extends ReportFormFields {
  /** Normalised message (blockers/patterns.ts) for forms that did not compile, else null. */
  pattern: string | null;
  /** 1-based position of the subform the failure is blamed on, when it is not the form's head. */
  blame: { line: number; column: number; operator: string | null } | null;
  /** Compiled in the baseline, fails now. */
  regression: boolean;
}

export interface ErrorPatternEntry {
  pattern_id: string;
  pattern: string;
  count: number;
  percentage: number;
  priority: 'high' | 'medium' | 'low';
  examples: { function: string; module: string }[];
  affected_modules: string[];
}

export interface Stage1Report {
  timestamp: string;
  stage0_version: string;
  summary: {
    total_forms: number;
    compiled: number;
    failed: number;
    skipped: number;
    coverage_pct: number;
    /** Clysm's field: failures grouped by top-level operator, not by blocker category (that is `blockers`). */
    top_blockers: { operator: string; count: number; priority: 'HIGH' | 'MEDIUM' | 'LOW' }[];
    /** Beyond Clysm's fields: text the reader could not read; not forms, so in none of the counts above. */
    read_errors: number;
  };
  error_patterns: ErrorPatternEntry[];
  top_patterns_coverage_pct: number;
  defun_failures: number;
  /** Only with a baseline that knows its own DEFUN failures: baseline − now. */
  defun_failure_reduction?: number;
  modules: { path: string; compiled: number; failed: number; total: number }[];
  // Beyond Clysm's fields.
  format: typeof REPORT_FORMAT;
  format_version: number;
  generator: { name: string; version: string };
  backend: {
    kind: string;
    reason: string;
    identity: string;
    state: string;
    message: string;
    engine: { name: string; version: string };
    stage0: { path: string; sha256: string; size: number; status: string; message: string } | null;
  };
  module_list: { source: string; modules: string[] };
  status_counts: { compiled: number; failed: number; skipped: number; timeout: number; read_error: number; no_output: number; crashed: number };
  blockers: ReportBlocker[];
  baseline: { source: string; regressions: number } | null;
  regressions: { id: string; file: string; line: number; column: number; operator: string | null; name: string | null; message: string | null }[];
  problems: { file: string; message: string }[];
  forms: Stage1ReportForm[];
}

export interface Stage1ReportInput {
  now: Date;
  generatorVersion: string;
  backend: { kind: string; reason: string; identity: string; status: BackendStatus };
  modules: string[];
  moduleListSource: string;
  /** Every analysed form, in module-list order. */
  forms: AnalyzedForm[];
  problems: { file: string; message: string }[];
  baseline?: { source: string; defunFailures?: number };
  /** Ids of the forms that are regressions against the baseline. */
  regressionIds?: ReadonlySet<string>;
}

/**
 * Clysm's "failed" is "not success": every form neither compiled nor skipped (a directive).
 * A read error is not a form (it is counted apart, in `read_errors`).
 */
export function countsAsFailed(status: string): boolean {
  return status !== 'compiled' && status !== 'skipped' && status !== 'read-error';
}

/**
 * `P` + 3 digits, like Clysm's ids, but from sha256 of the normalised pattern (Clysm uses
 * SBCL's `sxhash`, which no other program can reproduce): stable across runs and machines.
 * As in Clysm, two patterns may share an id; the pattern text is the real key.
 */
export function patternId(pattern: string): string {
  const n = createHash('sha256').update(pattern).digest().readUInt32BE(0) % 1000;
  return `P${String(n).padStart(3, '0')}`;
}

/** Clysm's `compute-pattern-priority`, lower-case as its writer prints it. */
export function patternPriority(count: number, percentage: number): 'high' | 'medium' | 'low' {
  if (count > 1000 || percentage > 5) return 'high';
  if (count > 100 || percentage > 1) return 'medium';
  return 'low';
}

/** Clysm's `failure-to-blocker` rule for `summary.top_blockers` (count only). */
export function operatorPriority(count: number): 'HIGH' | 'MEDIUM' | 'LOW' {
  if (count > 10) return 'HIGH';
  if (count > 5) return 'MEDIUM';
  return 'LOW';
}

/** ISO 8601 in UTC to the second (Clysm writes local time with a literal Z; this is real UTC). */
export function reportTimestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function byCountThen<T>(count: (x: T) => number, key: (x: T) => string): (a: T, b: T) => number {
  return (a, b) => count(b) - count(a) || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
}

/** Top-level operator of a form as Clysm's failure groups name it (read errors are not forms: never here). */
function operatorLabel(form: AnalyzedForm): string {
  return form.form.operator ?? '(atom)';
}

function topBlockers(forms: readonly AnalyzedForm[]): Stage1Report['summary']['top_blockers'] {
  const counts = new Map<string, number>();
  for (const f of forms) if (countsAsFailed(f.result.status)) counts.set(operatorLabel(f), (counts.get(operatorLabel(f)) ?? 0) + 1);
  return [...counts]
    .map(([operator, count]) => ({ operator, count, priority: operatorPriority(count) }))
    .sort(byCountThen((b) => b.count, (b) => b.operator))
    .slice(0, TOP_BLOCKERS);
}

function errorPatterns(defunFailures: readonly AnalyzedForm[], modules: readonly string[]): { patterns: ErrorPatternEntry[]; coveredPct: number } {
  const groups = new Map<string, AnalyzedForm[]>();
  for (const f of defunFailures) {
    const pattern = normalizeMessage(f.result.message ?? f.result.status);
    const group = groups.get(pattern);
    if (group) group.push(f);
    else groups.set(pattern, [f]);
  }
  const total = defunFailures.length;
  const order = (file: string): number => modules.indexOf(file);
  const patterns = [...groups]
    .sort(byCountThen(([, fs]) => fs.length, ([p]) => p))
    .slice(0, TOP_PATTERNS)
    .map(([pattern, fs]): ErrorPatternEntry => {
      const percentage = round2((100 * fs.length) / total);
      return {
        pattern_id: patternId(pattern),
        pattern,
        count: fs.length,
        percentage,
        priority: patternPriority(fs.length, percentage),
        examples: fs.slice(0, PATTERN_EXAMPLES).map((f) => ({ function: f.form.name ?? 'UNKNOWN', module: f.file })),
        affected_modules: [...new Set(fs.map((f) => f.file))].sort((a, b) => order(a) - order(b)),
      };
    });
  const covered = patterns.reduce((sum, p) => sum + p.count, 0);
  return { patterns, coveredPct: total > 0 ? round2((100 * covered) / total) : 0 };
}

function reportForm(f: AnalyzedForm, regression: boolean): Stage1ReportForm {
  // `bytes` after `pattern`: the field order this report has always written.
  const { bytes, ...fields } = reportFormFields(f, f.form.range);
  return {
    ...fields,
    pattern: countsAsFailed(f.result.status) || isReadError(f) ? normalizeMessage(f.result.message ?? f.result.status) : null,
    bytes,
    blame: f.blameRange ? { ...position(f.blameRange.start), operator: f.blameOperator ?? null } : null,
    regression,
  };
}

export function buildStage1Report(input: Stage1ReportInput): Stage1Report {
  const { forms } = input;
  const { status } = input.backend;
  const s = summarize(forms);
  const regressionIds = input.regressionIds ?? new Set<string>();
  const failed = forms.filter((f) => countsAsFailed(f.result.status)).length;
  const defuns = forms.filter((f) => f.form.operator === 'DEFUN' && countsAsFailed(f.result.status));
  const { patterns, coveredPct } = errorPatterns(defuns, input.modules);
  const regressions = forms.filter((f) => regressionIds.has(f.id));
  const report: Stage1Report = {
    timestamp: reportTimestamp(input.now),
    stage0_version: STAGE0_VERSION,
    summary: {
      total_forms: s.total,
      compiled: s.compiled,
      failed,
      skipped: s.skipped,
      coverage_pct: s.coveragePct,
      top_blockers: topBlockers(forms),
      read_errors: s.readErrors,
    },
    error_patterns: patterns,
    top_patterns_coverage_pct: coveredPct,
    defun_failures: defuns.length,
    modules: input.modules.map((path) => {
      const own = forms.filter((f) => f.file === path && !isReadError(f));
      const compiled = own.filter((f) => f.result.status === 'compiled').length;
      return { path, compiled, failed: own.filter((f) => countsAsFailed(f.result.status)).length, total: own.length };
    }),
    format: REPORT_FORMAT,
    format_version: REPORT_FORMAT_VERSION,
    generator: { name: 'clysm-vscode', version: input.generatorVersion },
    backend: {
      kind: input.backend.kind,
      reason: input.backend.reason,
      identity: input.backend.identity,
      state: status.state,
      message: status.message,
      engine: { name: status.engine.name, version: status.engine.version },
      stage0: status.stage0
        ? { path: status.stage0.path, sha256: status.stage0.sha256, size: status.stage0.size, status: status.stage0.status, message: status.stage0.message }
        : null,
    },
    module_list: { source: input.moduleListSource, modules: input.modules },
    status_counts: {
      compiled: s.compiled,
      failed: s.failed,
      skipped: s.skipped,
      timeout: s.timeout,
      read_error: s.readErrors,
      no_output: s.noOutput,
      crashed: s.crashed,
    },
    blockers: reportBlockers(aggregateBlockers(forms)),
    baseline: input.baseline ? { source: input.baseline.source, regressions: regressions.length } : null,
    regressions: regressions.map((f) => ({
      id: f.id,
      file: f.file,
      ...position(f.form.range.start),
      operator: f.form.operator ?? null,
      name: f.form.name ?? null,
      message: f.result.message ?? null,
    })),
    problems: input.problems,
    forms: forms.map((f) => reportForm(f, regressionIds.has(f.id))),
  };
  if (input.baseline?.defunFailures !== undefined) report.defun_failure_reduction = input.baseline.defunFailures - defuns.length;
  return reorderClysmFirst(report);
}

/** Clysm's fields first, in its writer's order (§3.1), so the two files diff cleanly. */
function reorderClysmFirst(report: Stage1Report): Stage1Report {
  const { timestamp, stage0_version, summary, error_patterns, top_patterns_coverage_pct, defun_failures, defun_failure_reduction, modules, ...rest } = report;
  return {
    timestamp,
    stage0_version,
    summary,
    error_patterns,
    top_patterns_coverage_pct,
    defun_failures,
    ...(defun_failure_reduction !== undefined && { defun_failure_reduction }),
    modules,
    ...rest,
  };
}
