// The byte-level encodings of the WebAssembly binary format that every part of the test
// assembler shares: LEB128 integers, names, vectors, and a growable byte buffer.

export type Bytes = readonly number[];

/** Unsigned LEB128. */
export function u32(value: number): number[] {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`u32 out of range: ${value}`);
  const out: number[] = [];
  let v = value;
  for (;;) {
    const low = v % 128;
    v = Math.floor(v / 128);
    if (v === 0) {
      out.push(low);
      return out;
    }
    out.push(low | 0x80);
  }
}

/** Signed LEB128 (s32 / s33). */
export function s32(value: number): number[] {
  if (!Number.isInteger(value) || value < -(2 ** 32) || value >= 2 ** 32) throw new RangeError(`s33 out of range: ${value}`);
  const out: number[] = [];
  let v = value;
  for (;;) {
    const low = ((v % 128) + 128) % 128;
    v = Math.floor(v / 128);
    const signSet = (low & 0x40) !== 0;
    if ((v === 0 && !signSet) || (v === -1 && signSet)) {
      out.push(low);
      return out;
    }
    out.push(low | 0x80);
  }
}

export function utf8(text: string): number[] {
  return [...new TextEncoder().encode(text)];
}

/** A name: length-prefixed UTF-8. */
export function name(text: string): number[] {
  const bytes = utf8(text);
  return [...u32(bytes.length), ...bytes];
}

/** A vector: the count, then the items. */
export function vec(items: readonly Bytes[]): number[] {
  return [...u32(items.length), ...items.flat()];
}

/** A growable byte buffer, so multi-megabyte bench modules build quickly (no spread into push). */
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

export function concat(parts: ArrayLike<number>[]): Uint8Array {
  const w = new ByteWriter();
  for (const p of parts) w.bytes(p);
  return w.finish();
}
