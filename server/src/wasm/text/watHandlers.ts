// Server side of Show Wasm: the form's module printed (the printer is loaded on the first
// request), V8's error placed, and wasm-tools' verdict when it is on the PATH.
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import { findExecutable } from '../../backends/sbcl/findExecutable';
import { wasmToolsRejection } from '../../backends/sbcl/validate';
import type { AnalyzedForm } from '../../types';
import { formWat, hasBytes } from './formWat';
import { FormWatRequest, WasmFormsRequest, type FormWatResult, type WasmFormRef } from './watProtocol';
import { loadWasmPrinter } from './wasmToolsLoader';

/** What the handlers need from the session. */
export interface WatContext {
  /** Every analysed form, in module-list order. */
  forms(): AnalyzedForm[];
  /** Workspace-relative path of a file path, or undefined outside the workspace. */
  relativePath(fsPath: string): string | undefined;
  /** The form compiled again, for its bytes (cached results keep none). */
  compileAgain(form: AnalyzedForm): Promise<AnalyzedForm['result']>;
}

/** The form with its bytes, compiling it again when its result was cached without them. */
async function withBytes(form: AnalyzedForm, context: WatContext): Promise<AnalyzedForm> {
  if (form.result.wasm || !hasBytes(form.result)) return form;
  return { ...form, result: await context.compileAgain(form) };
}

export async function formWatResult(form: AnalyzedForm, wasmTools: string | undefined): Promise<FormWatResult> {
  const shown = formWat(form, await loadWasmPrinter());
  const result: FormWatResult = { ...shown, file: form.file, name: form.form.name ?? null };
  if (shown.error && form.result.wasm && wasmTools) {
    const verdict = await wasmToolsRejection(form.result.wasm, wasmTools).catch((e: unknown) => `wasm-tools could not run: ${String(e)}`);
    if (verdict) result.wasmTools = verdict;
  }
  return result;
}

export function registerWatHandlers(connection: Connection, getContext: () => WatContext | undefined): void {
  connection.onRequest(FormWatRequest, async (params) => {
    const context = getContext();
    const form = context?.forms().find((f) => f.id === params.formId);
    if (!context || !form) return null;
    return formWatResult(await withBytes(form, context), findExecutable('wasm-tools'));
  });
  connection.onRequest(WasmFormsRequest, (params): WasmFormRef[] => {
    const context = getContext();
    const file = params.uri.startsWith('file:') ? context?.relativePath(fileURLToPath(params.uri)) : undefined;
    if (!context || !file) return [];
    return context
      .forms()
      .filter((f) => f.file === file && hasBytes(f.result))
      .map((f) => ({ id: f.id, status: f.result.status, name: f.form.name ?? null, range: f.form.range }));
  });
}
