// Function-level diff of two modules: the functions paired as functionPairing says (export
// name, then name section, then index), each pair saying how it was made. A pair is changed when
// its body bytes or signature differ. Pure: two modules' bytes and summaries in, a report out.
import { exportedFunctionNames, functionLabel, pairFunctions, pairedByText, pairLabel, PAIRED_BY_TEXT, type PairedBy } from '../functionPairing';
import type { WasmFunction, WasmModuleInfo } from '../wasmReader';
import { readCodeBodies } from './codeBodies';

export type { PairedBy } from '../functionPairing';

export interface FunctionSide {
  index: number;
  /** How the function is called in reports: its export name, else `$name`, else `#index`. */
  label: string;
  signature: string;
  bodySize: number;
}

export interface FunctionPair {
  a: FunctionSide;
  b: FunctionSide;
  pairedBy: PairedBy;
  /** Body bytes or signature differ. */
  changed: boolean;
}

export interface FunctionDiff {
  pairs: FunctionPair[];
  /** Functions of B with no partner in A, and of A with none in B. */
  added: FunctionSide[];
  removed: FunctionSide[];
  counts: Record<PairedBy, number> & { changed: number; added: number; removed: number };
}

export interface ModuleInput {
  bytes: Uint8Array;
  info: WasmModuleInfo;
}

function side(fn: WasmFunction, exported: ReadonlyMap<number, string>): FunctionSide {
  return { index: fn.index, label: functionLabel(fn, exported), signature: fn.signature, bodySize: fn.bodySize };
}

/** Pairs the defined functions of `a` and `b` and compares each pair's bytes. */
export function diffFunctions(a: ModuleInput, b: ModuleInput): FunctionDiff {
  const pairing = pairFunctions(a.info, b.info);
  const fa = a.info.functions;
  const fb = b.info.functions;
  const exportsA = exportedFunctionNames(a.info);
  const exportsB = exportedFunctionNames(b.info);
  const bodiesA = new Map(readCodeBodies(a.bytes, a.info).map((body) => [body.index, a.bytes.subarray(body.start, body.end)]));
  const bodiesB = new Map(readCodeBodies(b.bytes, b.info).map((body) => [body.index, b.bytes.subarray(body.start, body.end)]));
  const sameBytes = (x: Uint8Array | undefined, y: Uint8Array | undefined): boolean => !!x && !!y && Buffer.compare(x, y) === 0;
  const pairs = pairing.pairs.map(({ posA, posB, pairedBy }): FunctionPair => {
    const x = fa[posA];
    const y = fb[posB];
    return {
      a: side(x, exportsA),
      b: side(y, exportsB),
      pairedBy,
      changed: x.signature !== y.signature || !sameBytes(bodiesA.get(x.index), bodiesB.get(y.index)),
    };
  });
  const added = pairing.added.map((q) => side(fb[q], exportsB));
  const removed = pairing.removed.map((p) => side(fa[p], exportsA));
  return {
    pairs,
    added,
    removed,
    counts: { ...pairing.counts, changed: pairs.filter((p) => p.changed).length, added: added.length, removed: removed.length },
  };
}

function describePair(p: FunctionPair): string {
  return `${pairLabel(p.a.label, p.b.label)} (#${p.a.index} ↔ #${p.b.index}, ${PAIRED_BY_TEXT[p.pairedBy]})`;
}

/** The text report: how the pairs were made, then changed, added and removed functions by name. */
export function formatFunctionDiff(diff: FunctionDiff, limit = 50): string {
  const { counts } = diff;
  const lines = [
    `Functions: ${diff.pairs.length} paired (${pairedByText(counts)}), ${counts.changed} changed, ${counts.added} added, ${counts.removed} removed`,
  ];
  const section = <T>(title: string, items: T[], show: (item: T) => string): void => {
    if (items.length === 0) return;
    lines.push(`${title}:`);
    for (const item of items.slice(0, limit)) lines.push(`  ${show(item)}`);
    if (items.length > limit) lines.push(`  … and ${items.length - limit} more`);
  };
  section('Changed', diff.pairs.filter((p) => p.changed), (p) => {
    const delta = p.b.bodySize - p.a.bodySize;
    const signature = p.a.signature === p.b.signature ? '' : `; signature ${p.a.signature} → ${p.b.signature}`;
    return `${describePair(p)}: body ${p.a.bodySize} → ${p.b.bodySize} bytes (${delta >= 0 ? '+' : ''}${delta})${signature}`;
  });
  section('Added', diff.added, (f) => `${f.label} (#${f.index}) ${f.signature}, ${f.bodySize} bytes`);
  section('Removed', diff.removed, (f) => `${f.label} (#${f.index}) ${f.signature}, ${f.bodySize} bytes`);
  return `${lines.join('\n')}\n`;
}
