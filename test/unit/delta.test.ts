// The delta of a compiler change: newly compiled, regressions and changed messages, and the
// one line the status bar, the notification and the CLI show.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalyzedForm } from '../../server/src/types';
import { changedForms, changeHoverLine, deltaCounts, deltaText, outcomesById } from '../../server/src/workspace/delta';

function form(id: string, status: string, message?: string, name = id.toUpperCase()): AnalyzedForm {
  const line = Number(id.split(':')[1]);
  return {
    file: 'src/a.lisp',
    id,
    moduleIndex: 1,
    form: { index: line, kind: 'list', range: { start: { line, character: 0 }, end: { line, character: 5 } }, start: 0, end: 5, text: '(x)', package: 'CL-USER', name },
    result: { status, message } as AnalyzedForm['result'],
    category: status === 'failed' ? 'undefined-function' : undefined,
  };
}

describe('compiler change delta', () => {
  const before = outcomesById([form('1:0', 'failed', 'Undefined function: 1+'), form('1:1', 'compiled'), form('1:2', 'failed', 'old'), form('1:3', 'compiled')]);

  it('classifies newly compiled, regressions and changed messages, and leaves unchanged and new forms out', () => {
    const after = [form('1:0', 'compiled'), form('1:1', 'failed', 'boom'), form('1:2', 'failed', 'new'), form('1:3', 'compiled'), form('1:4', 'compiled')];
    const changed = changedForms(before, after);
    assert.deepEqual(changed.map((c) => [c.id, c.kind, c.line]), [['1:0', 'compiled', 1], ['1:1', 'regression', 2], ['1:2', 'message', 3]]);
    assert.deepEqual(changed[0].before, { status: 'failed', category: 'undefined-function', message: 'Undefined function: 1+' });
    assert.deepEqual(deltaCounts(changed), { compiled: 1, regressions: 1, messagesChanged: 1 });
  });

  it('does not count a message whose only difference is a gensym counter or an object address', () => {
    const earlier = outcomesById([form('1:0', 'failed', 'Unbound G123 in #<FN {1001E756A3}>')]);
    assert.deepEqual(changedForms(earlier, [form('1:0', 'failed', 'Unbound G987 in #<FN {10025B0000}>')]), []);
    assert.equal(changedForms(earlier, [form('1:0', 'failed', 'Unbound X in #<FN {10025B0000}>')]).length, 1);
  });

  it('says the counts and the cause in one line', () => {
    assert.equal(
      deltaText({ compiled: 12, regressions: 1, messagesChanged: 3 }, ['/w/src/codegen/func-section.lisp'], ['COMPILE-IF']),
      '+12 compiled, 1 regression, 3 messages changed (func-section.lisp: COMPILE-IF)',
    );
    assert.equal(deltaText({ compiled: 0, regressions: 2, messagesChanged: 1 }, ['a.lisp'], ['A', 'B', 'C', 'D']), '+0 compiled, 2 regressions, 1 message changed (a.lisp: A, B, C, +1 more)');
  });

  it('words the hover of a changed form by how it moved', () => {
    const [change] = changedForms(before, [form('1:1', 'failed', 'boom')]);
    assert.equal(changeHoverLine(change, 'incremental'), 'Since the last compiler edit, this form no longer compiles (before: compiled).');
    assert.equal(changeHoverLine(change, 'stage0'), 'Since Stage 0 was rebuilt, this form no longer compiles (before: compiled).');
  });
});
