// The client's view text and its refresh throttle: pure code, tested without VS Code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModuleRow } from '../../server/src/protocol';
import { categoryDescription, changedFormDescription, changedFormsInOrder, coverageBucket, failingCount, formIdExplained, formIdLabel, formLabel, moduleDescription, moduleName, reloadDescription } from '../../client/src/views/labels';
import { Throttle } from '../../client/src/views/throttle';

const row = (r: Partial<ModuleRow>): ModuleRow => ({ file: 'src/a.lisp', moduleIndex: 1, analysed: true, total: 10, compiled: 4, failed: 4, skipped: 2, readErrors: 0, coveragePct: 50, ...r });
const range = (line: number) => ({ start: { line, character: 0 }, end: { line, character: 5 } });

describe('view labels', () => {
  it('describes a category as "N forms · x.x% of compilable", saying what the percentage is of', () => {
    assert.equal(categoryDescription({ count: 37, impactPct: 4.39 }), '37 forms · 4.4% of compilable');
    assert.equal(categoryDescription({ count: 1, impactPct: 2.04 }), '1 form · 2.0% of compilable');
  });

  it('labels a form module:line name, with a 1-based line', () => {
    assert.equal(formLabel({ file: 'src/backend/leb128.lisp', range: range(48), name: 'EMIT-U32', operator: 'DEFUN', id: '1:8' }), 'leb128:49 EMIT-U32');
    assert.equal(formLabel({ file: 'a.lisp', range: range(0), name: null, operator: 'DEFSTRUCT', id: '2:1' }), 'a:1 (defstruct …)');
    assert.equal(formLabel({ file: 'a.lisp', range: range(0), name: null, operator: null, id: '2:3' }), 'a:1 #2:3');
    assert.equal(moduleName('src/x/y.lisp'), 'y');
  });

  it('describes a changed form by its status move, or by its new message when only the message changed', () => {
    const outcome = (status: string, message: string | null) => ({ status, category: null, message });
    assert.equal(changedFormDescription({ kind: 'compiled', before: outcome('failed', 'Undefined function: 1+'), after: outcome('compiled', null) }), 'newly compiled: failed → compiled');
    assert.equal(changedFormDescription({ kind: 'regression', before: null, after: outcome('failed', 'x') }), 'newly failing: — → failed');
    assert.equal(changedFormDescription({ kind: 'message', before: outcome('failed', 'Undefined function: 1+'), after: outcome('failed', 'Undefined function: AREA\n  in FOLD') }), 'message changed: Undefined function: AREA');
  });

  it('lists Last change rows as newly compiled, then newly failing, then changed messages, in file order within each', () => {
    const row = (id: string, kind: 'compiled' | 'regression' | 'message') => ({ id, kind }) as Parameters<typeof changedFormsInOrder>[0][number];
    const rows = [row('1:0', 'message'), row('1:1', 'regression'), row('1:2', 'compiled'), row('2:0', 'message'), row('2:1', 'compiled')];
    assert.deepEqual(changedFormsInOrder(rows).map((r) => r.id), ['1:2', '2:1', '1:1', '1:0', '2:0']);
    assert.deepEqual(rows.map((r) => r.id), ['1:0', '1:1', '1:2', '2:0', '2:1'], 'the delta itself is left in file order');
  });

  it('marks a form id so that it cannot be read as line:column', () => {
    assert.equal(formIdLabel('3:8'), '#3:8');
    assert.equal(formIdExplained('3:8'), '#3:8 (form 8 of module 3 in the module list)');
  });

  it('describes a module as compiled/(total − skipped) and coverage, or why not', () => {
    assert.equal(moduleDescription(row({})), '4/8 · 50.0%');
    assert.equal(moduleDescription(row({ stale: true })), '4/8 · 50.0% · cached');
    assert.equal(moduleDescription(row({ analysed: false })), 'not analysed yet');
    assert.equal(moduleDescription(row({ problem: 'file not found' })), 'file not found');
    assert.equal(moduleDescription(row({ total: 3, skipped: 3, compiled: 0 })), '3 forms, all skipped');
  });

  it('buckets coverage without rounding a partial module to none or all', () => {
    assert.equal(coverageBucket(row({ compiled: 0, coveragePct: 0 })), 0);
    assert.equal(coverageBucket(row({ compiled: 1, coveragePct: 12.5 })), 25);
    assert.equal(coverageBucket(row({ compiled: 4, coveragePct: 50 })), 50);
    assert.equal(coverageBucket(row({ compiled: 7, coveragePct: 99.9 })), 75);
    assert.equal(coverageBucket(row({ compiled: 8, coveragePct: 100 })), 100);
    assert.equal(coverageBucket(row({ total: 2, skipped: 2, compiled: 0, coveragePct: 0 })), 100);
  });

  it('counts failing forms over categories', () => {
    assert.equal(failingCount([{ count: 16 }, { count: 4 }, { count: 1 }]), 21);
  });

  it('says how the last compiler change came in: in place, a fresh image, or a rebuilt Stage 0', () => {
    assert.equal(reloadDescription({ mode: 'incremental', forms: 1 }), 'Reloaded in place (1 form evaluated)');
    assert.equal(reloadDescription({ mode: 'incremental', forms: 3 }), 'Reloaded in place (3 forms evaluated)');
    assert.equal(reloadDescription({ mode: 'full', forms: 0 }), 'Reloaded in a fresh image');
    assert.equal(reloadDescription({ mode: 'stage0', forms: 0 }), 'The rebuilt Stage 0 was loaded in place of the previous one');
  });
});

describe('Throttle', () => {
  it('coalesces a burst during a run into one trailing run', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const throttle = new Throttle(5, () => {
      runs++;
      started();
      return new Promise<void>((resolve) => (release = resolve));
    });
    const first = throttle.runNow();
    for (let i = 0; i < 10; i++) throttle.schedule();
    const second = new Promise<void>((resolve) => (started = resolve));
    release();
    await first;
    await second; // the ten schedule() calls gave exactly this one more run
    assert.equal(runs, 2);
    release();
    throttle.dispose();
    throttle.schedule(); // disposed: ignored
    assert.equal(runs, 2);
  });

  it('keeps running after a task fails', async () => {
    let runs = 0;
    const throttle = new Throttle(0, async () => {
      runs++;
      throw new Error('server not running');
    });
    await throttle.runNow();
    await throttle.runNow();
    assert.equal(runs, 2);
    throttle.dispose();
  });
});
