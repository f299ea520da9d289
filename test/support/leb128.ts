// LEB128, as the WebAssembly binary format encodes integers: the one encoder both test
// assemblers use (test/fixtures/stage0/wasm.ts for the fixture Stage 0, wasmBuilder.ts for the
// reader, diff and bench modules).

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
