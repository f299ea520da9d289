// Messages between the Stage 0 worker and the language server: EmbeddedV8Engine's per-form
// compiles, and the whole-program compile_all runs of Stage 1 generation (compileAll.ts).
import type { FormResult } from '../../types';
import type { CompileAllHostConfig, HostEvent } from './compileAllHost';
import type { HostConfig } from './hostImports';
import type { WasmExportDescriptor, WasmImportDescriptor } from '../../wasm/webAssembly';

export interface Stage0LoadInfo {
  exports: WasmExportDescriptor[];
  /** Host imports the module declared (engine builtins are not listed). */
  imports: WasmImportDescriptor[];
  /** Whether `_initialize` was found and called. */
  initialized: boolean;
}

export type ToWorker =
  | { type: 'load'; bytes: Uint8Array; host: HostConfig }
  | { type: 'compile'; id: number; text: string; package?: string }
  | ToCompileAllWorker;

export type FromWorker =
  | { type: 'loaded'; info: Stage0LoadInfo }
  | { type: 'load-failed'; message: string }
  /** `residentMb`: the worker's resident size after the form, so the engine can recycle a bloated worker. */
  | { type: 'result'; id: number; result: FormResult; residentMb: number }
  | { type: 'log'; message: string }
  | FromCompileAllWorker;

/** A whole-program run of a compiler binary's compile_all (docs/stage0-abi.md §6), on a fresh worker. */
export type ToCompileAllWorker = { type: 'compile-all'; bytes: Uint8Array; host: CompileAllHostConfig; label: string };

export type FromCompileAllWorker =
  | { type: 'compile-all-loaded'; exports: string[]; imports: string[] }
  | { type: 'compile-all-events'; events: HostEvent[] }
  /** compile_all returned; `returned` is what it returned, described. */
  | { type: 'compile-all-finished'; returned: string }
  /** `stage`: load (compile, link, _initialize, no compile_all) or run (compile_all trapped). */
  | { type: 'compile-all-failed'; stage: 'load' | 'run'; message: string };

/** The watchdog writes this line to stderr before it kills a worker over its memory limit. */
export const memoryLimitMarker = 'clysm-stage0-worker: over the memory limit:';

/** The stdio slot of the lifeline pipe (workerWatchdog.ts); 3 is the IPC channel. */
export const lifelineFd = 4;

/** What the worker process is told on its command line. */
export interface WorkerArguments {
  /** Resident-size limit of the worker process in MB (`clysm.stage0.maxMemoryMb`). */
  maxMemoryMb: number;
}

export function workerArguments(args: WorkerArguments): string[] {
  return [`--max-memory-mb=${args.maxMemoryMb}`];
}

/** Undefined when the worker was not started by workerTransport.ts. */
export function parseWorkerArguments(argv: readonly string[]): WorkerArguments | undefined {
  const found = argv.map((arg) => /^--max-memory-mb=(\d+)$/.exec(arg)).find((m) => m !== null);
  return found ? { maxMemoryMb: Number(found[1]) } : undefined;
}
