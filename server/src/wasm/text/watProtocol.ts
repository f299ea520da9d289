// The Show Wasm part of the client/server protocol. Type-only imports: the client bundle must
// not pull in server code.
import { RequestType } from 'vscode-languageserver-protocol';
import type { FormWat } from './formWat';

export type { FormWat, FormWatError } from './formWat';

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
