// Root causes in the editor: code actions, the squiggle of a definition's head, the Fixes list.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blameForm, buildRootCauses, summarize } from '../../server/src/blockers';
import { codeActionsFor, definitionHeadRange } from '../../server/src/lsp/rootCausePresentation';
import { WorkspaceRootCauses } from '../../server/src/lsp/workspaceRootCauses';
import { readTopLevelForms } from '../../server/src/reader';
import type { AnalyzedForm, FormResult, Origin } from '../../server/src/types';

/** Analysed forms of one module's text, with the results given per form name. */
function module(file: string, moduleIndex: number, text: string, results: Record<string, FormResult>): AnalyzedForm[] {
  return readTopLevelForms(text).map((form) => {
    const result = results[form.name ?? ''] ?? { status: 'compiled' };
    const blame = blameForm(form, result, []);
    return { file, id: `${moduleIndex}:${form.index}`, moduleIndex, form, result, category: blame.category, blameOperator: blame.blameOperator };
  });
}

const origin: Origin = { function: 'PKG::COMPILE-CALL', file: 'src/codegen.lisp', line: 7047, column: 1 };
const forms = [
  ...module('src/a.lisp', 1, '(defmacro with-collector (&body b)\n  (loop-finish))\n(defun user (x) (with-collector x))\n', {
    'WITH-COLLECTOR': { status: 'failed', message: 'Undefined function: LOOP-FINISH', origin, condition: 'SIMPLE-ERROR' },
    USER: { status: 'failed', message: 'Undefined function: WITH-COLLECTOR', origin, condition: 'SIMPLE-ERROR' },
  }),
  ...module('src/b.lisp', 2, '(defun other (y)\n  (with-collector y))\n(defun fine () 1)\n', {
    OTHER: { status: 'failed', message: 'Undefined function: WITH-COLLECTOR', origin, condition: 'SIMPLE-ERROR' },
  }),
];
const model = { allForms: () => forms, summary: () => summarize(forms) };

describe('code actions of a Clysm diagnostic', () => {
  const causes = buildRootCauses(forms, summarize(forms));
  const waiting = causes.find((c) => c.message === 'Undefined function: WITH-COLLECTOR');

  it('Go to Compiler Source, Show All Forms with This Root Cause, Go to Definition of the missing name', () => {
    assert.ok(waiting);
    const actions = codeActionsFor(waiting, '/ws');
    assert.deepEqual(actions.map((a) => a.title), ['Go to Compiler Source (COMPILE-CALL)', 'Show All Forms with This Root Cause', 'Go to Definition of WITH-COLLECTOR']);
    assert.deepEqual(actions[0].command.arguments, [{ path: '/ws/src/codegen.lisp', line: 7047, column: 1, function: 'PKG::COMPILE-CALL', name: 'COMPILE-CALL', file: 'src/codegen.lisp' }]);
    assert.deepEqual(actions[1].command, { title: 'Show All Forms with This Root Cause', command: 'clysm.showRootCause', arguments: [waiting.id] });
    assert.deepEqual(actions[2].command.arguments, [{ path: '/ws/src/a.lisp', line: 1, column: 1 }]);
    assert.ok(actions.every((a) => a.kind === 'quickfix'));
  });

  it('no Go to Compiler Source without an origin, no Go to Definition when the workspace does not define the name', () => {
    const finish = causes.find((c) => c.message === 'Undefined function: LOOP-FINISH');
    assert.ok(finish);
    const titles = codeActionsFor({ ...finish, origin: undefined }, '/ws').map((a) => a.title);
    assert.deepEqual(titles, ['Show All Forms with This Root Cause']);
  });

  it('the service finds the actions by form id, and none for a compiled form', () => {
    const service = new WorkspaceRootCauses('/ws');
    assert.equal(service.codeActions(model, '2:0').length, 3);
    assert.deepEqual(service.codeActions(model, '2:1'), []);
  });
});

describe('the Fixes list', () => {
  it('ranks by forms unlocked, names the cause to fix first, and limits to one module on request', () => {
    const service = new WorkspaceRootCauses('/ws');
    const all = service.list(model, new Set());
    assert.deepEqual(all.causes.map((c) => [c.message, c.count, c.unlocks]), [
      ['Undefined function: LOOP-FINISH', 1, 3],
      ['Undefined function: WITH-COLLECTOR', 2, 2],
    ]);
    assert.match(all.causes[1].waitsOn?.explanation ?? '', /^WITH-COLLECTOR is defined in a\.lisp:1 but fails itself \(missing-function LOOP-FINISH\): fix that first; 2 forms wait on it$/);
    assert.equal(all.causes[0].origin?.path, '/ws/src/codegen.lisp');
    const onlyB = service.list(model, new Set(), 'src/b.lisp');
    assert.deepEqual(onlyB.causes.map((c) => [c.message, c.count, c.forms.map((f) => f.id)]), [['Undefined function: WITH-COLLECTOR', 1, ['2:0']]]);
  });
});

describe('definitionHeadRange', () => {
  it('covers the operator and the name, across a line break and for (setf name)', () => {
    const [a, b] = readTopLevelForms('(defun\n   compile-foo (x) x)\n  (defmethod (setf slot) (v o) v)');
    assert.deepEqual(definitionHeadRange(a), { start: { line: 0, character: 1 }, end: { line: 1, character: 14 } });
    assert.deepEqual(definitionHeadRange(b), { start: { line: 2, character: 3 }, end: { line: 2, character: 24 } });
    assert.equal(definitionHeadRange(readTopLevelForms('"atom"')[0]), undefined);
  });
});
