// The Modules view's orders and the folder that tells apart modules with the same file name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isModuleOrder, moduleFolder, sortModules } from '../../client/src/views/moduleOrder';
import type { ModuleRow } from '../../server/src/protocol';

const row = (moduleIndex: number, over: Partial<ModuleRow> = {}): ModuleRow => ({
  file: `src/m${moduleIndex}.lisp`, moduleIndex, analysed: true, total: 10, compiled: 5, failed: 5, skipped: 0, readErrors: 0, coveragePct: 50, ...over,
});

const rows = [
  row(3, { compiled: 1, failed: 1, coveragePct: 10 }),
  row(1, { compiled: 2, failed: 8, coveragePct: 20 }),
  row(4, { analysed: false, total: 0, compiled: 0, failed: 0, coveragePct: 0 }),
  row(2, { compiled: 2, failed: 9, skipped: 5, coveragePct: 40 }),
  row(5, { problem: 'file not found', analysed: false, total: 0, compiled: 0, failed: 0, coveragePct: 0 }),
];
const order = (rs: ModuleRow[]) => rs.map((r) => r.moduleIndex);

describe('module order', () => {
  it('list order is the module list (compile) order', () => {
    assert.deepEqual(order(sortModules(rows, 'list')), [1, 2, 3, 4, 5]);
  });

  it('coverage order puts the least covered first, modules without counts last', () => {
    assert.deepEqual(order(sortModules(rows, 'coverage')), [3, 1, 2, 4, 5]);
    assert.deepEqual(order(sortModules([row(2, { coveragePct: 10 }), row(1, { coveragePct: 60 })], 'coverage')), [2, 1]);
  });

  it('failure order puts the most failing forms first, ties in list order', () => {
    assert.deepEqual(order(sortModules(rows, 'failures')), [2, 1, 3, 4, 5]);
    assert.deepEqual(order(sortModules([row(1, { failed: 1 }), row(2, { failed: 4 }), row(3, { failed: 4 })], 'failures')), [2, 3, 1]);
  });

  it('does not reorder the rows it was given', () => {
    const copy = [...rows];
    sortModules(rows, 'coverage');
    assert.deepEqual(rows, copy);
  });

  it('knows its orders and the folder of a module', () => {
    assert.ok(isModuleOrder('failures'));
    assert.ok(!isModuleOrder('name'));
    assert.equal(moduleFolder('src/clysm/compiler/package.lisp'), 'src/clysm/compiler');
    assert.equal(moduleFolder('package.lisp'), '');
  });
});
