// The one rule that says which function of module B is which function of module A: by export
// name, then by the name section, then by index as a last resort, and only between functions
// with no identity of their own (a Stage 0 `compile_form` at #0 is Stage 1's `compile_form` at
// #1, not Stage 1's `_start` at #0). Both the structural diff (wasmDiff) and the function-level
// diff (text/functionDiff) pair through here; each decides for itself what "changed" means.
import type { WasmFunction, WasmModuleInfo } from './wasmReader';

export type PairedBy = 'export' | 'name' | 'index';

export const PAIRED_BY: readonly PairedBy[] = ['export', 'name', 'index'];

/** How each way of pairing reads in reports. */
export const PAIRED_BY_TEXT: Record<PairedBy, string> = { export: 'by export name', name: 'by name section', index: 'by index' };

export interface FunctionPair {
  /** Positions among the defined functions of A and B (`info.functions[posA]`). */
  posA: number;
  posB: number;
  pairedBy: PairedBy;
}

export interface FunctionPairing {
  /** In A's order. */
  pairs: FunctionPair[];
  /** Positions of the functions of A with no partner in B (removed), and of B with none in A (added), in order. */
  removed: number[];
  added: number[];
  counts: Record<PairedBy, number>;
}

/** Function index -> its first export name. */
export function exportedFunctionNames(info: WasmModuleInfo): Map<number, string> {
  const names = new Map<number, string>();
  for (const e of info.exports) if (e.kind === 'func' && !names.has(e.index)) names.set(e.index, e.name);
  return names;
}

/** How a function is called in reports: its export name, else `$name`, else `#index`. */
export function functionLabel(fn: WasmFunction, exported: ReadonlyMap<number, string>): string {
  return exported.get(fn.index) ?? (fn.name !== undefined ? `$${fn.name}` : `#${fn.index}`);
}

/** One label for a pair: the shared label, or `a ↔ b` when the sides are called differently. */
export function pairLabel(labelA: string, labelB: string): string {
  return labelA === labelB ? labelA : `${labelA} ↔ ${labelB}`;
}

/**
 * Pairs the defined functions of `a` and `b` (imports have no bodies). A key that repeats
 * (two functions with one name) pairs its occurrences in order. The last resort pairs equal
 * positions among defined functions, so a changed import count does not shift every pair,
 * and only when at least one side is neither exported nor named: two functions exported or
 * named differently are not the same function.
 */
export function pairFunctions(a: WasmModuleInfo, b: WasmModuleInfo): FunctionPairing {
  const fa = a.functions;
  const fb = b.functions;
  const exportsA = exportedFunctionNames(a);
  const exportsB = exportedFunctionNames(b);
  const partnerOfA = new Int32Array(fa.length).fill(-1);
  const pairedB = new Uint8Array(fb.length);
  const howA: PairedBy[] = new Array<PairedBy>(fa.length);
  const counts: Record<PairedBy, number> = { export: 0, name: 0, index: 0 };

  const pairByKey = (pairedBy: PairedBy, keyA: (p: number) => string | undefined, keyB: (q: number) => string | undefined): void => {
    const waiting = new Map<string, number[]>();
    for (let q = 0; q < fb.length; q++) {
      const key = pairedB[q] ? undefined : keyB(q);
      if (key === undefined) continue;
      const queue = waiting.get(key);
      if (queue) queue.push(q);
      else waiting.set(key, [q]);
    }
    const next = new Map<string, number>();
    for (let p = 0; p < fa.length; p++) {
      const key = partnerOfA[p] >= 0 ? undefined : keyA(p);
      const queue = key === undefined ? undefined : waiting.get(key);
      if (key === undefined || !queue) continue;
      const taken = next.get(key) ?? 0;
      if (taken >= queue.length) continue;
      next.set(key, taken + 1);
      const q = queue[taken];
      partnerOfA[p] = q;
      pairedB[q] = 1;
      howA[p] = pairedBy;
      counts[pairedBy]++;
    }
  };

  pairByKey('export', (p) => exportsA.get(fa[p].index), (q) => exportsB.get(fb[q].index));
  pairByKey('name', (p) => fa[p].name, (q) => fb[q].name);
  const anonymous = (f: WasmFunction, exported: Map<number, string>): boolean => !exported.has(f.index) && f.name === undefined;
  const common = Math.min(fa.length, fb.length);
  for (let p = 0; p < common; p++) {
    if (partnerOfA[p] >= 0 || pairedB[p]) continue;
    if (!anonymous(fa[p], exportsA) && !anonymous(fb[p], exportsB)) continue;
    partnerOfA[p] = p;
    pairedB[p] = 1;
    howA[p] = 'index';
    counts.index++;
  }

  const pairs: FunctionPair[] = [];
  const removed: number[] = [];
  for (let p = 0; p < fa.length; p++) {
    if (partnerOfA[p] >= 0) pairs.push({ posA: p, posB: partnerOfA[p], pairedBy: howA[p] });
    else removed.push(p);
  }
  const added: number[] = [];
  for (let q = 0; q < fb.length; q++) if (!pairedB[q]) added.push(q);
  return { pairs, removed, added, counts };
}

/** `2 by export name, 1 by name section, 0 by index`: how a report says the pairs were made. */
export function pairedByText(counts: Record<PairedBy, number>): string {
  return PAIRED_BY.map((by) => `${counts[by]} ${PAIRED_BY_TEXT[by]}`).join(', ');
}
