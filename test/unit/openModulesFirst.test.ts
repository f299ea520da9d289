// After a compiler reload the modules open in the editor are checked before the list-order
// pass, so what the user looks at updates first (issue 12 item 3); the list-order pass then
// takes them from the cache, and the results are those of a plain run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResultCache } from '../../server/src/workspace/resultCache';
import { OverlayFiles } from '../../server/src/workspace/workspaceFiles';
import { WorkspaceModel } from '../../server/src/workspace/workspaceModel';
import { InstantBackend, MemoryFiles } from '../support/memoryWorkspace';

const MODULES = ['src/a.lisp', 'src/b.lisp', 'src/c.lisp'];
const sources = (): Map<string, string> =>
  new Map([
    ['src/a.lisp', '(in-package :x)\n(defvar *a* 1)\n(defun a ())'],
    ['src/b.lisp', '(defun b ())\n(defvar *b* 2)'],
    ['src/c.lisp', '(defvar *c* 3)\n(defun c ())'],
  ]);
const outcomes = (model: WorkspaceModel): string[] => model.allForms().map((f) => JSON.stringify([f.id, f.result]));

describe('open modules first', () => {
  it('compiles the open module before the others, once, with the results of a plain run', async () => {
    const plainBackend = new InstantBackend();
    const plain = new WorkspaceModel(new MemoryFiles(sources()), plainBackend, new ResultCache(), MODULES);
    await plain.analyzeAll();

    const backend = new InstantBackend();
    const model = new WorkspaceModel(new MemoryFiles(sources()), backend, new ResultCache(), MODULES);
    const compiled = await model.analyzeAll(undefined, undefined, ['src/c.lisp', 'README.md']);
    assert.deepEqual(backend.compiled.slice(0, 2), ['3:0', '3:1'], `order: ${backend.compiled.join(' ')}`);
    assert.equal(backend.calls, plainBackend.calls, 'the list-order pass compiled the open module again');
    assert.equal(compiled, plainBackend.calls);
    assert.deepEqual(outcomes(model), outcomes(plain));
  });

  it('the editor overlay lists the open files', () => {
    const files = new OverlayFiles(new MemoryFiles(sources()));
    files.setOpen('src/b.lisp', '(defun b2 ())');
    files.setOpen('src/c.lisp', '(defun c2 ())');
    files.setOpen('src/c.lisp', undefined);
    assert.deepEqual(files.openPaths(), ['src/b.lisp']);
  });
});
