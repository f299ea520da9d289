// Validation of the bytes Clysm returns. Clysm's own generator counts a module its validator
// rejects as a failed form, so we do the same, with V8's own message (in-process, ~40 µs per
// module) and, when `wasm-tools` is on the PATH, its verdict too (the validator Clysm uses).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { findExecutable } from './findExecutable';

/** The few members of the WebAssembly global used here (the project's lib has no DOM types). */
export interface WasmGlobal {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports?: Record<string, unknown>) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

export function wasmGlobal(): WasmGlobal {
  const api = (globalThis as { WebAssembly?: WasmGlobal }).WebAssembly;
  if (!api) throw new Error('this JavaScript runtime has no WebAssembly');
  return api;
}

export type Validation =
  | { valid: true }
  | { valid: false; validator: 'v8' | 'wasm-tools'; message: string };

/** V8's reason for rejecting `bytes`, without the `WebAssembly.Module():` prefix and `@+offset`; undefined when valid. */
export function v8Rejection(bytes: Uint8Array): string | undefined {
  try {
    new (wasmGlobal().Module)(bytes);
    return undefined;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return text.replace(/^WebAssembly\.Module\(\): /, '').replace(/ @\+\d+$/, '');
  }
}

// (module (type (struct (field i32))) (type (func (result (ref null 0)))) (func (type 1) ref.null 0))
// in the final GC encoding: V8 in Node 20 rejects it, so its verdicts on Clysm output mean nothing.
const GC_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x0a, 0x02, 0x5f, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x01, 0x63, 0x00,
  0x03, 0x02, 0x01, 0x01,
  0x0a, 0x06, 0x01, 0x04, 0x00, 0xd0, 0x00, 0x0b,
]);

let gcSupport: boolean | undefined;

/** Whether this runtime's V8 understands WasmGC (Node ≥ 22, VS Code ≥ 1.103). */
export function v8SupportsWasmGc(): boolean {
  gcSupport ??= wasmGlobal().validate(GC_PROBE);
  return gcSupport;
}

/** `wasm-tools validate` on a temporary file: undefined when valid, else its message. */
export async function wasmToolsRejection(bytes: Uint8Array, wasmTools: string): Promise<string | undefined> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-validate-'));
  const file = path.join(dir, 'form.wasm');
  try {
    fs.writeFileSync(file, bytes);
    const result = await execa(wasmTools, ['validate', file], { reject: false, timeout: 30_000 });
    if (result.exitCode === 0) return undefined;
    const text = `${result.stderr ?? ''}`.trim() || (result.shortMessage ?? 'wasm-tools validate failed');
    return text.replace(/^error: /, '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface ValidatorOptions {
  /** Path of wasm-tools; undefined: look it up on PATH; null: never use it. */
  wasmTools?: string | null;
}

export class WasmValidator {
  readonly useV8: boolean;
  readonly wasmTools: string | undefined;

  constructor(options: ValidatorOptions = {}) {
    this.useV8 = v8SupportsWasmGc();
    this.wasmTools =
      options.wasmTools === null ? undefined : findExecutable(options.wasmTools ?? 'wasm-tools');
  }

  /** For status messages: which validators run. */
  describe(): string {
    const parts = [];
    if (this.useV8) parts.push(`V8 ${process.versions.v8}`);
    if (this.wasmTools) parts.push('wasm-tools');
    return parts.length > 0
      ? `validated by ${parts.join(' and ')}`
      : `not validated: this runtime's V8 ${process.versions.v8} lacks WasmGC and wasm-tools is not on the PATH`;
  }

  async validate(bytes: Uint8Array): Promise<Validation> {
    if (this.useV8) {
      const message = v8Rejection(bytes);
      if (message !== undefined) return { valid: false, validator: 'v8', message };
    }
    if (this.wasmTools) {
      const message = await wasmToolsRejection(bytes, this.wasmTools);
      if (message !== undefined) return { valid: false, validator: 'wasm-tools', message };
    }
    return { valid: true };
  }
}
