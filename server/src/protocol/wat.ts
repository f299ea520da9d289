// The Show Wasm part of the client/server protocol: a form's module as WAT with V8's error
// placed on its line (also what `clysm-check wat --json` prints), and the forms with bytes.
import { RequestType } from 'vscode-languageserver-protocol';

export interface FormWatError {
  /** V8's message for rejected bytes, or the form's own message when it has no bytes. */
  message: string;
  /** The function V8 names (function index space); null when V8 names none. */
  function_index: number | null;
  /** V8's byte offset in the module; null when it names none. */
  offset: number | null;
  /** 1-based line of `wat` with the instruction at that offset; null when there is no such line. */
  line: number | null;
}

export interface FormWat {
  id: string;
  status: string;
  /** The module's text, or null when the form has no bytes. */
  wat: string | null;
  error?: FormWatError;
}

/** The client command that opens a form's WAT; the server's hover links to it. */
export const SHOW_WASM_COMMAND = 'clysm.showWasmForForm';

export interface FormWatParams {
  /** Form id `"{module}:{form}"`. */
  formId: string;
}

export interface FormWatResult extends FormWat {
  /** Workspace-relative path of the form's module. */
  file: string;
  /** The form's defined name (`ENCODE-ULEB128`), when it has one. */
  name: string | null;
  /** `wasm-tools validate`'s message for bytes V8 rejects, when wasm-tools is on the PATH. */
  wasmTools?: string;
}

/** The form's module in WAT; null when no form has that id. */
export const FormWatRequest = new RequestType<FormWatParams, FormWatResult | null, void>('clysm/formWat');

export interface WasmFormsParams {
  /** A module's document URI. */
  uri: string;
}

/** A form of the module with bytes to show: compiled, or rejected by the validator. */
export interface WasmFormRef {
  id: string;
  status: string;
  name: string | null;
  /** 0-based LSP range of the form. */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

/** The forms of one module that have Wasm bytes (for the Show Wasm CodeLens). */
export const WasmFormsRequest = new RequestType<WasmFormsParams, WasmFormRef[], void>('clysm/wasmForms');

export interface FunctionDiffParams {
  /** Absolute paths of the two modules (Stage 0 and Stage 1 in the report). */
  a: string;
  b: string;
}

/** A changed function of a function-level diff, with how its pair was made. */
export interface ChangedFunction {
  label: string;
  pairedBy: 'export' | 'name' | 'index';
  indexA: number;
  indexB: number;
  bodyA: number;
  bodyB: number;
}

/** The changed functions of two modules, paired by export name, then name section, then index. */
export const FunctionDiffRequest = new RequestType<FunctionDiffParams, ChangedFunction[], void>('clysm/functionDiff');

export interface FunctionWatParams {
  /** Absolute path of a module. */
  file: string;
  /** Function index (imports first). */
  index: number;
}

/** One function of a module as WAT (its `(func …)` through its closing parenthesis). */
export const FunctionWatRequest = new RequestType<FunctionWatParams, string, void>('clysm/functionWat');
