import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { categorize, extractNamedOperator, extractNamedVariable } from '../../server/src/blockers/index.js';
import type { CategorizeInput } from '../../server/src/blockers/index.js';

/**
 * Clysm's `categorize-error` as written (blocker.lisp): case-sensitive `search`, top-level
 * operator only. Used to show where the deliberate fixes give a different answer.
 */
function clysmCategorizeError(message: string, operator: string | undefined): string {
  const op = operator?.toLowerCase();
  const has = (s: string): boolean => message.includes(s);
  const macros = ['loop', 'format', 'defstruct', 'define-condition', 'handler-case', 'handler-bind', 'restart-case', 'with-slots', 'with-accessors'];
  if (op !== undefined && macros.includes(op)) return 'unsupported-macro';
  if (op !== undefined && ['declare', 'proclamation', 'declaim'].includes(op)) return 'unsupported-declaration';
  if (has('undefined function') || has('undefined-function')) return 'missing-function';
  if (has('undefined variable') || has('unbound variable')) return 'missing-variable';
  if (has('type error') || has('type-error') || has('type mismatch')) return 'type-error';
  if (has('wasm') || has('validation')) return 'wasm-validation-error';
  if (op !== undefined) return `unsupported-${op}`;
  return 'unknown-error';
}

function failed(message: string | undefined, operator?: string, innerOperators: string[] = []): CategorizeInput {
  return { status: 'failed', message, operator, innerOperators };
}

const cat = (input: CategorizeInput): string | undefined => categorize(input)?.category;

describe("Clysm's rules, in order", () => {
  test('rule 1: every operator of the macro set → unsupported-macro', () => {
    for (const op of ['LOOP', 'FORMAT', 'DEFSTRUCT', 'DEFINE-CONDITION', 'HANDLER-CASE', 'HANDLER-BIND', 'RESTART-CASE', 'WITH-SLOTS', 'WITH-ACCESSORS']) {
      assert.equal(cat(failed('anything', op)), 'unsupported-macro', op);
      assert.equal(clysmCategorizeError('anything', op), 'unsupported-macro', op);
    }
  });

  test('rule 1 wins over the message (first match wins)', () => {
    assert.equal(cat(failed('The value :$FOO-RT is not of type NUMBER', 'DEFSTRUCT')), 'unsupported-macro');
    assert.deepEqual(categorize(failed('x', 'defstruct')), { category: 'unsupported-macro', blameOperator: 'DEFSTRUCT' });
  });

  test('rule 2: declare, proclamation, declaim → unsupported-declaration', () => {
    for (const op of ['DECLARE', 'PROCLAMATION', 'DECLAIM']) {
      assert.equal(cat(failed('anything', op)), 'unsupported-declaration', op);
    }
  });

  test('rule 3: undefined function → missing-function', () => {
    assert.equal(cat(failed('undefined function FOO', 'DEFUN')), 'missing-function');
    assert.equal(cat(failed('condition of type undefined-function', 'DEFUN')), 'missing-function');
  });

  test('rule 4: undefined / unbound variable → missing-variable', () => {
    assert.equal(cat(failed('undefined variable *X*', 'DEFUN')), 'missing-variable');
    assert.equal(cat(failed('unbound variable *X*', 'DEFUN')), 'missing-variable');
  });

  test('rule 5: type error, type-error, type mismatch → type-error', () => {
    for (const m of ['type error in AREF', 'a type-error was signalled', 'type mismatch: i32 vs anyref']) {
      assert.equal(cat(failed(m, 'DEFUN')), 'type-error', m);
    }
  });

  test('rule 6: wasm / validation → wasm-validation-error', () => {
    // Clysm's own generator text when wasm-tools rejects the bytes.
    assert.equal(cat(failed('Compilation or validation failed', 'DEFUN')), 'wasm-validation-error');
    assert.equal(cat(failed('invalid wasm produced', 'DEFUN')), 'wasm-validation-error');
  });

  test('rule 7: otherwise unsupported-<operator>, lower-cased; no operator → unknown-error', () => {
    assert.equal(cat(failed('Unknown compound instruction: (BLOCK $NREV_DONE)', 'DEFUN')), 'unsupported-defun');
    assert.equal(cat(failed('Dynamic calls detected in :minimal mode at sites: (X)', 'DEFVAR')), 'unsupported-defvar');
    assert.equal(cat(failed('something odd', undefined)), 'unknown-error');
    assert.equal(cat(failed(undefined, undefined)), 'unknown-error');
    assert.equal(cat(failed(undefined, 'DEFCLASS')), 'unsupported-defclass');
  });
});

describe('deliberate fixes (each differs from Clysm)', () => {
  test('FIX case: "Undefined function: ENV-ADD-LOCAL" in a DEFUN is missing-function, not unsupported-defun', () => {
    const message = 'Undefined function: ENV-ADD-LOCAL';
    assert.equal(clysmCategorizeError(message, 'DEFUN'), 'unsupported-defun');
    assert.deepEqual(categorize(failed(message, 'DEFUN')), { category: 'missing-function', blameOperator: 'DEFUN' });
  });

  test('FIX case: "Unbound variable: SETF" is missing-variable', () => {
    const message = 'Load error in parser.lisp: Unbound variable: SETF';
    assert.equal(clysmCategorizeError(message, 'DEFUN'), 'unsupported-defun');
    assert.equal(cat(failed(message, 'DEFUN')), 'missing-variable');
  });

  test("FIX SBCL's texts: 'The function X is undefined.' and 'The variable X is unbound.'", () => {
    assert.equal(cat(failed('The function CLYSM::FOO is undefined.', 'DEFUN')), 'missing-function');
    assert.equal(cat(failed('The variable *BAR* is unbound.', 'DEFUN')), 'missing-variable');
    assert.equal(clysmCategorizeError('The function CLYSM::FOO is undefined.', 'DEFUN'), 'unsupported-defun');
  });

  test('FIX "is not of type" (SBCL TYPE-ERROR text) → type-error', () => {
    const message = 'The value :$ENV-ADD-LOCAL-RT is not of type NUMBER';
    assert.equal(clysmCategorizeError(message, 'DEFUN'), 'unsupported-defun');
    assert.equal(cat(failed(message, 'DEFUN')), 'type-error');
    assert.equal(cat(failed('The value (SETF %SLOT-VALUE) is not of type SYMBOL', 'DEFUN')), 'type-error');
  });

  test('FIX case-failure (a TYPE-ERROR subclass) → type-error', () => {
    assert.equal(clysmCategorizeError('NIL fell through ETYPECASE expression.', 'DEFUN'), 'unsupported-defun');
    assert.equal(cat(failed('NIL fell through ETYPECASE expression.', 'DEFUN')), 'type-error');
    assert.equal(cat(failed('3 fell through ECASE expression.', 'DEFUN')), 'type-error');
  });

  test('FIX wasm as a word only: Clysm symbols such as WASM-FIELD-TYPE do not make a validation error', () => {
    const message = 'No setf expander defined for CLYSM::WASM-FIELD-TYPE';
    assert.equal(cat(failed(message, 'DEFUN')), 'unsupported-defun');
    assert.equal(cat(failed('Unknown compound instruction: (STRUCT.NEW $WASM_X)', 'DEFUN')), 'unsupported-defun');
    // Case-insensitive prose still matches.
    assert.equal(cat(failed('Wasm validation failed: type mismatch', 'DEFUN')), 'type-error');
    assert.equal(cat(failed('Invalid Wasm module', 'DEFUN')), 'wasm-validation-error');
    assert.equal(clysmCategorizeError('Invalid Wasm module', 'DEFUN'), 'unsupported-defun');
  });

  test('FIX inner operator: a DEFUN failing on an inner LOOP-FINISH blames LOOP-FINISH (missing-function)', () => {
    const input = failed('Undefined function: LOOP-FINISH', 'DEFUN', ['LET', 'LOOP', 'WHEN', 'LOOP-FINISH']);
    assert.deepEqual(categorize(input), { category: 'missing-function', blameOperator: 'LOOP-FINISH' });
  });

  test('FIX inner operator: "Unsupported form: LOOP" inside a DEFUN → unsupported-macro, blame LOOP', () => {
    const message = 'Unsupported form: LOOP';
    assert.equal(clysmCategorizeError(message, 'DEFUN'), 'unsupported-defun');
    assert.deepEqual(categorize(failed(message, 'DEFUN', ['LET', 'LOOP'])), { category: 'unsupported-macro', blameOperator: 'LOOP' });
  });

  test('FIX inner operator: "Undefined function: HANDLER-CASE" inside a DEFUN → unsupported-macro', () => {
    const input = failed('Undefined function: HANDLER-CASE', 'DEFUN', ['HANDLER-CASE', 'ERROR']);
    assert.deepEqual(categorize(input), { category: 'unsupported-macro', blameOperator: 'HANDLER-CASE' });
  });

  test('FIX inner operator: an inner DECLARE named by the message → unsupported-declaration', () => {
    assert.equal(cat(failed('Unsupported form: DECLARE', 'DEFUN', ['DECLARE', 'IGNORE'])), 'unsupported-declaration');
  });

  test('FIX inner operator: an unsupported inner special form gets its own unsupported-<op> category', () => {
    const input = failed('Unsupported form: (MULTIPLE-VALUE-PROG1 (F) (G))', 'DEFUN', ['MULTIPLE-VALUE-PROG1', 'F', 'G']);
    assert.deepEqual(categorize(input), { category: 'unsupported-multiple-value-prog1', blameOperator: 'MULTIPLE-VALUE-PROG1' });
  });

  test('inner operators the message does not name are never blamed', () => {
    // A LOOP in the body does not make an unrelated failure an unsupported-macro.
    assert.deepEqual(categorize(failed('Unknown branch label: X', 'DEFUN', ['LOOP', 'FORMAT'])), {
      category: 'unsupported-defun',
      blameOperator: 'DEFUN',
    });
  });

  test('a named operator that is not in the form is not blamed (the top-level operator is)', () => {
    // ENV-ADD-LOCAL reached through a macro expansion: not a list head in the source.
    assert.deepEqual(categorize(failed('Undefined function: ENV-ADD-LOCAL', 'DEFUN', ['LET*'])), {
      category: 'missing-function',
      blameOperator: 'DEFUN',
    });
    // Rule 1 still applies to the top-level operator then, as in Clysm.
    assert.equal(cat(failed('Undefined function: MAKE-WASM-FIELD', 'DEFSTRUCT', [])), 'unsupported-macro');
  });

  test('the runtime-call type error blames the call it names, and stays a type-error', () => {
    const input = failed('The value :$COMPILE-TO-INSTRUCTIONS-RT is not of type NUMBER', 'DEFUN', ['LET', 'COMPILE-TO-INSTRUCTIONS']);
    assert.deepEqual(categorize(input), { category: 'type-error', blameOperator: 'COMPILE-TO-INSTRUCTIONS' });
  });

  test('matching inner operators ignores case and package prefixes', () => {
    const input = failed('Undefined function: clysm/compiler::with-instruction-collector', 'defun', ['let', 'clysm/compiler::With-Instruction-Collector']);
    assert.deepEqual(categorize(input), { category: 'missing-function', blameOperator: 'WITH-INSTRUCTION-COLLECTOR' });
  });
});

describe('states Clysm has no category for', () => {
  test('timeout, read-error and crashed come from the status', () => {
    assert.deepEqual(categorize({ status: 'timeout', message: 'Timed out after 5000 ms', operator: 'DEFUN', innerOperators: [] }), {
      category: 'timeout',
      blameOperator: 'DEFUN',
    });
    assert.deepEqual(categorize({ status: 'read-error', message: 'unterminated string', innerOperators: [] }), { category: 'read-error' });
    assert.equal(cat({ status: 'crashed', message: 'Heap exhausted, game over.', operator: 'DEFCONSTANT', innerOperators: [] }), 'crashed');
  });

  test('a trap is compiler-trap even when its text mentions Wasm', () => {
    assert.equal(cat({ status: 'failed', errorType: 'trap', message: 'Wasm trap: unreachable', operator: 'DEFUN', innerOperators: [] }), 'compiler-trap');
    assert.equal(cat({ status: 'failed', errorType: 'TRAP', message: 'RuntimeError: unreachable', operator: 'LOOP', innerOperators: [] }), 'compiler-trap');
  });

  test("errorType 'wasm-validation-error' wins over the message", () => {
    const input: CategorizeInput = {
      status: 'failed',
      errorType: 'wasm-validation-error',
      message: 'Compiling function #0 failed: start-arity and end-arity of one-armed if must match',
      operator: 'DEFUN',
      innerOperators: [],
    };
    assert.equal(cat(input), 'wasm-validation-error');
  });

  test('compiled, skipped and no-output forms get no category', () => {
    for (const status of ['compiled', 'skipped', 'no-output'] as const) {
      assert.equal(categorize({ status, message: 'Undefined function: X', operator: 'DEFUN', innerOperators: [] }), undefined, status);
    }
  });
});

describe('extractNamedOperator / extractNamedVariable', () => {
  const cases: [string, string | undefined][] = [
    ['Undefined function: ENV-ADD-LOCAL', 'ENV-ADD-LOCAL'],
    ['Undefined function: WHITESPACE-CHAR-P', 'WHITESPACE-CHAR-P'],
    ['Combined compilation failed: Undefined function: DEFMACRO', 'DEFMACRO'],
    ['undefined function: clysm/compiler::compile-let', 'COMPILE-LET'],
    ['Undefined function: (SETF CENV-X)', 'SETF'],
    ['The function COMMON-LISP-USER::REC is undefined.', 'REC'],
    ['Unsupported form: LOOP', 'LOOP'],
    ['Unsupported form: (LOOP FOR I FROM 0 COLLECT I)', 'LOOP'],
    ['Unsupported feature HANDLER-CASE in form (DEFUN F ...)', 'HANDLER-CASE'],
    ['Unknown special form: TAGBODY', 'TAGBODY'],
    ['CONS requires exactly 2 arguments', 'CONS'],
    ['The value :$ENV-ADD-LOCAL-RT is not of type NUMBER', 'ENV-ADD-LOCAL'],
    ['cannot compile `loop-finish` here', 'LOOP-FINISH'],
    ["operator 'prog2' is not handled", 'PROG2'],
    ['Unknown compound instruction: (IF (RESULT ANYREF))', undefined],
    ['NIL fell through ETYPECASE expression.', undefined],
    ["can't read #. while *READ-EVAL* is NIL", undefined],
    ['', undefined],
  ];
  for (const [message, expected] of cases) {
    test(`${JSON.stringify(message)} → ${expected ?? 'none'}`, () => {
      assert.equal(extractNamedOperator(message), expected);
    });
  }

  test('undefined message names nothing', () => {
    assert.equal(extractNamedOperator(undefined), undefined);
  });

  test('variables', () => {
    assert.equal(extractNamedVariable('Unbound variable: DEFINE-CONDITION'), 'DEFINE-CONDITION');
    assert.equal(extractNamedVariable('The variable CLYSM::*ENV* is unbound.'), '*ENV*');
    assert.equal(extractNamedVariable('Special variable *FOO* not initialized with defvar/defparameter'), '*FOO*');
    assert.equal(extractNamedVariable('Undefined function: X'), undefined);
  });
});
