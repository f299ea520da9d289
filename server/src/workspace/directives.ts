// Order-sensitive forms ("directives"). Clysm evaluates these in the host image while it
// walks the module list (clysm-facts.md §6): a form's result may depend on every directive
// read before it, in its own module and in earlier modules. So the cache key of a form folds
// in a hash of all preceding directive texts, and changing one directive re-keys (and so
// recompiles) every form after it. Pure: hashing only.
import { createHash, type Hash } from 'node:crypto';
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

/** Takes an array, not rest parameters: a module may hold any number of directives. */
function sha256(parts: Iterable<string>): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

/** Context after one more directive: a hash chain, so order and every byte of text count. */
export function advanceContext(context: string, directiveText: string): string {
  return sha256([context, directiveText]);
}

/** Digest of one module's directives (texts in order); independent of the modules before it. */
export function moduleDirectiveDigest(forms: readonly TopLevelForm[]): string {
  return sha256(forms.filter(isOrderSensitive).map((f) => f.text));
}

/**
 * The context a module starts in: a hash of the directive digests of every module before it,
 * in list order. Empty for the first module, so it needs nothing read.
 */
export function modulePrefixContext(precedingDigests: readonly string[]): string {
  return precedingDigests.length === 0 ? EMPTY_CONTEXT : sha256(['modules', ...precedingDigests]);
}

/**
 * The prefix contexts of a module list, computed incrementally: module i's context is the
 * hash of module i-1's hash input plus one digest, so a pass over n modules hashes n digests
 * instead of n²/2 (the step that made whole-workspace analysis superlinear). Each value equals
 * modulePrefixContext of the same digests.
 */
export class PrefixContextChain {
  /** contexts[i]: context of the module at 0-based index i, for every i < contexts.length. */
  private readonly contexts: string[] = [];
  /** Hash fed with 'modules' and the digests of modules 0..contexts.length-2 (undefined: rebuild). */
  private running: Hash | undefined;

  /** `digestAt(i)`: the directive digest of the module at 0-based index i. */
  constructor(private readonly digestAt: (index: number) => string) {}

  /** The context of the module at 0-based index `index`. */
  contextAt(index: number): string {
    while (this.contexts.length <= index) {
      const next = this.contexts.length;
      if (next === 0) {
        this.contexts.push(EMPTY_CONTEXT);
        continue;
      }
      if (this.running === undefined) {
        this.running = createHash('sha256').update('modules').update('\0');
        for (let i = 0; i < next - 1; i++) this.running.update(this.digestAt(i)).update('\0');
      }
      this.running.update(this.digestAt(next - 1)).update('\0');
      this.contexts.push(this.running.copy().digest('hex'));
    }
    return this.contexts[index];
  }

  /** The digest of the module at 0-based `index` changed: the contexts after it are stale. */
  digestChanged(index: number): void {
    if (this.contexts.length <= index + 1) return;
    this.contexts.length = index + 1;
    this.running = undefined;
  }
}
