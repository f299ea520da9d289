// The `clysm-check` report: one JSON object (stable, snake_case, 1-based lines and columns)
// and the equivalent text lines. Pure: built from the workspace model's data.
import { buildRootCauses, summarizeMessage, type Blocker, type Summary } from '../blockers';
import type { AnalyzedForm, BackendStatus, Origin } from '../types';
import { reportBlockers, reportFormFields, type ReportBlocker, type ReportFormFields } from './reportForm';
import { formatRootCauseLines, reportRootCauses, type ReportRootCause } from './rootCauseReport';

/** clysm-check positions a form at the subform its failure is blamed on, when there is one. */
export interface CheckReportForm extends ReportFormFields {
  /** Where the compiler raised the failure, when the backend says. */
  origin: Origin | null;
}

export interface CheckReport {
  backend: string;
  backend_reason: string;
  engine: { name: string; version: string };
  stage0: { path: string; sha256: string; status: string; message: string } | null;
  module_list: { source: string; modules: string[] };
  summary: {
    total: number;
    compiled: number;
    failed: number;
    skipped: number;
    timeout: number;
    read_errors: number;
    no_output: number;
    crashed: number;
    coverage_pct: number;
  };
  forms: CheckReportForm[];
  blockers: ReportBlocker[];
  /** The fixes to make, most forms unlocked first. */
  root_causes: ReportRootCause[];
  problems: { file: string; message: string }[];
  /** Only with --baseline: where it came from, and the forms that compiled there and fail now. */
  baseline?: { source: string; regressions: number };
  regressions?: CheckReportForm[];
}

export interface CheckReportInput {
  backend: string;
  backendReason: string;
  status: BackendStatus;
  modules: string[];
  moduleListSource: string;
  forms: AnalyzedForm[];
  summary: Summary;
  blockers: Blocker[];
  problems: { file: string; message: string }[];
  baseline?: { source: string };
  regressionIds?: ReadonlySet<string>;
}

/** The summary in the report's (snake_case) shape; also each `clysm-check --watch` delta's. */
export function reportSummary(summary: Summary): CheckReport['summary'] {
  return {
    total: summary.total,
    compiled: summary.compiled,
    failed: summary.failed,
    skipped: summary.skipped,
    timeout: summary.timeout,
    read_errors: summary.readErrors,
    no_output: summary.noOutput,
    crashed: summary.crashed,
    coverage_pct: summary.coveragePct,
  };
}

export function buildCheckReport(input: CheckReportInput): CheckReport {
  const { status, summary } = input;
  const report: CheckReport = {
    backend: input.backend,
    backend_reason: input.backendReason,
    engine: { name: status.engine.name, version: status.engine.version },
    stage0: status.stage0
      ? { path: status.stage0.path, sha256: status.stage0.sha256, status: status.stage0.status, message: status.stage0.message }
      : null,
    module_list: { source: input.moduleListSource, modules: input.modules },
    summary: reportSummary(summary),
    forms: input.forms.map(toReportForm),
    blockers: reportBlockers(input.blockers),
    root_causes: reportRootCauses(buildRootCauses(input.forms, summary)),
    problems: input.problems,
  };
  if (input.baseline) {
    const ids = input.regressionIds ?? new Set<string>();
    report.regressions = input.forms.filter((f) => ids.has(f.id)).map(toReportForm);
    report.baseline = { source: input.baseline.source, regressions: report.regressions.length };
  }
  return report;
}

function toReportForm(f: AnalyzedForm): CheckReportForm {
  // `file` before `id`: the field order this report has always written.
  const { id, file, ...fields } = reportFormFields(f, f.blameRange ?? f.form.range);
  return { file, id, ...fields, origin: f.result.origin ?? null };
}

/** Statuses that make `clysm-check` exit 1. */
export function isProblemStatus(status: string): boolean {
  return status === 'failed' || status === 'timeout' || status === 'read-error' || status === 'crashed';
}

/** Text mode: one `file:line:col: category: message` line per problem, then coverage and the top root causes. */
export function formatCheckReportText(report: CheckReport, topCauses = 10): string {
  const lines: string[] = [];
  for (const f of report.regressions ?? []) {
    lines.push(`${f.file}:${f.line}:${f.column}: regression: ${summarizeMessage(f.message ?? f.status)} (compiled in baseline)`);
  }
  for (const f of report.forms) {
    if (!isProblemStatus(f.status)) continue;
    const message = summarizeMessage(f.message ?? f.status);
    lines.push(`${f.file}:${f.line}:${f.column}: ${f.category ?? f.status}: ${message}`);
  }
  for (const p of report.problems) lines.push(`${p.file}: warning: ${p.message}`);
  const s = report.summary;
  lines.push('');
  lines.push(
    `Coverage ${s.coverage_pct.toFixed(2)}% = compiled ${s.compiled} / (total ${s.total} - skipped ${s.skipped})` +
      ` · failed ${s.failed} · timeout ${s.timeout} · read errors ${s.read_errors} (not forms, not in total)` +
      (s.crashed ? ` · crashed ${s.crashed}` : '') +
      (s.no_output ? ` · no output ${s.no_output}` : ''),
  );
  if (report.baseline) {
    const n = report.baseline.regressions;
    lines.push(`${n === 0 ? 'No' : n} regression${n === 1 ? '' : 's'} against ${report.baseline.source}`);
  }
  lines.push(`Backend ${report.backend} on ${report.engine.name} ${report.engine.version}` + (report.stage0 ? ` · Stage 0 ${report.stage0.path}` : ''));
  lines.push(...formatRootCauseLines(report.root_causes, topCauses));
  return lines.join('\n');
}
