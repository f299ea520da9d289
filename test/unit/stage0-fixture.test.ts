// The fixture Stage 0 (a test double, not Clysm), run in this thread through the same
// loader the engine worker uses.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { Stage0Instance } from '../../server/src/backends/stage0/stage0Instance';
import { webAssembly } from '../../server/src/wasm/webAssembly';
import { readTopLevelForms } from '../../server/src/reader';
import { buildFixtureStage0, fixtureModuleName, testDoubleNotice } from '../fixtures/stage0/fixtureStage0';
import { s32, u32 } from '../support/wasm';
import { exampleWorkspace, readFixture } from './stage0-helpers';

describe('Wasm assembler', () => {
  it('encodes LEB128', () => {
    assert.deepEqual(u32(0), [0]);
    assert.deepEqual(u32(624485), [0xe5, 0x8e, 0x26]);
    assert.deepEqual(s32(-1), [0x7f]);
    assert.deepEqual(s32(63), [0x3f]);
    assert.deepEqual(s32(64), [0xc0, 0x00]);
    assert.deepEqual(s32(-123456), [0xc0, 0xbb, 0x78]);
  });

  it('the built fixture is byte-identical to a fresh build and marked as a test double', () => {
    const fresh = buildFixtureStage0();
    assert.deepEqual(readFixture('stage0-fixture.wasm'), Buffer.from(fresh));
    const wasm = webAssembly();
    const module = new wasm.Module(fresh, { builtins: ['js-string'] });
    const notice = wasm.Module.customSections(module, 'clysm-vscode.test-double');
    assert.equal(Buffer.from(notice[0]).toString('utf8'), testDoubleNotice);
    assert.ok(Buffer.from(fresh).includes(Buffer.from(fixtureModuleName)));
  });
});

describe('fixture Stage 0 behaviour', () => {
  let stage0: Stage0Instance;
  before(() => {
    stage0 = Stage0Instance.load(readFixture('stage0-fixture.wasm'), { workspaceRoot: exampleWorkspace, modules: [] });
  });

  it('declares only its known host imports', () => {
    assert.deepEqual(stage0.info.imports.map((i) => `${i.module}/${i.name}`), [
      'clysm.compile/report-form-result',
      'clysm.fs/read-source',
      // compile_all's (Stage 1 generation, docs/stage0-abi.md §6); unused per form.
      'clysm.fs/list-modules',
      'clysm.compile/report-start',
      'clysm.compile/report-module-complete',
      'clysm.output/write-bytes',
    ]);
    assert.deepEqual(stage0.info.exports.map((e) => e.name), ['compile_form', 'compile_all', '_initialize']);
    assert.equal(stage0.info.initialized, true);
  });

  it('compiles a defun to a valid module whose size depends on the form', () => {
    const a = stage0.compile('(defun add1 (x) (+ x 1))');
    const b = stage0.compile('(defun add-one-more (x) (+ x 1 1))');
    assert.equal(a.status, 'compiled');
    assert.ok(a.wasm && webAssembly().validate(a.wasm));
    const instance = new (webAssembly().Instance)(new (webAssembly().Module)(a.wasm));
    assert.equal((instance.exports['add1'] as () => number)(), '(defun add1 (x) (+ x 1))'.length);
    assert.equal(b.status, 'compiled');
    assert.notEqual(a.bytes, b.bytes);
  });

  const cases: Array<[string, string, string?, string?]> = [
    ['(in-package #:clysm/backend)', 'skipped'],
    ['(defconstant +x+ 1)', 'skipped'],
    ['(DEFMACRO m () 1)', 'skipped'],
    ['(defstruct point x y)', 'failed', 'compile-error', 'Unsupported form: DEFSTRUCT'],
    ['(loop for x in y collect x)', 'failed', 'compile-error', 'Unsupported form: LOOP'],
    ['(defun f (x) (frobnicate x))', 'failed', 'compile-error', 'Undefined function: FROBNICATE'],
    ['(defun f (x) (loop for y in x collect y))', 'failed', 'compile-error', 'Undefined function: LOOP'],
    ['(defun f (n) (if (< n 1) 1 (* n (f (1- n)))))', 'compiled'],
    ['(progn (defun a () 1) (defun b () (a)))', 'compiled'],
    ["(defun f () '(not-a-call 1) (quote (nor-this)) #'car)", 'compiled'],
    ['(defun f (x &optional (y 2)) (let ((a (car x)) (b y)) (cond ((null a) b) (t a))))', 'compiled'],
    ['(defun f () (+ "abc" 1))', 'failed', 'compile-error', 'The value "abc" is not of type NUMBER'],
    ['(defun f () "doc (with parens" #\\( (car nil))', 'compiled'],
    ['; only a comment', 'no-output'],
    ['42', 'compiled'],
    ['(cl:defun f (x) (other-pkg::helper x))', 'failed', 'compile-error', 'Undefined function: HELPER'],
    ['(%fixture-invalid-output)', 'failed', 'wasm-validation-error'],
  ];
  for (const [text, status, errorType, message] of cases) {
    it(`${text} → ${status}${message ? ` (${message})` : ''}`, () => {
      const result = stage0.compile(text);
      assert.equal(result.status, status, JSON.stringify(result));
      if (errorType) assert.equal(result.errorType, errorType);
      if (message) assert.equal(result.message, message);
    });
  }

  it('traps on %fixture-trap anywhere in the form (not in quoted data)', () => {
    const result = stage0.compile('(defun f () (when t (%fixture-trap)))');
    assert.equal(result.status, 'failed');
    assert.equal(result.errorType, 'trap');
    assert.match(result.message ?? '', /unreachable/);
    assert.equal(stage0.compile("(defun f () '(%fixture-trap))").status, 'compiled');
  });

  it('a form nested too deeply overflows the Wasm stack: a trap, and the instance still works', () => {
    const result = stage0.compile(`${'('.repeat(200_000)}${')'.repeat(200_000)}`);
    assert.equal(result.status, 'failed');
    assert.equal(result.errorType, 'trap');
    assert.match(result.message ?? '', /stack overflow/);
    assert.equal(stage0.compile('(defun ok () 1)').status, 'compiled');
  });

  it('reads sources through the sandboxed clysm.fs/read-source', () => {
    assert.equal(stage0.compile('(%fixture-read-source "src/backend/leb128.lisp")').status, 'compiled');
    const refused = stage0.compile('(%fixture-read-source "../../package.json")');
    assert.equal(refused.status, 'failed');
    assert.equal(refused.message, 'Cannot read source: ../../package.json');
  });

  it('takes the package preamble without changing results', () => {
    assert.equal(stage0.compile('(defun g () 1)', 'CLYSM/BACKEND/LEB128').status, 'compiled');
    assert.equal(stage0.compile('(in-package "X")', 'OTHER').status, 'skipped');
  });
});

describe('example workspace with the fixture Stage 0', () => {
  it('gives the documented outcome counts and shared blockers', () => {
    const stage0 = Stage0Instance.load(fs.readFileSync(path.join(exampleWorkspace, 'dist', 'clysm-stage0.wasm')), { workspaceRoot: exampleWorkspace, modules: [] });
    const files = ['src/backend/leb128.lisp', 'src/compiler/ast.lisp', 'src/compiler/emit.lisp', 'src/reader/tokenizer.lisp'];
    const counts: Record<string, number> = {};
    const messages = new Map<string, number>();
    for (const file of files) {
      const text = fs.readFileSync(path.join(exampleWorkspace, file), 'utf8');
      assert.doesNotMatch(text, /%fixture-/);
      for (const form of readTopLevelForms(text)) {
        const result = stage0.compile(form.text, form.package);
        counts[result.status] = (counts[result.status] ?? 0) + 1;
        if (result.message) messages.set(result.message, (messages.get(result.message) ?? 0) + 1);
      }
    }
    assert.deepEqual(counts, { skipped: 8, compiled: 20, failed: 21 });
    assert.equal(messages.get('Undefined function: ENCODE-UNSIGNED-LEB128'), 3);
    assert.equal(messages.get('Unsupported form: DEFSTRUCT'), 3);
    assert.equal(messages.get('Unsupported form: LOOP'), 1);
    assert.equal(messages.get('The value "1" is not of type NUMBER'), 1);
  });
});
