// A form's module as WAT, with V8's rejection placed on its line: what `clysm-check wat --json`
// prints and what the Show Wasm document shows. Pure once the printer is loaded.
import type { FormWat } from '../../protocol/wat';
import type { AnalyzedForm, FormResult } from '../../types';
import { WatModule } from './printWat';
import { v8Failure } from './v8Failure';
import type { PrintFn } from './wasmToolsLoader';

/** Forms that compile to bytes (compiled, or rejected by the validator), whether or not the result still holds them. */
export function hasBytes(result: FormResult): boolean {
  return result.wasm !== undefined || result.status === 'compiled' || result.errorType === 'wasm-validation-error';
}

/** The form's WAT; throws only when the printer cannot print the bytes at all. */
export function formWat(form: Pick<AnalyzedForm, 'id' | 'result'>, print: PrintFn): FormWat {
  const { id, result } = form;
  if (!result.wasm) {
    const message = `form ${id} has no Wasm bytes (${result.status}${result.message ? `: ${result.message}` : ''})`;
    return { id, status: result.status, wat: null, error: { message, function_index: null, offset: null, line: null } };
  }
  const printed = WatModule.print(result.wasm, print);
  const failure = v8Failure(result.wasm);
  if (!failure) return { id, status: result.status, wat: printed.text };
  const placed = failure.functionIndex !== null && failure.offset !== null && printed.functions.some((f) => f.index === failure.functionIndex);
  return {
    id,
    status: result.status,
    wat: printed.text,
    error: {
      message: failure.message,
      function_index: failure.functionIndex,
      offset: failure.offset,
      line: placed ? printed.lineOf(failure.functionIndex!, failure.offset!) : null,
    },
  };
}
