// The Stage 1 part of the client/server protocol (re-exported by server/src/protocol.ts).
// Type-only imports: the client bundle must not pull in server code.
import { NotificationType, RequestType, type WorkDoneProgressParams } from 'vscode-languageserver-protocol';
import type { WasmDiffOutcome } from './diffFiles';
import type { FixedPointOutcome } from './fixedPoint';
import type { Stage1Outcome } from './generateStage1';

export type { WasmDiffOutcome } from './diffFiles';
export type { FixedPointOutcome } from './fixedPoint';
export type { Stage1Outcome } from './generateStage1';

/** The `clysm.stage1.*` settings; the client reads them when a command runs. */
export interface Stage1Settings {
  /** Output folder, relative to the workspace or absolute (`dist`). */
  outputDir: string;
  /** Stage 1 file name (`clysm-stage1.wasm`). */
  outputName: string;
  /** Report file name (`stage1-report.json`). */
  reportName: string;
  /** Whole-run limit in ms (default 600000). */
  timeoutMs: number;
  /** wasm-tools executable (`wasm-tools`); empty: never use it. */
  wasmToolsPath: string;
}

export const defaultStage1Settings: Stage1Settings = {
  outputDir: 'dist',
  outputName: 'clysm-stage1.wasm',
  reportName: 'stage1-report.json',
  timeoutMs: 600_000,
  wasmToolsPath: 'wasm-tools',
};

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

/** Server → client after every generation (the views may show its counts). */
export const Stage1GeneratedNotification = new NotificationType<Stage1Outcome>('clysm/stage1Generated');
