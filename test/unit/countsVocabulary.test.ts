// Issue 11 item 11: one vocabulary (the blocker categories) and one denominator (compilable
// forms = total − skipped) on every surface that shows counts: the Blockers tree, the hover,
// the report, the report panel and the CLI text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { categoryDescription } from '../../client/src/views/labels';
import { renderReportHtml } from '../../client/src/stage1/reportHtml';
import type { Stage1Outcome } from '../../server/src/protocol';
import { aggregateBlockers, summarize } from '../../server/src/blockers';
import { hoverMarkdown } from '../../server/src/lsp/formPresentation';
import { buildBlockerTree } from '../../server/src/lsp/viewData';
import { buildCheckReport, formatCheckReportText } from '../../server/src/report/checkReport';
import { buildStage1Report } from '../../server/src/report/stage1Report';
import { stage1OutcomeText } from '../../server/src/stage1/outcomeText';
import type { Stage1Outcome as ServerOutcome } from '../../server/src/stage1/generateStage1';
import type { BackendStatus } from '../../server/src/types';
import { syntheticForm } from './workspaceHelpers';

const status: BackendStatus = { state: 'ready', message: 'ok', engine: { name: 'sbcl', version: '2.2.9' } };

// 16 DEFUNs miss a function, 3 DEFSTRUCTs and a LOOP are unsupported macros: Clysm's operator
// grouping would say DEFUN 16, DEFSTRUCT 3; the categories say missing-function 16, unsupported-macro 4.
const forms = [
  syntheticForm({ index: 0, operator: 'IN-PACKAGE', status: 'skipped' }),
  ...Array.from({ length: 16 }, (_, i) => syntheticForm({ index: 1 + i, operator: 'DEFUN', name: `F${i}`, status: 'failed', message: `Undefined function: G${i}` })),
  ...Array.from({ length: 3 }, (_, i) => syntheticForm({ index: 17 + i, operator: 'DEFSTRUCT', name: `S${i}`, status: 'failed', message: 'Unsupported form: DEFSTRUCT', category: 'unsupported-macro' })),
  syntheticForm({ index: 20, operator: 'LOOP', status: 'failed', message: 'Unsupported form: LOOP', category: 'unsupported-macro' }),
  ...Array.from({ length: 20 }, (_, i) => syntheticForm({ index: 21 + i, operator: 'DEFUN', name: `C${i}`, status: 'compiled' })),
  syntheticForm({ index: 41, status: 'read-error', message: 'unmatched close parenthesis' }),
];
// 41 forms (the read error is not one), 1 skipped: 40 compilable.
const COMPILABLE = 40;

function reportInput() {
  return {
    now: new Date('2026-01-01T00:00:00Z'),
    generatorVersion: '0',
    backend: { kind: 'sbcl', reason: 'test', identity: 'sbcl', status },
    modules: ['src/a.lisp'],
    moduleListSource: 'setting',
    forms,
    problems: [],
  };
}

describe('counts on every surface (issue 11)', () => {
  const tree = buildBlockerTree(forms, new Set());
  const report = buildStage1Report(reportInput());

  it('the tree, the report and the hover use the same categories, counts and base', () => {
    assert.equal(tree.compilableForms, COMPILABLE);
    assert.deepEqual(tree.categories.map((c) => [c.category, c.count, c.impactPct]), [['missing-function', 16, 40], ['unsupported-macro', 4, 10]]);
    assert.deepEqual(report.blockers.map((b) => [b.category, b.count, b.impact_pct]), tree.categories.map((c) => [c.category, c.count, c.impactPct]));
    const s = summarize(forms);
    assert.equal(s.total - s.skipped, COMPILABLE);
    assert.equal(report.summary.total_forms, 41);
    assert.equal(report.summary.read_errors, 1);
    const hover = hoverMarkdown(forms[1], { blockers: aggregateBlockers(forms), summary: s });
    assert.match(hover, /16 forms in this category \(40\.00% of the 40 compilable forms/);
    assert.equal(categoryDescription(tree.categories[0]), '16 forms · 40.0% of compilable');
  });

  it("the report panel lists the categories as Top blockers and labels Clysm's operator grouping as its field", () => {
    const outcome: Stage1Outcome = {
      status: 'generated',
      message: 'ok',
      backend: 'sbcl',
      startedAt: '2026-01-01T00:00:00Z',
      durationMs: 1,
      counts: { total: 41, compiled: 20, failed: 20, skipped: 1, notProcessed: 0, readErrors: 1, coveragePct: report.summary.coverage_pct },
      blockers: report.blockers.map((b) => ({ category: b.category, count: b.count, impactPct: b.impact_pct, priority: b.priority })),
      topBlockers: report.summary.top_blockers,
      warnings: [],
    };
    const html = renderReportHtml({ title: 'Stage 1', generation: outcome }, 'csp', 'nonce');
    const top = html.slice(html.indexOf('<h3>Top blockers</h3>'));
    assert.match(top, /^<h3>Top blockers<\/h3>\n<table><thead><tr><th>Category<\/th><th class="num">Forms<\/th><th class="num">% of compilable forms<\/th>/);
    assert.match(top, /<code>missing-function<\/code><\/td><td class="num">16<\/td><td class="num">40\.00<\/td>/);
    assert.match(top, /<code>unsupported-macro<\/code><\/td><td class="num">4<\/td><td class="num">10\.00<\/td>/);
    // Clysm's own grouping (DEFUN 16, DEFSTRUCT 3) is there, under its field's name.
    assert.deepEqual(report.summary.top_blockers.slice(0, 2).map((b) => [b.operator, b.count]), [['DEFUN', 16], ['DEFSTRUCT', 3]]);
    assert.match(html, /<details><summary>Clysm's <code>summary\.top_blockers<\/code> field: failing forms by top-level operator/);
    assert.doesNotMatch(html, /by operator\)<\/h3>/);
    assert.match(html, /1 read error <span class="muted">\(not forms, in no count\)<\/span>/);
    const text = stage1OutcomeText(outcome as ServerOutcome);
    assert.match(text, /top blockers \(category: forms, % of compilable forms\): missing-function 16 \(40\.00%\), unsupported-macro 4 \(10\.00%\)/);
    assert.match(text, /coverage 50\.00% \(compiled \/ \(total − skipped\)\); 1 read error \(not forms\)/);
  });

  it('the CLI text says what its percentages are of and that read errors are not forms', () => {
    const check = buildCheckReport({
      backend: 'sbcl',
      backendReason: 'test',
      status,
      modules: ['src/a.lisp'],
      moduleListSource: 'setting',
      forms,
      summary: summarize(forms),
      blockers: aggregateBlockers(forms),
      problems: [],
    });
    const text = formatCheckReportText(check);
    assert.match(text, /Coverage 50\.00% = compiled 20 \/ \(total 41 - skipped 1\)/);
    assert.match(text, /read errors 1 \(not forms, not in total\)/);
    assert.match(text, /Top root causes \(forms failing · forms unlocked · impact, % of compilable forms\):/);
    assert.doesNotMatch(text, /% of all forms/);
  });
});
