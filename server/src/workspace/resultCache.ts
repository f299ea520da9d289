// Per-form result cache. A form's result depends on the backend (engine + Stage 0 hash, or
// the SBCL image), the package it is read in, its own text (reference/sbcl-backend.md §4),
// and the order-sensitive forms before it (directives.ts), so those four make the key. Form
// ids are deliberately not part of the key: inserting a form above shifts every id but
// changes no result.
import { createHash } from 'node:crypto';
import type { FormResult } from '../types';
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

export class ResultCache {
  private readonly results = new Map<string, FormResult>();
  /** Counts lookups, so tests and the benchmark can see what the cache saved. */
  hits = 0;
  misses = 0;

  get(key: string): FormResult | undefined {
    const found = this.results.get(key);
    if (found) this.hits++;
    else this.misses++;
    return found;
  }

  set(key: string, result: FormResult): void {
    // Keep the cache lean: the compiled bytes are not needed once the size is known.
    const { wasm: _dropped, ...kept } = result;
    this.results.set(key, kept);
  }

  /** Looks up without counting (persistence and reports, not analyses). */
  peek(key: string): FormResult | undefined {
    return this.results.get(key);
  }

  clear(): void {
    this.results.clear();
  }

  get size(): number {
    return this.results.size;
  }
}
