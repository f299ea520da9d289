// A small WebAssembly module builder for the section-reader and diff tests and the bench.
// It keeps its own account of what it emitted (section payload sizes and offsets, body
// sizes, exports, counts) so tests can check the reader against numbers it did not compute.
import { s32, u32 } from './leb128';

export type Bytes = readonly number[];

// ---- encoding primitives -----------------------------------------------------------

export { s32, u32 };

export function utf8(text: string): number[] {
  return [...new TextEncoder().encode(text)];
}

export function name(text: string): number[] {
  const bytes = utf8(text);
  return [...u32(bytes.length), ...bytes];
}

/** A growable byte buffer, so multi-megabyte bench modules build quickly. */
export class ByteWriter {
  private buf: Uint8Array<ArrayBuffer> = new Uint8Array(1024);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  bytes(data: ArrayLike<number>): void {
    this.reserve(data.length);
    if (data instanceof Uint8Array) this.buf.set(data, this.length);
    else for (let i = 0; i < data.length; i++) this.buf[this.length + i] = data[i];
    this.length += data.length;
  }

  finish(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.length);
  }
}

// ---- types ---------------------------------------------------------------------------

/** An encoded value or storage type. */
export type ValType = Bytes;

export const vt = {
  i32: [0x7f],
  i64: [0x7e],
  f32: [0x7d],
  f64: [0x7c],
  i8: [0x78],
  i16: [0x77],
  funcref: [0x70],
  externref: [0x6f],
  anyref: [0x6e],
  eqref: [0x6d],
  i31ref: [0x6c],
  structref: [0x6b],
  arrayref: [0x6a],
  exnref: [0x69],
  nullref: [0x71],
  nullexternref: [0x72],
  nullfuncref: [0x73],
  nullexnref: [0x74],
} as const satisfies Record<string, ValType>;

/** Abstract heap type bytes. */
export const heap = { func: 0x70, extern: 0x6f, any: 0x6e, eq: 0x6d, i31: 0x6c, struct: 0x6b, array: 0x6a, exn: 0x69, none: 0x71, noextern: 0x72, nofunc: 0x73, noexn: 0x74 } as const;

/** `(ref null $i)` / `(ref $i)` for a concrete type index (signed LEB, so 64+ takes two bytes). */
export function ref(typeIndex: number, nullable = true): ValType {
  return [nullable ? 0x63 : 0x64, ...s32(typeIndex)];
}

/** `(ref null any)` etc.: the long form of an abstract reference type. */
export function refHeap(heapType: number, nullable = true): ValType {
  return [nullable ? 0x63 : 0x64, heapType];
}

export interface Field {
  type: ValType;
  mutable?: boolean;
}

export type Composite =
  | { kind: 'func'; params: ValType[]; results: ValType[] }
  | { kind: 'struct'; fields: Field[] }
  | { kind: 'array'; field: Field };

export interface SubType {
  type: Composite;
  /** Defaults to true. */
  final?: boolean;
  supertypes?: number[];
  /** Emit the `sub final` prefix even when it could be omitted. */
  explicitSub?: boolean;
}

export const func = (params: ValType[], results: ValType[]): Composite => ({ kind: 'func', params, results });
export const struct = (...fields: Field[]): Composite => ({ kind: 'struct', fields });
export const array = (field: Field): Composite => ({ kind: 'array', field });

function encodeField(f: Field): number[] {
  return [...f.type, f.mutable ? 1 : 0];
}

function encodeComposite(c: Composite): number[] {
  switch (c.kind) {
    case 'func':
      return [0x60, ...u32(c.params.length), ...c.params.flat(), ...u32(c.results.length), ...c.results.flat()];
    case 'struct':
      return [0x5f, ...u32(c.fields.length), ...c.fields.flatMap(encodeField)];
    case 'array':
      return [0x5e, ...encodeField(c.field)];
  }
}

function encodeSubType(s: SubType): number[] {
  const final = s.final ?? true;
  const supers = s.supertypes ?? [];
  if (final && supers.length === 0 && !s.explicitSub) return encodeComposite(s.type);
  return [final ? 0x4f : 0x50, ...u32(supers.length), ...supers.flatMap(u32), ...encodeComposite(s.type)];
}

// ---- instructions --------------------------------------------------------------------

/** Instruction encoders; a body is the concatenation of these (without the final `end`). */
export const op = {
  unreachable: [0x00],
  nop: [0x01],
  drop: [0x1a],
  end: [0x0b],
  else: [0x05],
  block: (blockType: Bytes = [0x40]) => [0x02, ...blockType],
  if: (blockType: Bytes = [0x40]) => [0x04, ...blockType],
  br: (label: number) => [0x0c, ...u32(label)],
  throw: (tag: number) => [0x08, ...u32(tag)],
  throwRef: [0x0a],
  call: (f: number) => [0x10, ...u32(f)],
  returnCall: (f: number) => [0x12, ...u32(f)],
  localGet: (i: number) => [0x20, ...u32(i)],
  localSet: (i: number) => [0x21, ...u32(i)],
  localTee: (i: number) => [0x22, ...u32(i)],
  globalGet: (i: number) => [0x23, ...u32(i)],
  i32Const: (v: number) => [0x41, ...s32(v)],
  refNull: (heapType: number) => [0xd0, heapType],
  refNullType: (typeIndex: number) => [0xd0, ...s32(typeIndex)],
  refIsNull: [0xd1],
  structNew: (t: number) => [0xfb, 0x00, ...u32(t)],
  structNewDefault: (t: number) => [0xfb, 0x01, ...u32(t)],
  structGet: (t: number, field: number) => [0xfb, 0x02, ...u32(t), ...u32(field)],
  arrayNewDefault: (t: number) => [0xfb, 0x07, ...u32(t)],
  refTest: (t: number, nullable = false) => [0xfb, nullable ? 0x15 : 0x14, ...s32(t)],
  refCast: (t: number, nullable = false) => [0xfb, nullable ? 0x17 : 0x16, ...s32(t)],
  anyConvertExtern: [0xfb, 0x1a],
  externConvertAny: [0xfb, 0x1b],
  refI31: [0xfb, 0x1c],
  /** `try_table blockType (catch tag label)* ... end`. */
  tryTable: (blockType: Bytes, catches: Catch[], body: Bytes) => [0x1f, ...blockType, ...u32(catches.length), ...catches.flatMap(encodeCatch), ...body, 0x0b],
};

export type Catch =
  | { kind: 'catch'; tag: number; label: number }
  | { kind: 'catch_ref'; tag: number; label: number }
  | { kind: 'catch_all'; label: number }
  | { kind: 'catch_all_ref'; label: number };

function encodeCatch(c: Catch): number[] {
  switch (c.kind) {
    case 'catch':
      return [0x00, ...u32(c.tag), ...u32(c.label)];
    case 'catch_ref':
      return [0x01, ...u32(c.tag), ...u32(c.label)];
    case 'catch_all':
      return [0x02, ...u32(c.label)];
    case 'catch_all_ref':
      return [0x03, ...u32(c.label)];
  }
}

// ---- the module builder ----------------------------------------------------------------

export type ExportKind = 'func' | 'table' | 'memory' | 'global' | 'tag';
const KIND_BYTE: Record<ExportKind, number> = { func: 0, table: 1, memory: 2, global: 3, tag: 4 };

export interface FunctionDef {
  typeIndex: number;
  /** Instructions, without the final `end`. */
  body: ArrayLike<number>;
  /** Local declarations as (count, type) runs. */
  locals?: [number, ValType][];
  name?: string;
}

export interface BuiltSection {
  id: number;
  name: string;
  /** Offset of the id byte. */
  offset: number;
  /** Payload size. */
  size: number;
}

/** What the builder emitted, counted by the builder itself. */
export interface BuildManifest {
  size: number;
  sections: BuiltSection[];
  types: number;
  recGroups: number;
  imports: number;
  importedFunctions: number;
  definedFunctions: number;
  importedGlobals: number;
  definedGlobals: number;
  importedTags: number;
  definedTags: number;
  tables: number;
  memories: number;
  dataSegments: number;
  exports: { name: string; kind: ExportKind; index: number }[];
  /** Declared size of each defined function's body, in order. */
  bodySizes: number[];
  /** Name of each defined function (from the name section), in order. */
  functionNames: (string | undefined)[];
}

export interface BuiltModule {
  bytes: Uint8Array<ArrayBuffer>;
  manifest: BuildManifest;
}

interface ImportDef {
  module: string;
  name: string;
  kind: ExportKind;
  desc: number[];
  funcName?: string;
}

interface CustomDef {
  name: string;
  payload: ArrayLike<number>;
  atStart: boolean;
}

export class ModuleBuilder {
  private readonly recGroups: SubType[][] = [];
  private readonly groupIsRec: boolean[] = [];
  private typeCount = 0;
  private readonly imports: ImportDef[] = [];
  private readonly functions: FunctionDef[] = [];
  private readonly tagTypes: number[] = [];
  private readonly globals: number[][] = [];
  private readonly memories: number[][] = [];
  private readonly exports: { name: string; kind: ExportKind; index: number }[] = [];
  private readonly dataSegments: ArrayLike<number>[] = [];
  private readonly customs: CustomDef[] = [];
  private startFunction: number | null = null;
  moduleName: string | null = null;
  /** Emit a name section (when any function has a name or moduleName is set). */
  names = true;

  private countImports(kind: ExportKind): number {
    return this.imports.filter((i) => i.kind === kind).length;
  }

  /** An explicit `rec` group; returns the index of its first type. */
  rec(types: (SubType | Composite)[]): number {
    const first = this.typeCount;
    this.recGroups.push(types.map(asSub));
    this.groupIsRec.push(true);
    this.typeCount += types.length;
    return first;
  }

  /** A standalone type (an implicit rec group of one). */
  type(t: SubType | Composite): number {
    this.recGroups.push([asSub(t)]);
    this.groupIsRec.push(false);
    return this.typeCount++;
  }

  private addImport(def: ImportDef): void {
    if (def.kind === 'func' && this.functions.length > 0) throw new Error('import functions before defining any');
    if (def.kind === 'tag' && this.tagTypes.length > 0) throw new Error('import tags before defining any');
    if (def.kind === 'global' && this.globals.length > 0) throw new Error('import globals before defining any');
    this.imports.push(def);
  }

  importFunc(module: string, itemName: string, typeIndex: number, funcName?: string): number {
    const index = this.countImports('func');
    this.addImport({ module, name: itemName, kind: 'func', desc: u32(typeIndex), funcName });
    return index;
  }

  importTable(module: string, itemName: string, refType: ValType, min: number, max?: number): number {
    const index = this.countImports('table');
    this.addImport({ module, name: itemName, kind: 'table', desc: [...refType, ...limits(min, max)] });
    return index;
  }

  importMemory(module: string, itemName: string, min: number, max?: number): number {
    const index = this.countImports('memory') + this.memories.length;
    this.addImport({ module, name: itemName, kind: 'memory', desc: limits(min, max) });
    return index;
  }

  importGlobal(module: string, itemName: string, type: ValType, mutable: boolean): number {
    const index = this.countImports('global');
    this.addImport({ module, name: itemName, kind: 'global', desc: [...type, mutable ? 1 : 0] });
    return index;
  }

  importTag(module: string, itemName: string, typeIndex: number): number {
    const index = this.countImports('tag');
    this.addImport({ module, name: itemName, kind: 'tag', desc: [0x00, ...u32(typeIndex)] });
    return index;
  }

  /** Defines a function; returns its index in the function index space. */
  func(def: FunctionDef): number {
    this.functions.push(def);
    return this.countImports('func') + this.functions.length - 1;
  }

  tag(typeIndex: number): number {
    this.tagTypes.push(typeIndex);
    return this.countImports('tag') + this.tagTypes.length - 1;
  }

  /** A global with an init expression (instructions without the final `end`). */
  global(type: ValType, mutable: boolean, init: Bytes): number {
    this.globals.push([...type, mutable ? 1 : 0, ...init, 0x0b]);
    return this.countImports('global') + this.globals.length - 1;
  }

  memory(min: number, max?: number): number {
    this.memories.push(limits(min, max));
    return this.countImports('memory') + this.memories.length - 1;
  }

  export(exportName: string, kind: ExportKind, index: number): this {
    this.exports.push({ name: exportName, kind, index });
    return this;
  }

  /** A passive data segment. */
  data(payload: ArrayLike<number>): this {
    this.dataSegments.push(payload);
    return this;
  }

  start(funcIndex: number): this {
    this.startFunction = funcIndex;
    return this;
  }

  custom(sectionName: string, payload: ArrayLike<number>, atStart = false): this {
    this.customs.push({ name: sectionName, payload, atStart });
    return this;
  }

  build(): BuiltModule {
    const out = new ByteWriter();
    out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const sections: BuiltSection[] = [];
    const emit = (id: number, sectionName: string, payload: ArrayLike<number>): void => {
      sections.push({ id, name: sectionName, offset: out.length, size: payload.length });
      out.byte(id);
      out.bytes(u32(payload.length));
      out.bytes(payload);
    };
    const emitCustom = (c: CustomDef): void => emit(0, `custom:${c.name}`, concat([name(c.name), c.payload]));

    for (const c of this.customs) if (c.atStart) emitCustom(c);
    if (this.recGroups.length > 0) {
      const entries = this.recGroups.map((group, g) =>
        this.groupIsRec[g] ? [0x4e, ...u32(group.length), ...group.flatMap(encodeSubType)] : encodeSubType(group[0]),
      );
      emit(1, 'type', [...u32(entries.length), ...entries.flat()]);
    }
    if (this.imports.length > 0) {
      const entries = this.imports.map((i) => [...name(i.module), ...name(i.name), KIND_BYTE[i.kind], ...i.desc]);
      emit(2, 'import', [...u32(entries.length), ...entries.flat()]);
    }
    if (this.functions.length > 0) {
      const w = new ByteWriter();
      w.bytes(u32(this.functions.length));
      for (const f of this.functions) w.bytes(u32(f.typeIndex));
      emit(3, 'function', w.finish());
    }
    if (this.memories.length > 0) emit(5, 'memory', [...u32(this.memories.length), ...this.memories.flat()]);
    if (this.tagTypes.length > 0) emit(13, 'tag', [...u32(this.tagTypes.length), ...this.tagTypes.flatMap((t) => [0x00, ...u32(t)])]);
    if (this.globals.length > 0) emit(6, 'global', [...u32(this.globals.length), ...this.globals.flat()]);
    if (this.exports.length > 0) {
      const w = new ByteWriter();
      w.bytes(u32(this.exports.length));
      for (const e of this.exports) {
        w.bytes(name(e.name));
        w.byte(KIND_BYTE[e.kind]);
        w.bytes(u32(e.index));
      }
      emit(7, 'export', w.finish());
    }
    if (this.startFunction !== null) emit(8, 'start', u32(this.startFunction));
    if (this.dataSegments.length > 0) emit(12, 'datacount', u32(this.dataSegments.length));
    const bodySizes: number[] = [];
    if (this.functions.length > 0) {
      const w = new ByteWriter();
      w.bytes(u32(this.functions.length));
      for (const f of this.functions) {
        const locals = f.locals ?? [];
        const head = [...u32(locals.length), ...locals.flatMap(([n, t]) => [...u32(n), ...t])];
        const size = head.length + f.body.length + 1;
        bodySizes.push(size);
        w.bytes(u32(size));
        w.bytes(head);
        w.bytes(f.body);
        w.byte(0x0b);
      }
      emit(10, 'code', w.finish());
    }
    if (this.dataSegments.length > 0) {
      const w = new ByteWriter();
      w.bytes(u32(this.dataSegments.length));
      for (const d of this.dataSegments) {
        w.byte(0x01); // passive
        w.bytes(u32(d.length));
        w.bytes(d);
      }
      emit(11, 'data', w.finish());
    }
    const nameSection = this.nameSection();
    if (nameSection) emit(0, 'custom:name', concat([name('name'), nameSection]));
    for (const c of this.customs) if (!c.atStart) emitCustom(c);

    const bytes = out.finish();
    return {
      bytes,
      manifest: {
        size: bytes.length,
        sections,
        types: this.typeCount,
        recGroups: this.recGroups.length,
        imports: this.imports.length,
        importedFunctions: this.countImports('func'),
        definedFunctions: this.functions.length,
        importedGlobals: this.countImports('global'),
        definedGlobals: this.globals.length,
        importedTags: this.countImports('tag'),
        definedTags: this.tagTypes.length,
        tables: this.countImports('table'),
        memories: this.countImports('memory') + this.memories.length,
        dataSegments: this.dataSegments.length,
        exports: this.exports.map((e) => ({ ...e })),
        bodySizes,
        functionNames: this.names ? this.functions.map((f) => f.name) : this.functions.map(() => undefined),
      },
    };
  }

  private nameSection(): Uint8Array | null {
    if (!this.names) return null;
    const entries: [number, string][] = [];
    let index = 0;
    for (const i of this.imports) {
      if (i.kind !== 'func') continue;
      if (i.funcName !== undefined) entries.push([index, i.funcName]);
      index++;
    }
    for (const f of this.functions) {
      if (f.name !== undefined) entries.push([index, f.name]);
      index++;
    }
    if (entries.length === 0 && this.moduleName === null) return null;
    const w = new ByteWriter();
    if (this.moduleName !== null) {
      const sub = name(this.moduleName);
      w.byte(0);
      w.bytes(u32(sub.length));
      w.bytes(sub);
    }
    if (entries.length > 0) {
      const sub = new ByteWriter();
      sub.bytes(u32(entries.length));
      for (const [i, n] of entries) {
        sub.bytes(u32(i));
        sub.bytes(name(n));
      }
      const payload = sub.finish();
      w.byte(1);
      w.bytes(u32(payload.length));
      w.bytes(payload);
    }
    return w.finish();
  }
}

function asSub(t: SubType | Composite): SubType {
  return 'kind' in t ? { type: t } : t;
}

function limits(min: number, max?: number): number[] {
  return max === undefined ? [0x00, ...u32(min)] : [0x01, ...u32(min), ...u32(max)];
}

function concat(parts: ArrayLike<number>[]): Uint8Array {
  const w = new ByteWriter();
  for (const p of parts) w.bytes(p);
  return w.finish();
}

// ---- ready-made modules ------------------------------------------------------------------

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

  const compileBody = [
    ...op.block([0x6f]),
    ...op.tryTable([0x6f], [{ kind: 'catch', tag: err, label: 0 }], [
      ...op.localGet(0),
      ...op.anyConvertExtern,
      ...op.refNull(heap.any),
      ...op.structNew(T.cons),
      ...op.refTest(T.cons),
      ...op.if(),
      ...op.localGet(0),
      ...op.throw(localTag),
      ...op.end,
      ...op.localGet(0),
      ...op.call(readSource),
    ]),
    ...op.end,
    ...Array<number>(options.growCompileFormBy ?? 0).fill(op.nop[0]),
  ];
  const compileForm = options.changeCompileFormSignature
    ? b.func({ typeIndex: T.twoArg, body: compileBody, name: 'compile_form' })
    : b.func({ typeIndex: T.compile, body: compileBody, name: 'compile_form' });
  const compileAll = b.func({ typeIndex: T.thunk, body: [...op.refNull(heap.extern)], name: 'compile_all' });
  const initialize = b.func({
    typeIndex: T.thunk,
    body: [...op.i32Const(1), ...op.arrayNewDefault(T.bytes), ...op.drop, ...op.refNull(heap.extern)],
    locals: [[1, ref(T.cons)]],
    name: '_initialize',
  });
  b.func({ typeIndex: T.compile, body: [...op.localGet(0), ...op.returnCall(readSource)], name: 'tail' });
  const counter = b.global(vt.i32, true, op.i32Const(0));

  const exportList: [string, ExportKind, number][] = [
    ['compile_form', 'func', compileForm],
    ['compile_all', 'func', compileAll],
    ['_initialize', 'func', initialize],
    ['counter', 'global', counter],
    ['error', 'tag', localTag],
  ];
  for (const [n, kind, index] of exportList) if (n !== options.omitExport) b.export(n, kind, index);
  b.data(utf8('clysm'));
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
    const body: number[] = [];
    const n = 1 + ((i * 7) % rounds);
    const inner: number[] = [];
    for (let r = 0; r < n; r++) {
      inner.push(
        ...op.localGet(0),
        ...op.anyConvertExtern,
        ...op.localTee(1),
        ...op.refNull(heap.any),
        ...op.structNew(cons),
        ...op.refTest(cons + 1, true),
        ...op.if(),
        ...op.localGet(0),
        ...op.throw(tag),
        ...op.end,
        ...op.localGet(1),
        ...op.refCast(cons, true),
        ...op.drop,
      );
    }
    inner.push(...op.localGet(0));
    body.push(...op.block([0x6f]), ...op.tryTable([0x6f], [{ kind: 'catch', tag, label: 0 }], inner), ...op.end);
    for (let p = 0; p < (options.padding ?? 0); p++) body.push(op.nop[0]);
    body.push(...op.drop, ...op.localGet(0));
    if (i > 0) body.push(...op.returnCall(i - 1)); // a tail-call chain, as Clysm emits
    const fnName = i < leading ? `clysm::prelude-${i}` : `clysm::compile-form-${i - leading}`;
    b.func({ typeIndex: fnType, body, locals: [[1, vt.anyref]], name: fnName });
  }
  const step = Math.max(1, Math.floor(options.functions / Math.max(1, options.exports)));
  for (let e = 0; e < options.exports && e * step < options.functions; e++) b.export(`compile_form_${e}`, 'func', leading + e * step);
  return b.build();
}
