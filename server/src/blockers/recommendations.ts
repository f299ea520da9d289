// What to do about a blocker. Texts come from Clysm where it has one
// (`generate-recommendation`, `*remediation-suggestions*` in blocker.lisp / error-analysis),
// so reports read the same as Clysm's; the extra categories get texts of their own.

import { extractNamedOperator, extractNamedVariable } from './names.js';

/** Clysm's `*remediation-suggestions*` entries keyed by operator. */
const OPERATOR_REMEDIATIONS: ReadonlyMap<string, string> = new Map([
  ['LOOP', 'Implement LOOP macro expansion to blessed subset'],
  ['FORMAT', 'Extend FORMAT directive support'],
  ['DEFSTRUCT', 'Add DEFSTRUCT compilation or expand to DEFCLASS'],
  ['DEFINE-CONDITION', 'Expand DEFINE-CONDITION to DEFCLASS'],
  ['DECLARE', 'Handle DECLARE forms (skip or process declarations)'],
  ['HANDLER-CASE', 'Implement HANDLER-CASE for condition handling'],
  ['HANDLER-BIND', 'Implement HANDLER-BIND for dynamic handlers'],
  ['RESTART-CASE', 'Implement RESTART-CASE for restart handlers'],
  ['WITH-SLOTS', 'Expand WITH-SLOTS to SLOT-VALUE calls'],
  ['WITH-ACCESSORS', 'Expand WITH-ACCESSORS to accessor calls'],
]);

const UNKNOWN_TEXT = 'Investigate error and add specific handling';

/** Fixed texts per category; Clysm's where it has one. */
const CATEGORY_TEXTS: ReadonlyMap<string, string> = new Map([
  // stage2-gen.js getRemediation (Clysm has no generic text in blocker.lisp).
  ['unsupported-macro', 'Implement macro expansion for this form'],
  ['unsupported-declaration', 'Handle declaration forms (skip or process declarations)'],
  ['missing-function', 'Define missing function or add import'],
  ['missing-variable', 'Define missing variable or add special declaration'],
  ['type-error', 'Fix type mismatch in form compilation'],
  ['wasm-validation-error', 'Check generated Wasm bytecode for spec compliance'],
  ['unknown-error', UNKNOWN_TEXT],
  [
    'timeout',
    'The compiler did not finish this form within the time limit: raise clysm.stage0.timeoutMs if it is only slow, ' +
      'or look for an infinite loop or endless macro expansion in Stage 0',
  ],
  [
    'compiler-trap',
    'Stage 0 itself crashed (trapped) on this form: a bug in the compiler, not in the form; ' +
      'reproduce it with this form alone and fix Stage 0',
  ],
  ['read-error', 'Fix the syntax so the form can be read (unbalanced parentheses, unterminated string or bad reader macro)'],
  [
    'crashed',
    'The compiler process died on this form twice (often heap or stack exhaustion): ' +
      'a bug in the compiler; reduce the form to find the trigger',
  ],
]);

const UNSUPPORTED_PREFIX = 'unsupported-';

/**
 * Recommendation for a category. `operator` is the blamed operator, or for
 * missing-function / missing-variable the name of the missing function or variable.
 */
export function recommendation(category: string, operator?: string): string {
  const op = operator?.toUpperCase();
  switch (category) {
    case 'unsupported-macro':
    case 'unsupported-declaration': {
      const specific = op === undefined ? undefined : OPERATOR_REMEDIATIONS.get(op);
      if (specific !== undefined) return specific;
      if (op !== undefined && category === 'unsupported-declaration') {
        return `Handle ${op} forms (skip or process declarations)`;
      }
      break;
    }
    case 'missing-function':
      if (op !== undefined) return `Define ${op} or add it as a runtime import`;
      break;
    case 'missing-variable':
      if (op !== undefined) return `Define ${op} with DEFVAR or DEFPARAMETER, or add a special declaration`;
      break;
  }
  const fixed = CATEGORY_TEXTS.get(category);
  if (fixed !== undefined) return fixed;
  if (category.startsWith(UNSUPPORTED_PREFIX)) {
    // Clysm's default remediation, "Implement <OP> support" (as in its blocker report).
    return `Implement ${category.slice(UNSUPPORTED_PREFIX.length).toUpperCase()} support`;
  }
  return UNKNOWN_TEXT;
}

/**
 * The name a recommendation should mention: the missing function or variable named by
 * the message, otherwise the blamed operator.
 */
export function recommendationSubject(
  category: string,
  blameOperator: string | undefined,
  message: string | undefined,
): string | undefined {
  if (category === 'missing-function') return extractNamedOperator(message);
  if (category === 'missing-variable') return extractNamedVariable(message);
  return blameOperator;
}
