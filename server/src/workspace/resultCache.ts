// Per-form result cache. A form's result depends on the backend (engine + Stage 0 hash, or
// the SBCL image), the package it is read in, its own text (reference/sbcl-backend.md §4),
// and the order-sensitive forms before it (directives.ts), so those four make the key. Form
// ids are deliberately not part of the key: inserting a form above shifts every id but
// changes no result.
import { createHash } from 'node:crypto';
import type { FormResult, FormStatus } from '../types';
import { EMPTY_CONTEXT } from './directives';

/** `directiveContext` is the hash of every directive before the form (directives.ts). */
export function formCacheKey(backendIdentity: string, packageName: string, formText: string, directiveContext: string = EMPTY_CONTEXT): string {
  return createHash('sha256')
    .update(backendIdentity)
    .update('\0')
    .update(directiveContext)
    .update('\0')
    .update(packageName)
    .update('\0')
    .update(formText)
    .digest('hex');
}

/** Outcomes that only say the time limit ran out (or the process died under it): a larger limit may give an answer. */
const LIMIT_BOUND: ReadonlySet<FormStatus> = new Set<FormStatus>(['timeout', 'crashed']);

/** `result` with the time limit it was obtained under, when its outcome depends on the limit. */
export function withTimeLimit(result: FormResult, timeLimitMs: number): FormResult {
  return LIMIT_BOUND.has(result.status) ? { ...result, timeLimitMs } : result;
}

/** Whether a stored result answers a lookup under `timeLimitMs`: a timeout under a smaller (or unknown) limit does not. */
function holdsUnder(result: FormResult, timeLimitMs: number): boolean {
  // A persisted file may hold anything here: only a number counts.
  return !LIMIT_BOUND.has(result.status) || (typeof result.timeLimitMs === 'number' && result.timeLimitMs >= timeLimitMs);
}

export class ResultCache {
  private readonly results = new Map<string, FormResult>();
  /** Counts lookups, so tests and the benchmark can see what the cache saved. */
  hits = 0;
  misses = 0;

  /** The result stored under `key`, unless it is a timeout or crash obtained under a smaller time limit. */
  get(key: string, timeLimitMs: number): FormResult | undefined {
    const found = this.results.get(key);
    const usable = found !== undefined && holdsUnder(found, timeLimitMs) ? found : undefined;
    if (usable) this.hits++;
    else this.misses++;
    return usable;
  }

  /** Stores a result; a timeout or crash must carry its time limit (withTimeLimit), or no later lookup uses it. */
  set(key: string, result: FormResult): void {
    // Keep the cache lean: the compiled bytes are not needed once the size is known.
    const { wasm: _dropped, ...kept } = result;
    this.results.set(key, kept);
  }

  clear(): void {
    this.results.clear();
  }

  get size(): number {
    return this.results.size;
  }
}
