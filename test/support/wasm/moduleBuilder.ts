// Collects the pieces of a module and encodes them in the order the spec requires. It keeps
// its own account of what it emitted (section offsets and sizes, body sizes, exports, counts),
// so the reader and diff tests check against numbers the reader did not compute.
import { constExpr, type Code } from './code';
import { ByteWriter, concat, name, u32, type Bytes } from './encoding';
import { asSubType, encodeComposite, encodeSubType, type Composite, type Field, type SubType, type ValType } from './types';

export type ExportKind = 'func' | 'table' | 'memory' | 'global' | 'tag';
const KIND_BYTE: Record<ExportKind, number> = { func: 0, table: 1, memory: 2, global: 3, tag: 4 };

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

/** Replaces a function import by a function index of the builder's choosing (see ModuleBuilder.importResolver). */
export type ImportResolver = (module: string, field: string, type: number) => number | undefined;

interface ImportDef {
  module: string;
  name: string;
  kind: ExportKind;
  desc: number[];
  funcName?: string;
}

interface FunctionDef {
  name?: string;
  typeIndex: number;
  code?: Code;
}

interface CustomDef {
  name: string;
  payload: ArrayLike<number>;
  atStart: boolean;
}

function limits(min: number, max?: number): number[] {
  return max === undefined ? [0x00, ...u32(min)] : [0x01, ...u32(min), ...u32(max)];
}

export class ModuleBuilder {
  private readonly recGroups: SubType[][] = [];
  private readonly groupIsRec: boolean[] = [];
  private typeCount = 0;
  private readonly sharedTypes = new Map<string, number>();
  private readonly imports: ImportDef[] = [];
  private readonly functions: FunctionDef[] = [];
  private readonly tagTypes: number[] = [];
  private readonly globals: number[][] = [];
  private readonly memories: number[][] = [];
  private readonly exports: { name: string; kind: ExportKind; index: number }[] = [];
  private readonly dataSegments: Array<{ bytes: ArrayLike<number>; memoryOffset?: number }> = [];
  private readonly customs: CustomDef[] = [];
  private readonly buildHooks: Array<() => void> = [];
  private startFunction: number | undefined;
  moduleName: string | undefined;
  /** Emit a name section (when any function has a name or moduleName is set). */
  names = true;
  /** Name an imported function given no name `module.field` in the name section (false: leave it unnamed). */
  nameImports = true;
  /**
   * Consulted by importFunc: a number is used instead of declaring the import. Lets a wrapper
   * (the WASI-command build of the fixture) supply in-module implementations for the same source.
   */
  importResolver?: ImportResolver;

  /** Imports per kind, kept as they are added: counting by filtering made 100,000 imports quadratic. */
  private readonly importCounts = new Map<ExportKind, number>();

  private countImports(kind: ExportKind): number {
    return this.importCounts.get(kind) ?? 0;
  }

  // ---- types: `rec` and `type` declare exactly what is asked; the *Type helpers share.

  /** An explicit `rec` group; returns the index of its first type. */
  rec(types: (SubType | Composite)[]): number {
    const first = this.typeCount;
    this.recGroups.push(types.map(asSubType));
    this.groupIsRec.push(true);
    this.typeCount += types.length;
    return first;
  }

  /** A standalone type (an implicit rec group of one), always a new index. */
  type(t: SubType | Composite): number {
    this.recGroups.push([asSubType(t)]);
    this.groupIsRec.push(false);
    return this.typeCount++;
  }

  /** A standalone final type, shared with an identical one declared by the same means. */
  private sharedType(t: Composite): number {
    const key = encodeComposite(t).join(',');
    const existing = this.sharedTypes.get(key);
    if (existing !== undefined) return existing;
    const index = this.type(t);
    this.sharedTypes.set(key, index);
    return index;
  }
  funcType(params: ValType[], results: ValType[]): number { return this.sharedType({ kind: 'func', params, results }); }
  structType(fields: Field[]): number { return this.sharedType({ kind: 'struct', fields }); }
  arrayType(element: ValType, mutable: boolean): number { return this.sharedType({ kind: 'array', field: { type: element, mutable } }); }

  // ---- imports: all of one kind before any definition of that kind (they share its index space).

  private addImport(def: ImportDef): void {
    if (def.kind === 'func' && this.functions.length > 0) throw new Error('import functions before defining any');
    if (def.kind === 'tag' && this.tagTypes.length > 0) throw new Error('import tags before defining any');
    if (def.kind === 'global' && this.globals.length > 0) throw new Error('import globals before defining any');
    this.imports.push(def);
    this.importCounts.set(def.kind, this.countImports(def.kind) + 1);
  }

  importFunc(module: string, field: string, typeIndex: number, funcName?: string): number {
    const resolved = this.importResolver?.(module, field, typeIndex);
    if (resolved !== undefined) return resolved;
    const index = this.countImports('func');
    this.addImport({ module, name: field, kind: 'func', desc: u32(typeIndex), funcName });
    return index;
  }

  importTable(module: string, field: string, refType: ValType, min: number, max?: number): number {
    const index = this.countImports('table');
    this.addImport({ module, name: field, kind: 'table', desc: [...refType, ...limits(min, max)] });
    return index;
  }

  importMemory(module: string, field: string, min: number, max?: number): number {
    const index = this.countImports('memory') + this.memories.length;
    this.addImport({ module, name: field, kind: 'memory', desc: limits(min, max) });
    return index;
  }

  importGlobal(module: string, field: string, type: ValType, mutable: boolean): number {
    const index = this.countImports('global');
    this.addImport({ module, name: field, kind: 'global', desc: [...type, mutable ? 1 : 0] });
    return index;
  }

  importTag(module: string, field: string, typeIndex: number): number {
    const index = this.countImports('tag');
    this.addImport({ module, name: field, kind: 'tag', desc: [0x00, ...u32(typeIndex)] });
    return index;
  }

  // ---- definitions

  /** Declares a function; its body is given later with define(), so bodies can call forward. */
  declareFunc(funcName: string | undefined, typeIndex: number): number {
    this.functions.push({ name: funcName, typeIndex });
    return this.countImports('func') + this.functions.length - 1;
  }

  define(funcIndex: number, code: Code): void {
    const f = this.functions[funcIndex - this.countImports('func')];
    if (!f) throw new Error(`no declared function ${funcIndex}`);
    f.code = code;
  }

  /** Declares and defines a function; returns its index in the function index space. */
  func(funcName: string | undefined, typeIndex: number, code: Code): number {
    const index = this.declareFunc(funcName, typeIndex);
    this.define(index, code);
    return index;
  }

  /** Index of a defined (not imported) function by its name, or undefined. */
  funcIndex(funcName: string): number | undefined {
    const at = this.functions.findIndex((f) => f.name === funcName);
    return at < 0 ? undefined : this.countImports('func') + at;
  }

  tag(typeIndex: number): number {
    this.tagTypes.push(typeIndex);
    return this.countImports('tag') + this.tagTypes.length - 1;
  }

  /** A global initialised by a constant expression (constExpr, without the final `end`). */
  global(type: ValType, mutable: boolean, init: Bytes): number {
    this.globals.push([...type, mutable ? 1 : 0, ...init, 0x0b]);
    return this.countImports('global') + this.globals.length - 1;
  }

  /** A defined memory of `min` 64 KiB pages. */
  memory(min: number, max?: number): number {
    this.memories.push(limits(min, max));
    return this.countImports('memory') + this.memories.length - 1;
  }

  export(exportName: string, kind: ExportKind, index: number): this {
    this.exports.push({ name: exportName, kind, index });
    return this;
  }

  /** Removes an export by name; returns its index, or undefined when there was none. */
  unexport(exportName: string): number | undefined {
    const at = this.exports.findIndex((e) => e.name === exportName);
    if (at < 0) return undefined;
    return this.exports.splice(at, 1)[0].index;
  }

  /** A passive data segment (read with array.new_data); returns its index. */
  passiveData(bytes: ArrayLike<number>): number {
    this.dataSegments.push({ bytes });
    return this.dataSegments.length - 1;
  }

  /** An active data segment: `bytes` copied into memory 0 at `memoryOffset` on instantiation. */
  activeData(memoryOffset: number, bytes: ArrayLike<number>): number {
    this.dataSegments.push({ bytes, memoryOffset });
    return this.dataSegments.length - 1;
  }

  start(funcIndex: number): this {
    this.startFunction = funcIndex;
    return this;
  }

  /** A custom section, after every other section (or before them all with `atStart`). */
  custom(sectionName: string, payload: ArrayLike<number>, atStart = false): this {
    this.customs.push({ name: sectionName, payload, atStart });
    return this;
  }

  /** Runs `hook` at the start of build(), after everything else was declared. */
  beforeBuild(hook: () => void): void {
    this.buildHooks.push(hook);
  }

  build(): BuiltModule {
    for (const hook of this.buildHooks.splice(0)) hook();
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
    if (this.startFunction !== undefined) emit(8, 'start', u32(this.startFunction));
    if (this.dataSegments.length > 0) emit(12, 'datacount', u32(this.dataSegments.length));
    const bodySizes: number[] = [];
    if (this.functions.length > 0) {
      const w = new ByteWriter();
      w.bytes(u32(this.functions.length));
      for (const f of this.functions) {
        if (!f.code) throw new Error(`function ${f.name ?? '(unnamed)'} has no body`);
        const body = f.code.encode();
        bodySizes.push(body.length);
        w.bytes(u32(body.length));
        w.bytes(body);
      }
      emit(10, 'code', w.finish());
    }
    if (this.dataSegments.length > 0) {
      const w = new ByteWriter();
      w.bytes(u32(this.dataSegments.length));
      for (const d of this.dataSegments) {
        if (d.memoryOffset === undefined) w.byte(0x01); // passive
        else w.bytes([0x00, ...constExpr.i32(d.memoryOffset), 0x0b]); // active, memory 0
        w.bytes(u32(d.bytes.length));
        w.bytes(d.bytes);
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
        functionNames: this.functions.map((f) => (this.names ? f.name : undefined)),
      },
    };
  }

  /** The standard `name` custom section's payload: module name and function names. */
  private nameSection(): Uint8Array | undefined {
    if (!this.names) return undefined;
    const entries: [number, string][] = [];
    let index = 0;
    for (const i of this.imports) {
      if (i.kind !== 'func') continue;
      const importName = i.funcName ?? (this.nameImports ? `${i.module}.${i.name}` : undefined);
      if (importName !== undefined) entries.push([index, importName]);
      index++;
    }
    for (const f of this.functions) {
      if (f.name !== undefined) entries.push([index, f.name]);
      index++;
    }
    if (entries.length === 0 && this.moduleName === undefined) return undefined;
    const w = new ByteWriter();
    if (this.moduleName !== undefined) {
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
