// The Stage 1 part of the client/server protocol: generation, the two diffs and the fixed-point
// check. Wire types only; server/src/lsp/stage1Wire.ts maps the implementation onto them.
import { RequestType, type WorkDoneProgressParams } from 'vscode-languageserver-protocol';
import type { Stage1Settings } from './settings';

export interface CountChange {
  a: number;
  b: number;
  delta: number;
}

export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';

/** Two Wasm modules compared structurally. */
export interface WasmDiff {
  /** No difference in any field below (code bytes may still differ: see ByteComparison). */
  identical: boolean;
  differences: number;
  size: CountChange & { percent: number | null };
  /** Payload sizes per section; null when absent on that side. */
  sections: { name: string; a: number | null; b: number | null; delta: number }[];
  exports: {
    a: number;
    b: number;
    missing: WasmExportItem[];
    added: WasmExportItem[];
    changed: { name: string; a: { kind: ExternKind; signature?: string }; b: { kind: ExternKind; signature?: string } }[];
  };
  imports: {
    a: number;
    b: number;
    missing: WasmImportItem[];
    added: WasmImportItem[];
    changed: { module: string; name: string; a: { kind: ExternKind; type: string }; b: { kind: ExternKind; type: string } }[];
  };
  types: { count: CountChange; recGroups: CountChange; onlyInA: string[]; onlyInB: string[] };
  /** imports, exports, functions, globals, tags, … on each side. */
  counts: Record<string, CountChange>;
  start: { a: number | null; b: number | null };
  functions: {
    /** How many pairs were made by export name, by name section and by index (in that order of preference). */
    pairedBy: Record<FunctionPairedBy, number>;
    changed: number;
    added: number;
    removed: number;
    bodyBytes: CountChange;
    /** The largest body-size changes; indices and sizes are null on the side that lacks the function. */
    largest: { key: string; name?: string; pairedBy?: FunctionPairedBy; indexA: number | null; indexB: number | null; a: number | null; b: number | null; delta: number; signatureA?: string; signatureB?: string }[];
    /** Labels (export name, `$name` or `#index`) of the changed, added and removed functions, each list capped. */
    listed: { changed: string[]; added: string[]; removed: string[] };
  };
}

/** How a function of one module was paired with one of the other. */
export type FunctionPairedBy = 'export' | 'name' | 'index';

export interface WasmExportItem {
  name: string;
  kind: ExternKind;
  index: number;
  signature?: string;
}

export interface WasmImportItem {
  module: string;
  name: string;
  kind: ExternKind;
  type: string;
  typeIndex?: number;
}

export interface ByteComparison {
  identical: boolean;
  /** 0-based offset of the first difference; null when identical. */
  firstDiffOffset: number | null;
  diffBytes: number;
  /** b.length − a.length. */
  sizeDelta: number;
  regions: { start: number; length: number }[];
  regionCount: number;
  regionsTruncated: boolean;
}

export interface WasmDiffOutcome {
  labels: { a: string; b: string };
  paths: { a: string; b: string };
  diff: WasmDiff;
  bytes: ByteComparison;
  /** Human summary, as the CLI prints it. */
  summaryText: string;
  /** Line-per-item structure of each side, for the text diff editor. */
  textA: string;
  textB: string;
}

export interface ValidatorVerdict {
  validator: 'v8' | 'wasm-tools';
  /** False when this validator could not run here (see `note`). */
  ran: boolean;
  valid?: boolean;
  message?: string;
  /** 0-based byte offset the validator blamed. */
  offset?: number;
  /** Version, or why it did not run. */
  note: string;
}

export interface ValidationResult {
  /** Valid for every validator that ran, and at least one ran. */
  valid: boolean;
  verdicts: ValidatorVerdict[];
}

export interface Stage1Outcome {
  /**
   * `generated`: a Stage 1 from this run is in place (see validation for whether it is valid);
   * `no-output`: the generator ran but wrote no Stage 1; `failed`; `cancelled`.
   */
  status: 'generated' | 'no-output' | 'failed' | 'cancelled';
  message: string;
  backend: 'stage0' | 'sbcl';
  generator?: string;
  startedAt: string;
  durationMs: number;
  /** `total` counts forms; read errors are not forms and are counted apart. Coverage = compiled / (total − skipped). */
  counts?: { total: number; compiled: number; failed: number; skipped: number; notProcessed: number; readErrors: number; coveragePct: number };
  modules?: { path: string; compiled: number; failed: number; total: number }[];
  /** The first blocker categories (the Blockers view's vocabulary); impact is % of compilable forms. */
  blockers?: { category: string; count: number; impactPct: number; priority: string }[];
  /** Clysm's own `summary.top_blockers` field: failures by top-level operator, by Clysm's rule. */
  topBlockers?: { operator: string; count: number; priority: 'HIGH' | 'MEDIUM' | 'LOW' }[];
  /** This run's Stage 1, verified on disk by its sha256; `previous` is where the one before it was kept. */
  stage1?: { path: string; size: number; sha256: string; previous?: string; fresh: true };
  /** A Stage 1 found in the output folder that this run did NOT produce. */
  stale?: { path: string; size: number; sha256: string; modified: string };
  reportPath?: string;
  validation?: ValidationResult;
  diff?: WasmDiffOutcome;
  /** Why there is no diff (no Stage 0, unreadable Stage 0, ...). */
  diffProblem?: string;
  /** What Clysm's own report said (SBCL path). */
  clysmCounts?: { total_forms: number; compiled: number; failed: number; skipped: number };
  formValidator?: string;
  warnings: string[];
}

export interface FixedPointOutcome {
  status: 'achieved' | 'not-achieved' | 'cannot-compile' | 'missing-stage1' | 'stage1-invalid' | 'failed' | 'cancelled';
  message: string;
  startedAt: string;
  durationMs: number;
  stage1?: { path: string; size: number; sha256: string; validation?: ValidationResult };
  /** What Stage 1 exports and imports, and whether it can compile. */
  probe?: { exports: string[]; imports: string[]; hasCompileAll: boolean; hasCompileForm: boolean; unknownImports: string[] };
  stage2?: { path: string; size: number; sha256: string; validation: ValidationResult; fresh: true };
  /** Stage 1 → Stage 2, byte for byte. */
  comparison?: ByteComparison;
  structural?: WasmDiffOutcome;
  stage2Forms?: { reported: number; compiled: number; failed: number; skipped: number };
}

export interface Stage1Params extends WorkDoneProgressParams {
  settings?: Partial<Stage1Settings>;
}

/** Runs Stage 1 generation through the active backend; progress on `workDoneToken`, cancellable. */
export const GenerateStage1Request = new RequestType<Stage1Params, Stage1Outcome, void>('clysm/generateStage1');

/** A diff, or why there is none (missing file, not Wasm). */
export interface DiffResult {
  outcome?: WasmDiffOutcome;
  problem?: string;
}

/** Diffs the workspace's Stage 0 and Stage 1 (the paths the settings name). */
export const DiffStage1Request = new RequestType<Stage1Params, DiffResult, void>('clysm/diffStage1');

export interface DiffFilesParams {
  /** Absolute paths. */
  a: string;
  b: string;
  labelA?: string;
  labelB?: string;
}

export const DiffFilesRequest = new RequestType<DiffFilesParams, DiffResult, void>('clysm/diffFiles');

/** Generates Stage 2 from Stage 1 when Stage 1 can compile and compares them byte for byte. */
export const VerifyFixedPointRequest = new RequestType<Stage1Params, FixedPointOutcome, void>('clysm/verifyFixedPoint');
