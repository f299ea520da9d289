// Text and JSON renderings of wasmReader / wasmDiff results. Pure.
// - moduleSummaryText: one line per item, stable (no offsets), for VS Code's text diff editor.
// - diffSummaryText: a human summary of a WasmDiff, for the CLI and the output channel.
// - diffToJson: the `--json` shape (snake_case, like the rest of the CLI's reports).
import { pairedByText, PAIRED_BY, PAIRED_BY_TEXT } from './functionPairing';
import type { ByteComparison, CountChange, CountKey, FunctionChange, WasmDiff } from './wasmDiff';
import type { WasmExport, WasmImport, WasmModuleInfo } from './wasmReader';

/** A name as a single token: bare when it is plain printable ASCII, else JSON-quoted. */
export function formatName(name: string): string {
  return /^[\x21-\x7e]+$/.test(name) && !/["\\]/.test(name) ? name : JSON.stringify(name);
}

function withSignature(head: string, signature: string | undefined): string {
  return signature ? `${head} ${signature}` : head;
}

const COUNT_LABELS: Record<CountKey, string> = {
  imports: 'imports',
  exports: 'exports',
  functions: 'functions',
  importedFunctions: 'imported-functions',
  tables: 'tables',
  importedTables: 'imported-tables',
  memories: 'memories',
  importedMemories: 'imported-memories',
  globals: 'globals',
  importedGlobals: 'imported-globals',
  tags: 'tags',
  importedTags: 'imported-tags',
  elementSegments: 'element-segments',
  dataSegments: 'data-segments',
};

const COUNT_ORDER = Object.keys(COUNT_LABELS) as CountKey[];

function importLine(i: WasmImport): string {
  return `${i.kind} ${formatName(i.module)} ${formatName(i.name)} ${i.type}`.trimEnd();
}

function exportLine(e: WasmExport): string {
  return withSignature(`${e.kind} ${formatName(e.name)}`, e.signature);
}

/**
 * One module's structure, one item per line, in file order and without offsets, so that
 * two of these line up well in a text diff:
 * `section type 123 bytes`, `export func compile_form (param externref) (result externref)`,
 * `func 12 $name 340 bytes (param ...)`.
 */
export function moduleSummaryText(info: WasmModuleInfo): string {
  const lines: string[] = [`module ${info.size} bytes`];
  if (info.moduleName !== null) lines.push(`name ${formatName(info.moduleName)}`);
  for (const s of info.sections) lines.push(`section ${formatName(s.name)} ${s.size} bytes`);
  lines.push(`types ${info.types.length} in ${info.recGroups} rec groups`);
  for (const t of info.types) lines.push(`type ${t.index}${t.inRec ? ` rec ${t.recGroup}` : ''} ${t.description}`);
  for (const i of info.imports) lines.push(`import ${importLine(i)}`);
  for (const e of info.exports) lines.push(`export ${exportLine(e)}`);
  for (const key of COUNT_ORDER) lines.push(`count ${COUNT_LABELS[key]} ${info.counts[key]}`);
  if (info.start !== null) lines.push(`start ${info.start}`);
  if (info.dataCount !== null) lines.push(`datacount ${info.dataCount}`);
  for (const f of info.functions) {
    const label = f.name !== undefined ? ` $${formatName(f.name)}` : '';
    lines.push(withSignature(`func ${f.index}${label} ${f.bodySize} bytes`, f.signature));
  }
  for (const w of info.warnings) lines.push(`warning ${w}`);
  return lines.join('\n') + '\n';
}

// ---- human summary ------------------------------------------------------------------

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

/** Clysm's wording: `0 bytes (identical)`, `+N bytes (+P%)`, `-N bytes (-P%)`, one decimal. */
export function formatSizeDelta(size: WasmDiff['size']): string {
  if (size.delta === 0) return '0 bytes (identical)';
  const bytes = `${signed(size.delta)} bytes`;
  return size.percent === null ? bytes : `${bytes} (${size.percent > 0 ? '+' : ''}${size.percent.toFixed(1)}%)`;
}

function arrow(c: CountChange): string {
  return `${c.a} → ${c.b} (${signed(c.delta)})`;
}

function sizeOrAbsent(n: number | null): string {
  return n === null ? 'absent' : String(n);
}

function functionLine(c: FunctionChange): string {
  const sides = `${sizeOrAbsent(c.a)} → ${sizeOrAbsent(c.b)} bytes`;
  const func = c.indexA === c.indexB ? `func ${c.indexA}` : `func ${c.indexA} → ${c.indexB}`;
  const where = c.indexA === null ? 'new' : c.indexB === null ? 'removed' : c.pairedBy ? `${func}, ${PAIRED_BY_TEXT[c.pairedBy]}` : func;
  let line = `  ${signed(c.delta).padStart(7)}  ${c.key}  ${sides}  (${where})`;
  if (c.signatureA !== undefined && c.signatureB !== undefined) line += `  signature ${c.signatureA || '()'} → ${c.signatureB || '()'}`;
  return line;
}

export interface DiffLabels {
  a: string;
  b: string;
}

export interface SummaryOptions {
  labels?: DiffLabels;
  /** Byte comparison, when the caller has both files. */
  bytes?: ByteComparison;
  /** Longest list of type descriptions shown per side (default 10). */
  maxTypes?: number;
}

/** A readable report of a WasmDiff, in the spirit of Clysm's "Stage Comparison Report". */
export function diffSummaryText(diff: WasmDiff, options: SummaryOptions = {}): string {
  const { a: la, b: lb } = options.labels ?? { a: 'A', b: 'B' };
  const maxTypes = options.maxTypes ?? 10;
  const out: string[] = [`=== Wasm comparison: ${la} → ${lb} ===`];
  out.push(`Size: ${diff.size.a} → ${diff.size.b} bytes, ${formatSizeDelta(diff.size)}`);

  const sectionRows = diff.sections.filter((s) => s.delta !== 0 || s.a === null || s.b === null);
  out.push(`Sections: ${diff.sections.length} compared, ${sectionRows.length} changed`);
  const width = sectionRows.reduce((widest, s) => Math.max(widest, s.name.length), 0); // no spread: a hostile binary may have any number of sections
  const bytesOrAbsent = (n: number | null): string => (n === null ? 'absent' : `${n} bytes`);
  for (const s of sectionRows) out.push(`  ${s.name.padEnd(width)}  ${bytesOrAbsent(s.a)} → ${bytesOrAbsent(s.b)} (${signed(s.delta)})`);

  const ex = diff.exports;
  out.push(`Exports: ${ex.a} → ${ex.b} (${ex.added.length} new, ${ex.missing.length} missing, ${ex.changed.length} changed)`);
  for (const e of ex.missing) out.push(`  - ${exportLine(e)}`);
  for (const e of ex.added) out.push(`  + ${exportLine(e)}`);
  for (const c of ex.changed) {
    out.push(`  ~ ${formatName(c.name)}: ${withSignature(c.a.kind, c.a.signature)} → ${withSignature(c.b.kind, c.b.signature)}`);
  }

  const im = diff.imports;
  out.push(`Imports: ${im.a} → ${im.b} (${im.added.length} new, ${im.missing.length} missing, ${im.changed.length} changed)`);
  for (const i of im.missing) out.push(`  - ${importLine(i)}`);
  for (const i of im.added) out.push(`  + ${importLine(i)}`);
  for (const c of im.changed) out.push(`  ~ ${formatName(c.module)} ${formatName(c.name)}: ${c.a.kind} ${c.a.type} → ${c.b.kind} ${c.b.type}`);

  const ty = diff.types;
  out.push(`Types: ${arrow(ty.count)}, rec groups ${arrow(ty.recGroups)}; ${ty.onlyInA.length} only in ${la}, ${ty.onlyInB.length} only in ${lb}`);
  const listTypes = (sign: string, list: string[]): void => {
    for (const d of list.slice(0, maxTypes)) out.push(`  ${sign} ${d}`);
    if (list.length > maxTypes) out.push(`  ${sign} … ${list.length - maxTypes} more`);
  };
  listTypes('-', ty.onlyInA);
  listTypes('+', ty.onlyInB);

  const changedCounts = COUNT_ORDER.filter((k) => diff.counts[k].delta !== 0);
  out.push(changedCounts.length === 0 ? 'Counts: unchanged' : `Counts: ${changedCounts.map((k) => `${COUNT_LABELS[k]} ${arrow(diff.counts[k])}`).join(', ')}`);
  if (diff.start.a !== diff.start.b) out.push(`Start function: ${diff.start.a ?? 'none'} → ${diff.start.b ?? 'none'}`);

  const fn = diff.functions;
  const paired = PAIRED_BY.reduce((n, by) => n + fn.pairedBy[by], 0);
  out.push(
    `Functions: ${paired} paired (${pairedByText(fn.pairedBy)}); ${fn.changed} changed, ${fn.added} added, ${fn.removed} removed; body bytes ${arrow(fn.bodyBytes)}`,
  );
  const listFunctions = (title: string, labels: string[], total: number): void => {
    if (total === 0) return;
    const more = total > labels.length ? `, … and ${total - labels.length} more` : '';
    out.push(`${title} functions (${total}): ${labels.join(', ')}${more}`);
  };
  listFunctions('Changed', fn.listed.changed, fn.changed);
  listFunctions('Added', fn.listed.added, fn.added);
  listFunctions('Removed', fn.listed.removed, fn.removed);
  if (fn.largest.length > 0) {
    out.push(`Largest body changes (top ${fn.largest.length}):`);
    for (const c of fn.largest) out.push(functionLine(c));
  }

  const bytes = options.bytes;
  if (bytes) {
    out.push(
      bytes.identical
        ? 'Bytes: identical'
        : `Bytes: first difference at offset ${bytes.firstDiffOffset} (0x${(bytes.firstDiffOffset ?? 0).toString(16)}), ${bytes.diffBytes} differing bytes in ${bytes.regionCount} regions, size delta ${signed(bytes.sizeDelta)}`,
    );
  }
  out.push(diff.identical ? `Summary: ${la} and ${lb} are structurally identical` : `Summary: ${diff.differences} structural differences between ${la} and ${lb}`);
  return out.join('\n') + '\n';
}

// ---- JSON ---------------------------------------------------------------------------

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function countJson(c: CountChange): Json {
  return { a: c.a, b: c.b, delta: c.delta };
}

function snake(key: string): string {
  return key.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
}

function exportJson(e: WasmExport): Json {
  return { name: e.name, kind: e.kind, index: e.index, signature: e.signature ?? null };
}

function importJson(i: WasmImport): Json {
  return { module: i.module, name: i.name, kind: i.kind, type: i.type };
}

function functionJson(c: FunctionChange): Json {
  return {
    key: c.key,
    name: c.name ?? null,
    paired_by: c.pairedBy ?? null,
    index_a: c.indexA,
    index_b: c.indexB,
    a: c.a,
    b: c.b,
    delta: c.delta,
    signature_a: c.signatureA ?? null,
    signature_b: c.signatureB ?? null,
  };
}

/** The `--json` shape: snake_case, nulls instead of absent fields, stable key order. */
export function diffToJson(diff: WasmDiff, options: { labels?: DiffLabels; bytes?: ByteComparison } = {}): Json {
  const labels = options.labels ?? { a: 'A', b: 'B' };
  const counts: { [key: string]: Json } = {};
  for (const k of COUNT_ORDER) counts[snake(k)] = countJson(diff.counts[k]);
  const b = options.bytes;
  return {
    identical: diff.identical,
    differences: diff.differences,
    labels: { a: labels.a, b: labels.b },
    size: { a: diff.size.a, b: diff.size.b, delta: diff.size.delta, percent: diff.size.percent, text: formatSizeDelta(diff.size) },
    sections: diff.sections.map((s) => ({ name: s.name, a: s.a, b: s.b, delta: s.delta })),
    exports: {
      a: diff.exports.a,
      b: diff.exports.b,
      missing: diff.exports.missing.map(exportJson),
      added: diff.exports.added.map(exportJson),
      changed: diff.exports.changed.map((c) => ({
        name: c.name,
        a: { kind: c.a.kind, signature: c.a.signature ?? null },
        b: { kind: c.b.kind, signature: c.b.signature ?? null },
      })),
    },
    imports: {
      a: diff.imports.a,
      b: diff.imports.b,
      missing: diff.imports.missing.map(importJson),
      added: diff.imports.added.map(importJson),
      changed: diff.imports.changed.map((c) => ({ module: c.module, name: c.name, a: { kind: c.a.kind, type: c.a.type }, b: { kind: c.b.kind, type: c.b.type } })),
    },
    types: {
      a: diff.types.count.a,
      b: diff.types.count.b,
      delta: diff.types.count.delta,
      rec_groups: countJson(diff.types.recGroups),
      only_in_a: diff.types.onlyInA,
      only_in_b: diff.types.onlyInB,
    },
    counts,
    start: { a: diff.start.a, b: diff.start.b },
    functions: {
      paired_by: { export: diff.functions.pairedBy.export, name: diff.functions.pairedBy.name, index: diff.functions.pairedBy.index },
      changed: diff.functions.changed,
      added: diff.functions.added,
      removed: diff.functions.removed,
      body_bytes: countJson(diff.functions.bodyBytes),
      largest: diff.functions.largest.map(functionJson),
      listed: { changed: diff.functions.listed.changed, added: diff.functions.listed.added, removed: diff.functions.listed.removed },
    },
    comparison: b
      ? {
          identical: b.identical,
          first_diff_offset: b.firstDiffOffset,
          diff_bytes: b.diffBytes,
          size_delta: b.sizeDelta,
          region_count: b.regionCount,
          regions: b.regions.map((r) => ({ start: r.start, length: r.length })),
          regions_truncated: b.regionsTruncated,
        }
      : null,
  };
}
