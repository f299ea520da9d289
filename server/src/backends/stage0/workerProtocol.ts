// Messages between EmbeddedV8Engine (language server thread) and the Stage 0 worker.
import type { FormResult } from '../../types';
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
  | { type: 'compile'; id: number; text: string; package?: string };

export type FromWorker =
  | { type: 'loaded'; info: Stage0LoadInfo }
  | { type: 'load-failed'; message: string }
  | { type: 'result'; id: number; result: FormResult }
  | { type: 'log'; message: string };
