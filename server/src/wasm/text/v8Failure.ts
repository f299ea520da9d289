// V8's verdict on a module with the place it names: "Compiling function #N failed: … @+OFFSET".
// (backends/sbcl/validate.ts keeps only the message; the Wasm view needs the offset too.)
import { wasmGlobal } from '../../backends/sbcl/validate';

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
  const at = / @\+(\d+)\s*$/.exec(message);
  const fn = FUNCTION_FAILURE.exec(message);
  return {
    message: at ? message.slice(0, at.index) : message,
    functionIndex: fn ? Number(fn[1]) : null,
    offset: at ? Number(at[1]) : null,
  };
}

/** Undefined when this runtime's V8 accepts the bytes. */
export function v8Failure(bytes: Uint8Array): V8Failure | undefined {
  try {
    new (wasmGlobal().Module)(bytes);
    return undefined;
  } catch (error) {
    return parseV8Failure(error instanceof Error ? error.message : String(error));
  }
}
