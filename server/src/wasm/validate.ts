// The one "V8, then wasm-tools when on the PATH" validator. V8 answers in-process (~40 µs per
// module); wasm-tools is the validator Clysm's own generator uses. Two views of the same
// verdicts: per compiled form (WasmValidator: the first rejection, its message trimmed, as a
// form's failure text) and per produced Stage 1 or Stage 2 (validateWasm: every validator's
// own text and the byte offset it blamed, for the report and the view).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { findExecutable } from '../util/findExecutable';
import { makePrivateFolder } from '../util/privateTempFolder';
import { v8SupportsWasmGc } from './runtimeProbe';
import { stage0CompileOptions, webAssembly, type WasmCompileOptions } from './webAssembly';

/** wasm-tools from a setting: undefined looks it up on the PATH, null never uses it. */
export function findWasmTools(setting: string | null | undefined, searchPath?: string): string | undefined {
  return setting === null ? undefined : findExecutable(setting ?? 'wasm-tools', searchPath);
}

/** V8's own error text for `bytes`, or undefined when it compiles. */
function v8Error(bytes: Uint8Array, options?: WasmCompileOptions): string | undefined {
  // validate() only checks (a Module is also allocated, and only it says why). Not with
  // options: builtins are checked against their imports when a Module is built.
  if (!options && webAssembly().validate(bytes)) return undefined;
  try {
    new (webAssembly().Module)(bytes, options);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** `wasm-tools validate` on a temporary file: undefined when valid, else its message. */
async function wasmToolsError(bytes: Uint8Array, wasmTools: string, timeoutMs: number): Promise<string | undefined> {
  const dir = makePrivateFolder(os.tmpdir(), 'validate');
  const file = path.join(dir, 'module.wasm');
  try {
    fs.writeFileSync(file, bytes);
    const result = await execa(wasmTools, ['validate', file], { reject: false, timeout: timeoutMs });
    if (result.exitCode === 0) return undefined;
    return `${result.stderr ?? ''}`.trim() || (result.shortMessage ?? 'wasm-tools validate failed');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- per compiled form -------------------------------------------------------------------

export type Validation =
  | { valid: true }
  | { valid: false; validator: 'v8' | 'wasm-tools'; message: string };

/** V8's reason for rejecting `bytes`, without the `WebAssembly.Module():` prefix and `@+offset`; undefined when valid. */
export function v8Rejection(bytes: Uint8Array): string | undefined {
  return v8Error(bytes)?.replace(/^WebAssembly\.Module\(\): /, '').replace(/ @\+\d+$/, '');
}

export interface ValidatorOptions {
  /** Path of wasm-tools; undefined: look it up on PATH; null: never use it. */
  wasmTools?: string | null;
}

/** Checks the bytes of each compiled form, the way Clysm's generator counts a rejected module as a failed form. */
export class WasmValidator {
  readonly useV8: boolean;
  readonly wasmTools: string | undefined;

  constructor(options: ValidatorOptions = {}) {
    this.useV8 = v8SupportsWasmGc();
    this.wasmTools = findWasmTools(options.wasmTools);
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
      const message = await wasmToolsError(bytes, this.wasmTools, 30_000);
      if (message !== undefined) return { valid: false, validator: 'wasm-tools', message: message.replace(/^error: /, '') };
    }
    return { valid: true };
  }
}

// ---- per produced binary (Stage 1, Stage 2) ----------------------------------------------

export interface ValidatorVerdict {
  validator: 'v8' | 'wasm-tools';
  /** False when this validator could not run here (see `note`). */
  ran: boolean;
  valid?: boolean;
  /** The validator's own error text. */
  message?: string;
  /** 0-based byte offset the validator blamed, when it gave one. */
  offset?: number;
  /** Version or why it did not run. */
  note: string;
}

export interface ValidationResult {
  /** Valid for every validator that ran, and at least one ran. */
  valid: boolean;
  verdicts: ValidatorVerdict[];
}

/** `... @+123` at the end of a V8 compile error is the byte offset. */
export function v8Offset(message: string): number | undefined {
  const match = /@\+(\d+)\s*$/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** wasm-tools says `(at offset 0x1a)`. */
export function wasmToolsOffset(message: string): number | undefined {
  const match = /at offset 0x([0-9a-f]+)/i.exec(message);
  return match ? parseInt(match[1], 16) : undefined;
}

export function validateInV8(bytes: Uint8Array): ValidatorVerdict {
  const note = `V8 ${process.versions.v8}`;
  if (!v8SupportsWasmGc()) {
    return { validator: 'v8', ran: false, note: `${note} lacks WasmGC, so its verdict on Clysm output would mean nothing` };
  }
  // A whole compiler binary imports wasm:js-string, so it is compiled as Stage 0 is.
  const message = v8Error(bytes, stage0CompileOptions);
  if (message === undefined) return { validator: 'v8', ran: true, valid: true, note };
  return { validator: 'v8', ran: true, valid: false, message, offset: v8Offset(message), note };
}

export async function validateWithWasmTools(bytes: Uint8Array, wasmTools: string | null | undefined): Promise<ValidatorVerdict> {
  const found = findWasmTools(wasmTools);
  if (!found) {
    const why = wasmTools === null ? 'disabled' : `${wasmTools ?? 'wasm-tools'} is not on the PATH`;
    return { validator: 'wasm-tools', ran: false, note: why };
  }
  const message = await wasmToolsError(bytes, found, 60_000);
  if (message === undefined) return { validator: 'wasm-tools', ran: true, valid: true, note: found };
  return { validator: 'wasm-tools', ran: true, valid: false, message, offset: wasmToolsOffset(message), note: found };
}

export async function validateWasm(bytes: Uint8Array, wasmTools?: string | null): Promise<ValidationResult> {
  const verdicts = [validateInV8(bytes), await validateWithWasmTools(bytes, wasmTools)];
  const ran = verdicts.filter((v) => v.ran);
  return { valid: ran.length > 0 && ran.every((v) => v.valid), verdicts };
}

/** One line per validator, for the CLI and the output channel. */
export function validationText(result: ValidationResult): string {
  return result.verdicts
    .map((v) => {
      if (!v.ran) return `${v.validator}: not run (${v.note})`;
      if (v.valid) return `${v.validator}: valid (${v.note})`;
      const at = v.offset === undefined ? '' : ` at byte offset ${v.offset} (0x${v.offset.toString(16)})`;
      return `${v.validator}: INVALID${at}: ${v.message ?? ''}`;
    })
    .join('\n');
}
