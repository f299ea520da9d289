// Pipelined analysis (issue 12 item 6): the cache misses of a run go to a backend that queues
// requests ahead of the form awaited, in module order and across module boundaries, never more
// than its depth at once; a one-at-a-time backend (Stage 0) keeps one request at a time; an
// aborted analysis sends nothing more and caches nothing that arrives after the abort.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeModule, AnalysisCancelled } from '../../server/src/workspace/analyzeModule';
import { ResultCache } from '../../server/src/workspace/resultCache';
import { WorkspaceModel } from '../../server/src/workspace/workspaceModel';
import { GatedBackend } from '../support/gatedBackend';
import { InstantBackend, MemoryFiles } from '../support/memoryWorkspace';

const MODULES = ['src/a.lisp', 'src/b.lisp'];
const sources = (): Map<string, string> =>
  new Map([
    ['src/a.lisp', '(in-package :x)\n(defvar *a* 1)\n(defun a1 ())\n(defun a2 ())\n(defvar *a2* 2)'],
    ['src/b.lisp', '(defconstant +b+ 1)\n(defun b1 ())\n(defvar *b* 2)\n(defun b2 ())'],
  ]);
const outcomes = (model: WorkspaceModel): string[] => model.allForms().map((f) => JSON.stringify([f.id, f.result, f.category, f.blameOperator]));
const sixDefuns = Array.from({ length: 6 }, (_, i) => `(defun f${i} () ${i})`).join('\n');

describe('pipelined analysis', () => {
  it('sends a run\'s misses in module order, at most `depth` at once, across modules, with the results of a one-at-a-time run', async () => {
    const plainBackend = new InstantBackend();
    const plain = new WorkspaceModel(new MemoryFiles(sources()), plainBackend, new ResultCache(), MODULES);
    await plain.analyzeAll();

    const backend = new GatedBackend(3);
    backend.autoAnswer = true;
    const model = new WorkspaceModel(new MemoryFiles(sources()), backend, new ResultCache(), MODULES);
    const compiled = await model.analyzeAll(new AbortController().signal);
    assert.deepEqual(backend.compiled, plainBackend.compiled, 'the same forms, in the same order');
    assert.equal(compiled, plainBackend.calls);
    assert.equal(backend.maxOutstanding, 3);
    // The first form of b.lisp went out while forms of a.lisp were still being compiled.
    const firstOfB = backend.gated.find((call) => call.request.formId.startsWith('2:'))!;
    assert.ok(firstOfB.outstanding.some((id) => id.startsWith('1:')), `outstanding when 2:0 was sent: ${firstOfB.outstanding.join(' ')}`);
    assert.deepEqual(outcomes(model), outcomes(plain));
  });

  it('keeps a backend without pipelineDepth (Stage 0) at one request at a time, without the signal', async () => {
    const backend = new GatedBackend();
    backend.autoAnswer = true;
    const model = new WorkspaceModel(new MemoryFiles(sources()), backend, new ResultCache(), MODULES);
    await model.analyzeAll(new AbortController().signal);
    assert.equal(backend.maxOutstanding, 1);
    assert.ok(backend.gated.length > 1);
    assert.ok(backend.gated.every((call) => call.signal === undefined), 'aborting would restart a Stage 0 engine mid-form');
  });

  it('stops sending when the analysis is aborted, and caches no result that arrives after the abort', async () => {
    const backend = new GatedBackend(3);
    const cache = new ResultCache();
    const abort = new AbortController();
    const analysis = analyzeModule({ file: 'src/f.lisp', moduleIndex: 1, text: sixDefuns, backend, cache, signal: abort.signal });
    await backend.callsMade(3);
    assert.equal(backend.gated[0].signal, abort.signal, 'a queuing backend gets the signal, to drop what it has not started');
    backend.answerOldest(); // 1:0 answered and taken: the window moves on to 1:3
    await backend.callsMade(4);
    abort.abort();
    backend.answerOldest(); // 1:1 answered after the abort
    await assert.rejects(analysis, AnalysisCancelled);
    backend.answerAll();
    assert.deepEqual(backend.compiled, ['1:0', '1:1', '1:2', '1:3'], 'nothing sent after the abort');
    assert.equal(cache.size, 1, 'only the result taken before the abort is cached');
  });

  it('compiles a form once when an earlier form of the run has the same key', async () => {
    const backend = new GatedBackend(4);
    backend.autoAnswer = true;
    const analysis = await analyzeModule({ file: 'src/d.lisp', moduleIndex: 1, text: '(defun same () 1)\n(defun same () 1)', backend, cache: new ResultCache() });
    assert.equal(backend.calls, 1);
    assert.equal(analysis.compiledNow, 1);
    assert.deepEqual(analysis.forms.map((f) => f.result), [analysis.forms[0].result, analysis.forms[0].result]);
  });

  it('puts back the directives of a module whose analysis did not complete, so that analysing it again still notifies the change', async () => {
    const files = new Map([...sources(), ['src/c.lisp', '(defun c1 ())']]);
    const modules = [...MODULES, 'src/c.lisp'];
    const backend = new GatedBackend(8);
    const model = new WorkspaceModel(new MemoryFiles(files), backend, new ResultCache(), modules);
    backend.autoAnswer = true;
    await model.analyzeAll();
    backend.autoAnswer = false;
    // a.lisp gets a new form (a miss the run waits on); b.lisp's directives change. The run
    // plans b.lisp (noting its new directives) while it waits for a.lisp, and is then cancelled.
    files.set('src/a.lisp', `${files.get('src/a.lisp')}\n(defun a3 ())`);
    files.set('src/b.lisp', '(defconstant +b+ 2)\n(defun b1 ())');
    const before = backend.gated.length;
    const abort = new AbortController();
    const run = model.analyzeAll(abort.signal);
    while (!backend.gated.slice(before).some((call) => call.request.formId.startsWith('2:'))) await backend.callsMade(backend.gated.length + 1);
    abort.abort();
    await assert.rejects(run, AnalysisCancelled);
    backend.answerAll();
    backend.autoAnswer = true;
    const changed: number[] = [];
    model.onDirectivesChanged = (moduleIndex) => changed.push(moduleIndex);
    await model.analyzeFile('src/b.lisp');
    assert.deepEqual(changed, [2], 'the modules after b.lisp are re-keyed');
  });
});
