// Where each function body sits in a module's code section, and the same module with some
// bodies replaced. The printer wrapper uses this to print a body the library cannot read as a
// whole in parts (printWat.ts), and to count the instructions before a byte offset.
import type { WasmModuleInfo } from '../wasmReader';

const CODE_SECTION_ID = 10;
const REF_NULL = 0x63;
const REF = 0x64;

export interface CodeBody {
  /** Index in the function index space (imports first), as V8's "function #N" counts. */
  index: number;
  /** Offset of the body's first byte (its local declarations), after the size field. */
  start: number;
  /** Offset of the first instruction, after the local declarations. */
  codeStart: number;
  /** Offset just past the body (its final `end` is the byte before). */
  end: number;
}

/** Unsigned LEB128 at `pos`: its value and the offset after it. */
function readU32(bytes: Uint8Array, pos: number): { value: number; next: number } {
  let value = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    if (pos >= bytes.length) throw new Error(`truncated LEB128 at byte offset ${pos}`);
    const byte = bytes[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: pos };
  }
  throw new Error(`LEB128 longer than 5 bytes at byte offset ${pos}`);
}

function encodeU32(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Offset after a body's local declarations: each is a count and a value type (a reference type carries a heap type). */
function skipLocals(bytes: Uint8Array, pos: number): number {
  const groups = readU32(bytes, pos);
  pos = groups.next;
  for (let i = 0; i < groups.value; i++) {
    pos = readU32(bytes, pos).next;
    const type = bytes[pos++];
    if (type === REF_NULL || type === REF) pos = readU32(bytes, pos).next; // s33 heap type: same length rule
  }
  return pos;
}

/** The bodies of the module's defined functions, in order. */
export function readCodeBodies(bytes: Uint8Array, info: WasmModuleInfo): CodeBody[] {
  const section = info.sections.find((s) => s.id === CODE_SECTION_ID);
  if (!section) return [];
  const count = readU32(bytes, section.contentOffset);
  let pos = count.next;
  const bodies: CodeBody[] = [];
  for (let i = 0; i < count.value; i++) {
    const size = readU32(bytes, pos);
    const start = size.next;
    bodies.push({ index: info.counts.importedFunctions + i, start, codeStart: skipLocals(bytes, start), end: start + size.value });
    pos = start + size.value;
  }
  return bodies;
}

/** The parts one after the other. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The module with the instructions of some bodies (by function index) replaced; local declarations are kept. */
export function withInstructions(bytes: Uint8Array, info: WasmModuleInfo, bodies: readonly CodeBody[], replaced: ReadonlyMap<number, Uint8Array>): Uint8Array {
  const section = info.sections.find((s) => s.id === CODE_SECTION_ID);
  if (!section || replaced.size === 0) return bytes;
  const content: Uint8Array[] = [Uint8Array.from(encodeU32(bodies.length))];
  for (const body of bodies) {
    const code = replaced.get(body.index) ?? bytes.subarray(body.codeStart, body.end);
    content.push(Uint8Array.from(encodeU32(body.codeStart - body.start + code.length)), bytes.subarray(body.start, body.codeStart), code);
  }
  const payload = concat(content);
  return concat([
    bytes.subarray(0, section.offset),
    Uint8Array.from([CODE_SECTION_ID, ...encodeU32(payload.length)]),
    payload,
    bytes.subarray(section.contentOffset + section.size),
  ]);
}
