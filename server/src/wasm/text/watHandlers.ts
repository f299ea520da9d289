// Server side of Show Wasm: the form's module printed (the printer is loaded on the first
// request), V8's error placed, and wasm-tools' verdict when it is on the PATH.
import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Connection } from 'vscode-languageserver/node';
import { validateWithWasmTools } from '../validate';
import type { AnalyzedForm } from '../../types';
import { formWat, hasBytes } from './formWat';
import { FormWatRequest, FunctionDiffRequest, FunctionWatRequest, WasmFormsRequest, type ChangedFunction, type FormWatResult, type WasmFormRef } from '../../protocol/wat';
import { readModule } from '../wasmReader';
import { diffFunctions, type ModuleInput } from './functionDiff';
import { WatModule } from './printWat';
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

export async function formWatResult(form: AnalyzedForm): Promise<FormWatResult> {
  const shown = formWat(form, await loadWasmPrinter());
  const result: FormWatResult = { ...shown, file: form.file, name: form.form.name ?? null };
  if (shown.error && form.result.wasm) {
    // Only when wasm-tools is on the PATH; V8's verdict is already in `error`.
    const verdict = await validateWithWasmTools(form.result.wasm, undefined);
    if (verdict.ran && !verdict.valid && verdict.message) result.wasmTools = verdict.message;
  }
  return result;
}

export function registerWatHandlers(connection: Connection, getContext: () => WatContext | undefined): void {
  connection.onRequest(FormWatRequest, async (params) => {
    const context = getContext();
    const form = context?.forms().find((f) => f.id === params.formId);
    if (!context || !form) return null;
    return formWatResult(await withBytes(form, context));
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
  connection.onRequest(FunctionDiffRequest, (params): ChangedFunction[] =>
    diffFunctions(moduleAt(params.a), moduleAt(params.b)).pairs
      .filter((p) => p.changed)
      .map((p) => ({ label: p.a.label === p.b.label ? p.a.label : `${p.a.label} ↔ ${p.b.label}`, pairedBy: p.pairedBy, indexA: p.a.index, indexB: p.b.index, bodyA: p.a.bodySize, bodyB: p.b.bodySize })));
  connection.onRequest(FunctionWatRequest, async (params) => WatModule.print(fs.readFileSync(params.file), await loadWasmPrinter()).functionText(params.index));
}

function moduleAt(file: string): ModuleInput {
  const bytes = fs.readFileSync(file);
  return { bytes, info: readModule(bytes) };
}
