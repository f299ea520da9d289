// Turns what happened during one `compile_form` call (the report-form-result calls, the
// return value or the thrown error) into a FormResult, following docs/stage0-abi.md.
// Pure apart from the injected validator, so the rules are unit-tested without Wasm.
import type { FormResult } from '../../types';
import { clipText } from '../../util/boundedText';

/** One `clysm.compile.report-form-result` call. */
export interface FormReport {
  formId: string | null;
  success: boolean;
  errorType: string | null;
  message: string | null;
}

export interface FormCallOutcome {
  reports: FormReport[];
  /** What compile_form returned (when it returned). */
  returned?: unknown;
  /** What compile_form threw (when it threw). */
  thrown?: unknown;
}

/** Returns undefined when the bytes are a valid module, else the engine's error text. */
export type ByteValidator = (bytes: Uint8Array) => string | undefined;

export type ByteStringResult = { ok: true; bytes: Uint8Array } | { ok: false; reason: string };

/** A "byte string": every UTF-16 unit is one byte (0–255). Anything else is an ABI error. */
export function byteStringToBytes(text: string): ByteStringResult {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit > 0xff) {
      return { ok: false, reason: `compile_form returned a string with char code ${unit} at offset ${i}; a byte string has only codes 0–255` };
    }
  }
  return { ok: true, bytes: Uint8Array.from(Buffer.from(text, 'latin1')) };
}

/** Text for a trap or other throw out of Wasm: V8's message, with the kind when it helps. */
export function describeThrown(thrown: unknown): string {
  return clipText(describeUnbounded(thrown));
}

function describeUnbounded(thrown: unknown): string {
  if (thrown instanceof Error) {
    // V8 reports Wasm stack exhaustion as a RangeError, not a RuntimeError.
    if (thrown instanceof RangeError && /call stack/i.test(thrown.message)) return `stack overflow: ${thrown.message}`;
    if (thrown.name === 'RuntimeError') return thrown.message;
    return `${thrown.name}: ${thrown.message}`;
  }
  // A WebAssembly.Exception (an uncaught Wasm `throw`) is not an Error.
  const name = (thrown as { constructor?: { name?: string } } | null)?.constructor?.name;
  if (name === 'Exception') return 'uncaught Wasm exception (a `throw` that no try_table caught)';
  return `uncaught ${typeof thrown}: ${String(thrown)}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Precedence, first match wins: a failure report; a `skipped` report; a trap; a returned
 * byte string (validated); nothing at all. The caller handles timeouts.
 */
export function interpretFormCall(outcome: FormCallOutcome, validate: ByteValidator): FormResult {
  const failure = outcome.reports.find((r) => !r.success);
  if (failure) {
    return {
      status: 'failed',
      errorType: failure.errorType ?? 'compile-error',
      message: clipText(failure.message ?? 'Stage 0 reported a failure without a message'),
    };
  }
  const skipped = outcome.reports.find((r) => r.success && r.errorType === 'skipped');
  if (skipped) return { status: 'skipped', ...(skipped.message ? { message: clipText(skipped.message) } : {}) };
  if ('thrown' in outcome) return { status: 'failed', errorType: 'trap', message: describeThrown(outcome.thrown) };
  const returned = outcome.returned;
  if (returned === null || returned === undefined) {
    const reportedSuccess = outcome.reports.some((r) => r.success);
    return {
      status: 'no-output',
      message: reportedSuccess ? 'Stage 0 reported success but returned no bytes' : 'Stage 0 returned no output for this form',
    };
  }
  if (typeof returned !== 'string') {
    return { status: 'failed', errorType: 'abi-error', message: `compile_form returned ${kindOf(returned)}; expected a byte string or null` };
  }
  const converted = byteStringToBytes(returned);
  if (!converted.ok) return { status: 'failed', errorType: 'abi-error', message: converted.reason };
  const invalid = validate(converted.bytes);
  if (invalid !== undefined) return { status: 'failed', errorType: 'wasm-validation-error', message: clipText(invalid) };
  return { status: 'compiled', bytes: converted.bytes.length, wasm: converted.bytes };
}
