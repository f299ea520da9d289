// What the CI formats (SARIF, GitHub annotations) report: the forms that make clysm-check exit 1,
// each under its blocker category, with regressions against --baseline marked.
import { isProblemStatus, type CheckReport, type CheckReportForm } from '../../../server/src/report/checkReport';

export interface FailingForm {
  form: CheckReportForm;
  /** The blocker category; a form without one (not categorized) goes under its status. */
  category: string;
  /** It compiled in the --baseline report and fails now. */
  regression: boolean;
}

export function failingForms(report: CheckReport): FailingForm[] {
  const regressed = new Set((report.regressions ?? []).map((f) => f.id));
  return report.forms
    .filter((f) => isProblemStatus(f.status))
    .map((form) => ({ form, category: form.category ?? form.status, regression: regressed.has(form.id) }));
}

/** The form's message, or its status when the backend gave none. */
export function messageOf(form: CheckReportForm): string {
  return form.message ?? form.status;
}

/** One line on the coverage, for the formats that carry no summary of their own. */
export function coverageLine(report: CheckReport): string {
  const s = report.summary;
  const regressions = report.baseline ? `, ${report.baseline.regressions} regression(s) against ${report.baseline.source}` : '';
  return `Clysm coverage ${s.coverage_pct.toFixed(2)}% (compiled ${s.compiled} of ${s.total - s.skipped} forms; ${s.failed} failed, ${s.timeout} timed out, ${s.read_errors} read errors${regressions})`;
}
