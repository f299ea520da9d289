// Order-sensitive forms ("directives"). Clysm evaluates these in the host image while it
// walks the module list (clysm-facts.md §6): a form's result may depend on every directive
// read before it, in its own module and in earlier modules. So the cache key of a form folds
// in a hash of all preceding directive texts, and changing one directive re-keys (and so
// recompiles) every form after it. Pure: hashing only.
import { createHash } from 'node:crypto';
import type { TopLevelForm } from '../types';

/**
 * Operators whose evaluation changes host state that later forms see. `in-package`,
 * `defpackage`, `defconstant` (constant folding) and `defmacro` are Clysm's own list;
 * `define-condition`, `declaim` and `proclaim` are evaluated in the host as well.
 */
export const ORDER_SENSITIVE_OPERATORS: ReadonlySet<string> = new Set([
  'IN-PACKAGE',
  'DEFPACKAGE',
  'DEFCONSTANT',
  'DEFMACRO',
  'DEFINE-CONDITION',
  'DECLAIM',
  'PROCLAIM',
]);

export function isOrderSensitive(form: Pick<TopLevelForm, 'kind' | 'operator'>): boolean {
  return form.kind === 'list' && form.operator !== undefined && ORDER_SENSITIVE_OPERATORS.has(form.operator);
}

/** The context before the first form of the first module: no directive seen yet. */
export const EMPTY_CONTEXT = '';

function sha256(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

/** Context after one more directive: a hash chain, so order and every byte of text count. */
export function advanceContext(context: string, directiveText: string): string {
  return sha256(context, directiveText);
}

/** Digest of one module's directives (texts in order); independent of the modules before it. */
export function moduleDirectiveDigest(forms: readonly TopLevelForm[]): string {
  return sha256(...forms.filter(isOrderSensitive).map((f) => f.text));
}

/**
 * The context a module starts in: a hash of the directive digests of every module before it,
 * in list order. Empty for the first module, so it needs nothing read.
 */
export function modulePrefixContext(precedingDigests: readonly string[]): string {
  return precedingDigests.length === 0 ? EMPTY_CONTEXT : sha256('modules', ...precedingDigests);
}
