// Regression matching across runs, baselines from reports, the rolling baseline, and the
// persisted-state checks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { baselineFromForms, baselineFromReport, BaselineError, findRegressions, matchKeys } from '../../server/src/report/baseline';
import { BaselineTracker } from '../../server/src/report/baselineTracker';
import { parsePersistedState, restoreModule, persistModule, PERSISTED_STATE_FORMAT, PERSISTED_STATE_VERSION } from '../../server/src/workspace/persistedState';
import type { AnalyzedForm } from '../../server/src/types';
import { syntheticForm, type FormSpec } from './workspaceHelpers';

const moduleOf = (specs: Omit<FormSpec, 'index'>[]): AnalyzedForm[] => specs.map((s, index) => syntheticForm({ ...s, index }));

describe('matching forms across runs', () => {
  const before = moduleOf([
    { operator: 'IN-PACKAGE', status: 'skipped' },
    { operator: 'DEFUN', name: 'A', status: 'compiled' },
    { operator: 'DEFMETHOD', name: 'M', status: 'compiled' },
    { operator: 'DEFMETHOD', name: 'M', status: 'failed' },
    { operator: 'SETF', status: 'compiled' },
  ]);

  it('survives an inserted form: ids shift, matches do not', () => {
    const after = moduleOf([
      { operator: 'IN-PACKAGE', status: 'skipped' },
      { operator: 'DEFUN', name: 'NEW', status: 'failed' },
      { operator: 'DEFUN', name: 'A', status: 'failed' },
      { operator: 'DEFMETHOD', name: 'M', status: 'compiled' },
      { operator: 'DEFMETHOD', name: 'M', status: 'failed' },
      { operator: 'SETF', status: 'failed' },
    ]);
    const regressions = findRegressions(after, baselineFromForms('run', before));
    // A (named), and the unnamed SETF (first of its operator): not NEW, not the second M.
    assert.deepEqual(regressions.map((f) => f.id), ['1:2', '1:5']);
  });

  it('keeps same-named forms apart by occurrence, and files apart', () => {
    const keys = matchKeys([
      { file: 'a', operator: 'DEFMETHOD', name: 'M', formIndex: 3 },
      { file: 'a', operator: 'DEFMETHOD', name: 'M', formIndex: 1 },
      { file: 'b', operator: 'DEFMETHOD', name: 'M', formIndex: 0 },
      { file: 'a', operator: null, name: null, formIndex: 2 },
    ]);
    assert.equal(new Set(keys).size, 4);
    assert.ok(keys[1].endsWith('\u001f0') && keys[0].endsWith('\u001f1'), 'occurrence follows the form index, not input order');
  });

  it('never reports a new form or one that failed before', () => {
    const after = moduleOf([{ operator: 'DEFUN', name: 'B', status: 'failed' }]);
    assert.deepEqual(findRegressions(after, baselineFromForms('run', moduleOf([{ operator: 'DEFUN', name: 'A', status: 'compiled' }]))), []);
    assert.deepEqual(findRegressions(after, undefined), []);
  });

  it('reads a baseline from an exported or --json report, and refuses one without forms', () => {
    const baseline = baselineFromReport('report r.json', {
      defun_failures: 7,
      forms: [{ file: 'src/a.lisp', form_index: 1, operator: 'DEFUN', name: 'A', status: 'compiled' }],
    });
    assert.equal(baseline.defunFailures, 7);
    assert.deepEqual(findRegressions(moduleOf([{ operator: 'IN-PACKAGE', status: 'skipped' }, { operator: 'DEFUN', name: 'A', status: 'timeout' }]), baseline).map((f) => f.id), ['1:1']);
    assert.throws(() => baselineFromReport('x', { summary: {} }), (e: unknown) => e instanceof BaselineError && /per-form detail/.test(e.message));
    assert.throws(() => baselineFromReport('x', { forms: [{ file: 1 }] }), BaselineError);
    assert.throws(() => baselineFromReport('x', null), BaselineError);
  });
});

describe('the rolling baseline', () => {
  const compiled = moduleOf([{ operator: 'DEFUN', name: 'A', status: 'compiled' }]);
  const failed = moduleOf([{ operator: 'DEFUN', name: 'A', status: 'failed' }]);

  it('makes the first run its own baseline, then rotates at each whole run', () => {
    const t = new BaselineTracker(() => '');
    assert.equal(t.current(), undefined);
    assert.equal(t.source(), 'none (first run)');
    t.runStarted();
    t.runCompleted(compiled, 'T1');
    assert.equal(findRegressions(failed, t.current()).length, 1, 'an edit after the first run is compared with it');
    assert.equal(t.source(), 'first run (finished T1)', 'the first run is not called a previous run');
    t.runStarted();
    t.runCompleted(failed, 'T2');
    assert.equal(findRegressions(failed, t.current()).length, 1, 'the second run is compared with the first');
    t.runStarted();
    assert.equal(findRegressions(failed, t.current()).length, 0, 'the third with the second');
    assert.match(t.source(), /finished T2/);
  });

  it('restores the previous session, and prefers a configured report', () => {
    const t = new BaselineTracker(() => JSON.stringify({ forms: [{ file: 'src/a.lisp', form_index: 0, operator: 'DEFUN', name: 'A', status: 'compiled' }] }));
    t.restore(undefined, compiled, 'S');
    t.runStarted();
    assert.match(t.source(), /^previous session \(saved S\)/);
    assert.equal(findRegressions(failed, t.current()).length, 1);
    assert.equal(t.configure('/r.json'), undefined);
    assert.equal(t.source(), 'report /r.json');
    const broken = new BaselineTracker(() => 'not json');
    assert.match(broken.configure('/bad.json') ?? '', /unusable/);
    assert.match(broken.source(), /none \(first run\); baseline report \/bad.json unusable/);
  });
});

describe('persisted state', () => {
  const analysis = {
    file: 'src/a.lisp',
    moduleIndex: 1,
    forms: moduleOf([{ operator: 'DEFUN', name: 'A', status: 'failed', message: 'Undefined function: X' }, { status: 'read-error', message: 'oops' }]),
    keys: ['k0', undefined],
    compiledNow: 0,
    textHash: 'h',
    directiveDigest: 'd',
  };
  const state = {
    format: PERSISTED_STATE_FORMAT,
    version: PERSISTED_STATE_VERSION,
    root: '/ws',
    savedAt: 'T',
    backend: { kind: 'stage0', identity: 'i' },
    moduleListSource: 'setting',
    modules: ['src/a.lisp'],
    analyses: [persistModule(analysis)],
  };

  it('round-trips a module without its text, re-numbered to its current place', () => {
    const restored = restoreModule(JSON.parse(JSON.stringify(state.analyses[0])), 3);
    assert.deepEqual(restored.forms.map((f) => f.id), ['3:0', '3:1']);
    assert.equal(restored.forms[0].form.text, '');
    assert.deepEqual(restored.forms[0].result, analysis.forms[0].result);
    assert.equal(restored.forms[0].category, 'missing-function');
    assert.deepEqual(restored.keys, ['k0', undefined]);
  });

  it('accepts its own output and rejects corrupt, foreign, other-version and misshapen files', () => {
    assert.ok('state' in parsePersistedState(JSON.stringify(state), '/ws'));
    const problem = (text: string, root = '/ws'): string => {
      const parsed = parsePersistedState(text, root);
      return 'problem' in parsed ? parsed.problem : 'accepted';
    };
    assert.match(problem('{"format": "clysm-result'), /not valid JSON/);
    assert.match(problem('[]'), /not a clysm-result-cache file/);
    assert.match(problem(JSON.stringify({ ...state, version: 0 })), /version 0/);
    assert.match(problem(JSON.stringify(state), '/other'), /belongs to \/ws/);
    assert.match(problem(JSON.stringify({ ...state, analyses: [{ file: 'x' }] })), /shape/);
    const badForm = JSON.parse(JSON.stringify(state)) as typeof state;
    (badForm.analyses[0].forms[0].result as { status: string }).status = 'exploded';
    assert.match(problem(JSON.stringify(badForm)), /shape/);
  });
});
