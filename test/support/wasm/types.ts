// Value, reference and composite types (core + GC + exception handling), and their encodings.
import { u32, s32, type Bytes } from './encoding';

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

/** Abstract heap type bytes (as used by ref.null and reference types). */
export const heap = { func: 0x70, extern: 0x6f, any: 0x6e, eq: 0x6d, i31: 0x6c, struct: 0x6b, array: 0x6a, exn: 0x69, none: 0x71, noextern: 0x72, nofunc: 0x73, noexn: 0x74 } as const;

/** An abstract heap type is one byte (a negative s33); refuse anything else. */
export function abstractHeap(byte: number): number[] {
  if (!(Object.values(heap) as number[]).includes(byte)) throw new Error(`not an abstract heap type: ${byte}`);
  return [byte];
}

/** `(ref null $i)` / `(ref $i)` for a concrete type index (signed LEB, so 64+ takes two bytes). */
export function ref(typeIndex: number, nullable = true): ValType {
  return [nullable ? 0x63 : 0x64, ...s32(typeIndex)];
}

/** `(ref null any)` etc.: the long form of an abstract reference type. */
export function refHeap(heapType: number, nullable = true): ValType {
  return [nullable ? 0x63 : 0x64, ...abstractHeap(heapType)];
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

export function encodeComposite(c: Composite): number[] {
  switch (c.kind) {
    case 'func':
      return [0x60, ...u32(c.params.length), ...c.params.flat(), ...u32(c.results.length), ...c.results.flat()];
    case 'struct':
      return [0x5f, ...u32(c.fields.length), ...c.fields.flatMap(encodeField)];
    case 'array':
      return [0x5e, ...encodeField(c.field)];
  }
}

export function encodeSubType(s: SubType): number[] {
  const final = s.final ?? true;
  const supers = s.supertypes ?? [];
  if (final && supers.length === 0 && !s.explicitSub) return encodeComposite(s.type);
  return [final ? 0x4f : 0x50, ...u32(supers.length), ...supers.flatMap((t) => u32(t)), ...encodeComposite(s.type)];
}

export function asSubType(t: SubType | Composite): SubType {
  return 'kind' in t ? { type: t } : t;
}
