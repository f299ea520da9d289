// Blocker categorisation: Clysm's `categorize-error` (src/clysm/stage1/blocker.lisp), with
// its bugs fixed on purpose. Every deviation is marked "FIX" here and listed in
// docs/blockers.md. Category names are Clysm's, plus five for states Clysm has no word for.

import type { FormStatus } from '../types.js';
import type { Categorization } from './model.js';
import { extractNamedOperator, symbolName } from './names.js';

export { extractNamedOperator, extractNamedVariable } from './names.js';

export interface CategorizeInput {
  status: FormStatus;
  message?: string;
  errorType?: string;
  /** Top-level operator of the form (`DEFUN`). */
  operator?: string;
  /** Upper-case heads of the lists inside the form, in source order. */
  innerOperators: readonly string[];
}

/** Clysm's rule 1 set. */
export const UNSUPPORTED_MACROS: ReadonlySet<string> = new Set([
  'LOOP',
  'FORMAT',
  'DEFSTRUCT',
  'DEFINE-CONDITION',
  'HANDLER-CASE',
  'HANDLER-BIND',
  'RESTART-CASE',
  'WITH-SLOTS',
  'WITH-ACCESSORS',
]);

/** Clysm's rule 2 set. */
export const DECLARATION_OPERATORS: ReadonlySet<string> = new Set(['DECLARE', 'PROCLAMATION', 'DECLAIM']);

/**
 * Message tests for rules 3 to 6. FIX: all case-insensitive (Clysm's `search` is
 * case-sensitive, and the compiler writes "Undefined function: X", so rule 3 never fired).
 */
const MISSING_FUNCTION = [
  /undefined[ -]function/i,
  // FIX: SBCL's own undefined-function text.
  /\bthe function\b.*\bis undefined\b/i,
];
const MISSING_VARIABLE = [
  /undefined variable|unbound variable/i,
  // FIX: SBCL's own unbound-variable text.
  /\bthe variable\b.*\bis unbound\b/i,
];
const TYPE_ERROR = [
  /type[ -]error|type mismatch/i,
  // FIX: SBCL's TYPE-ERROR report ("The value X is not of type NUMBER"), and its
  // CASE-FAILURE (a TYPE-ERROR subclass: "NIL fell through ETYPECASE expression.").
  /is not of type/i,
  /fell through e(?:type)?case expression/i,
];
/**
 * FIX: "wasm" / "validation" must be words of prose, not part of a Lisp symbol: once the
 * match is case-insensitive, Clysm's own symbols (WASM-STRUCT-TYPE, :$WASM-...) would
 * otherwise turn unrelated failures into validation errors.
 */
const WASM_VALIDATION = [/(?<![A-Za-z0-9_\-*$%/:.])(?:wasm|webassembly|validation)(?![A-Za-z0-9_\-*$%/])/i];

function anyMatch(tests: readonly RegExp[], message: string): boolean {
  return tests.some((re) => re.test(message));
}

/**
 * The operator a failure is attributed to. FIX: Clysm only ever looks at the top-level
 * operator. Here, when the message names an operator that is the head of a list in the
 * form (or the form's own head), that operator is blamed; otherwise the top-level operator.
 * Inner operators the message does not name are never blamed: a DEFUN containing a LOOP
 * usually fails for reasons unrelated to the LOOP.
 */
function blameOperator(input: CategorizeInput): string | undefined {
  const top = input.operator === undefined ? undefined : symbolName(input.operator);
  const named = extractNamedOperator(input.message);
  if (named !== undefined) {
    if (named === top) return named;
    if (input.innerOperators.some((op) => symbolName(op) === named)) return named;
  }
  return top;
}

/** Clysm's rules 1 to 7, first match wins; `blame` replaces Clysm's top-level operator. */
function clysmRules(message: string, blame: string | undefined): string {
  if (blame !== undefined && UNSUPPORTED_MACROS.has(blame)) return 'unsupported-macro';
  if (blame !== undefined && DECLARATION_OPERATORS.has(blame)) return 'unsupported-declaration';
  if (anyMatch(MISSING_FUNCTION, message)) return 'missing-function';
  if (anyMatch(MISSING_VARIABLE, message)) return 'missing-variable';
  if (anyMatch(TYPE_ERROR, message)) return 'type-error';
  if (anyMatch(WASM_VALIDATION, message)) return 'wasm-validation-error';
  if (blame !== undefined) return `unsupported-${blame.toLowerCase()}`;
  return 'unknown-error';
}

/**
 * Blocker category of one form, or undefined for forms that are not blockers
 * (compiled, skipped, no output).
 */
export function categorize(input: CategorizeInput): Categorization | undefined {
  const blame = blameOperator(input);
  const withBlame = (category: string): Categorization =>
    blame === undefined ? { category } : { category, blameOperator: blame };

  switch (input.status) {
    case 'compiled':
    case 'skipped':
    case 'no-output':
      return undefined;
    // States Clysm's generator never reaches: it has no time limit, reads modules up front
    // and runs in the same process.
    case 'timeout':
      return withBlame('timeout');
    case 'read-error':
      return withBlame('read-error');
    case 'crashed':
      return withBlame('crashed');
    case 'failed':
      break;
  }
  const errorType = input.errorType?.toLowerCase();
  // A trap is Stage 0 failing, not the form: keep it apart from the form's blockers.
  if (errorType === 'trap') return withBlame('compiler-trap');
  // The backend's validator already said so; no need to guess from the message.
  if (errorType === 'wasm-validation-error') return withBlame('wasm-validation-error');
  return withBlame(clysmRules(input.message ?? '', blame));
}
