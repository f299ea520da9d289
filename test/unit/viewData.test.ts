// The pure builders behind clysm/blockerTree and clysm/modules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregateBlockers } from '../../server/src/blockers';
import { buildBlockerTree, buildModuleRows, formRef } from '../../server/src/lsp/viewData';
import { syntheticForm } from './workspaceHelpers';

const forms = [
  syntheticForm({ index: 0, operator: 'IN-PACKAGE', status: 'skipped' }),
  syntheticForm({ index: 1, operator: 'DEFUN', name: 'A', status: 'failed', message: 'Undefined function: FOO' }),
  syntheticForm({ index: 2, operator: 'DEFUN', name: 'B', status: 'failed', message: 'Undefined function: BAR' }),
  syntheticForm({ index: 3, operator: 'DEFUN', name: 'C', status: 'failed', message: 'Undefined function: FOO' }),
  syntheticForm({ index: 4, operator: 'DEFSTRUCT', name: 'S', status: 'failed', message: 'Unsupported form: DEFSTRUCT', category: 'unsupported-macro' }),
  syntheticForm({ index: 5, operator: 'DEFUN', name: 'D', status: 'compiled' }),
  syntheticForm({ file: 'src/b.lisp', moduleIndex: 2, index: 0, operator: 'DEFUN', name: 'E', status: 'failed', message: 'Undefined function: FOO' }),
];

describe('blocker tree', () => {
  it('ranks categories, then normalised patterns, then forms; counts equal the aggregate', () => {
    const tree = buildBlockerTree(forms, new Set());
    // 7 forms − 1 skipped: the base of every percentage, as for coverage.
    assert.equal(tree.compilableForms, 6);
    assert.deepEqual(tree.regressions, []);
    assert.deepEqual(tree.readErrors, []);
    const aggregate = aggregateBlockers(forms);
    assert.deepEqual(
      tree.categories.map((c) => [c.category, c.count, c.impactPct, c.priority]),
      aggregate.map((b) => [b.category, b.count, b.impactPct, b.priority]),
    );
    const missing = tree.categories[0];
    assert.equal(missing.category, 'missing-function');
    assert.deepEqual(missing.patterns.map((p) => [p.pattern, p.count]), [['Undefined function: FOO', 3], ['Undefined function: BAR', 1]]);
    assert.deepEqual(missing.patterns[0].forms.map((f) => f.id), ['1:1', '1:3', '2:0']);
    assert.equal(missing.recommendation.length > 0, true);
    // The server sends why the category has its priority (the client keeps no copy of the rule).
    assert.equal(missing.priority, 'HIGH');
    assert.equal(missing.impactPct, 66.67);
    assert.equal(missing.priorityReason, 'impact 66.67 % of compilable forms is above 10 %');
    const ref = missing.patterns[0].forms[0];
    assert.deepEqual(ref, formRef(forms[1]));
    assert.equal(ref.regression, undefined);
  });

  it('lists regressions first, on their own and within their pattern', () => {
    const tree = buildBlockerTree(forms, new Set(['2:0', '1:3']));
    assert.deepEqual(tree.regressions.map((f) => f.id), ['1:3', '2:0']);
    assert.ok(tree.regressions.every((f) => f.regression === true));
    assert.deepEqual(tree.categories[0].patterns[0].forms.map((f) => [f.id, f.regression ?? false]), [['1:3', true], ['2:0', true], ['1:1', false]]);
  });

  it('filters to one module, with impact relative to that module', () => {
    const tree = buildBlockerTree(forms, new Set(['2:0']), 'src/b.lisp');
    assert.equal(tree.compilableForms, 1);
    assert.deepEqual(tree.categories.map((c) => [c.category, c.count, c.impactPct]), [['missing-function', 1, 100]]);
    assert.deepEqual(tree.regressions.map((f) => f.id), ['2:0']);
    assert.deepEqual(buildBlockerTree(forms, new Set(), 'src/none.lisp'), { regressions: [], readErrors: [], categories: [], compilableForms: 0 });
  });

  it('lists read errors on their own, outside the categories and the percentages', () => {
    const stray = syntheticForm({ index: 6, status: 'read-error', message: 'unmatched close parenthesis' });
    const tree = buildBlockerTree([...forms, stray], new Set());
    assert.deepEqual(tree.readErrors.map((f) => [f.id, f.status]), [[stray.id, 'read-error']]);
    const without = buildBlockerTree(forms, new Set());
    assert.equal(tree.compilableForms, without.compilableForms);
    assert.deepEqual(tree.categories, without.categories);
  });

  it('points a form at its blamed subform when there is one', () => {
    const blameRange = { start: { line: 9, character: 4 }, end: { line: 9, character: 7 } };
    assert.deepEqual(formRef({ ...forms[1], blameRange }).range, blameRange);
  });
});

describe('module rows', () => {
  it('lists every module in order, analysed or not, with counts, coverage, problems and staleness', () => {
    const rows = buildModuleRows(
      ['src/a.lisp', 'src/b.lisp', 'src/missing.lisp', 'src/later.lisp'],
      (file) => {
        if (file === 'src/a.lisp') return { forms: forms.filter((f) => f.file === file), stale: false };
        if (file === 'src/b.lisp') return { forms: forms.filter((f) => f.file === file), stale: true };
        return undefined;
      },
      (file) => (file === 'src/missing.lisp' ? 'Module not found: src/missing.lisp' : undefined),
    );
    assert.deepEqual(rows, [
      { file: 'src/a.lisp', moduleIndex: 1, analysed: true, total: 6, compiled: 1, failed: 4, skipped: 1, readErrors: 0, coveragePct: 20 },
      { file: 'src/b.lisp', moduleIndex: 2, analysed: true, total: 1, compiled: 0, failed: 1, skipped: 0, readErrors: 0, coveragePct: 0, stale: true },
      { file: 'src/missing.lisp', moduleIndex: 3, analysed: false, total: 0, compiled: 0, failed: 0, skipped: 0, readErrors: 0, coveragePct: 0, problem: 'Module not found: src/missing.lisp' },
      { file: 'src/later.lisp', moduleIndex: 4, analysed: false, total: 0, compiled: 0, failed: 0, skipped: 0, readErrors: 0, coveragePct: 0 },
    ]);
  });

  it('counts a read error apart: not in the total, not in the failures', () => {
    const stray = syntheticForm({ index: 6, status: 'read-error', message: 'unmatched close parenthesis' });
    const [row] = buildModuleRows(['src/a.lisp'], () => ({ forms: [...forms.filter((f) => f.file === 'src/a.lisp'), stray], stale: false }), () => undefined);
    assert.deepEqual(row, { file: 'src/a.lisp', moduleIndex: 1, analysed: true, total: 6, compiled: 1, failed: 4, skipped: 1, readErrors: 1, coveragePct: 20 });
  });
});
