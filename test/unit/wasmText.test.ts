// The WAT printer wrapper (server/src/wasm/text/) on modules assembled here: wasm-tools' text
// with each function's instruction lines found, bodies with unbalanced blocks printed in parts,
// and V8's "function #N … @+OFFSET" placed on the line of the instruction at that offset.
// Run on Node 24 (./node_modules/.bin/node): V8's verdicts on GC bodies need V8 13+.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { readModule } from '../../server/src/wasm/wasmReader';
import { readCodeBodies } from '../../server/src/wasm/text/codeBodies';
import { formWat, hasBytes } from '../../server/src/wasm/text/formWat';
import { WatModule } from '../../server/src/wasm/text/printWat';
import { parseV8Failure, v8Failure } from '../../server/src/wasm/text/v8Failure';
import { loadWasmPrinter, type PrintFn } from '../../server/src/wasm/text/wasmToolsLoader';
import { Code, func, ModuleBuilder, vt } from '../support/wasm';

let print: PrintFn;
before(async () => {
  print = await loadWasmPrinter();
});

/** A module with one import, a valid `add` and a function whose body is `build`'s; the byte offset (in the body's code) of a marked instruction. */
function moduleWith(build: (code: Code, mark: () => void) => void, result: 'i32' | 'none' = 'i32'): { bytes: Uint8Array; badIndex: number; markedAt: number } {
  const m = new ModuleBuilder();
  const log = m.type(func([vt.i32], []));
  m.importFunc('env', 'log', log);
  const binary = m.type(func([vt.i32, vt.i32], [vt.i32]));
  m.func('add', binary, new Code([['a', vt.i32], ['b', vt.i32]]).get('a').get('b').i32Add());
  const code = new Code();
  let markedAt = -1;
  build(code, () => (markedAt = code.bytes.length));
  const badIndex = m.func('bad', m.type(func([], result === 'i32' ? [vt.i32] : [])), code);
  return { bytes: m.build().bytes, badIndex, markedAt };
}

function lineText(wat: WatModule, line: number): string {
  return wat.text.split('\n')[line - 1].trim();
}

/** The absolute offset of byte `at` of function `index`'s instructions. */
function absolute(bytes: Uint8Array, index: number, at: number): number {
  return readCodeBodies(bytes, readModule(bytes)).find((b) => b.index === index)!.codeStart + at;
}

describe('WatModule.print', () => {
  it('prints standard WAT and finds each function\'s header and instruction lines', () => {
    const { bytes } = moduleWith((c) => c.i32Const(7).i32Const(35).call(1));
    assert.equal(v8Failure(bytes), undefined);
    const wat = WatModule.print(bytes, print);
    assert.deepEqual(wat.functions.map((f) => f.index), [1, 2]);
    const [add, bad] = wat.functions;
    assert.match(lineText(wat, add.headerLine), /^\(func \$add \(;1;\) \(type \d+\) \(param i32 i32\) \(result i32\)$/);
    assert.deepEqual([add.firstLine, add.lastLine].map((l) => lineText(wat, l)), ['local.get 0', 'i32.add']);
    const lines = wat.text.split('\n').slice(bad.firstLine - 1, bad.lastLine).map((l) => l.trim());
    assert.deepEqual(lines, ['i32.const 7', 'i32.const 35', 'call $add']);
    assert.equal(bad.unreadable, undefined);
  });

  it('prints a body with an orphan `else` in parts, every instruction kept once', () => {
    // if (result i32) … end, then an `else` that belongs to no `if`: wasm-tools refuses the module as a whole.
    const { bytes, badIndex } = moduleWith((c) => c.i32Const(0).raw(0x04, 0x7f).i32Const(1).raw(0x0b, 0x05).i32Const(2).raw(0x0b).drop().i32Const(3));
    assert.throws(() => print(bytes), /`else` found outside `If` block/);
    const wat = WatModule.print(bytes, print);
    const bad = wat.functions.find((f) => f.index === badIndex)!;
    assert.match(bad.unreadable ?? '', /`else` found outside `If` block/);
    assert.equal(bad.parts.length, 2);
    const instructions = wat.text.split('\n').slice(bad.firstLine - 1, bad.lastLine).map((l) => l.trim()).filter((l) => !l.startsWith(';;'));
    assert.deepEqual(instructions.map((l) => l.replace(/ ;;.*$/, '')), ['i32.const 0', 'if (result i32)', 'i32.const 1', 'end', 'else', 'i32.const 2', 'end', 'drop', 'i32.const 3']);
    // The valid function around it is printed whole.
    assert.equal(wat.functions[0].unreadable, undefined);
  });

  it('says clearly when the bytes are not a module', () => {
    assert.throws(() => WatModule.print(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8), print), /not a WebAssembly module/);
  });
});

describe('WatModule.lineOf: V8\'s function index and offset placed on a line', () => {
  it('a type error: the line of the instruction V8 names, in the function V8 names', () => {
    // `ref.is_null` on an i32: V8 names the producer of the ill-typed value (as in Clysm's
    // "local.set[0] expected type anyref, found i31.get_s"), here the `i32.const 1`.
    const { bytes, badIndex, markedAt } = moduleWith((c, mark) => { c.nop(); mark(); c.i32Const(1).refIsNull().drop().i32Const(0); });
    const failure = v8Failure(bytes)!;
    assert.equal(failure.functionIndex, badIndex);
    assert.equal(failure.offset, absolute(bytes, badIndex, markedAt));
    const wat = WatModule.print(bytes, print);
    const line = wat.lineOf(failure.functionIndex!, failure.offset!);
    assert.equal(lineText(wat, line), 'i32.const 1');
    assert.equal(lineText(wat, line + 1), 'ref.is_null');
    const bad = wat.functions.find((f) => f.index === badIndex)!;
    assert.ok(line >= bad.firstLine && line <= bad.lastLine);
  });

  it('an offset inside an instruction (V8 names a bad immediate) gives that instruction\'s line', () => {
    const { bytes, badIndex, markedAt } = moduleWith((c, mark) => { c.i32Const(5).drop(); mark(); c.globalGet(9).drop().i32Const(0); });
    const failure = v8Failure(bytes)!;
    assert.match(failure.message, /global index/i);
    assert.ok(failure.offset! > absolute(bytes, badIndex, markedAt), 'V8 names the immediate, not the opcode');
    const wat = WatModule.print(bytes, print);
    assert.equal(lineText(wat, wat.lineOf(badIndex, failure.offset!)), 'global.get 9');
  });

  it('an error inside a body printed in parts lands on its instruction in the right part', () => {
    // One-armed `if (result i32)` (V8 rejects it), then an orphan `else` (wasm-tools cannot read the body whole).
    const { bytes, badIndex } = moduleWith((c) => c.i32Const(0).raw(0x04, 0x7f).i32Const(1).raw(0x0b, 0x05).i32Const(2).raw(0x0b).drop().i32Const(3));
    const failure = v8Failure(bytes)!;
    assert.equal(failure.functionIndex, badIndex);
    const wat = WatModule.print(bytes, print);
    const line = wat.lineOf(badIndex, failure.offset!);
    const bad = wat.functions.find((f) => f.index === badIndex)!;
    assert.ok(line >= bad.parts[0].firstLine && line <= bad.parts[0].lastLine, `line ${line} in the first part`);
    // V8 names either the `if` or the `end` that closes it; both are in the first part.
    assert.match(lineText(wat, line), /^(if \(result i32\)|end)/);
    // Every instruction of the second part maps to its own line there.
    const elseAt = wat.lineOf(badIndex, bad.parts[1].start);
    assert.equal(lineText(wat, elseAt), 'else');
  });
});

describe('parseV8Failure', () => {
  it('reads the function index, with or without a function name, and the offset', () => {
    assert.deepEqual(parseV8Failure('WebAssembly.Module(): Compiling function #12:"foo" failed: local.set[0] expected type anyref, found i31.get_s of type i32 @+460'), {
      message: 'Compiling function #12:"foo" failed: local.set[0] expected type anyref, found i31.get_s of type i32',
      functionIndex: 12,
      offset: 460,
    });
    assert.deepEqual(parseV8Failure('WebAssembly.Module(): expected magic word 00 61 73 6d, found 01 02 03 04 @+0'), {
      message: 'expected magic word 00 61 73 6d, found 01 02 03 04',
      functionIndex: null,
      offset: 0,
    });
  });
});

describe('formWat: what clysm-check wat --json prints', () => {
  it('rejected bytes: the WAT with V8\'s message, function, offset and line', () => {
    const { bytes, badIndex } = moduleWith((c) => c.nop().i32Const(1).refIsNull().drop().i32Const(0));
    const shown = formWat({ id: '3:4', result: { status: 'failed', errorType: 'wasm-validation-error', wasm: bytes } }, print);
    assert.equal(shown.id, '3:4');
    assert.equal(shown.wat, WatModule.print(bytes, print).text);
    assert.equal(shown.error?.function_index, badIndex);
    assert.match(shown.error?.message ?? '', /^Compiling function #2:"bad" failed: ref.is_null/); // V8 names a function from the name section
    assert.equal(shown.wat!.split('\n')[shown.error!.line! - 1].trim(), 'i32.const 1');
  });

  it('valid bytes: no error; no bytes: no WAT, the form\'s own message', () => {
    const { bytes } = moduleWith((c) => c.i32Const(1));
    assert.equal(formWat({ id: '1:0', result: { status: 'compiled', wasm: bytes } }, print).error, undefined);
    assert.deepEqual(formWat({ id: '1:1', result: { status: 'failed', message: 'Undefined function: FOO' } }, print), {
      id: '1:1',
      status: 'failed',
      wat: null,
      error: { message: 'form 1:1 has no Wasm bytes (failed: Undefined function: FOO)', function_index: null, offset: null, line: null },
    });
  });

  it('hasBytes: compiled forms and rejected bytes, whether or not the result still holds them', () => {
    assert.equal(hasBytes({ status: 'compiled' }), true);
    assert.equal(hasBytes({ status: 'failed', errorType: 'wasm-validation-error' }), true);
    assert.equal(hasBytes({ status: 'failed', errorType: 'compile-error' }), false);
    assert.equal(hasBytes({ status: 'skipped' }), false);
  });
});

describe('WatModule.functionText', () => {
  it('one function from its header through its closing parenthesis', () => {
    const { bytes } = moduleWith((c) => c.i32Const(7));
    assert.equal(WatModule.print(bytes, print).functionText(1), [
      '  (func $add (;1;) (type 1) (param i32 i32) (result i32)',
      '    local.get 0',
      '    local.get 1',
      '    i32.add',
      '  )',
      '',
    ].join('\n'));
  });
});
