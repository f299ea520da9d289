// Ready-made modules for the section-reader and diff tests and the bench: shaped like Clysm's
// output (GC types in rec groups, the Stage 0 ABI imports, try_table, tail calls), with
// options that make copies with known differences.
import { Code, constExpr } from './code';
import { utf8 } from './encoding';
import { ModuleBuilder, type BuiltModule, type ExportKind } from './moduleBuilder';
import { array, func, heap, ref, struct, vt } from './types';

export interface ClysmLikeOptions {
  /** Leave out this export (by name). */
  omitExport?: string;
  /** Add one more struct type at the end of the type section. */
  extraType?: boolean;
  /** Append this many `nop`s to the body of `compile_form`. */
  growCompileFormBy?: number;
  /** Bytes in the `producers`-like custom section at the end. */
  customPayload?: number;
  /** Emit the name section. */
  names?: boolean;
  /** Change compile_form's signature to (externref, i32) -> externref. */
  changeCompileFormSignature?: boolean;
}

/** Type indices of the Clysm-like module, as a test oracle. */
export const CLYSM_LIKE_TYPES = {
  cons: 0,
  bytes: 1,
  base: 2,
  derived: 3,
  compile: 4, // (func (param externref) (result externref))
  thunk: 5, // (func (result externref))
  exn: 6, // (func (param externref))
  twoArg: 7, // (func (param externref i32) (result externref))
} as const;

/**
 * A module shaped like Clysm's output: GC types in a rec group, the Stage 0 ABI imports
 * (including a tag), functions that use struct.new, ref.test and try_table, the three ABI
 * exports and a name section. Options make copies with known differences.
 */
export function buildClysmLike(options: ClysmLikeOptions = {}): BuiltModule {
  const b = new ModuleBuilder();
  b.names = options.names ?? true;
  b.nameImports = false; // report-form-result stays unnamed: the reader must cope with gaps
  const T = CLYSM_LIKE_TYPES;
  b.rec([
    struct({ type: vt.anyref, mutable: true }, { type: vt.anyref, mutable: true }),
    array({ type: vt.i8, mutable: true }),
    { type: struct({ type: vt.i32 }), final: false },
    { type: struct({ type: vt.i32 }, { type: ref(T.cons) }), final: true, supertypes: [T.base] },
  ]);
  b.type(func([vt.externref], [vt.externref]));
  b.type(func([], [vt.externref]));
  b.type(func([vt.externref], []));
  b.type(func([vt.externref, vt.i32], [vt.externref]));
  if (options.extraType) b.type(struct({ type: vt.i31ref, mutable: true }));

  const readSource = b.importFunc('clysm.fs', 'read-source', T.compile, 'host_read_source');
  b.importFunc('clysm.compile', 'report-form-result', T.exn);
  b.importGlobal('clysm.env', 'debug', vt.i32, false);
  b.importMemory('clysm.env', 'memory', 1);
  b.importTable('clysm.env', 'table', vt.funcref, 1, 10);
  const err = b.importTag('clysm.env', 'error', T.exn);
  const localTag = b.tag(T.exn);

  const compile = new Code([['form', vt.externref]]);
  compile.block('done', vt.externref, () =>
    compile.tryTable('try', vt.externref, [{ kind: 'catch', tag: err, label: 'done' }], () => {
      compile.get('form').anyConvertExtern().refNull(heap.any).structNew(T.cons).refTest(T.cons);
      compile.if('void', () => compile.get('form').throw(localTag));
      compile.get('form').call(readSource);
    }),
  );
  for (let i = 0; i < (options.growCompileFormBy ?? 0); i++) compile.nop();
  const compileForm = b.func('compile_form', options.changeCompileFormSignature ? T.twoArg : T.compile, compile);
  const compileAll = b.func('compile_all', T.thunk, new Code().refNull(heap.extern));
  const init = new Code();
  init.local('unused', ref(T.cons));
  init.i32Const(1).arrayNewDefault(T.bytes).drop().refNull(heap.extern);
  const initialize = b.func('_initialize', T.thunk, init);
  b.func('tail', T.compile, new Code([['form', vt.externref]]).get('form').returnCall(readSource));
  const counter = b.global(vt.i32, true, constExpr.i32(0));

  const exportList: [string, ExportKind, number][] = [
    ['compile_form', 'func', compileForm],
    ['compile_all', 'func', compileAll],
    ['_initialize', 'func', initialize],
    ['counter', 'global', counter],
    ['error', 'tag', localTag],
  ];
  for (const [n, kind, index] of exportList) if (n !== options.omitExport) b.export(n, kind, index);
  b.passiveData(utf8('clysm'));
  b.custom('producers.test', Array<number>(options.customPayload ?? 16).fill(0x2a));
  return b.build();
}

export interface SyntheticOptions {
  functions: number;
  exports: number;
  /** Struct.new / ref.test rounds per body (varied per function to spread sizes). */
  rounds?: number;
  /** Extra `nop`s appended to every body. */
  padding?: number;
  /** Functions named `clysm::prelude-K` inserted before the others, so every later name moves. */
  leading?: number;
  /** Emit the name section (default true). */
  names?: boolean;
}

/**
 * A large Clysm-like GC module: `functions` bodies built from struct.new, ref.test,
 * ref.cast, try_table and throw, a return_call chain, `exports` exports and a name section.
 */
export function buildSyntheticGcModule(options: SyntheticOptions): BuiltModule {
  const b = new ModuleBuilder();
  b.names = options.names ?? true;
  const cons = b.rec([
    struct({ type: vt.anyref, mutable: true }, { type: vt.anyref, mutable: true }),
    { type: struct({ type: vt.i32 }), final: false },
    { type: struct({ type: vt.i32 }, { type: vt.externref, mutable: true }), supertypes: [1] },
  ]);
  const fnType = b.type(func([vt.externref], [vt.externref]));
  const exnType = b.type(func([vt.externref], []));
  const tag = b.tag(exnType);
  const rounds = options.rounds ?? 3;
  const leading = options.leading ?? 0;
  for (let i = 0; i < leading + options.functions; i++) {
    const c = new Code([['form', vt.externref]]);
    c.local('any', vt.anyref);
    const n = 1 + ((i * 7) % rounds);
    c.block('done', vt.externref, () =>
      c.tryTable('try', vt.externref, [{ kind: 'catch', tag, label: 'done' }], () => {
        for (let r = 0; r < n; r++) {
          c.get('form').anyConvertExtern().tee('any').refNull(heap.any).structNew(cons).refTest(cons + 1, true);
          c.if('void', () => c.get('form').throw(tag));
          c.get('any').refCast(cons, true).drop();
        }
        c.get('form');
      }),
    );
    for (let p = 0; p < (options.padding ?? 0); p++) c.nop();
    c.drop().get('form');
    if (i > 0) c.returnCall(i - 1); // a tail-call chain, as Clysm emits
    b.func(i < leading ? `clysm::prelude-${i}` : `clysm::compile-form-${i - leading}`, fnType, c);
  }
  const step = Math.max(1, Math.floor(options.functions / Math.max(1, options.exports)));
  for (let e = 0; e < options.exports && e * step < options.functions; e++) b.export(`compile_form_${e}`, 'func', leading + e * step);
  return b.build();
}

/**
 * The pairing case of issue 14: Stage 0 exports `compile_form` as #0; Stage 1 exports `_start`
 * as #0 and `compile_form` (grown from 4 to 7 body bytes) as #1. No name sections, so only
 * the export names say which function is which.
 */
export function buildStartBeforeCompileForm(): { stage0: BuiltModule; stage1: BuiltModule } {
  const a = new ModuleBuilder();
  a.names = false;
  const t = a.type(func([], [vt.i32]));
  a.export('compile_form', 'func', a.func(undefined, t, new Code().i32Const(1)));
  const b = new ModuleBuilder();
  b.names = false;
  b.type(func([], [vt.i32]));
  b.export('_start', 'func', b.func(undefined, t, new Code().i32Const(9)));
  b.export('compile_form', 'func', b.func(undefined, t, new Code().i32Const(1).i32Const(2).i32Add()));
  return { stage0: a.build(), stage1: b.build() };
}
