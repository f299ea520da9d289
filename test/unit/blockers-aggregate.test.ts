import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { aggregateBlockers, blameForm, summarize } from '../../server/src/blockers/index.js';
import type { AnalyzedForm, FormResult, FormStatus, InnerOperator, TopLevelForm } from '../../server/src/types.js';

let nextIndex = 0;

function topLevel(text: string, operator?: string): TopLevelForm {
  const index = nextIndex++;
  return {
    index,
    kind: 'list',
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: text.length } },
    start: 0,
    end: text.length,
    text,
    operator,
    package: 'CL-USER',
  };
}

/** An analysed form whose category comes from blameForm, as the workspace will do it. */
function analyzed(id: string, status: FormStatus, message?: string, operator = 'DEFUN', inner: InnerOperator[] = []): AnalyzedForm {
  const form = topLevel(`(${operator.toLowerCase()} f ())`, operator);
  const result: FormResult = message === undefined ? { status } : { status, message };
  const blame = blameForm(form, result, inner);
  return {
    file: 'src/a.lisp',
    id,
    moduleIndex: 1,
    form,
    result,
    category: blame.category,
    blameOperator: blame.blameOperator,
    recommendation: blame.recommendation,
  };
}

describe('blameForm', () => {
  const text = '(defun f (x) (let ((y 1)) (loop-finish) (loop for i below x collect i)))';
  const inner: InnerOperator[] = [
    { name: 'LET', start: text.indexOf('let'), end: text.indexOf('let') + 3 },
    { name: 'LOOP-FINISH', start: text.indexOf('loop-finish'), end: text.indexOf('loop-finish') + 11 },
    { name: 'LOOP', start: text.indexOf('loop for'), end: text.indexOf('loop for') + 4 },
  ];

  test('an inner operator named by the message is blamed, with the range of its head token', () => {
    const blame = blameForm(topLevel(text, 'DEFUN'), { status: 'failed', message: 'Undefined function: LOOP-FINISH' }, inner);
    assert.deepEqual(blame, {
      category: 'missing-function',
      blameOperator: 'LOOP-FINISH',
      blameRange: { start: 27, end: 38 },
      recommendation: 'Define LOOP-FINISH or add it as a runtime import',
    });
    assert.equal(text.slice(27, 38), 'loop-finish');
  });

  test('an inner LOOP named by the message → unsupported-macro with the LOOP recommendation', () => {
    const blame = blameForm(topLevel(text, 'DEFUN'), { status: 'failed', message: 'Unsupported form: LOOP' }, inner);
    assert.equal(blame.category, 'unsupported-macro');
    assert.equal(blame.blameOperator, 'LOOP');
    assert.deepEqual(blame.blameRange, { start: text.indexOf('loop for'), end: text.indexOf('loop for') + 4 });
    assert.equal(blame.recommendation, 'Implement LOOP macro expansion to blessed subset');
  });

  test('top-level blame has no blameRange; missing function not in the form is still named', () => {
    const blame = blameForm(topLevel(text, 'DEFUN'), { status: 'failed', message: 'Undefined function: ENV-ADD-LOCAL' }, inner);
    assert.deepEqual(blame, {
      category: 'missing-function',
      blameOperator: 'DEFUN',
      recommendation: 'Define ENV-ADD-LOCAL or add it as a runtime import',
    });
  });

  test('the top-level head in the inner list does not produce a blameRange', () => {
    const withHead: InnerOperator[] = [{ name: 'DEFUN', start: 1, end: 6 }, ...inner];
    const blame = blameForm(topLevel(text, 'DEFUN'), { status: 'failed', message: 'Undefined function: DEFUN' }, withHead);
    assert.equal(blame.blameOperator, 'DEFUN');
    assert.equal(blame.blameRange, undefined);
  });

  test('compiled, skipped and no-output forms get nothing', () => {
    for (const status of ['compiled', 'skipped', 'no-output'] as const) {
      assert.deepEqual(blameForm(topLevel(text, 'DEFUN'), { status }, inner), {});
    }
  });

  test('a read error uses the reader message when the result has none', () => {
    const form: TopLevelForm = { ...topLevel('(defun f ("x)', 'DEFUN'), kind: 'read-error', error: 'unterminated string' };
    const blame = blameForm(form, { status: 'read-error' }, []);
    assert.equal(blame.category, 'read-error');
    assert.match(blame.recommendation ?? '', /syntax/);
  });

  test('a timeout recommends the time limit setting', () => {
    const blame = blameForm(topLevel(text, 'DEFUN'), { status: 'timeout', message: 'Timed out after 5000 ms' }, inner);
    assert.equal(blame.category, 'timeout');
    assert.match(blame.recommendation ?? '', /clysm\.stage0\.timeoutMs/);
  });
});

describe('aggregateBlockers', () => {
  const forms: AnalyzedForm[] = [
    analyzed('1:0', 'skipped', undefined, 'IN-PACKAGE'),
    analyzed('1:1', 'failed', 'Undefined function: ENV-ADD-LOCAL'),
    analyzed('1:2', 'failed', 'Undefined function: WHITESPACE-CHAR-P'),
    analyzed('1:3', 'failed', 'Undefined function: ENV-ADD-LOCAL'),
    analyzed('1:4', 'compiled'),
    analyzed('1:5', 'failed', 'x', 'DEFSTRUCT'),
    analyzed('1:6', 'failed', 'Unknown branch label: #:LOOP-START-18171'),
    analyzed('1:7', 'failed', 'Unknown branch label: #:LOOP-START-205'),
    analyzed('1:8', 'timeout', 'Timed out after 5000 ms'),
    analyzed('1:9', 'no-output'),
    analyzed('1:10', 'failed', 'y', 'DEFVAR'),
    analyzed('1:11', 'failed', 'z', 'DEFVAR'),
  ];
  const blockers = aggregateBlockers(forms);

  test('one blocker per category, by count then category name', () => {
    assert.deepEqual(
      blockers.map((b) => [b.category, b.count]),
      [
        ['missing-function', 3],
        ['unsupported-defun', 2],
        ['unsupported-defvar', 2],
        ['timeout', 1],
        ['unsupported-macro', 1],
      ],
    );
  });

  test('patterns group normalised messages, by count then text', () => {
    const missing = blockers[0];
    assert.deepEqual(missing.patterns, [
      { pattern: 'Undefined function: ENV-ADD-LOCAL', count: 2, formIds: ['1:1', '1:3'] },
      { pattern: 'Undefined function: WHITESPACE-CHAR-P', count: 1, formIds: ['1:2'] },
    ]);
    assert.deepEqual(missing.formIds, ['1:1', '1:2', '1:3']);
    // Gensym counters do not split a pattern.
    assert.deepEqual(blockers[1].patterns, [{ pattern: 'Unknown branch label: #:LOOP-START-N', count: 2, formIds: ['1:6', '1:7'] }]);
  });

  test('impact and priority against the compilable forms (12 forms − 1 skipped), the base of coverage', () => {
    assert.equal(blockers[0].impactPct, 27.27);
    assert.equal(blockers[0].priority, 'HIGH');
    assert.equal(blockers[0].priorityReason, 'impact 27.27 % of compilable forms is above 10 %');
    assert.equal(blockers[3].impactPct, 9.09);
    assert.equal(blockers[3].priority, 'MEDIUM');
  });

  test('read errors are not forms: no blocker, and not in the impact base', () => {
    const withReadError = [...forms, analyzed('1:12', 'read-error', 'unmatched close parenthesis')];
    const again = aggregateBlockers(withReadError);
    assert.deepEqual(again.map((b) => [b.category, b.count, b.impactPct]), blockers.map((b) => [b.category, b.count, b.impactPct]));
  });

  test('recommendation names the subject only when the whole category shares it', () => {
    assert.equal(blockers[0].recommendation, 'Define missing function or add import');
    assert.equal(blockers[4].recommendation, 'Add DEFSTRUCT compilation or expand to DEFCLASS');
    assert.equal(blockers[2].recommendation, 'Implement DEFVAR support');
    const one = aggregateBlockers([analyzed('2:0', 'failed', 'Undefined function: WHITESPACE-CHAR-P')]);
    assert.equal(one[0].recommendation, 'Define WHITESPACE-CHAR-P or add it as a runtime import');
  });

  test('forms without a category are categorised from their result', () => {
    const raw: AnalyzedForm = { ...analyzed('3:0', 'failed', 'Undefined function: FOO'), category: undefined, blameOperator: undefined };
    assert.deepEqual(aggregateBlockers([raw])[0], {
      category: 'missing-function',
      count: 1,
      impactPct: 100,
      priority: 'HIGH',
      priorityReason: 'impact 100.00 % of compilable forms is above 10 %',
      recommendation: 'Define FOO or add it as a runtime import',
      patterns: [{ pattern: 'Undefined function: FOO', count: 1, formIds: ['3:0'] }],
      formIds: ['3:0'],
    });
  });

  test('no forms, no blockers', () => {
    assert.deepEqual(aggregateBlockers([]), []);
  });
});

describe('summarize', () => {
  const statuses: FormStatus[] = ['compiled', 'compiled', 'failed', 'failed', 'failed', 'skipped', 'timeout', 'read-error', 'no-output', 'crashed'];
  const forms = statuses.map((s, i) => analyzed(`1:${i}`, s, s === 'compiled' || s === 'skipped' ? undefined : 'err'));

  test('counts each status separately; failed is only `failed`; a read error is not a form', () => {
    assert.deepEqual(summarize(forms), {
      total: 9,
      compiled: 2,
      failed: 3,
      skipped: 1,
      timeout: 1,
      readErrors: 1,
      noOutput: 1,
      crashed: 1,
      coveragePct: 25, // 2 / (9 − 1)
    });
  });

  test('a stray `)` adds a read error, not a form: total and coverage stay as they were', () => {
    const stray = analyzed('1:10', 'read-error', 'unmatched close parenthesis');
    const before = summarize(forms.filter((f) => f.result.status !== 'read-error'));
    const after = summarize([...forms.filter((f) => f.result.status !== 'read-error'), stray]);
    assert.deepEqual({ ...after, readErrors: before.readErrors }, before);
    assert.equal(after.readErrors, 1);
  });

  test("Clysm's own numbers: 91 compiled, 1,031 failed, 139 skipped of 1,261 → 8.11 %", () => {
    const many = [
      ...Array.from({ length: 91 }, (_, i) => analyzed(`1:${i}`, 'compiled')),
      ...Array.from({ length: 1031 }, (_, i) => analyzed(`2:${i}`, 'failed', 'e')),
      ...Array.from({ length: 139 }, (_, i) => analyzed(`3:${i}`, 'skipped', undefined, 'IN-PACKAGE')),
    ];
    const s = summarize(many);
    assert.equal(s.total, 1261);
    assert.equal(s.coveragePct, 8.11);
  });

  test('zero denominators give 0 coverage', () => {
    assert.equal(summarize([]).coveragePct, 0);
    assert.equal(summarize([analyzed('1:0', 'skipped', undefined, 'IN-PACKAGE')]).coveragePct, 0);
    assert.equal(summarize([analyzed('1:0', 'compiled')]).coveragePct, 100);
  });
});
