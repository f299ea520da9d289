// The section reader against hand-assembled modules (expected values worked out by hand),
// builder modules (checked against the builder's own accounting and V8's
// WebAssembly.Module.imports/exports/customSections), malformed input and seeded fuzzing.
// Run on Node 24 (./node_modules/.bin/node): WasmGC + exnref validation needs V8 13+.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { webAssembly } from '../../server/src/wasm/webAssembly';
import { readModule, WasmFormatError, type WasmModuleInfo } from '../../server/src/wasm/wasmReader';
import {
  buildClysmLike,
  buildSyntheticGcModule,
  CLYSM_LIKE_TYPES,
  Code,
  func,
  heap,
  ModuleBuilder,
  ref,
  refHeap,
  struct,
  vt,
  type BuildManifest,
  type ValType,
} from '../support/wasm';
import { repoRoot } from '../support/repo';
import { prng } from '../support/prng';

// V8's WebAssembly (validation and imports/exports/customSections are the independent oracle).
const wasm = webAssembly();

type Bin = Uint8Array<ArrayBuffer>;

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

function bytes(...parts: number[][]): Bin {
  return Uint8Array.from(parts.flat());
}

function assertValid(module: Bin): void {
  if (NO_GC) return;
  try {
    new wasm.Module(module);
  } catch (error) {
    assert.fail(`V8 rejects the test module: ${(error as Error).message}`);
  }
}

/** Asserts that reading throws a WasmFormatError (and nothing else). */
function assertFormatError(input: Uint8Array, offset?: number, message?: RegExp): WasmFormatError {
  try {
    readModule(input);
  } catch (error) {
    assert.ok(error instanceof WasmFormatError, `expected WasmFormatError, got ${String(error)}`);
    if (offset !== undefined) assert.equal(error.offset, offset, error.message);
    if (message) assert.match(error.message, message);
    return error;
  }
  return assert.fail('expected a WasmFormatError');
}

// A module assembled by hand; every number below was counted by hand.
const HAND = bytes(
  HEADER,
  // type section: 23-byte payload, 3 entries
  [0x01, 0x17, 0x03],
  [0x4e, 0x02], //          rec group of 2
  [0x5f, 0x01, 0x6e, 0x01], //   type 0: struct, 1 field, anyref, mutable
  [0x50, 0x00, 0x5e, 0x78, 0x00], // type 1: sub (non-final, no supertypes) array i8, immutable
  [0x60, 0x01, 0x6f, 0x01, 0x6f], //  type 2: func externref -> externref
  [0x4f, 0x01, 0x01, 0x5e, 0x78, 0x00], // type 3: sub final, supertype 1, array i8
  // import section: 7 bytes: "m" "f" func type 2
  [0x02, 0x07, 0x01, 0x01, 0x6d, 0x01, 0x66, 0x00, 0x02],
  // function section: one function of type 2
  [0x03, 0x02, 0x01, 0x02],
  // export section: "f" func 1
  [0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x01],
  // code section: one 4-byte body: no locals, local.get 0, end
  [0x0a, 0x06, 0x01, 0x04, 0x00, 0x20, 0x00, 0x0b],
);

// Node 20's V8 cannot validate WasmGC; there the V8 cross-checks are skipped, loudly.
const NO_GC = wasm.validate(HAND) ? false : `V8 ${process.versions.v8} lacks final WasmGC: run with ./node_modules/.bin/node (Node 24)`;

function checkAgainstManifest(info: WasmModuleInfo, m: BuildManifest): void {
  assert.equal(info.size, m.size);
  assert.deepEqual(
    info.sections.map((s) => ({ id: s.id, name: s.name, offset: s.offset, size: s.size })),
    m.sections.map((s) => ({ id: s.id, name: s.name, offset: s.offset, size: s.size })),
  );
  assert.equal(info.types.length, m.types);
  assert.equal(info.recGroups, m.recGroups);
  assert.equal(info.imports.length, m.imports);
  assert.equal(info.counts.importedFunctions, m.importedFunctions);
  assert.equal(info.counts.functions, m.importedFunctions + m.definedFunctions);
  assert.equal(info.counts.globals, m.importedGlobals + m.definedGlobals);
  assert.equal(info.counts.importedGlobals, m.importedGlobals);
  assert.equal(info.counts.tags, m.importedTags + m.definedTags);
  assert.equal(info.counts.importedTags, m.importedTags);
  assert.equal(info.counts.tables, m.tables);
  assert.equal(info.counts.memories, m.memories);
  assert.equal(info.counts.dataSegments, m.dataSegments);
  assert.deepEqual(
    info.exports.map((e) => ({ name: e.name, kind: e.kind, index: e.index })),
    m.exports,
  );
  assert.deepEqual(
    info.functions.map((f) => f.bodySize),
    m.bodySizes,
  );
  assert.deepEqual(
    info.functions.map((f) => f.name),
    m.functionNames,
  );
  assert.deepEqual(
    info.functions.map((f) => f.index),
    m.bodySizes.map((_, i) => m.importedFunctions + i),
  );
}

/** What V8 itself says the module imports, exports and carries as custom sections. */
function checkAgainstV8(info: WasmModuleInfo, module: Bin): void {
  if (NO_GC) return;
  const compiled = new wasm.Module(module);
  const v8Kind = (k: string): string => (k === 'func' ? 'function' : k);
  assert.deepEqual(
    info.imports.map((i) => ({ module: i.module, name: i.name, kind: v8Kind(i.kind) })),
    wasm.Module.imports(compiled),
  );
  assert.deepEqual(
    info.exports.map((e) => ({ name: e.name, kind: v8Kind(e.kind) })),
    wasm.Module.exports(compiled),
  );
  for (const s of info.sections.filter((x) => x.id === 0)) {
    const sectionName = s.name.slice('custom:'.length);
    const [payload] = wasm.Module.customSections(compiled, sectionName);
    const nameLength = new TextEncoder().encode(sectionName).length;
    // payload = section size minus the encoded name (1-byte length for these short names)
    assert.equal(payload.byteLength, s.size - 1 - nameLength, s.name);
  }
}

describe('readModule: a hand-assembled GC module', () => {
  it('is a valid module (V8 agrees; every V8 cross-check below depends on this)', { skip: NO_GC }, () => assertValid(HAND));

  it('reads sections with offsets and payload sizes', () => {
    const info = readModule(HAND);
    assert.equal(info.size, 61);
    assert.deepEqual(
      info.sections.map((s) => [s.name, s.offset, s.contentOffset, s.size]),
      [
        ['type', 8, 10, 23],
        ['import', 33, 35, 7],
        ['function', 42, 44, 2],
        ['export', 46, 48, 5],
        ['code', 53, 55, 6],
      ],
    );
  });

  it('flattens the rec group and prints struct, array, sub and sub final types', () => {
    const info = readModule(HAND);
    assert.equal(info.recGroups, 3);
    assert.deepEqual(
      info.types.map((t) => t.description),
      ['(struct (field (mut anyref)))', '(sub (array i8))', '(func (param externref) (result externref))', '(sub final 1 (array i8))'],
    );
    assert.deepEqual(
      info.types.map((t) => [t.recGroup, t.inRec, t.final, t.supertypes]),
      [
        [0, true, true, []],
        [0, true, false, []],
        [1, false, true, []],
        [2, false, true, [1]],
      ],
    );
    assert.equal(info.types[2].signature, '(param externref) (result externref)');
  });

  it('reads the import, the defined function and the export with signatures', () => {
    const info = readModule(HAND);
    assert.deepEqual(info.imports, [{ module: 'm', name: 'f', kind: 'func', type: '(param externref) (result externref)', typeIndex: 2 }]);
    assert.deepEqual(info.functions, [{ index: 1, typeIndex: 2, signature: '(param externref) (result externref)', bodySize: 4 }]);
    assert.deepEqual(info.exports, [{ name: 'f', kind: 'func', index: 1, signature: '(param externref) (result externref)' }]);
    assert.equal(info.counts.functions, 2);
    assert.equal(info.counts.importedFunctions, 1);
    assert.deepEqual(info.warnings, []);
  });

  it('reads the empty module', () => {
    const info = readModule(bytes(HEADER));
    assert.equal(info.size, 8);
    assert.deepEqual(info.sections, []);
    assert.equal(info.counts.functions, 0);
  });
});

describe('readModule: value types and heap types', () => {
  const cases: [string, ValType][] = [
    ['externref', vt.externref],
    ['anyref', vt.anyref],
    ['i31ref', vt.i31ref],
    ['exnref', vt.exnref],
    ['funcref', vt.funcref],
    ['eqref', vt.eqref],
    ['structref', vt.structref],
    ['arrayref', vt.arrayref],
    ['nullref', vt.nullref],
    ['nullexternref', vt.nullexternref],
    ['nullfuncref', vt.nullfuncref],
    ['nullexnref', vt.nullexnref],
    ['(ref any)', refHeap(heap.any, false)],
    ['(ref null extern)', refHeap(heap.extern, true)],
    ['(ref i31)', refHeap(heap.i31, false)],
    ['(ref null exn)', refHeap(heap.exn, true)],
    ['(ref 0)', ref(0, false)],
    ['(ref null 0)', ref(0, true)],
    ['i64', vt.i64],
    ['f32', vt.f32],
    ['f64', vt.f64],
  ];
  const b = new ModuleBuilder();
  b.type(struct({ type: vt.i32 }));
  b.type(func(cases.map(([, t]) => t), []));
  b.type(struct({ type: vt.i8, mutable: true }, { type: vt.i16 }, { type: vt.exnref, mutable: true }));
  const built = b.build();

  it('the module validates', () => assertValid(built.bytes));

  it('prints every abstract shorthand and long form', () => {
    const info = readModule(built.bytes);
    assert.equal(info.types[1].description, `(func (param ${cases.map(([text]) => text).join(' ')}))`);
    assert.equal(info.types[2].description, '(struct (field (mut i8)) (field i16) (field (mut exnref)))');
  });

  it('reads type indices that need a multi-byte signed LEB (64 and up)', () => {
    const m = new ModuleBuilder();
    for (let i = 0; i < 200; i++) m.type(struct({ type: vt.i32 }, { type: ref(Math.max(0, i - 1)) }));
    m.type(func([ref(63), ref(64), ref(199, false)], [ref(128)]));
    const bin = m.build().bytes;
    assertValid(bin);
    // ref(64) must be 0x63 0xc0 0x00: 64 has bit 6 set, so one byte would read as negative.
    assert.deepEqual(ref(64), [0x63, 0xc0, 0x00]);
    const info = readModule(bin);
    assert.equal(info.types.length, 201);
    assert.equal(info.types[65].description, '(struct (field i32) (field (ref null 64)))');
    assert.equal(info.types[200].description, '(func (param (ref null 63) (ref null 64) (ref 199)) (result (ref null 128)))');
  });

  it('prints a shared heap type (shared-everything-threads) without failing', () => {
    const info = readModule(bytes(HEADER, [0x01, 0x07], [0x01, 0x60, 0x01, 0x63, 0x65, 0x6e, 0x00]));
    assert.equal(info.types[0].description, '(func (param (ref null (shared any))))');
  });
});

describe('readModule: a Clysm-like module from the builder', () => {
  const built = buildClysmLike();
  const info = readModule(built.bytes);

  it('validates in V8', () => assertValid(built.bytes));

  it('matches the builder’s own accounting', () => checkAgainstManifest(info, built.manifest));

  it('matches V8’s view of imports, exports and custom sections', () => checkAgainstV8(info, built.bytes));

  it('prints every import kind (func, table, memory, global, tag)', () => {
    assert.deepEqual(
      info.imports.map((i) => [i.kind, i.module, i.name, i.type]),
      [
        ['func', 'clysm.fs', 'read-source', '(param externref) (result externref)'],
        ['func', 'clysm.compile', 'report-form-result', '(param externref)'],
        ['global', 'clysm.env', 'debug', 'i32'],
        ['memory', 'clysm.env', 'memory', '1'],
        ['table', 'clysm.env', 'table', '1 10 funcref'],
        ['tag', 'clysm.env', 'error', '(param externref)'],
      ],
    );
  });

  it('gives export signatures for funcs and tags', () => {
    assert.deepEqual(
      info.exports.map((e) => [e.name, e.kind, e.signature]),
      [
        ['compile_form', 'func', '(param externref) (result externref)'],
        ['compile_all', 'func', '(result externref)'],
        ['_initialize', 'func', '(result externref)'],
        ['counter', 'global', undefined],
        ['error', 'tag', '(param externref)'],
      ],
    );
  });

  it('prints the GC types of the rec group', () => {
    assert.deepEqual(
      info.types.slice(0, 4).map((t) => t.description),
      [
        '(struct (field (mut anyref)) (field (mut anyref)))',
        '(array (mut i8))',
        '(sub (struct (field i32)))',
        `(sub final ${CLYSM_LIKE_TYPES.base} (struct (field i32) (field (ref null ${CLYSM_LIKE_TYPES.cons}))))`,
      ],
    );
  });

  it('names defined functions from the name section (offset past the imported ones)', () => {
    assert.deepEqual(
      info.functions.map((f) => f.name),
      ['compile_form', 'compile_all', '_initialize', 'tail'],
    );
    assert.equal(info.dataCount, 1);
  });

  it('leaves functions unnamed without a name section', () => {
    const plain = buildClysmLike({ names: false });
    const r = readModule(plain.bytes);
    checkAgainstManifest(r, plain.manifest);
    assert.equal(r.sections.some((s) => s.name === 'custom:name'), false);
    assert.ok(r.functions.every((f) => !('name' in f)));
  });
});

describe('readModule: the synthetic GC module (try_table, struct.new, ref.test, return_call)', () => {
  const built = buildSyntheticGcModule({ functions: 300, exports: 40, rounds: 4, padding: 3 });

  it('validates in V8', () => assertValid(built.bytes));

  it('matches the builder’s own accounting and V8', () => {
    const info = readModule(built.bytes);
    checkAgainstManifest(info, built.manifest);
    checkAgainstV8(info, built.bytes);
  });
});

describe('readModule: a module from a real toolchain', () => {
  // Emscripten output shipped in a devDependency: not built by this project's builder.
  const onig = path.join(repoRoot, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm');
  const missing = fs.existsSync(onig) ? false : 'vscode-oniguruma is not installed';

  it('reads vscode-oniguruma’s onig.wasm the way V8 does', { skip: missing }, () => {
    const module = new Uint8Array(fs.readFileSync(onig));
    const info = readModule(module);
    checkAgainstV8(info, module);
    assert.equal(info.size, module.length);
    assert.ok(info.functions.length > 100 && info.functions.every((f) => f.bodySize > 0));
    const code = info.sections.find((s) => s.name === 'code');
    assert.ok(code);
    // Every body plus its size prefix fills the code section.
    const leb = (n: number): number => (n < 2 ** 7 ? 1 : n < 2 ** 14 ? 2 : n < 2 ** 21 ? 3 : n < 2 ** 28 ? 4 : 5);
    const total = leb(info.functions.length) + info.functions.reduce((n, f) => n + leb(f.bodySize) + f.bodySize, 0);
    assert.equal(total, code.size);
  });
});

describe('readModule: code bodies are skipped, never decoded', () => {
  it('accepts bodies made of opcodes nobody knows', () => {
    const b = new ModuleBuilder();
    const t = b.type(func([], []));
    b.func('future', t, new Code().raw(0xff, 0xfe, 0xfd, 0x1f, 0x40, 0x05));
    const built = b.build();
    if (!NO_GC) assert.equal(wasm.validate(built.bytes), false);
    const info = readModule(built.bytes);
    assert.deepEqual(
      info.functions.map((f) => [f.name, f.bodySize]),
      [['future', 8]], // locals vector (1) + 6 bytes + end (1)
    );
  });
});

describe('readModule: other encodings', () => {
  it('reads both compact import encodings (0x7F and 0x7E)', () => {
    const section = [
      0x02, // entries
      // "a" "" 0x7F [ "b" func 0, "c" global i32 const ]
      0x01, 0x61, 0x00, 0x7f, 0x02, 0x01, 0x62, 0x00, 0x00, 0x01, 0x63, 0x03, 0x7f, 0x00,
      // "d" "" 0x7E func 0 [ "x", "y" ]
      0x01, 0x64, 0x00, 0x7e, 0x00, 0x00, 0x02, 0x01, 0x78, 0x01, 0x79,
    ];
    const module = bytes(HEADER, [0x01, 0x04, 0x01, 0x60, 0x00, 0x00], [0x02, section.length], section);
    const info = readModule(module);
    assert.deepEqual(
      info.imports.map((i) => [i.module, i.name, i.kind, i.type]),
      [
        ['a', 'b', 'func', ''],
        ['a', 'c', 'global', 'i32'],
        ['d', 'x', 'func', ''],
        ['d', 'y', 'func', ''],
      ],
    );
    assert.equal(info.counts.importedFunctions, 3);
  });

  it('keeps a leading U+FEFF in a name (it is not a byte-order mark there)', () => {
    const module = bytes(HEADER, [0x07, 0x07, 0x01, 0x03, 0xef, 0xbb, 0xbf, 0x02, 0x00]);
    assert.deepEqual(readModule(module).exports, [{ name: '\ufeff', kind: 'memory', index: 0 }]);
  });

  it('reads memory64, shared memory limits and a start section', () => {
    const imports = [0x02, 0x01, 0x6d, 0x01, 0x61, 0x02, 0x05, 0x01, 0x02, 0x01, 0x6d, 0x01, 0x62, 0x02, 0x03, 0x01, 0x04];
    const module = bytes(
      HEADER,
      [0x01, 0x04, 0x01, 0x60, 0x00, 0x00],
      [0x02, imports.length],
      imports,
      [0x03, 0x02, 0x01, 0x00],
      [0x08, 0x01, 0x00],
      [0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b],
    );
    const info = readModule(module);
    assert.deepEqual(
      info.imports.map((i) => i.type),
      ['i64 1 2', '1 4 shared'],
    );
    assert.equal(info.start, 0);
    assert.equal(info.counts.memories, 2);
  });

  it('names custom sections custom:NAME, anywhere, and skips unknown section ids with a warning', () => {
    const module = bytes(HEADER, [0x00, 0x04, 0x02, 0x68, 0x69, 0x21], [0x0e, 0x02, 0xaa, 0xbb], [0x00, 0x02, 0x00, 0x00]);
    const info = readModule(module);
    assert.deepEqual(
      info.sections.map((s) => [s.name, s.size]),
      [
        ['custom:hi', 4],
        ['unknown:14', 2],
        ['custom:', 2],
      ],
    );
    assert.equal(info.warnings.length, 1);
    assert.match(info.warnings[0], /unknown section id 14/);
  });

  it('reads the module name and survives a malformed name section with a warning', () => {
    const b = new ModuleBuilder();
    b.moduleName = 'clysm-stage1';
    const t = b.type(func([], []));
    b.func('f', t, new Code());
    const good = b.build();
    assertValid(good.bytes);
    assert.equal(readModule(good.bytes).moduleName, 'clysm-stage1');

    // A name section whose function-name subsection claims 5 entries but holds one.
    const nameSection = [0x04, 0x6e, 0x61, 0x6d, 0x65, 0x01, 0x04, 0x05, 0x00, 0x01, 0x67];
    const bad = bytes(HEADER, [0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b], [0x00, nameSection.length], nameSection);
    if (!NO_GC) assert.equal(wasm.validate(bad), true); // engines ignore a broken name section too
    const info = readModule(bad);
    assert.equal(info.functions[0].name, 'g'); // names read before the damage are kept
    assert.equal(info.warnings.length, 1);
    assert.match(info.warnings[0], /name section/);
  });
});

describe('readModule: malformed input throws WasmFormatError with an offset', () => {
  it('rejects empty input and a bad magic number at offset 0', () => {
    assertFormatError(new Uint8Array(0), 0, /magic/);
    assertFormatError(bytes([0x00, 0x61, 0x73, 0x6e, 0x01, 0, 0, 0]), 0, /magic/);
    assertFormatError(bytes([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]), 0, /magic/);
  });

  it('rejects a bad version at offset 4, including a component', () => {
    assertFormatError(bytes([0x00, 0x61, 0x73, 0x6d, 0x02, 0, 0, 0]), 4, /version 2/);
    assertFormatError(bytes([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]), 4, /version/);
    assertFormatError(bytes([0x00, 0x61, 0x73, 0x6d, 0x01]), 5, /truncated header/);
  });

  it('rejects LEB128 overflow where the integer starts', () => {
    // section size with a 5th byte using more than 4 bits
    assertFormatError(bytes(HEADER, [0x01, 0x80, 0x80, 0x80, 0x80, 0x10]), 9, /too large/);
    // section size that never ends (continuation bit on the 5th byte)
    assertFormatError(bytes(HEADER, [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00]), 9, /too large|too long/);
    // a type index LEB overflow inside the function section
    assertFormatError(bytes(HEADER, [0x03, 0x06, 0x01, 0x80, 0x80, 0x80, 0x80, 0x70]), 11, /too large/);
    // an s33 heap type that overflows 33 bits
    assertFormatError(bytes(HEADER, [0x01, 0x0a, 0x01, 0x60, 0x01, 0x63, 0x80, 0x80, 0x80, 0x80, 0x20, 0x00]), 14, /s33/);
  });

  it('rejects a section size past the end, at the section’s offset', () => {
    assertFormatError(bytes(HEADER, [0x01, 0x05, 0x01, 0x60]), 8, /declares 5 bytes but only 2 remain/);
    const info = readModule(HAND);
    const code = info.sections[4];
    const grown = HAND.slice();
    grown[code.offset + 1] = 0x7f;
    assertFormatError(grown, code.offset, /declares 127 bytes/);
  });

  it('rejects a body size past the end of the code section', () => {
    assertFormatError(bytes(HEADER, [0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00], [0x0a, 0x04, 0x01, 0x09, 0x00, 0x0b]), 22, /runs past the end/);
  });

  it('rejects content that does not fill its declared section size', () => {
    assertFormatError(bytes(HEADER, [0x01, 0x05, 0x01, 0x60, 0x00, 0x00, 0x00]), 14, /declares 5 bytes/);
  });

  it('rejects duplicate and out-of-order sections, and function/code count mismatches', () => {
    const type = [0x01, 0x04, 0x01, 0x60, 0x00, 0x00];
    assertFormatError(bytes(HEADER, type, type), 14, /duplicate type/);
    assertFormatError(bytes(HEADER, [0x03, 0x02, 0x01, 0x00], type), 12, /out of order/);
    assertFormatError(bytes(HEADER, type, [0x03, 0x02, 0x01, 0x00]), 14, /no code section/);
    assertFormatError(bytes(HEADER, type, [0x03, 0x02, 0x01, 0x00], [0x0a, 0x01, 0x00]), 18, /0 bodies/);
  });

  it('rejects unknown value types, composite types, kinds and bad UTF-8 names', () => {
    assertFormatError(bytes(HEADER, [0x01, 0x05, 0x01, 0x60, 0x01, 0x40, 0x00]), 13, /unknown value type 0x40/);
    assertFormatError(bytes(HEADER, [0x01, 0x02, 0x01, 0x5a]), 11, /composite type 0x5a/);
    assertFormatError(bytes(HEADER, [0x01, 0x05, 0x01, 0x60, 0x01, 0x63, 0x45]), 14, /heap type 0x45/);
    assertFormatError(bytes(HEADER, [0x07, 0x05, 0x01, 0x01, 0x61, 0x09, 0x00]), 13, /external kind 0x9/);
    assertFormatError(bytes(HEADER, [0x07, 0x05, 0x01, 0x01, 0xff, 0x00, 0x00]), 12, /UTF-8/);
    assertFormatError(bytes(HEADER, [0x01, 0x05, 0x01, 0x5f, 0x01, 0x7f, 0x02]), 14, /mutability/);
  });

  it('throws at every truncation of a valid module except at section boundaries', () => {
    const built = buildClysmLike();
    const boundaries = new Set([8, ...built.manifest.sections.map((s) => s.offset)]);
    for (let length = 0; length < built.bytes.length; length++) {
      const prefix = built.bytes.subarray(0, length);
      if (!boundaries.has(length)) {
        assertFormatError(prefix);
        continue;
      }
      // A prefix ending at a section boundary is a well-formed module, unless it declares
      // functions whose code section was cut off.
      try {
        readModule(prefix);
      } catch (error) {
        assert.ok(error instanceof WasmFormatError);
        assert.match(error.message, /no code section/, `length ${length}`);
      }
    }
    assert.equal(readModule(built.bytes).size, built.bytes.length);
  });
});


function mutate(input: Bin, rand: () => number): Bin {
  const int = (n: number): number => Math.floor(rand() * n);
  const out = Array.from(input);
  const edits = 1 + int(4);
  for (let e = 0; e < edits; e++) {
    const at = int(out.length + 1);
    switch (int(6)) {
      case 0:
        if (at < out.length) out[at] ^= 1 << int(8);
        break;
      case 1:
        if (at < out.length) out[at] = int(256);
        break;
      case 2:
        out.splice(at, 0, ...Array.from({ length: 1 + int(8) }, () => int(256)));
        break;
      case 3:
        out.splice(at, 1 + int(8));
        break;
      case 4:
        out.length = Math.max(0, at);
        break;
      default:
        // interesting values: LEB continuation bytes and type-code-ish bytes
        if (at < out.length) out[at] = [0x80, 0xff, 0x7f, 0x00, 0x4e, 0x50, 0x63, 0x64, 0x6e][int(9)];
    }
  }
  return Uint8Array.from(out);
}

describe('readModule: seeded fuzzing', () => {
  const seeds = [buildClysmLike().bytes, buildSyntheticGcModule({ functions: 20, exports: 5 }).bytes, HAND];

  it('only ever returns or throws WasmFormatError, and reads whatever V8 accepts', { timeout: 60_000 }, () => {
    const rand = prng(0xc1_95_0b);
    let thrown = 0;
    let accepted = 0;
    let validByV8 = 0;
    for (let i = 0; i < 6000; i++) {
      const input = mutate(seeds[i % seeds.length], rand);
      let info: WasmModuleInfo | null = null;
      try {
        info = readModule(input);
      } catch (error) {
        if (!(error instanceof WasmFormatError)) assert.fail(`case ${i}: ${String(error)}`);
        assert.ok(Number.isInteger(error.offset) && error.offset >= 0 && error.offset <= input.length, `case ${i}: offset ${error.offset}`);
        thrown++;
      }
      if (info) {
        accepted++;
        assert.equal(info.size, input.length);
        assert.ok(info.functions.every((f) => Number.isInteger(f.bodySize)));
      }
      if (wasm.validate(input)) {
        validByV8++;
        assert.ok(info, `case ${i}: V8 accepts a module the reader rejects`);
      }
    }
    // Both outcomes and the V8 cross-check must really have been exercised.
    assert.ok(thrown > 1000 && accepted > 50 && (NO_GC !== false || validByV8 > 20), `thrown ${thrown}, accepted ${accepted}, valid ${validByV8}`);
  });
});
