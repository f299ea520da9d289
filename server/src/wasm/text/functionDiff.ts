// Function-level diff of two modules: functions are paired by export name, then by the name
// section, then by function index as a last resort, and each pair says how it was made (a
// Stage 0 `compile_form` at #0 and a Stage 1 one at #12 are the same function; two functions
// that are both #0 are not, when both are exported under other names). A pair is changed when
// its body bytes or signature differ. Pure: two modules' bytes and summaries in, a report out.
import type { WasmFunction, WasmModuleInfo } from '../wasmReader';
import { readCodeBodies } from './codeBodies';

export type PairedBy = 'export' | 'name' | 'index';

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

function exportNames(info: WasmModuleInfo): Map<number, string> {
  const names = new Map<number, string>();
  for (const e of info.exports) if (e.kind === 'func' && !names.has(e.index)) names.set(e.index, e.name);
  return names;
}

function side(fn: WasmFunction, exported: string | undefined): FunctionSide {
  return { index: fn.index, label: exported ?? (fn.name ? `$${fn.name}` : `#${fn.index}`), signature: fn.signature, bodySize: fn.bodySize };
}

/** Pairs the defined functions of `a` and `b` (imports have no bodies to compare). */
export function diffFunctions(a: ModuleInput, b: ModuleInput): FunctionDiff {
  const exportsA = exportNames(a.info);
  const exportsB = exportNames(b.info);
  const unpairedA = new Map(a.info.functions.map((f) => [f.index, f]));
  const unpairedB = new Map(b.info.functions.map((f) => [f.index, f]));
  const matched: Array<{ a: WasmFunction; b: WasmFunction; pairedBy: PairedBy }> = [];
  const pairBy = (pairedBy: PairedBy, keyA: (f: WasmFunction) => string | undefined, keyB: (f: WasmFunction) => string | undefined): void => {
    const byKey = new Map<string, WasmFunction>();
    for (const f of unpairedB.values()) {
      const key = keyB(f);
      if (key !== undefined && !byKey.has(key)) byKey.set(key, f);
    }
    for (const f of [...unpairedA.values()]) {
      const key = keyA(f);
      const partner = key === undefined ? undefined : byKey.get(key);
      if (!partner || !unpairedB.has(partner.index)) continue;
      matched.push({ a: f, b: partner, pairedBy });
      unpairedA.delete(f.index);
      unpairedB.delete(partner.index);
    }
  };
  pairBy('export', (f) => exportsA.get(f.index), (f) => exportsB.get(f.index));
  pairBy('name', (f) => f.name, (f) => f.name);
  // By index only when one side has no identity: two functions exported or named differently are not the same function.
  const anonymous = (exported: Map<number, string>) => (f: WasmFunction): string | undefined => (exported.has(f.index) || f.name ? undefined : String(f.index));
  const byIndex = (f: WasmFunction): string => String(f.index);
  pairBy('index', anonymous(exportsA), byIndex);
  pairBy('index', byIndex, anonymous(exportsB));

  const bodiesA = new Map(readCodeBodies(a.bytes, a.info).map((body) => [body.index, a.bytes.subarray(body.start, body.end)]));
  const bodiesB = new Map(readCodeBodies(b.bytes, b.info).map((body) => [body.index, b.bytes.subarray(body.start, body.end)]));
  const sameBytes = (x: Uint8Array | undefined, y: Uint8Array | undefined): boolean => !!x && !!y && Buffer.compare(x, y) === 0;
  const pairs = matched
    .sort((p, q) => p.a.index - q.a.index)
    .map(({ a: fa, b: fb, pairedBy }): FunctionPair => ({
      a: side(fa, exportsA.get(fa.index)),
      b: side(fb, exportsB.get(fb.index)),
      pairedBy,
      changed: fa.signature !== fb.signature || !sameBytes(bodiesA.get(fa.index), bodiesB.get(fb.index)),
    }));
  const added = [...unpairedB.values()].map((f) => side(f, exportsB.get(f.index)));
  const removed = [...unpairedA.values()].map((f) => side(f, exportsA.get(f.index)));
  const count = (by: PairedBy): number => pairs.filter((p) => p.pairedBy === by).length;
  return {
    pairs,
    added,
    removed,
    counts: { export: count('export'), name: count('name'), index: count('index'), changed: pairs.filter((p) => p.changed).length, added: added.length, removed: removed.length },
  };
}

const HOW: Record<PairedBy, string> = { export: 'by export name', name: 'by name section', index: 'by index' };

function pairLabel(p: FunctionPair): string {
  const name = p.a.label === p.b.label ? p.a.label : `${p.a.label} ↔ ${p.b.label}`;
  return `${name} (#${p.a.index} ↔ #${p.b.index}, ${HOW[p.pairedBy]})`;
}

/** The text report: how the pairs were made, then changed, added and removed functions by name. */
export function formatFunctionDiff(diff: FunctionDiff, limit = 50): string {
  const { counts } = diff;
  const lines = [
    `Functions: ${diff.pairs.length} paired (${counts.export} by export name, ${counts.name} by name section, ${counts.index} by index), ${counts.changed} changed, ${counts.added} added, ${counts.removed} removed`,
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
    return `${pairLabel(p)}: body ${p.a.bodySize} → ${p.b.bodySize} bytes (${delta >= 0 ? '+' : ''}${delta})${signature}`;
  });
  section('Added', diff.added, (f) => `${f.label} (#${f.index}) ${f.signature}, ${f.bodySize} bytes`);
  section('Removed', diff.removed, (f) => `${f.label} (#${f.index}) ${f.signature}, ${f.bodySize} bytes`);
  return `${lines.join('\n')}\n`;
}
