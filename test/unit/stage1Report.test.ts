// The exported report: Clysm's stage1-report.json fields, computed correctly, plus per-form detail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildStage1Report,
  countsAsFailed,
  operatorPriority,
  patternId,
  patternPriority,
  reportTimestamp,
  type Stage1ReportInput,
} from '../../server/src/report/stage1Report';
import type { BackendStatus } from '../../server/src/types';
import { syntheticForm } from './workspaceHelpers';

const status: BackendStatus = {
  state: 'ready',
  message: 'ok',
  engine: { name: 'embedded-v8', version: 'V8 13' },
  stage0: { path: '/ws/dist/clysm-stage0.wasm', sha256: 'ab', size: 10, status: 'ready', message: 'ok' },
};

const forms = [
  syntheticForm({ index: 0, operator: 'IN-PACKAGE', status: 'skipped' }),
  syntheticForm({ index: 1, operator: 'DEFUN', name: 'A', status: 'failed', message: 'Undefined function: FOO' }),
  syntheticForm({ index: 2, operator: 'DEFUN', name: 'B', status: 'failed', message: 'Undefined function: FOO' }),
  syntheticForm({ index: 3, operator: 'DEFUN', name: 'C', status: 'timeout', message: 'timed out after 5000 ms' }),
  syntheticForm({ index: 4, operator: 'DEFSTRUCT', name: 'S', status: 'failed', message: 'Unsupported form: DEFSTRUCT' }),
  syntheticForm({ index: 5, operator: 'DEFUN', name: 'D', status: 'compiled' }),
  syntheticForm({ file: 'src/b.lisp', moduleIndex: 2, index: 0, operator: 'DEFUN', name: 'E', status: 'failed', message: 'Undefined function: FOO 12' }),
  syntheticForm({ file: 'src/b.lisp', moduleIndex: 2, index: 1, status: 'read-error', message: 'unterminated string' }),
];

const input = (extra: Partial<Stage1ReportInput> = {}): Stage1ReportInput => ({
  now: new Date('2026-01-03T14:05:11.123Z'),
  generatorVersion: '9.9.9',
  backend: { kind: 'stage0', reason: 'test', identity: 'stage0:embedded-v8:V8 13:ab', status },
  modules: ['src/a.lisp', 'src/b.lisp', 'src/missing.lisp'],
  moduleListSource: 'setting',
  forms,
  problems: [{ file: 'src/missing.lisp', message: 'Module not found: src/missing.lisp' }],
  ...extra,
});

describe('stage1 report', () => {
  it("has Clysm's fields first, in its writer's order", () => {
    const keys = Object.keys(buildStage1Report(input()));
    assert.deepEqual(keys.slice(0, 7), ['timestamp', 'stage0_version', 'summary', 'error_patterns', 'top_patterns_coverage_pct', 'defun_failures', 'modules']);
    assert.ok(!keys.includes('defun_failure_reduction'), 'only with a baseline');
    assert.deepEqual(Object.keys(buildStage1Report(input()).summary), ['total_forms', 'compiled', 'failed', 'skipped', 'coverage_pct', 'top_blockers', 'read_errors']);
  });

  it('counts each form once: failed is every form neither compiled nor skipped; a read error is not a form', () => {
    const r = buildStage1Report(input());
    assert.equal(r.timestamp, '2026-01-03T14:05:11Z');
    assert.equal(r.stage0_version, 'stage0-v1.0');
    assert.deepEqual(
      { ...r.summary, top_blockers: undefined },
      { total_forms: 7, compiled: 1, failed: 5, skipped: 1, coverage_pct: 16.67, top_blockers: undefined, read_errors: 1 },
    );
    assert.equal(r.summary.compiled + r.summary.failed + r.summary.skipped, r.summary.total_forms);
    assert.deepEqual(r.summary.top_blockers, [
      { operator: 'DEFUN', count: 4, priority: 'LOW' },
      { operator: 'DEFSTRUCT', count: 1, priority: 'LOW' },
    ]);
    assert.deepEqual(r.modules, [
      { path: 'src/a.lisp', compiled: 1, failed: 4, total: 6 },
      { path: 'src/b.lisp', compiled: 0, failed: 1, total: 1 },
      { path: 'src/missing.lisp', compiled: 0, failed: 0, total: 0 },
    ]);
    assert.deepEqual(r.status_counts, { compiled: 1, failed: 4, skipped: 1, timeout: 1, read_error: 1, no_output: 0, crashed: 0 });
  });

  it('groups DEFUN failures by normalised pattern, with stable ids and Clysm priorities', () => {
    const r = buildStage1Report(input());
    assert.equal(r.defun_failures, 4);
    assert.deepEqual(
      r.error_patterns.map((p) => [p.pattern, p.count, p.percentage, p.priority]),
      [
        ['Undefined function: FOO', 2, 50, 'high'],
        ['Undefined function: FOO N', 1, 25, 'high'],
        ['timed out after N ms', 1, 25, 'high'],
      ],
    );
    const top = r.error_patterns[0];
    assert.match(top.pattern_id, /^P\d{3}$/);
    assert.equal(top.pattern_id, patternId('Undefined function: FOO'));
    assert.deepEqual(top.examples, [
      { function: 'A', module: 'src/a.lisp' },
      { function: 'B', module: 'src/a.lisp' },
    ]);
    assert.deepEqual(top.affected_modules, ['src/a.lisp']);
    assert.equal(r.top_patterns_coverage_pct, 100);
  });

  it('adds per-form detail, backend, blockers, regressions and the reduction against a baseline', () => {
    const r = buildStage1Report(input({ baseline: { source: 'report x.json', defunFailures: 10 }, regressionIds: new Set(['1:2']) }));
    assert.equal(r.defun_failure_reduction, 6);
    assert.deepEqual(r.baseline, { source: 'report x.json', regressions: 1 });
    assert.deepEqual(r.regressions, [{ id: '1:2', file: 'src/a.lisp', line: 5, column: 1, operator: 'DEFUN', name: 'B', message: 'Undefined function: FOO' }]);
    assert.equal(r.forms.length, 8);
    assert.deepEqual(r.forms[2], {
      id: '1:2',
      file: 'src/a.lisp',
      module_index: 1,
      form_index: 2,
      line: 5,
      column: 1,
      end_line: 5,
      end_column: 31,
      operator: 'DEFUN',
      name: 'B',
      status: 'failed',
      category: 'missing-function',
      message: 'Undefined function: FOO',
      pattern: 'Undefined function: FOO',
      bytes: null,
      blame: null,
      regression: true,
    });
    assert.equal(r.backend.identity, 'stage0:embedded-v8:V8 13:ab');
    assert.equal(r.backend.stage0?.sha256, 'ab');
    assert.equal(r.generator.version, '9.9.9');
    assert.equal(r.blockers[0].category, 'missing-function');
    // Blocker impact is of the compilable forms (7 − 1 skipped), as coverage is: the 5 failing forms
    // all carry the helper's default category. Read errors are no blocker.
    assert.equal(r.blockers[0].impact_pct, 83.33);
    assert.ok(!r.blockers.some((b) => b.category === 'read-error'));
    assert.equal(r.forms[7].status, 'read-error');
    assert.equal(r.forms[7].pattern, 'unterminated string');
    assert.deepEqual(r.module_list, { source: 'setting', modules: ['src/a.lisp', 'src/b.lisp', 'src/missing.lisp'] });
  });

  it('guards every division (an empty workspace)', () => {
    const r = buildStage1Report(input({ forms: [], modules: [] }));
    assert.equal(r.summary.coverage_pct, 0);
    assert.equal(r.top_patterns_coverage_pct, 0);
    assert.deepEqual(r.error_patterns, []);
  });

  it('uses the documented rules', () => {
    assert.equal(reportTimestamp(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678))), '2026-01-02T03:04:05Z');
    assert.equal(patternId('x'), patternId('x'));
    assert.deepEqual([operatorPriority(11), operatorPriority(6), operatorPriority(5)], ['HIGH', 'MEDIUM', 'LOW']);
    assert.deepEqual([patternPriority(1001, 0), patternPriority(1, 5.01), patternPriority(101, 0), patternPriority(1, 1.01), patternPriority(100, 1)], ['high', 'high', 'medium', 'medium', 'low']);
    assert.deepEqual(['compiled', 'skipped', 'failed', 'no-output', 'timeout', 'read-error'].map(countsAsFailed), [false, false, true, true, true, false]);
  });
});
