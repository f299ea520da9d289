import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeMessage, truncateStructDumps, EMPTY_PATTERN } from '../../server/src/blockers/index.js';

describe('normalizeMessage', () => {
  test('keeps the symbol named by "Undefined function: X", digits and all', () => {
    assert.equal(normalizeMessage('Undefined function: ENV-ADD-LOCAL'), 'Undefined function: ENV-ADD-LOCAL');
    assert.equal(normalizeMessage('Undefined function: ENCODE-ULEB128'), 'Undefined function: ENCODE-ULEB128');
    assert.equal(normalizeMessage('Undefined function: F64-TO-I32 at 12'), 'Undefined function: F64-TO-I32 at N');
  });

  test('gensym counters are normalised, so two runs give the same pattern', () => {
    const a = normalizeMessage('Unknown branch label: #:LOOP-START-18171');
    const b = normalizeMessage('Unknown branch label: #:LOOP-START-205');
    assert.equal(a, 'Unknown branch label: #:LOOP-START-N');
    assert.equal(a, b);
    assert.equal(normalizeMessage('undefined tag: G123'), 'undefined tag: GN');
    // Even in the kept symbol of an undefined function.
    assert.equal(normalizeMessage('Undefined function: #:G4711'), 'Undefined function: #:GN');
    assert.equal(normalizeMessage('Undefined function: G4711'), 'Undefined function: GN');
    assert.equal(normalizeMessage('Undefined function: #:LOOP-BODY-99'), 'Undefined function: #:LOOP-BODY-N');
  });

  test('every other run of digits becomes N (as Clysm does for pattern ids)', () => {
    assert.equal(normalizeMessage('CONS requires exactly 2 arguments'), 'CONS requires exactly N arguments');
    assert.equal(
      normalizeMessage('Compiling function #17 failed: local.set[0] expected type anyref, found i31.get_s of type i32'),
      'Compiling function #N failed: local.set[N] expected type anyref, found iN.get_s of type iN',
    );
  });

  test('first line only, whitespace collapsed', () => {
    const message = 'Compile-time directive error in (DEFMACRO CAR (X) X):\n  Package error: Lock on package COMMON-LISP violated';
    assert.equal(normalizeMessage(message), 'Compile-time directive error in (DEFMACRO CAR (X) X):');
    assert.equal(normalizeMessage('  The value\t:$ENV-ADD-LOCAL-RT   is not of type NUMBER  '), 'The value :$ENV-ADD-LOCAL-RT is not of type NUMBER');
    assert.equal(normalizeMessage('\n\nUnknown instruction: NAME\nmore'), 'Unknown instruction: NAME');
  });

  test("SBCL's four-line type error is one pattern per value and type", () => {
    const message = 'The value\n  :$ENV-ADD-LOCAL-RT\nis not of type\n  NUMBER\nwhen binding X';
    assert.equal(normalizeMessage(message), 'The value :$ENV-ADD-LOCAL-RT is not of type NUMBER');
    assert.notEqual(normalizeMessage(message), normalizeMessage('The value\n  NIL\nis not of type\n  NUMBER'));
  });

  test('structure dumps are cut to their type', () => {
    const dump =
      '#S(CLYSM/COMPILER/AST:AST-VALUES :FORMS (#S(CLYSM/COMPILER/AST:AST-VAR-REF :NAME #:LOOP-VAR-1234 :TYPE "a (b") ' +
      '#S(CLYSM/COMPILER/AST:AST-LITERAL :VALUE 42)) :SOURCE-LOCATION NIL) is not of type AST-NODE';
    assert.equal(normalizeMessage(dump), '#S(CLYSM/COMPILER/AST:AST-VALUES …) is not of type AST-NODE');
    // A dump cut by the line break (pretty printer) is still shortened.
    assert.equal(normalizeMessage('#S(CLYSM/COMPILER/AST:AST-VALUES :FORMS (1 2\n 3))'), '#S(CLYSM/COMPILER/AST:AST-VALUES …)');
    assert.equal(truncateStructDumps('a #S(EMPTY) b'), 'a #S(EMPTY) b');
    assert.equal(truncateStructDumps('x #S(P :A 1) y #S(Q :B 2) z'), 'x #S(P …) y #S(Q …) z');
  });

  test('empty and missing messages share one pattern', () => {
    assert.equal(normalizeMessage(''), EMPTY_PATTERN);
    assert.equal(normalizeMessage(undefined), EMPTY_PATTERN);
    assert.equal(normalizeMessage('  \n  '), EMPTY_PATTERN);
  });
});
