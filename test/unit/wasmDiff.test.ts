// The structural diff, the byte comparison and their text/JSON forms, on module pairs with
// known differences. Expected numbers come from hand counting or from the builder's own
// accounting (manifest), never from running readModule on both sides.
// Run on Node 24 (./node_modules/.bin/node) so the GC modules validate.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { webAssembly } from '../../server/src/wasm/webAssembly';
import { diffSummaryText, diffToJson, formatName, formatSizeDelta, moduleSummaryText } from '../../server/src/wasm/diffText';
import { compareBytes, diffModules, type WasmDiff } from '../../server/src/wasm/wasmDiff';
import { readModule } from '../../server/src/wasm/wasmReader';
import { buildClysmLike, buildStartBeforeCompileForm, Code, func, ModuleBuilder, type BuildManifest, type BuiltModule, type ClysmLikeOptions } from '../support/wasm';

// V8's WebAssembly (validation and imports/exports/customSections are the independent oracle).
const wasm = webAssembly();

// Node 20's V8 cannot validate WasmGC; there the validity checks are skipped.
const GC = wasm.validate(buildClysmLike().bytes);

function sectionSize(m: BuildManifest, name: string): number {
  const s = m.sections.find((x) => x.name === name);
  assert.ok(s, `builder emitted no ${name} section`);
  return s.size;
}

function pair(optionsB: ClysmLikeOptions, optionsA: ClysmLikeOptions = {}): { a: BuiltModule; b: BuiltModule; diff: WasmDiff } {
  const a = buildClysmLike(optionsA);
  const b = buildClysmLike(optionsB);
  if (GC) for (const m of [a, b]) assert.equal(wasm.validate(m.bytes), true, 'test module must be valid');
  return { a, b, diff: diffModules(readModule(a.bytes), readModule(b.bytes)) };
}

function changedSections(diff: WasmDiff): [string, number][] {
  return diff.sections.filter((s) => s.delta !== 0 || s.a === null || s.b === null).map((s) => [s.name, s.delta]);
}

/** One `() -> ()` function per entry, with `nops` nops and an optional name. */
function functionsModule(bodies: { name?: string; nops: number }[]): BuiltModule {
  const b = new ModuleBuilder();
  const t = b.type(func([], []));
  for (const f of bodies) {
    const code = new Code();
    for (let i = 0; i < f.nops; i++) code.nop();
    b.func(f.name, t, code);
  }
  const built = b.build();
  if (GC) assert.equal(wasm.validate(built.bytes), true);
  return built;
}

describe('diffModules: known differences', () => {
  it('finds nothing between two builds of the same module', () => {
    const { a, b, diff } = pair({});
    assert.equal(diff.identical, true);
    assert.equal(diff.differences, 0);
    assert.deepEqual(changedSections(diff), []);
    // compile_form, compile_all and _initialize are exported; `tail` is only named.
    assert.deepEqual(diff.functions.pairedBy, { export: 3, name: 1, index: 0 });
    assert.deepEqual(diff.functions.largest, []);
    assert.deepEqual(compareBytes(a.bytes, b.bytes), {
      identical: true,
      firstDiffOffset: null,
      diffBytes: 0,
      sizeDelta: 0,
      regions: [],
      regionCount: 0,
      regionsTruncated: false,
    });
  });

  it('an export removed: missing export, export section and size shrink by 14 bytes', () => {
    const { a, b, diff } = pair({ omitExport: 'compile_all' });
    // "compile_all" = 11 bytes + its length byte + kind byte + index byte = 14 (counted by hand)
    assert.equal(sectionSize(b.manifest, 'export') - sectionSize(a.manifest, 'export'), -14);
    assert.equal(b.bytes.length - a.bytes.length, -14);
    assert.deepEqual(diff.exports.missing, [{ name: 'compile_all', kind: 'func', index: 3, signature: '(result externref)' }]);
    assert.deepEqual(diff.exports.added, []);
    assert.deepEqual(diff.exports.changed, []);
    assert.deepEqual([diff.exports.a, diff.exports.b], [5, 4]);
    assert.deepEqual(changedSections(diff), [['export', -14]]);
    assert.deepEqual(diff.size, { a: a.bytes.length, b: a.bytes.length - 14, delta: -14, percent: (-14 / a.bytes.length) * 100 });
    assert.deepEqual(diff.counts.exports, { a: 5, b: 4, delta: -1 });
    assert.equal(diff.identical, false);
    assert.equal(diff.differences, 4); // size, export section, the missing export, the export count
  });

  it('an export added is reported as new (the reverse pair)', () => {
    const { diff } = pair({}, { omitExport: 'compile_all' });
    assert.deepEqual(
      diff.exports.added.map((e) => e.name),
      ['compile_all'],
    );
    assert.deepEqual(diff.exports.missing, []);
  });

  it('a type added: +1 type, +1 rec group, the type section grows by 4 bytes', () => {
    const { a, b, diff } = pair({ extraType: true });
    // (struct (field (mut i31ref))) = 0x5f 0x01 0x6c 0x01 : 4 bytes; the entry count stays one byte
    assert.equal(sectionSize(b.manifest, 'type') - sectionSize(a.manifest, 'type'), 4);
    assert.deepEqual(diff.types.count, { a: a.manifest.types, b: a.manifest.types + 1, delta: 1 });
    assert.deepEqual(diff.types.recGroups, { a: a.manifest.recGroups, b: a.manifest.recGroups + 1, delta: 1 });
    assert.deepEqual(diff.types.onlyInB, ['(struct (field (mut i31ref)))']);
    assert.deepEqual(diff.types.onlyInA, []);
    assert.deepEqual(changedSections(diff), [['type', 4]]);
    assert.equal(diff.size.delta, 4);
    assert.equal(diff.differences, 5); // size, type section, type count, rec groups, one new description
  });

  it('a function body grown by exactly 37 bytes', () => {
    const N = 37;
    const { a, b, diff } = pair({ growCompileFormBy: N });
    assert.equal(b.manifest.bodySizes[0] - a.manifest.bodySizes[0], N);
    assert.deepEqual(diff.functions.largest, [
      { key: 'compile_form', name: 'compile_form', pairedBy: 'export', indexA: 2, indexB: 2, a: a.manifest.bodySizes[0], b: a.manifest.bodySizes[0] + N, delta: N },
    ]);
    assert.equal(diff.functions.changed, 1);
    assert.deepEqual(diff.functions.bodyBytes.delta, N);
    // Body and section sizes stay under 128, so no LEB grows: the code section grows by N exactly.
    assert.ok(b.manifest.bodySizes[0] < 128 && sectionSize(b.manifest, 'code') < 128);
    assert.deepEqual(changedSections(diff), [['code', N]]);
    assert.equal(diff.size.delta, N);
    assert.equal(diff.differences, 3);
  });

  it('a body grown by 300 bytes: two size fields gain a LEB byte', () => {
    const { a, b, diff } = pair({ growCompileFormBy: 300 });
    assert.equal(diff.functions.largest[0].delta, 300);
    // body size 35+300 needs a 2-byte LEB (+1), and so does the code section size (+1)
    assert.equal(sectionSize(b.manifest, 'code') - sectionSize(a.manifest, 'code'), 301);
    assert.deepEqual(changedSections(diff), [['code', 301]]);
    assert.equal(diff.size.delta, 302);
    assert.equal(b.bytes.length - a.bytes.length, 302);
  });

  it('a custom section grown by 100 bytes', () => {
    const { a, b, diff } = pair({ customPayload: 116 });
    assert.equal(sectionSize(b.manifest, 'custom:producers.test') - sectionSize(a.manifest, 'custom:producers.test'), 100);
    assert.deepEqual(changedSections(diff), [['custom:producers.test', 100]]);
    assert.equal(diff.size.delta, 101); // the section size now needs a 2-byte LEB (31 -> 131)
    assert.equal(diff.differences, 2);
    assert.equal(diff.functions.changed, 0);
  });

  it('a changed export signature: same bytes count, one byte differs', () => {
    const { a, b, diff } = pair({ changeCompileFormSignature: true });
    assert.equal(diff.size.delta, 0);
    assert.deepEqual(changedSections(diff), []);
    assert.deepEqual(diff.exports.changed, [
      {
        name: 'compile_form',
        a: { kind: 'func', signature: '(param externref) (result externref)' },
        b: { kind: 'func', signature: '(param externref i32) (result externref)' },
      },
    ]);
    assert.deepEqual(diff.functions.largest, [
      {
        key: 'compile_form',
        name: 'compile_form',
        pairedBy: 'export',
        indexA: 2,
        indexB: 2,
        a: a.manifest.bodySizes[0],
        b: a.manifest.bodySizes[0],
        delta: 0,
        signatureA: '(param externref) (result externref)',
        signatureB: '(param externref i32) (result externref)',
      },
    ]);
    assert.equal(diff.differences, 2);
    // Only the first type index of the function section differs: id, size, count, then it.
    const fnSection = a.manifest.sections.find((s) => s.name === 'function');
    assert.ok(fnSection);
    const bytes = compareBytes(a.bytes, b.bytes);
    assert.deepEqual([bytes.firstDiffOffset, bytes.diffBytes, bytes.regions], [fnSection.offset + 3, 1, [{ start: fnSection.offset + 3, length: 1 }]]);
  });

  it('without a name section exported functions pair by export name, the others by index', () => {
    const { a, diff } = pair({ names: false });
    assert.deepEqual(diff.functions.pairedBy, { export: 3, name: 0, index: 1 });
    assert.deepEqual(changedSections(diff), [['custom:name', -sectionSize(a.manifest, 'custom:name')]]);
    assert.deepEqual(
      diff.sections.find((s) => s.name === 'custom:name'),
      { name: 'custom:name', a: sectionSize(a.manifest, 'custom:name'), b: null, delta: -sectionSize(a.manifest, 'custom:name') },
    );
  });

  it('a removed named function is matched out by name, not shifted', () => {
    const a = functionsModule([{ name: 'f1', nops: 1 }, { name: 'f2', nops: 20 }, { name: 'f3', nops: 3 }]);
    const b = functionsModule([{ name: 'f1', nops: 1 }, { name: 'f3', nops: 3 }]);
    const diff = diffModules(readModule(a.bytes), readModule(b.bytes));
    assert.deepEqual([diff.functions.pairedBy.name, diff.functions.removed, diff.functions.added, diff.functions.changed], [2, 1, 0, 0]);
    assert.deepEqual(diff.functions.largest, [
      { key: '$f2', name: 'f2', indexA: 1, indexB: null, a: a.manifest.bodySizes[1], b: null, delta: -a.manifest.bodySizes[1], signatureA: '' },
    ]);
    assert.equal(a.manifest.bodySizes[1], 22); // locals vector + 20 nops + end
  });

  it('unnamed functions are matched by position; the extra one is removed', () => {
    const a = functionsModule([{ nops: 1 }, { nops: 20 }, { nops: 3 }]);
    const b = functionsModule([{ nops: 1 }, { nops: 3 }]);
    const diff = diffModules(readModule(a.bytes), readModule(b.bytes));
    assert.deepEqual([diff.functions.pairedBy.index, diff.functions.changed, diff.functions.removed], [2, 1, 1]);
    assert.deepEqual(
      diff.functions.largest.map((c) => [c.key, c.delta]),
      [
        ['#1', -17],
        ['#2', -5],
      ],
    );
  });

  it('a function inserted at the front does not unpair the functions after it', () => {
    const a = functionsModule([1, 2, 3, 4, 5].map((n) => ({ name: `f${n}`, nops: n })));
    const b = functionsModule([{ name: 'new', nops: 9 }, ...[1, 2, 3, 4, 5].map((n) => ({ name: `f${n}`, nops: n }))]);
    const diff = diffModules(readModule(a.bytes), readModule(b.bytes));
    assert.deepEqual([diff.functions.pairedBy.name, diff.functions.added, diff.functions.removed, diff.functions.changed], [5, 1, 0, 0]);
    assert.deepEqual(diff.functions.largest, [{ key: '$new', name: 'new', indexA: null, indexB: 0, a: null, b: 11, delta: 11, signatureB: '' }]);
  });

  it('reordered and far-moved functions are still paired by name', () => {
    const names = Array.from({ length: 30 }, (_, n) => `g${n}`);
    const a = functionsModule(names.map((name, n) => ({ name, nops: n })));
    // swap the first two, move g5 to the very end (beyond any lookahead), grow g29 by 4
    const order = ['g1', 'g0', ...names.slice(2).filter((n) => n !== 'g5'), 'g5'];
    const b = functionsModule(order.map((name) => ({ name, nops: Number(name.slice(1)) + (name === 'g29' ? 4 : 0) })));
    const diff = diffModules(readModule(a.bytes), readModule(b.bytes));
    assert.deepEqual([diff.functions.pairedBy.name, diff.functions.added, diff.functions.removed, diff.functions.changed], [30, 0, 0, 1]);
    assert.deepEqual(
      diff.functions.largest.map((c) => [c.key, c.indexA, c.indexB, c.delta]),
      [['$g29', 29, 28, 4]],
    );
  });

  it('repeated names are paired in order', () => {
    const a = functionsModule([{ name: 'x', nops: 1 }, { name: 'x', nops: 5 }]);
    const b = functionsModule([{ name: 'x', nops: 1 }, { name: 'x', nops: 6 }]);
    const diff = diffModules(readModule(a.bytes), readModule(b.bytes));
    assert.deepEqual(
      diff.functions.largest.map((c) => [c.key, c.indexA, c.indexB, c.delta]),
      [['$x', 1, 1, 1]],
    );
  });

  it('pairs compile_form by export name although Stage 1 puts _start before it', () => {
    const { stage0, stage1 } = buildStartBeforeCompileForm();
    const diff = diffModules(readModule(stage0.bytes), readModule(stage1.bytes));
    assert.deepEqual(diff.functions.pairedBy, { export: 1, name: 0, index: 0 });
    assert.deepEqual([diff.functions.changed, diff.functions.added, diff.functions.removed], [1, 1, 0]);
    assert.deepEqual(diff.functions.listed, { changed: ['compile_form'], added: ['_start'], removed: [] });
    assert.deepEqual(diff.functions.largest, [
      { key: '_start', indexA: null, indexB: 0, a: null, b: 4, delta: 4, signatureB: '(result i32)' },
      { key: 'compile_form', pairedBy: 'export', indexA: 0, indexB: 1, a: 4, b: 7, delta: 3 },
    ]);
    const lines = diffSummaryText(diff, { labels: { a: 'Stage 0', b: 'Stage 1' } }).split('\n');
    for (const expected of [
      'Functions: 1 paired (1 by export name, 0 by name section, 0 by index); 1 changed, 1 added, 0 removed; body bytes 4 → 11 (+7)',
      'Changed functions (1): compile_form',
      'Added functions (1): _start',
      '       +3  compile_form  4 → 7 bytes  (func 0 → 1, by export name)',
    ]) {
      assert.ok(lines.includes(expected), `missing line: ${expected}\n${lines.join('\n')}`);
    }
    assert.ok(!lines.some((l) => l.startsWith('Removed functions')));
    const json = diffToJson(diff) as { functions: Record<string, unknown> };
    assert.deepEqual(json.functions.paired_by, { export: 1, name: 0, index: 0 });
    assert.deepEqual(json.functions.listed, { changed: ['compile_form'], added: ['_start'], removed: [] });
  });

  it('an unnamed, unexported function pairs by index with one that has a name', () => {
    const a = functionsModule([{ nops: 1 }, { name: 'kept', nops: 2 }]);
    const b = functionsModule([{ name: 'fresh', nops: 4 }, { name: 'kept', nops: 2 }]);
    const diff = diffModules(readModule(a.bytes), readModule(b.bytes));
    assert.deepEqual(diff.functions.pairedBy, { export: 0, name: 1, index: 1 });
    assert.deepEqual(diff.functions.largest.map((c) => [c.key, c.pairedBy, c.delta]), [['#0 ↔ $fresh', 'index', 3]]);
  });

  it('keeps the largest changes first and honours maxFunctionChanges', () => {
    const a = functionsModule([1, 2, 3, 4, 5].map((n) => ({ name: `f${n}`, nops: 0 })));
    const b = functionsModule([1, 2, 3, 4, 5].map((n) => ({ name: `f${n}`, nops: n * 10 })));
    const diff = diffModules(readModule(a.bytes), readModule(b.bytes), { maxFunctionChanges: 2 });
    assert.equal(diff.functions.changed, 5);
    assert.deepEqual(
      diff.functions.largest.map((c) => [c.key, c.delta]),
      [
        ['$f5', 50],
        ['$f4', 40],
      ],
    );
    assert.deepEqual(diff.functions.bodyBytes.delta, 150);
    assert.equal(diff.differences, 1 + 1 + 5); // size, code section, five functions
    const listed = diffModules(readModule(a.bytes), readModule(b.bytes), { maxListedFunctions: 2 });
    assert.deepEqual(listed.functions.listed.changed, ['$f1', '$f2']);
    assert.ok(diffSummaryText(listed).split('\n').includes('Changed functions (5): $f1, $f2, … and 3 more'));
  });
});

describe('compareBytes', () => {
  const u8 = (...xs: number[]): Uint8Array => Uint8Array.from(xs);

  it('reports 0-based offsets and maximal differing runs', () => {
    const r = compareBytes(u8(1, 2, 3, 4, 5), u8(1, 9, 3, 8, 8));
    assert.deepEqual([r.identical, r.firstDiffOffset, r.diffBytes, r.sizeDelta, r.regions], [false, 1, 3, 0, [{ start: 1, length: 1 }, { start: 3, length: 2 }]]);
  });

  it('counts every trailing byte of the longer file (Clysm counts none)', () => {
    const r = compareBytes(u8(1, 2), u8(1, 2, 7, 7, 7));
    assert.deepEqual([r.firstDiffOffset, r.diffBytes, r.sizeDelta, r.regions], [2, 3, 3, [{ start: 2, length: 3 }]]);
    const shorter = compareBytes(u8(1, 2, 3), u8(1, 9));
    assert.deepEqual([shorter.firstDiffOffset, shorter.diffBytes, shorter.sizeDelta, shorter.regions], [1, 2, -1, [{ start: 1, length: 2 }]]);
    const empty = compareBytes(u8(), u8(5));
    assert.deepEqual([empty.firstDiffOffset, empty.diffBytes, empty.regions], [0, 1, [{ start: 0, length: 1 }]]);
  });

  it('closes a run that reaches the end of equal-length files with its true length', () => {
    const r = compareBytes(u8(1, 2, 3, 4), u8(1, 2, 0, 0));
    assert.deepEqual(r.regions, [{ start: 2, length: 2 }]);
  });

  it('caps the region list but keeps the true count', () => {
    const a = new Uint8Array(20);
    const b = Uint8Array.from({ length: 20 }, (_, i) => i % 2);
    const r = compareBytes(a, b, 3);
    assert.deepEqual([r.regions.length, r.regionCount, r.regionsTruncated, r.diffBytes], [3, 10, true, 10]);
  });
});

describe('diffText', () => {
  const built = buildClysmLike();
  const info = readModule(built.bytes);
  const text = moduleSummaryText(info);
  const lines = text.split('\n');

  it('writes one stable line per item', () => {
    const m = built.manifest;
    for (const expected of [
      `module ${m.size} bytes`,
      `section type ${sectionSize(m, 'type')} bytes`,
      `section custom:name ${sectionSize(m, 'custom:name')} bytes`,
      'type 0 rec 0 (struct (field (mut anyref)) (field (mut anyref)))',
      'type 4 (func (param externref) (result externref))',
      'import func clysm.fs read-source (param externref) (result externref)',
      'import tag clysm.env error (param externref)',
      'import table clysm.env table 1 10 funcref',
      'export func compile_form (param externref) (result externref)',
      'export global counter',
      'count functions 6',
      'count imported-tags 1',
      `func 2 $compile_form ${m.bodySizes[0]} bytes (param externref) (result externref)`,
      `func 3 $compile_all ${m.bodySizes[1]} bytes (result externref)`,
    ]) {
      assert.ok(lines.includes(expected), `missing line: ${expected}\n${text}`);
    }
    assert.equal(moduleSummaryText(readModule(buildClysmLike().bytes)), text);
    assert.ok(text.endsWith('\n'));
  });

  it('carries no offsets: a grown custom section changes exactly two lines', () => {
    const other = moduleSummaryText(readModule(buildClysmLike({ customPayload: 116 }).bytes)).split('\n');
    assert.equal(other.length, lines.length);
    const differing = lines.filter((line, i) => line !== other[i]);
    assert.deepEqual(
      differing.map((l) => l.split(' ').slice(0, 2).join(' ')),
      ['module ' + built.manifest.size, 'section custom:producers.test'],
    );
  });

  it('quotes names that are not plain tokens', () => {
    assert.equal(formatName('compile_form'), 'compile_form');
    assert.equal(formatName('clysm::compile-form'), 'clysm::compile-form');
    assert.equal(formatName('a b'), '"a b"');
    assert.equal(formatName('line\nbreak'), '"line\\nbreak"');
    assert.equal(formatName(''), '""');
  });

  it('formats size deltas the way Clysm does', () => {
    // Clysm's own example: 275 -> 24513 bytes is "+24238 bytes (+8813.8%)"
    assert.equal(formatSizeDelta({ a: 275, b: 24513, delta: 24238, percent: (24238 / 275) * 100 }), '+24238 bytes (+8813.8%)');
    assert.equal(formatSizeDelta({ a: 24513, b: 17, delta: -24496, percent: (-24496 / 24513) * 100 }), '-24496 bytes (-99.9%)');
    assert.equal(formatSizeDelta({ a: 10, b: 10, delta: 0, percent: 0 }), '0 bytes (identical)');
    assert.equal(formatSizeDelta({ a: 0, b: 8, delta: 8, percent: null }), '+8 bytes');
  });

  it('summarises a diff for people', () => {
    const { a, b, diff } = pair({ omitExport: 'compile_all' });
    const summary = diffSummaryText(diff, { labels: { a: 'Stage 0', b: 'Stage 1' }, bytes: compareBytes(a.bytes, b.bytes) });
    for (const expected of [
      '=== Wasm comparison: Stage 0 → Stage 1 ===',
      `Size: ${a.bytes.length} → ${b.bytes.length} bytes, -14 bytes (${((-14 / a.bytes.length) * 100).toFixed(1)}%)`,
      'Exports: 5 → 4 (0 new, 1 missing, 0 changed)',
      '  - func compile_all (result externref)',
      'Counts: exports 5 → 4 (-1)',
      'Summary: 4 structural differences between Stage 0 and Stage 1',
    ]) {
      assert.ok(summary.split('\n').includes(expected), `missing line: ${expected}\n${summary}`);
    }
    assert.match(summary, /^Bytes: first difference at offset \d+ \(0x[0-9a-f]+\), \d+ differing bytes in \d+ regions, size delta -14$/m);
    const same = pair({});
    assert.match(diffSummaryText(same.diff), /Summary: A and B are structurally identical/);
  });

  it('lists largest function changes and type changes in the summary', () => {
    const grown = pair({ growCompileFormBy: 37, extraType: true });
    const summary = diffSummaryText(grown.diff);
    assert.match(summary, /^ {6}\+37 {2}compile_form {2}\d+ → \d+ bytes {2}\(func 2, by export name\)$/m);
    assert.match(summary, /^ {2}\+ \(struct \(field \(mut i31ref\)\)\)$/m);
  });

  it('gives a snake_case JSON shape with no undefined fields', () => {
    const { a, b, diff } = pair({ growCompileFormBy: 37, omitExport: '_initialize' });
    const json = diffToJson(diff, { labels: { a: 'Stage 0', b: 'Stage 1' }, bytes: compareBytes(a.bytes, b.bytes) });
    assert.deepEqual(JSON.parse(JSON.stringify(json)), json);
    assert.ok(json && typeof json === 'object' && !Array.isArray(json));
    assert.equal(json.identical, false);
    assert.deepEqual(json.labels, { a: 'Stage 0', b: 'Stage 1' });
    const size = json.size as Record<string, unknown>;
    assert.equal(size.delta, b.bytes.length - a.bytes.length);
    assert.equal(size.text, formatSizeDelta(diff.size));
    const counts = json.counts as Record<string, unknown>;
    assert.deepEqual(counts.imported_functions, { a: 2, b: 2, delta: 0 });
    const functions = json.functions as Record<string, unknown>;
    assert.deepEqual((functions.largest as unknown[])[0], {
      key: 'compile_form',
      name: 'compile_form',
      paired_by: 'export',
      index_a: 2,
      index_b: 2,
      a: a.manifest.bodySizes[0],
      b: a.manifest.bodySizes[0] + 37,
      delta: 37,
      signature_a: null,
      signature_b: null,
    });
    const exports = json.exports as Record<string, unknown>;
    assert.deepEqual(exports.missing, [{ name: '_initialize', kind: 'func', index: 4, signature: '(result externref)' }]);
    const comparison = json.comparison as Record<string, unknown>;
    assert.equal(comparison.identical, false);
    assert.equal(comparison.size_delta, b.bytes.length - a.bytes.length);
    assert.equal((diffToJson(diff) as Record<string, unknown>).comparison, null);
  });
});
