// V8's verdict on a module with the function and byte it names: "Compiling function #N failed:
// … @+OFFSET". The validator (../validate.ts) gives the message and offset; the Wasm view also
// needs the function index, to place the error on a printed function.
import { v8Offset, validateInV8 } from '../validate';

export interface V8Failure {
  /** V8's message without the `WebAssembly.Module():` prefix and the `@+offset` suffix. */
  message: string;
  /** The function V8 names (function index space), when the error is in a function body. */
  functionIndex: number | null;
  /** The byte offset V8 names, absolute in the module. */
  offset: number | null;
}

const FUNCTION_FAILURE = /^Compiling function #(\d+)(?::"(?:[^"\\]|\\.)*")? failed:/;

/** Reads a V8 WebAssembly.Module error message. */
export function parseV8Failure(text: string): V8Failure {
  const message = text.replace(/^WebAssembly\.Module\(\): /, '');
  const fn = FUNCTION_FAILURE.exec(message);
  return {
    message: message.replace(/ @\+\d+\s*$/, ''),
    functionIndex: fn ? Number(fn[1]) : null,
    offset: v8Offset(message) ?? null,
  };
}

/** Undefined when this runtime's V8 accepts the bytes (or cannot judge them: no WasmGC). */
export function v8Failure(bytes: Uint8Array): V8Failure | undefined {
  const verdict = validateInV8(bytes);
  return verdict.ran && !verdict.valid ? parseV8Failure(verdict.message ?? '') : undefined;
}
