// What Stage0Backend needs from an engine, whichever runs the Wasm: the embedded V8 worker
// (v8Engine.ts) or wasmtime as a WASI command (wasmtimeEngine.ts). Per-form problems are
// results; only cancellation, disposal and "nothing loaded" reject compile().
import type { EngineInfo, FormResult } from '../../types';
import type { RuntimeProbeResult } from '../../wasm/runtimeProbe';
import type { Stage0LoadInfo } from './workerProtocol';

export type EngineKind = 'embedded' | 'wasmtime';

export interface EngineCompileOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Package the form is read in; see docs/stage0-abi.md (package context). */
  package?: string;
}

export interface Stage0Engine {
  /** Name and version; wasmtime's version is known only after checkRuntime(). */
  readonly info: EngineInfo;
  /** Can this engine run WasmGC at all? A failure message names what was found and what is needed. */
  checkRuntime(): Promise<RuntimeProbeResult>;
  /** Loads (or replaces) Stage 0; rejects with an Error whose message names the problem. */
  load(bytes: Uint8Array): Promise<Stage0LoadInfo>;
  compile(text: string, options: EngineCompileOptions): Promise<FormResult>;
  dispose(): Promise<void>;
}

/** An Error for a cancelled compile, carrying the signal's own reason when it is an Error. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('Stage 0 compile cancelled');
  error.name = 'AbortError';
  return error;
}

/** Lisp string literal for a package name, for the `(in-package "…")` preamble. */
export function inPackageForm(packageName: string): string {
  return `(in-package "${packageName.replace(/[\\"]/g, (c) => `\\${c}`)}")`;
}
