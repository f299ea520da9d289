// Stage 1 generation as a backend capability (CompilerBackend.generateStage1): what the
// orchestration in stage1/ asks for, and what a generator (Stage 0's compile_all, or Clysm's
// own generator on SBCL) reports back, independent of which one ran. Plain data: crosses IPC
// and the LSP connection.

import type { WriteLimits } from '../sandbox/writeBudget';

/** What stage1/ asks for; each backend adds its own configuration (compiler binary, SBCL, module list). */
export interface Stage1GenerationRequest {
  /** A fresh private folder: the generator writes only here; the caller commits and removes it. */
  stagingDir: string;
  /** Whole-run limit. */
  timeoutMs: number;
  /** wasm-tools path; undefined: on the PATH if there; null: never. */
  wasmTools?: string | null;
  /** Forms the editor's reader found, for "forms done of N" before the generator says. */
  formsTotal?: number;
  /** What the generator may write through Stage 0's write-bytes (default: the settings' defaults). */
  writeLimits?: WriteLimits;
}

/** Per-form outcome as the generator saw it. `not-processed`: the generator never reported the form. */
export type GeneratedStatus = 'compiled' | 'failed' | 'skipped' | 'not-processed';

export interface GeneratedForm {
  /** `"{module}:{form}"`, module 1-based in the module list, form 0-based. */
  id: string;
  status: GeneratedStatus;
  errorType?: string;
  message?: string;
}

/** One module as the generator numbered it. */
export interface GeneratedModule {
  /** 1-based position in the module list. */
  index: number;
  /** Workspace-relative path with `/` separators. */
  path: string;
  /** Forms the generator counted in the module (report-start), when it said. */
  formCount?: number;
  /** The generator could not read the module. */
  unreadable?: boolean;
}

/** Progress while a generator runs. */
export interface GenerationProgress {
  phase: 'starting' | 'loading' | 'compiling' | 'bundling' | 'validating' | 'writing' | 'diffing';
  /** 1-based module being compiled and the module count, when known. */
  moduleNumber?: number;
  moduleCount?: number;
  module?: string;
  formsDone: number;
  formsTotal?: number;
  message?: string;
}

/** The file a generator wrote during this run, in its private staging folder. */
export interface StagedOutput {
  /** Absolute path in the staging folder. */
  file: string;
  size: number;
  /** sha256 of the bytes at the moment they were written (checked again before committing). */
  sha256: string;
}

export interface GeneratorResult {
  /** `stage0` (compile_all on the embedded V8) or `sbcl` (Clysm's generate-stage1). */
  kind: 'stage0' | 'sbcl';
  /** One line saying what ran, e.g. `Stage 0 compile_all (sha256 …) on V8 13.6` or `clysm/stage1:generate-stage1 on SBCL 2.2.9`. */
  description: string;
  modules: GeneratedModule[];
  forms: GeneratedForm[];
  /** The Stage 1 the generator wrote in this run; absent when it wrote none. */
  output?: StagedOutput;
  /** Things the user should know (files it could not read, extra files it wrote, ...). */
  warnings: string[];
  /** Clysm's own stage1-report.json as its generator wrote it (SBCL path), parsed leniently. */
  clysmReport?: Record<string, unknown>;
  /** Other files of this run to keep next to the Stage 1 (Clysm's defun-errors.json). */
  artifacts?: { name: string; file: string }[];
  /** Which validator checked the forms inside the generator, when it is not the engine itself. */
  formValidator?: string;
}

/** Thrown when the user cancelled; nothing was written. */
export class GenerationCancelled extends Error {
  constructor() {
    super('Stage 1 generation was cancelled; nothing was written');
    this.name = 'GenerationCancelled';
  }
}

/** Thrown when the generator itself failed (load error, trap, crash, timeout); nothing was written. */
export class GenerationFailed extends Error {
  constructor(
    message: string,
    /** Per-form results received before the failure. */
    readonly partial?: GeneratedForm[],
  ) {
    super(message);
    this.name = 'GenerationFailed';
  }
}
