// Structural diff of two module summaries from wasmReader, plus a byte-level comparison.
// Functions are paired by functionPairing's rule (export name, name section, index).
// Pure. Unlike Clysm's diff.lisp (which counts `(type`/`(func` substrings in printed WAT),
// it compares decoded sections, exports with signatures, types and per-function body sizes,
// and the byte comparison counts the trailing bytes of the longer file.
import { exportedFunctionNames, functionLabel, pairFunctions, pairLabel, type PairedBy } from './functionPairing';
import type { ExternKind, WasmCounts, WasmExport, WasmFunction, WasmImport, WasmModuleInfo } from './wasmReader';

export interface CountChange {
  a: number;
  b: number;
  delta: number;
}

export interface SectionChange {
  /** Section name; a repeated custom section gets `#2`, `#3`, ... */
  name: string;
  /** Payload size, or null when the section is absent. */
  a: number | null;
  b: number | null;
  delta: number;
}

export interface ExportChange {
  name: string;
  a: { kind: ExternKind; signature?: string };
  b: { kind: ExternKind; signature?: string };
}

export interface ImportChange {
  module: string;
  name: string;
  a: { kind: ExternKind; type: string };
  b: { kind: ExternKind; type: string };
}

export interface FunctionChange {
  /** How the function is called (functionLabel): export name, else `$name`, else `#index`; `a ↔ b` when the sides differ. */
  key: string;
  /** Its name-section name, when both sides (or the one side) carry the same one. */
  name?: string;
  /** How the pair was made; absent for an added or removed function. */
  pairedBy?: PairedBy;
  /** Function-space indices; null when the function exists on one side only. */
  indexA: number | null;
  indexB: number | null;
  /** Body sizes; null when absent on that side. */
  a: number | null;
  b: number | null;
  delta: number;
  signatureA?: string;
  signatureB?: string;
}

export type CountKey = Exclude<keyof WasmCounts, 'types' | 'recGroups'>;

export interface WasmDiff {
  /** Structurally identical: no difference in any field below (code bytes may still differ: see compareBytes). */
  identical: boolean;
  /** Number of individual differences found (sections, exports, imports, types, counts, functions, ...). */
  differences: number;
  size: CountChange & { percent: number | null };
  sections: SectionChange[];
  exports: { a: number; b: number; missing: WasmExport[]; added: WasmExport[]; changed: ExportChange[] };
  imports: { a: number; b: number; missing: WasmImport[]; added: WasmImport[]; changed: ImportChange[] };
  types: {
    count: CountChange;
    recGroups: CountChange;
    /** Type descriptions present in a but not b (as a multiset), and the reverse. */
    onlyInA: string[];
    onlyInB: string[];
  };
  counts: Record<CountKey, CountChange>;
  start: { a: number | null; b: number | null };
  functions: {
    /** How many pairs were made by export name, by name section, by index (functionPairing). */
    pairedBy: Record<PairedBy, number>;
    /** Paired functions whose body size or signature changed. */
    changed: number;
    added: number;
    removed: number;
    bodyBytes: CountChange;
    /** The largest changes by |delta| (added and removed functions included). */
    largest: FunctionChange[];
    /** Labels of the changed, added and removed functions in index order, at most maxListedFunctions of each. */
    listed: { changed: string[]; added: string[]; removed: string[] };
  };
}

export interface DiffOptions {
  /** How many function changes to keep in `functions.largest` (default 20). */
  maxFunctionChanges?: number;
  /** How many labels to keep in each of `functions.listed` (default 50). */
  maxListedFunctions?: number;
}

const COUNT_KEYS: readonly CountKey[] = [
  'imports',
  'exports',
  'functions',
  'importedFunctions',
  'tables',
  'importedTables',
  'memories',
  'importedMemories',
  'globals',
  'importedGlobals',
  'tags',
  'importedTags',
  'elementSegments',
  'dataSegments',
];

function change(a: number, b: number): CountChange {
  return { a, b, delta: b - a };
}

/** Keys that stay unique when a name repeats: `x`, `x#2`, `x#3`, ... */
function occurrenceKeys(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const count = (seen.get(n) ?? 0) + 1;
    seen.set(n, count);
    return count === 1 ? n : `${n}#${count}`;
  });
}

function diffSections(a: WasmModuleInfo, b: WasmModuleInfo): SectionChange[] {
  const keysA = occurrenceKeys(a.sections.map((s) => s.name));
  const keysB = occurrenceKeys(b.sections.map((s) => s.name));
  const sizeB = new Map(keysB.map((k, i) => [k, b.sections[i].size]));
  const out: SectionChange[] = keysA.map((name, i) => {
    const sa = a.sections[i].size;
    const sb = sizeB.get(name) ?? null;
    return { name, a: sa, b: sb, delta: (sb ?? 0) - sa };
  });
  const inA = new Set(keysA);
  keysB.forEach((name, i) => {
    if (!inA.has(name)) out.push({ name, a: null, b: b.sections[i].size, delta: b.sections[i].size });
  });
  return out;
}

function diffExports(a: WasmModuleInfo, b: WasmModuleInfo): WasmDiff['exports'] {
  const byNameB = new Map(b.exports.map((e) => [e.name, e]));
  const byNameA = new Map(a.exports.map((e) => [e.name, e]));
  const missing = a.exports.filter((e) => !byNameB.has(e.name));
  const added = b.exports.filter((e) => !byNameA.has(e.name));
  const changed: ExportChange[] = [];
  for (const ea of a.exports) {
    const eb = byNameB.get(ea.name);
    if (eb && (eb.kind !== ea.kind || eb.signature !== ea.signature)) {
      changed.push({ name: ea.name, a: exportShape(ea), b: exportShape(eb) });
    }
  }
  return { a: a.exports.length, b: b.exports.length, missing, added, changed };
}

function exportShape(e: WasmExport): { kind: ExternKind; signature?: string } {
  return e.signature === undefined ? { kind: e.kind } : { kind: e.kind, signature: e.signature };
}

function diffImports(a: WasmModuleInfo, b: WasmModuleInfo): WasmDiff['imports'] {
  // Module and name may repeat in a valid module, so match by occurrence.
  const keysA = occurrenceKeys(a.imports.map((i) => `${i.module}\u0000${i.name}`));
  const keysB = occurrenceKeys(b.imports.map((i) => `${i.module}\u0000${i.name}`));
  const byKeyB = new Map(keysB.map((k, i) => [k, b.imports[i]]));
  const setA = new Set(keysA);
  const missing: WasmImport[] = [];
  const changed: ImportChange[] = [];
  keysA.forEach((k, i) => {
    const ia = a.imports[i];
    const ib = byKeyB.get(k);
    if (!ib) missing.push(ia);
    else if (ia.kind !== ib.kind || ia.type !== ib.type) {
      changed.push({ module: ia.module, name: ia.name, a: { kind: ia.kind, type: ia.type }, b: { kind: ib.kind, type: ib.type } });
    }
  });
  const added = b.imports.filter((_, i) => !setA.has(keysB[i]));
  return { a: a.imports.length, b: b.imports.length, missing, added, changed };
}

/** Multiset difference of type descriptions, in a's (resp. b's) order. */
function onlyIn(x: string[], y: string[]): string[] {
  const remaining = new Map<string, number>();
  for (const d of y) remaining.set(d, (remaining.get(d) ?? 0) + 1);
  const out: string[] = [];
  for (const d of x) {
    const n = remaining.get(d) ?? 0;
    if (n > 0) remaining.set(d, n - 1);
    else out.push(d);
  }
  return out;
}

type How = PairedBy | 'removed' | 'added';

/** A change as plain numbers; FunctionChange objects are built only for the top list. */
interface Candidate {
  abs: number;
  posA: number; // -1 when added
  posB: number; // -1 when removed
  how: How;
}

/** Largest |delta| first; ties by position in a, then in b (added functions last). */
function before(x: Candidate, y: Candidate): boolean {
  if (x.abs !== y.abs) return x.abs > y.abs;
  const ax = x.posA < 0 ? Infinity : x.posA;
  const ay = y.posA < 0 ? Infinity : y.posA;
  if (ax !== ay) return ax < ay;
  return x.posB < y.posB;
}

/** Keeps the `limit` first candidates in `before` order, without sorting everything. */
class TopChanges {
  readonly items: Candidate[] = [];
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  offer(abs: number, posA: number, posB: number, how: How): void {
    const items = this.items;
    const c: Candidate = { abs, posA, posB, how };
    if (items.length === this.limit && (this.limit === 0 || !before(c, items[items.length - 1]))) return;
    let i = items.length;
    while (i > 0 && before(c, items[i - 1])) i--;
    items.splice(i, 0, c);
    if (items.length > this.limit) items.pop();
  }
}

interface Labels {
  a: ReadonlyMap<number, string>;
  b: ReadonlyMap<number, string>;
}

function materialize(c: Candidate, fa: WasmFunction[], fb: WasmFunction[], exported: Labels): FunctionChange {
  if (c.how === 'removed' || c.how === 'added') {
    const f = c.how === 'removed' ? fa[c.posA] : fb[c.posB];
    const key = functionLabel(f, c.how === 'removed' ? exported.a : exported.b);
    const change: FunctionChange =
      c.how === 'removed'
        ? { key, indexA: f.index, indexB: null, a: f.bodySize, b: null, delta: -f.bodySize, signatureA: f.signature }
        : { key, indexA: null, indexB: f.index, a: null, b: f.bodySize, delta: f.bodySize, signatureB: f.signature };
    if (f.name !== undefined) change.name = f.name;
    return change;
  }
  const x = fa[c.posA];
  const y = fb[c.posB];
  const key = pairLabel(functionLabel(x, exported.a), functionLabel(y, exported.b));
  const change: FunctionChange = { key, pairedBy: c.how, indexA: x.index, indexB: y.index, a: x.bodySize, b: y.bodySize, delta: y.bodySize - x.bodySize };
  if (x.name !== undefined && x.name === y.name) change.name = x.name;
  if (x.signature !== y.signature) {
    change.signatureA = x.signature;
    change.signatureB = y.signature;
  }
  return change;
}

/** Pairs the functions (functionPairing), then measures each pair's change in body size and signature. */
function diffFunctions(a: WasmModuleInfo, b: WasmModuleInfo, limit: number, maxListed: number): WasmDiff['functions'] {
  const fa = a.functions;
  const fb = b.functions;
  const exported: Labels = { a: exportedFunctionNames(a), b: exportedFunctionNames(b) };
  const pairing = pairFunctions(a, b);
  const top = new TopChanges(limit);
  const listed: WasmDiff['functions']['listed'] = { changed: [], added: [], removed: [] };
  const list = (into: string[], label: () => string): void => {
    if (into.length < maxListed) into.push(label());
  };
  let changed = 0;
  for (const { posA, posB, pairedBy } of pairing.pairs) {
    const x = fa[posA];
    const y = fb[posB];
    const delta = y.bodySize - x.bodySize;
    if (delta === 0 && x.signature === y.signature) continue;
    changed++;
    top.offer(Math.abs(delta), posA, posB, pairedBy);
    list(listed.changed, () => pairLabel(functionLabel(x, exported.a), functionLabel(y, exported.b)));
  }
  for (const p of pairing.removed) {
    top.offer(fa[p].bodySize, p, -1, 'removed');
    list(listed.removed, () => functionLabel(fa[p], exported.a));
  }
  for (const q of pairing.added) {
    top.offer(fb[q].bodySize, -1, q, 'added');
    list(listed.added, () => functionLabel(fb[q], exported.b));
  }
  let sumA = 0;
  let sumB = 0;
  for (const f of fa) sumA += f.bodySize;
  for (const f of fb) sumB += f.bodySize;
  return {
    pairedBy: pairing.counts,
    changed,
    added: pairing.added.length,
    removed: pairing.removed.length,
    bodyBytes: change(sumA, sumB),
    largest: top.items.map((c) => materialize(c, fa, fb, exported)),
    listed,
  };
}

/** Compares two module summaries field by field. */
export function diffModules(a: WasmModuleInfo, b: WasmModuleInfo, options: DiffOptions = {}): WasmDiff {
  const size = change(a.size, b.size);
  const sections = diffSections(a, b);
  const exports = diffExports(a, b);
  const imports = diffImports(a, b);
  const descA = a.types.map((t) => t.description);
  const descB = b.types.map((t) => t.description);
  const types = {
    count: change(a.types.length, b.types.length),
    recGroups: change(a.recGroups, b.recGroups),
    onlyInA: onlyIn(descA, descB),
    onlyInB: onlyIn(descB, descA),
  };
  const counts = {} as Record<CountKey, CountChange>;
  for (const key of COUNT_KEYS) counts[key] = change(a.counts[key], b.counts[key]);
  const start = { a: a.start, b: b.start };
  const functions = diffFunctions(a, b, options.maxFunctionChanges ?? 20, options.maxListedFunctions ?? 50);

  // Every functions.changed/added/removed entry is a difference, even beyond `largest`.
  const differences =
    (size.delta !== 0 ? 1 : 0) +
    sections.filter((s) => s.delta !== 0 || s.a === null || s.b === null).length +
    exports.missing.length +
    exports.added.length +
    exports.changed.length +
    imports.missing.length +
    imports.added.length +
    imports.changed.length +
    (types.count.delta !== 0 ? 1 : 0) +
    (types.recGroups.delta !== 0 ? 1 : 0) +
    types.onlyInA.length +
    types.onlyInB.length +
    COUNT_KEYS.filter((k) => counts[k].delta !== 0).length +
    (start.a !== start.b ? 1 : 0) +
    functions.changed +
    functions.added +
    functions.removed;

  return {
    identical: differences === 0,
    differences,
    size: { ...size, percent: a.size === 0 ? null : (size.delta / a.size) * 100 },
    sections,
    exports,
    imports,
    types,
    counts,
    start,
    functions,
  };
}

// ---- byte level --------------------------------------------------------------------

export interface ByteRegion {
  start: number;
  length: number;
}

export interface ByteComparison {
  identical: boolean;
  /** 0-based offset of the first difference (min(size) when one file is a prefix of the other); null when identical. */
  firstDiffOffset: number | null;
  /** Differing positions over the common length, plus every trailing byte of the longer file. */
  diffBytes: number;
  /** b.length - a.length. */
  sizeDelta: number;
  /** Maximal runs of differing bytes (the trailing bytes form, or extend, the last run). */
  regions: ByteRegion[];
  /** Total number of runs, even when `regions` was cut at maxRegions. */
  regionCount: number;
  regionsTruncated: boolean;
}

/** Byte-by-byte comparison; keeps at most `maxRegions` regions (default 1000). */
export function compareBytes(a: Uint8Array, b: Uint8Array, maxRegions = 1000): ByteComparison {
  const common = Math.min(a.length, b.length);
  const regions: ByteRegion[] = [];
  let regionCount = 0;
  let diffBytes = 0;
  let firstDiffOffset: number | null = null;
  let runStart = -1;
  const close = (end: number): void => {
    regionCount++;
    if (regions.length < maxRegions) regions.push({ start: runStart, length: end - runStart });
    runStart = -1;
  };
  for (let i = 0; i < common; i++) {
    if (a[i] !== b[i]) {
      diffBytes++;
      if (firstDiffOffset === null) firstDiffOffset = i;
      if (runStart < 0) runStart = i;
    } else if (runStart >= 0) {
      close(i);
    }
  }
  const longer = Math.max(a.length, b.length);
  if (longer > common) {
    diffBytes += longer - common;
    if (firstDiffOffset === null) firstDiffOffset = common;
    if (runStart < 0) runStart = common;
  }
  if (runStart >= 0) close(longer);
  return {
    identical: diffBytes === 0,
    firstDiffOffset,
    diffBytes,
    sizeDelta: b.length - a.length,
    regions,
    regionCount,
    regionsTruncated: regionCount > regions.length,
  };
}
