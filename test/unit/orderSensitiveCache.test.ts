// Order-sensitive invalidation: a changed directive (in-package, defpackage, defconstant,
// defmacro, define-condition, declaim) re-keys every form after it, in its module and in later
// modules; any other edit recompiles only itself. Counted on the real fixture Stage 0.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { readTopLevelForms } from '../../server/src/reader';
import {
  advanceContext,
  EMPTY_CONTEXT,
  isOrderSensitive,
  moduleDirectiveDigest,
  modulePrefixContext,
  ORDER_SENSITIVE_OPERATORS,
} from '../../server/src/workspace/directives';
import { formCacheKey, ResultCache } from '../../server/src/workspace/resultCache';
import { DiskFiles, OverlayFiles } from '../../server/src/workspace/workspaceFiles';
import { WorkspaceModel } from '../../server/src/workspace/workspaceModel';
import { CountingBackend, fixtureStage0Backend, workspaceWith } from './workspaceHelpers';

const moduleA = `(in-package #:alpha)
(defconstant +size+ 4)
(defun f1 (x) (+ x 1))
(defmacro twice (x) x)
(defun f2 (x) (+ x 2))
`;
const moduleB = `(in-package #:beta)
(defun g1 (x) (+ x 3))
(defun g2 (x) (+ x 4))
`;

describe('directive context (pure)', () => {
  it('knows the order-sensitive operators', () => {
    for (const op of ['IN-PACKAGE', 'DEFPACKAGE', 'DEFCONSTANT', 'DEFMACRO', 'DEFINE-CONDITION', 'DECLAIM']) assert.ok(ORDER_SENSITIVE_OPERATORS.has(op), op);
    const [inPackage, defun] = readTopLevelForms('(in-package :x) (defun f ())');
    assert.ok(isOrderSensitive(inPackage));
    assert.ok(!isOrderSensitive(defun));
  });

  it('digests only directives, in order, and chains modules', () => {
    const forms = readTopLevelForms(moduleA);
    const withOtherDefun = readTopLevelForms(moduleA.replace('(+ x 1)', '(+ x 10)'));
    assert.equal(moduleDirectiveDigest(forms), moduleDirectiveDigest(withOtherDefun));
    assert.notEqual(moduleDirectiveDigest(forms), moduleDirectiveDigest(readTopLevelForms(moduleA.replace('+size+ 4', '+size+ 5'))));
    assert.equal(modulePrefixContext([]), EMPTY_CONTEXT);
    assert.notEqual(modulePrefixContext(['a', 'b']), modulePrefixContext(['b', 'a']));
    assert.notEqual(advanceContext(EMPTY_CONTEXT, '(defmacro m ())'), EMPTY_CONTEXT);
  });

  it('folds the context into the cache key', () => {
    const plain = formCacheKey('id', 'CL-USER', '(f)');
    assert.equal(plain, formCacheKey('id', 'CL-USER', '(f)', EMPTY_CONTEXT));
    assert.notEqual(plain, formCacheKey('id', 'CL-USER', '(f)', advanceContext(EMPTY_CONTEXT, '(defconstant +a+ 1)')));
  });
});

describe('order-sensitive invalidation on the fixture Stage 0', { timeout: 60_000 }, () => {
  let root = '';
  let cleanup = (): void => undefined;
  let backend: CountingBackend;
  let files: OverlayFiles;
  let model: WorkspaceModel;
  let notified: number[];

  before(async () => {
    ({ root, cleanup } = workspaceWith({ 'src/a.lisp': moduleA, 'src/b.lisp': moduleB }));
    backend = new CountingBackend(fixtureStage0Backend(root, ['src/a.lisp', 'src/b.lisp']));
    assert.equal((await backend.start()).state, 'ready');
  });

  after(async () => {
    await backend.dispose();
    cleanup();
  });

  beforeEach(async () => {
    files = new OverlayFiles(new DiskFiles(root));
    model = new WorkspaceModel(files, backend, new ResultCache(), ['src/a.lisp', 'src/b.lisp']);
    notified = [];
    model.onDirectivesChanged = (moduleIndex) => notified.push(moduleIndex);
    await model.analyzeAll();
    backend.calls.length = 0;
  });

  const edit = async (file: string, text: string): Promise<string[]> => {
    files.setOpen(file, text);
    await model.analyzeFile(file, undefined, text);
    return backend.calls.map((c) => c.formId);
  };

  it('recompiles only the edited form after an ordinary edit, and notifies nothing', async () => {
    assert.deepEqual(await edit('src/a.lisp', moduleA.replace('(+ x 2)', '(+ x 20)')), ['1:4']);
    assert.deepEqual(notified, []);
    await model.analyzeAll();
    assert.deepEqual(backend.calls.map((c) => c.formId), ['1:4'], 'module b is untouched');
  });

  for (const [label, from, to] of [
    ['defconstant', '+size+ 4', '+size+ 8'],
    ['defmacro', '(defmacro twice (x) x)', '(defmacro twice (x) (list x x))'],
  ] as const) {
    it(`recompiles every form after a changed ${label}, in its module and in later modules`, async () => {
      const edited = moduleA.replace(from, to);
      const directiveIndex = readTopLevelForms(edited).findIndex((f) => f.text.includes(to));
      const calls = await edit('src/a.lisp', edited);
      // The directive itself (its text changed) and every form after it; none before it.
      const expected = readTopLevelForms(edited).slice(directiveIndex).map((f) => `1:${f.index}`);
      assert.deepEqual(calls, expected);
      assert.deepEqual(notified, [1], 'later modules must be re-checked');
      backend.calls.length = 0;
      await model.analyzeAll();
      assert.deepEqual(backend.calls.map((c) => c.formId), ['2:0', '2:1', '2:2'], 'all of module b, nothing of module a');
    });
  }

  it('re-keys later modules when an in-package changes, even with the same forms', async () => {
    await edit('src/a.lisp', moduleA.replace('#:alpha', '#:alpha2'));
    assert.equal(backend.calls.length, readTopLevelForms(moduleA).length, 'the whole module: everything follows its in-package');
    backend.calls.length = 0;
    await model.analyzeAll();
    assert.equal(backend.calls.length, 3);
  });

  it('moves the blame of unchanged forms with them instead of re-scanning, with the same answer', async () => {
    const text = `${moduleA}(defun f3 (x)\n  (list (helper-one x) (helper-two x)))\n`;
    await edit('src/a.lisp', text);
    const shifted = `;;; a new header line\n\n${text}`;
    const reused = (await model.analyzeFile('src/a.lisp', undefined, shifted))!.forms;
    const fresh = (await new WorkspaceModel(files, backend, model.cache, ['src/a.lisp', 'src/b.lisp']).analyzeFile('src/a.lisp', undefined, shifted))!.forms;
    const blame = (fs: typeof reused) => fs.map((f) => [f.id, f.category, f.blameOperator, f.blameRange, f.recommendation]);
    assert.deepEqual(blame(reused), blame(fresh));
    assert.ok(reused.some((f) => f.blameRange !== undefined && f.blameRange.start.line > 6), 'a blamed subform moved down');
  });

  it('gives a module analysed on its own the same keys as in the whole run', async () => {
    // A document opened before the background run reached it: earlier modules are read for their directives.
    const fresh = new WorkspaceModel(new DiskFiles(root), backend, model.cache, ['src/a.lisp', 'src/b.lisp']);
    await fresh.analyzeFile('src/b.lisp');
    assert.equal(backend.calls.length, 0);
  });
});
