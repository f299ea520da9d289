// How an analysed form looks in the editor: its diagnostic and its hover. Pure, so the
// wording is unit-tested without a server.
import type { Blocker, RootCause, Summary } from '../blockers';
import { compilableCount, summarizeMessage } from '../blockers';
import type { AnalyzedForm, Range } from '../types';
import { localTime, relativeTime } from '../protocol/time';
import { hasBytes } from '../wasm/text/formWat';
import { SHOW_WASM_COMMAND } from '../protocol/wat';
import { categoryDocsUrl, definitionHeadRange, escapeMarkdownText, fullMessageBlock, rootCauseHoverLines } from './rootCausePresentation';
import type { ChangedForm, ReloadSummary } from '../protocol/lastChange';
import { changeHoverLine } from '../workspace/delta';

export interface DiagnosticData {
  id: string;
  status: string;
  /** Compiled in the baseline, fails now (LSP has no diagnostic tag for this). */
  regression?: boolean;
  /** From the restored saved state that the backend has not re-checked (LSP has no tag for this either). */
  stale?: boolean;
}

export interface FormDiagnostic {
  range: Range;
  /** 1 = Error, 2 = Warning (LSP DiagnosticSeverity). */
  severity: 1 | 2;
  code: string;
  source: 'clysm';
  message: string;
  /** The category's section of docs/blockers.md. */
  codeDescription: { href: string };
  data: DiagnosticData;
}

/** Statuses that are problems in the source being compiled (or in the compiler on it). */
const problemStatuses = new Set(['failed', 'timeout', 'read-error', 'crashed']);

/** Prefix of a regression's diagnostic message: LSP's only tags are Unnecessary and Deprecated. */
export const REGRESSION_PREFIX = 'Regression: ';

/**
 * Results shown from the restored saved state (the persistent cache) that the backend has not
 * re-checked, because it is still starting or cannot run.
 */
export interface Staleness {
  /** When that state was saved. */
  savedAt: Date;
  /** The time to measure "… ago" from. */
  now: Date;
  /** Why the results are not re-checked (the backend's state). */
  reason: string;
}

/** Prefix of a stale result's diagnostic: the absolute time only, since a diagnostic may stay up for hours. */
export function stalePrefix(stale: Staleness): string {
  return `Stale (last session, saved ${localTime(stale.savedAt)}): `;
}

export function diagnosticFor(form: AnalyzedForm, regression = false, stale?: Staleness): FormDiagnostic | undefined {
  if (!problemStatuses.has(form.result.status)) return undefined;
  const code = form.category ?? form.result.status;
  const diagnostic: FormDiagnostic = {
    // An inner operator the message names, else the operator and name (`defun foo`), not the whole body.
    range: form.blameRange ?? definitionHeadRange(form.form) ?? form.form.range,
    // A timeout or crash says more about the compiler than about the form: warn, don't fail.
    severity: form.result.status === 'timeout' || form.result.status === 'crashed' ? 2 : 1,
    code,
    codeDescription: { href: categoryDocsUrl(code) },
    source: 'clysm',
    // One line: the Problems panel and the squiggle's tooltip; the hover has the full text.
    message: summarizeMessage(form.result.message ?? form.result.status),
    data: { id: form.id, status: form.result.status },
  };
  if (regression) {
    diagnostic.message = REGRESSION_PREFIX + diagnostic.message;
    diagnostic.data.regression = true;
  }
  if (stale) {
    diagnostic.message = stalePrefix(stale) + diagnostic.message;
    diagnostic.data.stale = true;
  }
  return diagnostic;
}

export interface FileDiagnostic {
  range: Range;
  severity: 2;
  code: 'file';
  source: 'clysm';
  message: string;
}

/** A problem of the whole file (missing, not UTF-8), shown as a warning at its start. */
export function fileProblemDiagnostic(message: string): FileDiagnostic {
  return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 2, source: 'clysm', code: 'file', message };
}

export interface DocumentDiagnosticsOptions {
  isRegression(form: AnalyzedForm): boolean;
  /** A problem of the whole file, shown first. */
  fileProblem?: string;
  /** Set when the forms are a previous session's results, not re-checked yet. */
  stale?: Staleness;
}

/** Every diagnostic of a document: its file problem first, then one per failing form. */
export function documentDiagnostics(forms: readonly AnalyzedForm[], options: DocumentDiagnosticsOptions): (FormDiagnostic | FileDiagnostic)[] {
  const items: (FormDiagnostic | FileDiagnostic)[] = options.fileProblem ? [fileProblemDiagnostic(options.fileProblem)] : [];
  for (const form of forms) {
    const diagnostic = diagnosticFor(form, options.isRegression(form), options.stale);
    if (diagnostic) items.push(diagnostic);
  }
  return items;
}

function formLabel(form: AnalyzedForm): string {
  const op = form.form.operator ?? (form.form.kind === 'read-error' ? 'read error' : 'atom');
  return form.form.name ? `${op} ${form.form.name}` : op;
}

export interface HoverContext {
  /** Blockers of the whole workspace. */
  blockers: Blocker[];
  summary: Summary;
  /** Set when the form is a regression: where the baseline comes from. */
  regressionBaseline?: string;
  /** Set when the result comes from saved state the backend has not re-checked. */
  stale?: Staleness;
  /** The form's root cause, when it failed. */
  rootCause?: RootCause;
  /** Workspace root: origins are shown relative to it and opened from it. */
  root?: string;
  /** Set when the last compiler change moved this form's result, with how that change was applied. */
  compilerChange?: { form: ChangedForm; mode: ReloadSummary['mode'] };
}

export function hoverMarkdown(form: AnalyzedForm, context: HoverContext): string {
  const r = form.result;
  const head = `**Clysm** · form \`${form.id}\` · \`${formLabel(form)}\``;
  const lines: string[] = [];
  switch (r.status) {
    case 'compiled':
      lines.push(`${head} — **compiled**: ${r.bytes ?? 0} bytes of valid Wasm`);
      break;
    case 'skipped':
      lines.push(`${head} — **skipped**: a directive evaluated in the host, not compiled to Wasm`);
      break;
    case 'no-output':
      lines.push(`${head} — **no output**: this Stage 0 returned nothing for the form (it does not compile yet)`);
      break;
    case 'read-error': {
      // Not a form: no blocker share, no coverage line; only what the reader said.
      const n = context.summary.readErrors;
      lines.push(`${head} — **read error**: the reader could not read this text, so it is not a form and is in none of the form counts`);
      if (r.message) lines.push(escapeMarkdownText(summarizeMessage(r.message)));
      lines.push(`${n} read error${n === 1 ? '' : 's'} in the analysed modules, counted apart from the ${context.summary.total} forms.`);
      break;
    }
    default: {
      lines.push(`${head} — **${r.status}**`);
      if (context.regressionBaseline) lines.push(`**Regression:** this form compiled in the baseline (${context.regressionBaseline}).`);
      const category = form.category ?? r.status;
      const blame = form.blameOperator ? ` · blamed on \`${form.blameOperator}\`` : '';
      if (r.message) {
        lines.push(escapeMarkdownText(summarizeMessage(r.message)));
        lines.push(fullMessageBlock(form.id, r.message));
      }
      const cause = context.rootCause;
      if (cause) lines.push(...rootCauseHoverLines(cause, context.summary.coveragePct, context.root ?? ''));
      const blocker = context.blockers.find((b) => b.category === category);
      const share = blocker
        ? ` · ${blocker.count} form${blocker.count === 1 ? '' : 's'} in this category (${blocker.impactPct.toFixed(2)}% of the ${compilableCount(context.summary)} compilable forms, priority ${blocker.priority})`
        : '';
      lines.push(`Blocker: \`${category}\`${blame}${share}`);
      if (form.recommendation) lines.push(`**Recommendation:** ${form.recommendation}`);
    }
  }
  const stale = context.stale;
  if (stale) {
    lines.splice(1, 0, `**Stale:** this result is from the last session, saved ${localTime(stale.savedAt)} (${relativeTime(stale.savedAt, stale.now)}); not re-checked: ${stale.reason}.`);
  }
  if (context.compilerChange) lines.push(changeHoverLine(context.compilerChange.form, context.compilerChange.mode));
  if (hasBytes(r)) lines.push(showWasmLink(form.id));
  return lines.join('\n\n');
}

/** The hover's link to the form's module as WAT (the client trusts this one command in hovers). */
function showWasmLink(formId: string): string {
  return `[Show Wasm](command:${SHOW_WASM_COMMAND}?${encodeURIComponent(JSON.stringify([formId]))} "Open the form's module as WebAssembly text")`;
}
