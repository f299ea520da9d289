// Validation of a produced Stage 1 (or Stage 2): V8's own verdict with its message and byte
// offset, and wasm-tools' when it is on the PATH. Both texts are shown as the validators
// wrote them; the offsets are parsed out so the view can point at them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { findExecutable } from '../backends/sbcl/findExecutable';
import { v8SupportsWasmGc } from '../backends/sbcl/validate';
import { stage0CompileOptions, webAssembly } from '../backends/stage0/wasmApi';

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
  try {
    new (webAssembly().Module)(bytes, stage0CompileOptions);
    return { validator: 'v8', ran: true, valid: true, note };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { validator: 'v8', ran: true, valid: false, message, offset: v8Offset(message), note };
  }
}

export async function validateWithWasmTools(bytes: Uint8Array, wasmTools: string | null | undefined): Promise<ValidatorVerdict> {
  const found = wasmTools === null ? undefined : findExecutable(wasmTools ?? 'wasm-tools');
  if (!found) {
    const why = wasmTools === null ? 'disabled' : `${wasmTools ?? 'wasm-tools'} is not on the PATH`;
    return { validator: 'wasm-tools', ran: false, note: why };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-validate-'));
  try {
    const file = path.join(dir, 'module.wasm');
    fs.writeFileSync(file, bytes);
    const result = await execa(found, ['validate', file], { reject: false, timeout: 60_000 });
    if (result.exitCode === 0) return { validator: 'wasm-tools', ran: true, valid: true, note: found };
    const message = `${result.stderr ?? ''}`.trim() || (result.shortMessage ?? 'wasm-tools validate failed');
    return { validator: 'wasm-tools', ran: true, valid: false, message, offset: wasmToolsOffset(message), note: found };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
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
