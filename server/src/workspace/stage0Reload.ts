// A Stage 0 rebuilt on disk, as a compiler reload for the self-hosting loop (compilerReload.ts):
// the backend loads the binary again in place of the old one, which is a new compiler
// generation (the binary's sha256 is part of the backend's identity), and the loop re-checks
// every form and keeps the delta, as for a reload of the SBCL backend's sources.
import * as path from 'node:path';
import type { BackendStatus, CompilerBackend } from '../types';
import { isReloadable, type CompilerReloadOutcome, type ReloadableCompiler } from './compilerReload';

/** A Stage 0 backend that can load its binary again (backends/stage0/backend.ts). */
export interface RebuildableStage0 extends CompilerBackend {
  readonly kind: 'stage0';
  reload(): Promise<BackendStatus>;
}

export function isRebuildableStage0(backend: CompilerBackend | undefined): backend is RebuildableStage0 {
  return backend?.kind === 'stage0' && typeof (backend as Partial<RebuildableStage0>).reload === 'function';
}

/** Why a rebuilt Stage 0 gives no delta: it does not compile, so nothing is re-checked with it. */
export class UnusableStage0Error extends Error {
  constructor(readonly status: BackendStatus) {
    super(`the rebuilt Stage 0 is not usable (${status.state}: ${status.message}); the results of the previous Stage 0 stay`);
    this.name = 'UnusableStage0Error';
  }
}

export interface Stage0ReloadOptions {
  /** The binaries whose change is a rebuild: the configured .wasm, or its WASI build for wasmtime. */
  files(): string[];
  /** Loads the binary again; resolves with the backend's status then. */
  load(): Promise<BackendStatus>;
}

export function stage0Reload(options: Stage0ReloadOptions): ReloadableCompiler {
  return {
    compilerFiles: () => options.files().map((file) => path.resolve(file)),
    async reload(): Promise<CompilerReloadOutcome> {
      const status = await options.load();
      if (status.state !== 'ready') throw new UnusableStage0Error(status);
      // The whole binary is new: no form is evaluated on its own, and no definition is named.
      return { mode: 'stage0', forms: 0, errors: [], names: [] };
    },
    // Stage 0 is replaced as a whole: there is no form it could not take.
    reloadErrors: () => [],
  };
}

/**
 * The compiler of `backend` that the self-hosting loop reloads: the SBCL backend's system, or
 * the Stage 0 binary (`stage0` says which files are a rebuild and how to load one). One rule
 * for the server and `clysm-check --watch`.
 */
export function reloadableCompilerOf(backend: CompilerBackend | undefined, stage0: (backend: RebuildableStage0) => Stage0ReloadOptions): ReloadableCompiler | undefined {
  if (isReloadable(backend)) return backend;
  return isRebuildableStage0(backend) ? stage0Reload(stage0(backend)) : undefined;
}
