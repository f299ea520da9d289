// A dependency-free WebAssembly module section reader for the Stage 0 / Stage 1 diff.
// It decodes the module-level structure (types, imports, exports, function signatures,
// body sizes, names) and never decodes code bodies, so new instructions (try_table,
// GC ops, tail calls, ...) can never break it. Pure: bytes in, a summary out.
// It is not a validator: use WebAssembly.validate for that (see docs/stage0-abi.md).

/** Malformed input, with the byte offset at which reading failed. */
export class WasmFormatError extends Error {
  /** Where reading failed (0-based). */
  readonly offset: number;

  constructor(message: string, offset: number) {
    super(`${message} at byte offset ${offset} (0x${offset.toString(16)})`);
    this.name = 'WasmFormatError';
    this.offset = offset;
  }
}

export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';
export type CompositeKind = 'func' | 'struct' | 'array' | 'cont';

export interface WasmSection {
  /** Section id (0 = custom). */
  id: number;
  /** `type`, `import`, ..., `custom:NAME`, or `unknown:ID` for ids this reader does not know. */
  name: string;
  /** Offset of the section's id byte. */
  offset: number;
  /** Offset of the first payload byte (after the size field). */
  contentOffset: number;
  /** Payload size in bytes, as declared in the section header. */
  size: number;
}

export interface WasmType {
  index: number;
  /** Index of the rec group (type-section entry) that declares this type. */
  recGroup: number;
  /** True when declared inside an explicit `rec` (0x4e) entry. */
  inRec: boolean;
  kind: CompositeKind;
  final: boolean;
  supertypes: number[];
  /** WAT-like text, e.g. `(func (param externref) (result externref))`. */
  description: string;
  /** For func types: the printed params and results, e.g. `(param i32) (result i32)`. */
  signature?: string;
}

export interface WasmImport {
  module: string;
  name: string;
  kind: ExternKind;
  /** Printable type: the signature for funcs and tags, e.g. `(param externref)`; the table, memory or global type otherwise. */
  type: string;
  /** The type index, for funcs and tags. */
  typeIndex?: number;
}

export interface WasmExport {
  name: string;
  kind: ExternKind;
  index: number;
  /** Printable signature for funcs and tags; absent for other kinds or an unresolvable index. */
  signature?: string;
}

export interface WasmFunction {
  /** Index in the function index space (imported functions come first). */
  index: number;
  name?: string;
  typeIndex: number;
  signature: string;
  /** Size of the body as declared in the code section (locals + instructions). */
  bodySize: number;
}

export interface WasmCounts {
  types: number;
  recGroups: number;
  imports: number;
  exports: number;
  /** Imported plus defined. */
  functions: number;
  importedFunctions: number;
  tables: number;
  importedTables: number;
  memories: number;
  importedMemories: number;
  globals: number;
  importedGlobals: number;
  tags: number;
  importedTags: number;
  elementSegments: number;
  dataSegments: number;
}

export interface WasmModuleInfo {
  size: number;
  version: number;
  sections: WasmSection[];
  /** All types, flattened over rec groups, in index order. */
  types: WasmType[];
  /** Number of type-section entries; every standalone type is its own (implicit) rec group. */
  recGroups: number;
  imports: WasmImport[];
  exports: WasmExport[];
  /** Defined functions only, in order. */
  functions: WasmFunction[];
  counts: WasmCounts;
  start: number | null;
  dataCount: number | null;
  moduleName: string | null;
  /** Non-fatal problems, e.g. a malformed `name` section (engines ignore those too). */
  warnings: string[];
}

const SECTION_NAMES = ['custom', 'type', 'import', 'function', 'table', 'memory', 'global', 'export', 'start', 'element', 'code', 'data', 'datacount', 'tag'];

// The required order of the known non-custom sections (tag sits between memory and
// global, datacount between element and code).
const SECTION_RANK: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };

const EXTERN_KINDS: readonly ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];

// Abstract heap types: code byte -> [heap type name, nullable shorthand value type].
const ABSTRACT_HEAP: ReadonlyMap<number, readonly [string, string]> = new Map([
  [0x75, ['nocont', 'nullcontref']],
  [0x74, ['noexn', 'nullexnref']],
  [0x73, ['nofunc', 'nullfuncref']],
  [0x72, ['noextern', 'nullexternref']],
  [0x71, ['none', 'nullref']],
  [0x70, ['func', 'funcref']],
  [0x6f, ['extern', 'externref']],
  [0x6e, ['any', 'anyref']],
  [0x6d, ['eq', 'eqref']],
  [0x6c, ['i31', 'i31ref']],
  [0x6b, ['struct', 'structref']],
  [0x6a, ['array', 'arrayref']],
  [0x69, ['exn', 'exnref']],
  [0x68, ['cont', 'contref']],
  // stringref proposal (V8 behind a flag)
  [0x67, ['string', 'stringref']],
  [0x66, ['stringview_wtf8', 'stringview_wtf8']],
  [0x62, ['stringview_wtf16', 'stringview_wtf16']],
  [0x61, ['stringview_iter', 'stringview_iter']],
]);

const NUMERIC_TYPES: ReadonlyMap<number, string> = new Map([
  [0x7f, 'i32'],
  [0x7e, 'i64'],
  [0x7d, 'f32'],
  [0x7c, 'f64'],
  [0x7b, 'v128'],
]);

const PACKED_TYPES: ReadonlyMap<number, string> = new Map([
  [0x78, 'i8'],
  [0x77, 'i16'],
]);

// ignoreBOM: a leading U+FEFF is part of a name, not a byte-order mark.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A bounds-checked reader over bytes[pos, end). */
class Cursor {
  readonly bytes: Uint8Array;
  pos: number;
  readonly end: number;

  constructor(bytes: Uint8Array, pos: number, end: number) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  fail(message: string, offset = this.pos): never {
    throw new WasmFormatError(message, offset);
  }

  atEnd(): boolean {
    return this.pos >= this.end;
  }

  u8(): number {
    if (this.pos >= this.end) this.fail('unexpected end');
    return this.bytes[this.pos++];
  }

  peek(): number {
    if (this.pos >= this.end) this.fail('unexpected end');
    return this.bytes[this.pos];
  }

  skip(count: number): void {
    if (count > this.end - this.pos) this.fail(`length ${count} runs past the end (${this.end - this.pos} bytes left)`);
    this.pos += count;
  }

  /** Unsigned LEB128, at most 5 bytes, value < 2^32. */
  u32(): number {
    return this.unsignedLeb(5, 0xf0, 'u32');
  }

  /** Unsigned LEB128 up to 64 bits; precision beyond 2^53 is irrelevant for printing limits. */
  u64(): number {
    return this.unsignedLeb(10, 0xfe, 'u64');
  }

  /** Unsigned LEB128 of at most `maxBytes` bytes; `lastByteExcess` marks the bits the last byte may not set. */
  private unsignedLeb(maxBytes: number, lastByteExcess: number, name: string): number {
    const start = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < maxBytes; i++) {
      const b = this.u8();
      if (i === maxBytes - 1 && (b & lastByteExcess) !== 0) this.fail(`integer too large (${name} LEB128 overflow)`, start);
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 0x80;
    }
    return this.fail(`integer representation too long (${name} LEB128)`, start);
  }

  /** Signed LEB128 in the s33 range (heap and block types). */
  s33(): number {
    const start = this.pos;
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 5; i++) {
      const b = this.u8();
      if (i === 4) {
        // Bits 32..34 must all equal the sign bit 32 (bit 4 of this byte).
        const high = b & 0x70;
        if (b >= 0x80 || (high !== 0 && high !== 0x70)) this.fail('integer too large (s33 LEB128 overflow)', start);
      }
      result += (b & 0x7f) * scale;
      scale *= 0x80;
      if (b < 0x80) return (b & 0x40) !== 0 ? result - scale : result;
    }
    return this.fail('integer representation too long (s33 LEB128)', start);
  }

  name(): string {
    const length = this.u32();
    const start = this.pos;
    this.skip(length);
    return decodeName(this.bytes, start, this.pos);
  }
}

function decodeName(bytes: Uint8Array, start: number, end: number): string {
  if (start === end) return '';
  try {
    return utf8.decode(bytes.subarray(start, end));
  } catch {
    throw new WasmFormatError('malformed UTF-8 in name', start);
  }
}

// ---- types -------------------------------------------------------------------

function readHeapType(c: Cursor): string {
  const b = c.peek();
  if (b === 0x65) {
    // shared-everything-threads: a shared abstract heap type
    c.pos++;
    const inner = c.u8();
    const abs = ABSTRACT_HEAP.get(inner);
    if (!abs) c.fail(`unknown shared heap type 0x${inner.toString(16)}`, c.pos - 1);
    return `(shared ${abs[0]})`;
  }
  const abs = ABSTRACT_HEAP.get(b);
  if (abs) {
    c.pos++;
    return abs[0];
  }
  const start = c.pos;
  const index = c.s33();
  if (index < 0) c.fail(`unknown heap type 0x${b.toString(16)}`, start);
  return String(index);
}

function readValType(c: Cursor, allowPacked = false): string {
  const start = c.pos;
  const b = c.u8();
  const numeric = NUMERIC_TYPES.get(b);
  if (numeric) return numeric;
  if (allowPacked) {
    const packed = PACKED_TYPES.get(b);
    if (packed) return packed;
  }
  if (b === 0x63) return `(ref null ${readHeapType(c)})`;
  if (b === 0x64) return `(ref ${readHeapType(c)})`;
  const abs = ABSTRACT_HEAP.get(b);
  if (abs) return abs[1];
  return c.fail(`unknown value type 0x${b.toString(16)}`, start);
}

function readFieldType(c: Cursor): string {
  const storage = readValType(c, true);
  const mutStart = c.pos;
  const mutability = c.u8();
  if (mutability > 1) c.fail(`invalid mutability 0x${mutability.toString(16)}`, mutStart);
  return mutability === 1 ? `(mut ${storage})` : storage;
}

function readResultTypes(c: Cursor): string[] {
  const count = c.u32();
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(readValType(c));
  return out;
}

function formatSignature(params: string[], results: string[]): string {
  const parts: string[] = [];
  if (params.length > 0) parts.push(`(param ${params.join(' ')})`);
  if (results.length > 0) parts.push(`(result ${results.join(' ')})`);
  return parts.join(' ');
}

interface Composite {
  kind: CompositeKind;
  description: string;
  signature?: string;
}

function readComposite(c: Cursor): Composite {
  const start = c.pos;
  const form = c.u8();
  switch (form) {
    case 0x60: {
      const signature = formatSignature(readResultTypes(c), readResultTypes(c));
      return { kind: 'func', description: signature ? `(func ${signature})` : '(func)', signature };
    }
    case 0x5f: {
      const count = c.u32();
      const fields: string[] = [];
      for (let i = 0; i < count; i++) fields.push(` (field ${readFieldType(c)})`);
      return { kind: 'struct', description: `(struct${fields.join('')})` };
    }
    case 0x5e:
      return { kind: 'array', description: `(array ${readFieldType(c)})` };
    case 0x5d: {
      // stack-switching: a continuation type over a function type index
      const index = c.s33();
      if (index < 0) c.fail('invalid continuation type index', start + 1);
      return { kind: 'cont', description: `(cont ${index})` };
    }
    default:
      return c.fail(`unknown composite type 0x${form.toString(16)}`, start);
  }
}

function readSubType(c: Cursor, index: number, recGroup: number, inRec: boolean): WasmType {
  const form = c.peek();
  let final = true;
  const supertypes: number[] = [];
  if (form === 0x50 || form === 0x4f) {
    c.pos++;
    final = form === 0x4f;
    const count = c.u32();
    for (let i = 0; i < count; i++) supertypes.push(c.u32());
  }
  const comp = readComposite(c);
  // `(sub final <comp>)` with no supertypes is the same type as plain `<comp>`.
  const description =
    final && supertypes.length === 0 ? comp.description : `(sub ${final ? 'final ' : ''}${supertypes.map((s) => `${s} `).join('')}${comp.description})`;
  const type: WasmType = { index, recGroup, inRec, kind: comp.kind, final, supertypes, description };
  if (comp.signature !== undefined) type.signature = comp.signature;
  return type;
}

function readTypeSection(c: Cursor, info: WasmModuleInfo): void {
  const groups = c.u32();
  for (let g = 0; g < groups; g++) {
    if (c.peek() === 0x4e) {
      c.pos++;
      const count = c.u32();
      for (let i = 0; i < count; i++) info.types.push(readSubType(c, info.types.length, g, true));
    } else {
      info.types.push(readSubType(c, info.types.length, g, false));
    }
  }
  info.recGroups = groups;
}

// ---- imports -------------------------------------------------------------------

function readLimits(c: Cursor): string {
  const start = c.pos;
  const flags = c.u8();
  if (flags > 0x0f) c.fail(`invalid limits flags 0x${flags.toString(16)}`, start);
  const is64 = (flags & 0x04) !== 0;
  const min = is64 ? c.u64() : c.u32();
  const parts = [is64 ? 'i64' : '', String(min)];
  if ((flags & 0x01) !== 0) parts.push(String(is64 ? c.u64() : c.u32()));
  if ((flags & 0x02) !== 0) parts.push('shared');
  if ((flags & 0x08) !== 0) parts.push(`(pagesize ${2 ** Math.min(c.u32(), 64)})`);
  return parts.filter((p) => p !== '').join(' ');
}

/** The printable type of an import's extern type, and its type index for funcs and tags. */
function readExternType(c: Cursor, kind: ExternKind, types: WasmType[]): { type: string; typeIndex?: number } {
  switch (kind) {
    case 'func': {
      const typeIndex = c.u32();
      return { type: signatureOf(types, typeIndex), typeIndex };
    }
    case 'table': {
      const ref = readValType(c);
      return { type: `${readLimits(c)} ${ref}` };
    }
    case 'memory':
      return { type: readLimits(c) };
    case 'global': {
      const valType = readValType(c);
      const mutStart = c.pos;
      const mutability = c.u8();
      if (mutability > 1) c.fail(`invalid mutability 0x${mutability.toString(16)}`, mutStart);
      return { type: mutability === 1 ? `(mut ${valType})` : valType };
    }
    case 'tag': {
      const attrStart = c.pos;
      const attribute = c.u8();
      if (attribute !== 0) c.fail(`unknown tag attribute 0x${attribute.toString(16)}`, attrStart);
      const typeIndex = c.u32();
      return { type: signatureOf(types, typeIndex), typeIndex };
    }
  }
}

function readExternKind(c: Cursor): ExternKind {
  const start = c.pos;
  const b = c.u8();
  const kind = EXTERN_KINDS[b];
  if (kind === undefined) c.fail(`unknown external kind 0x${b.toString(16)}`, start);
  return kind;
}

function pushImport(info: WasmModuleInfo, module: string, name: string, kind: ExternKind, ext: { type: string; typeIndex?: number }): void {
  const entry: WasmImport = { module, name, kind, type: ext.type };
  if (ext.typeIndex !== undefined) entry.typeIndex = ext.typeIndex;
  info.imports.push(entry);
}

function readImportSection(c: Cursor, info: WasmModuleInfo): void {
  const entries = c.u32();
  for (let i = 0; i < entries; i++) {
    const module = c.name();
    const name = c.name();
    const marker = c.peek();
    // compact-import-section proposal: `module "" 0x7F vec(name externtype)` or
    // `module "" 0x7E externtype vec(name)`; the empty name plus 0x7E/0x7F is otherwise invalid.
    if (name === '' && marker === 0x7f) {
      c.pos++;
      const count = c.u32();
      for (let j = 0; j < count; j++) {
        const itemName = c.name();
        const kind = readExternKind(c);
        pushImport(info, module, itemName, kind, readExternType(c, kind, info.types));
      }
    } else if (name === '' && marker === 0x7e) {
      c.pos++;
      const kind = readExternKind(c);
      const ext = readExternType(c, kind, info.types);
      const count = c.u32();
      for (let j = 0; j < count; j++) pushImport(info, module, c.name(), kind, ext);
    } else {
      const kind = readExternKind(c);
      pushImport(info, module, name, kind, readExternType(c, kind, info.types));
    }
  }
}

function signatureOf(types: WasmType[], typeIndex: number): string {
  const type = types[typeIndex];
  return type?.signature ?? `(type ${typeIndex})`;
}

// ---- the name section ------------------------------------------------------------

/** Function names as parallel arrays: cheaper than a Map for 50,000 entries. */
interface NameEntries {
  indices: number[];
  names: string[];
}

/** Reads subsections 0 (module name) and 1 (function names); the rest are skipped by size. */
function readNameSection(c: Cursor, info: WasmModuleInfo, names: NameEntries): void {
  while (!c.atEnd()) {
    const id = c.u8();
    const size = c.u32();
    const sub = new Cursor(c.bytes, c.pos, c.pos + size);
    c.skip(size);
    if (id === 0) {
      info.moduleName = sub.name();
    } else if (id === 1) {
      const count = sub.u32();
      for (let i = 0; i < count; i++) {
        names.indices.push(sub.u32());
        names.names.push(sub.name());
      }
    }
  }
}

// ---- the module --------------------------------------------------------------------

function emptyCounts(): WasmCounts {
  return {
    types: 0,
    recGroups: 0,
    imports: 0,
    exports: 0,
    functions: 0,
    importedFunctions: 0,
    tables: 0,
    importedTables: 0,
    memories: 0,
    importedMemories: 0,
    globals: 0,
    importedGlobals: 0,
    tags: 0,
    importedTags: 0,
    elementSegments: 0,
    dataSegments: 0,
  };
}

interface Pending {
  functionTypes: number[] | null;
  functionSectionOffset: number;
  bodySizes: number[] | null;
  definedTables: number;
  definedMemories: number;
  definedGlobals: number;
  tagTypes: number[];
}

function expectSectionEnd(c: Cursor, section: WasmSection): void {
  if (c.pos !== c.end) {
    c.fail(`section ${section.name} declares ${section.size} bytes but its content ends after ${c.pos - section.contentOffset}`);
  }
}

function readSection(c: Cursor, section: WasmSection, info: WasmModuleInfo, pending: Pending, names: NameEntries): void {
  switch (section.id) {
    case 0: {
      if (section.name === 'custom:name') {
        // Engines ignore a malformed name section; so do we, with a warning.
        try {
          readNameSection(c, info, names);
        } catch (error) {
          if (!(error instanceof WasmFormatError)) throw error;
          info.warnings.push(`name section ignored from the malformed part on: ${error.message}`);
        }
      }
      return;
    }
    case 1:
      readTypeSection(c, info);
      break;
    case 2:
      readImportSection(c, info);
      break;
    case 3: {
      const count = c.u32();
      const typeIndices: number[] = [];
      for (let i = 0; i < count; i++) typeIndices.push(c.u32());
      pending.functionTypes = typeIndices;
      pending.functionSectionOffset = section.offset;
      break;
    }
    case 4:
      pending.definedTables = c.u32(); // entries need a constant-expression decoder; only the count matters
      return;
    case 5:
      pending.definedMemories = c.u32();
      return;
    case 6:
      pending.definedGlobals = c.u32();
      return;
    case 7: {
      const count = c.u32();
      for (let i = 0; i < count; i++) {
        const name = c.name();
        const kind = readExternKind(c);
        info.exports.push({ name, kind, index: c.u32() });
      }
      break;
    }
    case 8:
      info.start = c.u32();
      break;
    case 9:
      info.counts.elementSegments = c.u32(); // segments are skipped by the section size
      return;
    case 10: {
      const count = c.u32();
      const defined = pending.functionTypes?.length ?? 0;
      if (count !== defined) c.fail(`code section has ${count} bodies but the function section declares ${defined} functions`, section.offset);
      const sizes: number[] = [];
      for (let i = 0; i < count; i++) {
        const size = c.u32();
        c.skip(size); // never decoded: robust to any instruction set
        sizes.push(size);
      }
      pending.bodySizes = sizes;
      break;
    }
    case 11:
      info.counts.dataSegments = c.u32();
      return;
    case 12:
      info.dataCount = c.u32();
      break;
    case 13: {
      const count = c.u32();
      for (let i = 0; i < count; i++) {
        const attrStart = c.pos;
        if (c.u8() !== 0) c.fail('unknown tag attribute', attrStart);
        pending.tagTypes.push(c.u32());
      }
      break;
    }
    default:
      return; // unknown id: skipped by size (recorded as a warning by the caller)
  }
  expectSectionEnd(c, section);
}

function sectionName(id: number, c: Cursor): string {
  if (id === 0) return `custom:${c.name()}`;
  return SECTION_NAMES[id] ?? `unknown:${id}`;
}

function finish(info: WasmModuleInfo, pending: Pending, names: NameEntries): void {
  const counts = info.counts;
  const importedTypes: number[] = []; // type index of each imported function
  const importedTagTypes: number[] = [];
  for (const imp of info.imports) {
    if (imp.kind === 'func') importedTypes.push(imp.typeIndex ?? -1);
    else if (imp.kind === 'tag') importedTagTypes.push(imp.typeIndex ?? -1);
    else if (imp.kind === 'table') counts.importedTables++;
    else if (imp.kind === 'memory') counts.importedMemories++;
    else counts.importedGlobals++;
  }
  const defined = pending.functionTypes ?? [];
  if (defined.length > 0 && pending.bodySizes === null) {
    throw new WasmFormatError(`function section declares ${defined.length} functions but there is no code section`, pending.functionSectionOffset);
  }
  const bodySizes = pending.bodySizes ?? [];
  const base = importedTypes.length;
  const fnNames: (string | undefined)[] = new Array<string | undefined>(defined.length).fill(undefined);
  for (let k = 0; k < names.indices.length; k++) {
    const position = names.indices[k] - base;
    if (position >= 0 && position < defined.length) fnNames[position] = names.names[k];
  }
  const functions: WasmFunction[] = new Array<WasmFunction>(defined.length);
  for (let i = 0; i < defined.length; i++) {
    const typeIndex = defined[i];
    const signature = signatureOf(info.types, typeIndex);
    const name = fnNames[i];
    // Two object literals keep one hidden class each (no property added later).
    functions[i] =
      name === undefined
        ? { index: base + i, typeIndex, signature, bodySize: bodySizes[i] }
        : { index: base + i, name, typeIndex, signature, bodySize: bodySizes[i] };
  }
  info.functions = functions;

  counts.types = info.types.length;
  counts.recGroups = info.recGroups;
  counts.imports = info.imports.length;
  counts.exports = info.exports.length;
  counts.importedFunctions = importedTypes.length;
  counts.functions = importedTypes.length + defined.length;
  counts.importedTags = importedTagTypes.length;
  counts.tags = importedTagTypes.length + pending.tagTypes.length;
  counts.tables = counts.importedTables + pending.definedTables;
  counts.memories = counts.importedMemories + pending.definedMemories;
  counts.globals = counts.importedGlobals + pending.definedGlobals;

  const funcTypes = importedTypes.concat(defined);
  const tagTypes = importedTagTypes.concat(pending.tagTypes);
  for (const exp of info.exports) {
    const typeIndex = exp.kind === 'func' ? funcTypes[exp.index] : exp.kind === 'tag' ? tagTypes[exp.index] : undefined;
    if (typeIndex !== undefined && typeIndex >= 0) exp.signature = signatureOf(info.types, typeIndex);
  }
}

/**
 * Reads the structure of any WebAssembly module (core, GC, exceptions, tail calls, ...).
 * Throws WasmFormatError, with the offset, for malformed input; never decodes code bodies.
 */
export function readModule(bytes: Uint8Array): WasmModuleInfo {
  const c = new Cursor(bytes, 0, bytes.length);
  if (bytes.length < 4 || bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    throw new WasmFormatError('not a WebAssembly module (bad magic number)', 0);
  }
  if (bytes.length < 8) throw new WasmFormatError('truncated header (no version)', bytes.length);
  const version = bytes[4] | (bytes[5] << 8) | (bytes[6] << 16) | (bytes[7] << 24);
  if (version !== 1) {
    // 0x0d 0x00 0x01 0x00 is the component-model layer; both are "not a core module".
    throw new WasmFormatError(`unsupported version ${version >>> 0} (expected 1 for a core module)`, 4);
  }
  c.pos = 8;

  const info: WasmModuleInfo = {
    size: bytes.length,
    version,
    sections: [],
    types: [],
    recGroups: 0,
    imports: [],
    exports: [],
    functions: [],
    counts: emptyCounts(),
    start: null,
    dataCount: null,
    moduleName: null,
    warnings: [],
  };
  const names: NameEntries = { indices: [], names: [] };
  const pending: Pending = { functionTypes: null, functionSectionOffset: 0, bodySizes: null, definedTables: 0, definedMemories: 0, definedGlobals: 0, tagTypes: [] };
  let lastRank = 0;
  const seen = new Set<number>();

  while (!c.atEnd()) {
    const offset = c.pos;
    const id = c.u8();
    const size = c.u32();
    const contentOffset = c.pos;
    if (size > c.end - contentOffset) {
      throw new WasmFormatError(`section ${SECTION_NAMES[id] ?? id} declares ${size} bytes but only ${c.end - contentOffset} remain`, offset);
    }
    const body = new Cursor(bytes, contentOffset, contentOffset + size);
    const name = sectionName(id, body);
    const rank = SECTION_RANK[id];
    if (rank !== undefined) {
      if (seen.has(id)) throw new WasmFormatError(`duplicate ${name} section`, offset);
      if (rank < lastRank) throw new WasmFormatError(`${name} section out of order`, offset);
      seen.add(id);
      lastRank = rank;
    } else if (id !== 0) {
      info.warnings.push(`unknown section id ${id} (${size} bytes) at offset ${offset} skipped`);
    }
    const section: WasmSection = { id, name, offset, contentOffset, size };
    info.sections.push(section);
    readSection(body, section, info, pending, names);
    c.pos = contentOffset + size;
  }

  finish(info, pending, names);
  return info;
}
