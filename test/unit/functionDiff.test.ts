// Function pairing for the function-level diff (server/src/wasm/text/functionDiff.ts) on modules
// assembled here: export names first, then the name section, then the index; how each pair was
// made; changed, added and removed functions in the text report.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readModule } from '../../server/src/wasm/wasmReader';
import { diffFunctions, formatFunctionDiff, type ModuleInput } from '../../server/src/wasm/text/functionDiff';
import { buildStartBeforeCompileForm, Code, func, ModuleBuilder, vt } from '../support/wasm';

function input(m: ModuleBuilder): ModuleInput {
  const bytes = m.build().bytes;
  return { bytes, info: readModule(bytes) };
}

const constant = (n: number): Code => new Code().i32Const(n);

/** Clysm's Stage 0 shape: three exported functions and no name section. */
function stage0Like(): ModuleInput {
  const m = new ModuleBuilder();
  m.names = false;
  const t = m.type(func([], [vt.i32]));
  m.export('compile_form', 'func', m.func(undefined, t, constant(1)));
  m.export('compile_all', 'func', m.func(undefined, t, constant(2)));
  m.export('_initialize', 'func', m.func(undefined, t, constant(3)));
  return input(m);
}

describe('diffFunctions', () => {
  it('pairs exported functions by export name even when their indices differ', () => {
    const m = new ModuleBuilder();
    m.names = false;
    const t = m.type(func([], [vt.i32]));
    m.export('_start', 'func', m.func(undefined, t, constant(9)));
    m.export('_initialize', 'func', m.func(undefined, t, constant(3)));
    m.export('compile_all', 'func', m.func(undefined, t, constant(2)));
    m.export('compile_form', 'func', m.func(undefined, t, constant(7)));
    const diff = diffFunctions(stage0Like(), input(m));
    const how = diff.pairs.map((p) => [p.a.label, p.a.index, p.b.index, p.pairedBy, p.changed]);
    assert.deepEqual(how, [
      ['compile_form', 0, 3, 'export', true],
      ['compile_all', 1, 2, 'export', false],
      ['_initialize', 2, 1, 'export', false],
    ]);
    assert.deepEqual(diff.added.map((f) => f.label), ['_start']);
    assert.deepEqual(diff.removed, []);
    assert.deepEqual(diff.counts, { export: 3, name: 0, index: 0, changed: 1, added: 1, removed: 0 });
  });

  it('Stage 0 compile_form #0 pairs with Stage 1 compile_form #1 by export; _start #0 is added', () => {
    const { stage0, stage1 } = buildStartBeforeCompileForm();
    const diff = diffFunctions({ bytes: stage0.bytes, info: readModule(stage0.bytes) }, { bytes: stage1.bytes, info: readModule(stage1.bytes) });
    assert.deepEqual(diff.pairs.map((p) => [p.a.label, p.a.index, p.b.label, p.b.index, p.pairedBy, p.changed]), [['compile_form', 0, 'compile_form', 1, 'export', true]]);
    assert.deepEqual(diff.added.map((f) => [f.label, f.index]), [['_start', 0]]);
    assert.deepEqual(diff.counts, { export: 1, name: 0, index: 0, changed: 1, added: 1, removed: 0 });
  });

  it('then by the name section, then by index as a last resort', () => {
    const a = new ModuleBuilder();
    const t = a.type(func([], [vt.i32]));
    a.func('helper', t, constant(1));
    a.func(undefined, t, constant(2));
    a.func('gone', t, constant(3));
    a.func(undefined, t, constant(8));
    const b = new ModuleBuilder();
    b.type(func([], [vt.i32]));
    b.func('fresh', t, constant(4));
    b.func(undefined, t, constant(2));
    b.func('helper', t, constant(1));
    const diff = diffFunctions(input(a), input(b));
    assert.deepEqual(diff.pairs.map((p) => [p.a.label, p.b.label, p.pairedBy]), [
      ['$helper', '$helper', 'name'],
      ['#1', '#1', 'index'],
    ]);
    assert.equal(diff.pairs[0].a.index, 0);
    assert.equal(diff.pairs[0].b.index, 2);
    // `gone` and `fresh` are both named, differently: not the same function, whatever their index.
    assert.deepEqual(diff.removed.map((f) => f.label), ['$gone', '#3']);
    assert.deepEqual(diff.added.map((f) => f.label), ['$fresh']);
  });

  it('a body with the same size but other bytes is changed', () => {
    const a = new ModuleBuilder();
    a.names = false;
    const t = a.type(func([], [vt.i32]));
    a.export('f', 'func', a.func(undefined, t, constant(5)));
    const b = new ModuleBuilder();
    b.names = false;
    b.type(func([], [vt.i32]));
    b.export('f', 'func', b.func(undefined, t, constant(6)));
    const [pair] = diffFunctions(input(a), input(b)).pairs;
    assert.equal(pair.a.bodySize, pair.b.bodySize);
    assert.equal(pair.changed, true);
    assert.equal(diffFunctions(input(a), input(a)).counts.changed, 0);
  });
});

describe('formatFunctionDiff', () => {
  it('says how pairs were made and lists changed, added and removed functions by name', () => {
    const m = new ModuleBuilder();
    m.names = false;
    const t = m.type(func([], [vt.i32]));
    m.export('compile_form', 'func', m.func(undefined, t, new Code().i32Const(1).i32Const(2).i32Add()));
    m.export('compile_all', 'func', m.func(undefined, t, constant(2)));
    m.export('main', 'func', m.func(undefined, t, constant(3)));
    const text = formatFunctionDiff(diffFunctions(stage0Like(), input(m)));
    assert.equal(text, [
      'Functions: 2 paired (2 by export name, 0 by name section, 0 by index), 1 changed, 1 added, 1 removed',
      'Changed:',
      '  compile_form (#0 ↔ #0, by export name): body 4 → 7 bytes (+3)',
      'Added:',
      '  main (#2) (result i32), 4 bytes',
      'Removed:',
      '  _initialize (#2) (result i32), 4 bytes',
      '',
    ].join('\n'));
  });
});
