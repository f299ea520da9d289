// Function bodies: one method per instruction, with named locals and named branch labels, so
// the code that builds a body never counts local indices or block depths by hand.
import { s32, u32, vec, type Bytes } from './encoding';
import { abstractHeap, type ValType } from './types';

/** Block type: none, a single value type, or a type index. */
export type BlockType = 'void' | ValType | { typeIndex: number };

function encodeBlockType(type: BlockType): Bytes {
  if (type === 'void') return [0x40];
  if (Array.isArray(type)) return type;
  return s32((type as { typeIndex: number }).typeIndex);
}

export type Catch =
  | { kind: 'catch'; tag: number; label: string }
  | { kind: 'catch_ref'; tag: number; label: string }
  | { kind: 'catch_all'; label: string }
  | { kind: 'catch_all_ref'; label: string };

/** Builds one function body. Locals are named; branch targets are named labels. */
export class Code {
  readonly bytes: number[] = [];
  private readonly localIndex = new Map<string, number>();
  private readonly localTypes: ValType[] = [];
  private readonly labels: string[] = [];
  private paramCount = 0;

  constructor(params: ReadonlyArray<readonly [string, ValType]> = []) {
    for (const [localName] of params) this.localIndex.set(localName, this.paramCount++);
  }

  /** Declares a local (besides the params) and returns its name for chaining. */
  local(localName: string, type: ValType): string {
    if (this.localIndex.has(localName)) throw new Error(`duplicate local ${localName}`);
    this.localIndex.set(localName, this.paramCount + this.localTypes.length);
    this.localTypes.push(type);
    return localName;
  }

  private index(localName: string): number {
    const found = this.localIndex.get(localName);
    if (found === undefined) throw new Error(`unknown local ${localName}`);
    return found;
  }

  private depth(label: string): number {
    const at = this.labels.lastIndexOf(label);
    if (at < 0) throw new Error(`unknown label ${label}`);
    return this.labels.length - 1 - at;
  }

  private emit(...bytes: number[]): this {
    for (const b of bytes) this.bytes.push(b);
    return this;
  }

  /** Bytes as they are, for bodies that must be malformed or use opcodes this class lacks. */
  raw(...bytes: number[]): this {
    return this.emit(...bytes);
  }

  // control
  unreachable(): this { return this.emit(0x00); }
  nop(): this { return this.emit(0x01); }
  private structured(opcode: number, label: string, type: BlockType, body: () => void, extra: Bytes = []): this {
    this.emit(opcode, ...encodeBlockType(type), ...extra);
    this.labels.push(label);
    body();
    this.labels.pop();
    return this.emit(0x0b);
  }
  block(label: string, type: BlockType, body: () => void): this { return this.structured(0x02, label, type, body); }
  loop(label: string, type: BlockType, body: () => void): this { return this.structured(0x03, label, type, body); }
  /** `if … else … end`; the condition must already be on the stack. */
  if(type: BlockType, then: () => void, otherwise?: () => void): this {
    this.emit(0x04, ...encodeBlockType(type));
    this.labels.push('');
    then();
    if (otherwise) {
      this.emit(0x05);
      otherwise();
    }
    this.labels.pop();
    return this.emit(0x0b);
  }
  /** `try_table` whose catch clauses branch to enclosing labels. */
  tryTable(label: string, type: BlockType, catches: Catch[], body: () => void): this {
    const encoded = catches.map((c): Bytes => {
      switch (c.kind) {
        case 'catch': return [0x00, ...u32(c.tag), ...u32(this.depth(c.label))];
        case 'catch_ref': return [0x01, ...u32(c.tag), ...u32(this.depth(c.label))];
        case 'catch_all': return [0x02, ...u32(this.depth(c.label))];
        case 'catch_all_ref': return [0x03, ...u32(this.depth(c.label))];
      }
    });
    return this.structured(0x1f, label, type, body, vec(encoded));
  }
  br(label: string): this { return this.emit(0x0c, ...u32(this.depth(label))); }
  brIf(label: string): this { return this.emit(0x0d, ...u32(this.depth(label))); }
  return(): this { return this.emit(0x0f); }
  call(funcIndex: number): this { return this.emit(0x10, ...u32(funcIndex)); }
  returnCall(funcIndex: number): this { return this.emit(0x12, ...u32(funcIndex)); }
  throw(tag: number): this { return this.emit(0x08, ...u32(tag)); }
  throwRef(): this { return this.emit(0x0a); }
  drop(): this { return this.emit(0x1a); }
  select(): this { return this.emit(0x1b); }

  // variables
  get(localName: string): this { return this.emit(0x20, ...u32(this.index(localName))); }
  set(localName: string): this { return this.emit(0x21, ...u32(this.index(localName))); }
  tee(localName: string): this { return this.emit(0x22, ...u32(this.index(localName))); }
  globalGet(global: number): this { return this.emit(0x23, ...u32(global)); }
  globalSet(global: number): this { return this.emit(0x24, ...u32(global)); }

  // references
  /** `ref.null` of an abstract heap type (`heap.extern`, ...). */
  refNull(abstractHeapType: number): this { return this.emit(0xd0, ...abstractHeap(abstractHeapType)); }
  /** `ref.null $t` for a concrete type index. */
  refNullType(typeIndex: number): this { return this.emit(0xd0, ...s32(typeIndex)); }
  refIsNull(): this { return this.emit(0xd1); }
  refAsNonNull(): this { return this.emit(0xd4); }

  // i32
  i32Const(value: number): this { return this.emit(0x41, ...s32(value | 0)); }
  i32Eqz(): this { return this.emit(0x45); }
  i32Eq(): this { return this.emit(0x46); }
  i32Ne(): this { return this.emit(0x47); }
  i32LtS(): this { return this.emit(0x48); }
  i32LtU(): this { return this.emit(0x49); }
  i32GtS(): this { return this.emit(0x4a); }
  i32GtU(): this { return this.emit(0x4b); }
  i32LeS(): this { return this.emit(0x4c); }
  i32LeU(): this { return this.emit(0x4d); }
  i32GeS(): this { return this.emit(0x4e); }
  i32GeU(): this { return this.emit(0x4f); }
  i32Add(): this { return this.emit(0x6a); }
  i32Sub(): this { return this.emit(0x6b); }
  i32Mul(): this { return this.emit(0x6c); }
  i32And(): this { return this.emit(0x71); }
  i32Or(): this { return this.emit(0x72); }
  i32Shl(): this { return this.emit(0x74); }
  i32ShrU(): this { return this.emit(0x76); }
  i32DivU(): this { return this.emit(0x6e); }
  i32RemU(): this { return this.emit(0x70); }
  /** An i64 constant within the i32 range (WASI rights masks, offsets). */
  i64Const(value: number): this { return this.emit(0x42, ...s32(value)); }

  // linear memory (memory 0; `offset` is the static offset immediate)
  i32Load(offset = 0): this { return this.emit(0x28, 2, ...u32(offset)); }
  i32Load8U(offset = 0): this { return this.emit(0x2d, 0, ...u32(offset)); }
  i32Store(offset = 0): this { return this.emit(0x36, 2, ...u32(offset)); }
  i32Store8(offset = 0): this { return this.emit(0x3a, 0, ...u32(offset)); }
  /** Memory 0's size in pages. */
  memorySize(): this { return this.emit(0x3f, 0x00); }
  /** Grows memory 0 by the pages on the stack; leaves the old size, or -1. */
  memoryGrow(): this { return this.emit(0x40, 0x00); }
  /** `memory.fill` of memory 0: destination, byte value and length on the stack. */
  memoryFill(): this { return this.emit(0xfc, 0x0b, 0x00); }

  // GC
  structNew(type: number): this { return this.emit(0xfb, 0x00, ...u32(type)); }
  structNewDefault(type: number): this { return this.emit(0xfb, 0x01, ...u32(type)); }
  structGet(type: number, field: number): this { return this.emit(0xfb, 0x02, ...u32(type), ...u32(field)); }
  arrayNewDefault(type: number): this { return this.emit(0xfb, 0x07, ...u32(type)); }
  arrayNewFixed(type: number, count: number): this { return this.emit(0xfb, 0x08, ...u32(type), ...u32(count)); }
  arrayNewData(type: number, data: number): this { return this.emit(0xfb, 0x09, ...u32(type), ...u32(data)); }
  arrayGet(type: number): this { return this.emit(0xfb, 0x0b, ...u32(type)); }
  arrayGetU(type: number): this { return this.emit(0xfb, 0x0d, ...u32(type)); }
  arraySet(type: number): this { return this.emit(0xfb, 0x0e, ...u32(type)); }
  arrayLen(): this { return this.emit(0xfb, 0x0f); }
  arrayCopy(destType: number, sourceType: number): this { return this.emit(0xfb, 0x11, ...u32(destType), ...u32(sourceType)); }
  /** `ref.test (ref null? $t)` for a concrete type index. */
  refTest(type: number, nullable = false): this { return this.emit(0xfb, nullable ? 0x15 : 0x14, ...s32(type)); }
  /** `ref.cast (ref null? $t)` for a concrete type index. */
  refCast(type: number, nullable = false): this { return this.emit(0xfb, nullable ? 0x17 : 0x16, ...s32(type)); }
  anyConvertExtern(): this { return this.emit(0xfb, 0x1a); }
  externConvertAny(): this { return this.emit(0xfb, 0x1b); }
  refI31(): this { return this.emit(0xfb, 0x1c); }

  /** The function body without its size: the locals (one entry per local), the instructions, `end`. */
  encode(): number[] {
    const groups: Bytes[] = this.localTypes.map((type) => [1, ...type]);
    return [...vec(groups), ...this.bytes, 0x0b];
  }
}

/** Constant expressions (global initialisers, data offsets), without the final `end`. */
export const constExpr = {
  i32: (value: number): Bytes => [0x41, ...s32(value | 0)],
  refNull: (abstractHeapType: number): Bytes => [0xd0, ...abstractHeap(abstractHeapType)],
  refNullType: (typeIndex: number): Bytes => [0xd0, ...s32(typeIndex)],
};
