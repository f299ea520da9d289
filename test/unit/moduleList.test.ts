import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  COMPILER_ORDER_FILE,
  STAGE1_READER_FILE,
  moduleIndexOf,
  normaliseModulePath,
  parseCompilationOrder,
  parseModulePaths,
  parseStringListVariable,
  resolveModuleList,
} from '../../server/src/workspace/moduleList.js';

/** Shaped like Clysm's stage1 reader file: other parameters first, comments inside the list, a docstring after it. */
const READER_FILE = `;;;; reader.lisp - test double
(in-package #:example/stage1)

(defparameter *skip-operators* '(in-package declare)
  "Not the list we want.")

(defun helper () "(defparameter *module-paths* '(\\"src/decoy.lisp\\"))")

(defparameter *module-paths*
  '(;; First group
    "src/app/one.lisp"
    "src/app/two.lisp"   ; trailing comment "src/not-this.lisp"
    #| "src/not-this-either.lisp" |#
    ;; Second group
    "src/app/sub/three.lisp")
  "Module paths in dependency order; \\"src/in-docstring.lisp\\" is not one.")
`;

const ORDER_FILE = `(in-package :example/validation)

(defparameter *compilation-order*
  '("./src/app/one.lisp"

    "src\\\\app\\\\two.lisp"))
`;

function workspace(files: Record<string, string>, lispFiles: string[] = []) {
  const reads: string[] = [];
  return {
    reads,
    inputs: {
      readFile: (rel: string): string | undefined => {
        reads.push(rel);
        return files[rel];
      },
      listLispFiles: (): string[] => lispFiles,
    },
  };
}

describe('parseModulePaths (list B)', () => {
  it('returns the strings of *module-paths* in order, ignoring comments, docstrings and decoys', () => {
    assert.deepEqual(parseModulePaths(READER_FILE), ['src/app/one.lisp', 'src/app/two.lisp', 'src/app/sub/three.lisp']);
  });

  it('accepts (list ...) as well as a quoted list, and defvar', () => {
    assert.deepEqual(parseModulePaths('(defvar *module-paths* (list "a.lisp" "b.lisp"))'), ['a.lisp', 'b.lisp']);
    assert.deepEqual(parseModulePaths('(defparameter *MODULE-PATHS* \'("x.lisp"))'), ['x.lisp']);
  });

  it('returns undefined when the variable is missing, not a list of strings, or unreadable', () => {
    assert.equal(parseModulePaths(''), undefined);
    assert.equal(parseModulePaths('(defparameter *other* \'("a.lisp"))'), undefined);
    assert.equal(parseModulePaths("(defparameter *module-paths* '())"), undefined);
    assert.equal(parseModulePaths('(defparameter *module-paths* (compute-them))'), undefined);
    assert.equal(parseModulePaths('(defparameter *module-paths* \'("a.lisp" "b.lisp"'), undefined, 'unbalanced');
    assert.equal(parseModulePaths('(setf *module-paths* \'("a.lisp"))'), undefined, 'not a definition');
  });
});

describe('parseCompilationOrder (list A)', () => {
  it('normalises ./ and backslashes to workspace-relative / paths', () => {
    assert.deepEqual(parseCompilationOrder(ORDER_FILE), ['src/app/one.lisp', 'src/app/two.lisp']);
  });

  it('reads any named string-list variable', () => {
    assert.deepEqual(parseStringListVariable('(defvar *compiler-modules* \'("p.lisp" "q.lisp"))', '*COMPILER-MODULES*'), ['p.lisp', 'q.lisp']);
  });
});

describe('normaliseModulePath', () => {
  it('uses / separators without leading ./ or doubled slashes', () => {
    assert.equal(normaliseModulePath('.\\src\\a.lisp'), 'src/a.lisp');
    assert.equal(normaliseModulePath('././src//b.lisp '), 'src/b.lisp');
    assert.equal(normaliseModulePath('src/c.lisp'), 'src/c.lisp');
  });
});

describe('resolveModuleList', () => {
  const both = { [STAGE1_READER_FILE]: READER_FILE, [COMPILER_ORDER_FILE]: ORDER_FILE };

  it('prefers the clysm.modules setting', () => {
    const { inputs, reads } = workspace(both);
    assert.deepEqual(resolveModuleList({ ...inputs, override: ['./z.lisp', 'y\\x.lisp'] }), {
      modules: ['z.lisp', 'y/x.lisp'],
      source: 'setting',
    });
    assert.deepEqual(reads, [], 'no file is read when the setting decides');
  });

  it('uses list B from src/clysm/stage1/reader.lisp next', () => {
    const { inputs } = workspace(both);
    for (const override of [undefined, null, [], ['  ']]) {
      assert.deepEqual(resolveModuleList({ ...inputs, override }), {
        modules: ['src/app/one.lisp', 'src/app/two.lisp', 'src/app/sub/three.lisp'],
        source: 'stage1/reader.lisp',
      });
    }
  });

  it('falls back to list A when list B is missing or unreadable', () => {
    for (const readerText of [undefined, '(defparameter *module-paths* (broken']) {
      const files: Record<string, string> = { [COMPILER_ORDER_FILE]: ORDER_FILE };
      if (readerText !== undefined) files[STAGE1_READER_FILE] = readerText;
      const { inputs } = workspace(files);
      assert.deepEqual(resolveModuleList(inputs), { modules: ['src/app/one.lisp', 'src/app/two.lisp'], source: 'compiler-order.lisp' });
    }
  });

  it('falls back to every .lisp file, sorted by path', () => {
    const { inputs } = workspace({}, ['src\\b.lisp', 'a.lisp', 'src/B.lisp', 'src/a/z.lisp', './a.lisp']);
    assert.deepEqual(resolveModuleList(inputs), {
      modules: ['a.lisp', 'src/B.lisp', 'src/a/z.lisp', 'src/b.lisp'],
      source: 'all .lisp files',
    });
  });

  it('gives an empty list for an empty workspace', () => {
    const { inputs } = workspace({});
    assert.deepEqual(resolveModuleList(inputs), { modules: [], source: 'all .lisp files' });
  });
});

describe('moduleIndexOf', () => {
  const modules = ['src/a.lisp', 'src/b.lisp', 'src/c.lisp'];

  it('is 1-based in list order', () => {
    assert.deepEqual(modules.map((m) => moduleIndexOf(modules, m)), [1, 2, 3]);
  });

  it('normalises the path it is given and is undefined for non-modules', () => {
    assert.equal(moduleIndexOf(modules, './src\\b.lisp'), 2);
    assert.equal(moduleIndexOf(modules, 'src/d.lisp'), undefined);
    assert.equal(moduleIndexOf(modules, 'SRC/A.LISP'), undefined, 'paths are case-sensitive');
    assert.equal(moduleIndexOf([], 'src/a.lisp'), undefined);
  });
});
