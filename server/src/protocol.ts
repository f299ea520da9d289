// The typed protocol between the Clysm client and server, beyond standard LSP.
// Both sides import this file; the client holds no analysis logic, it only renders these.
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { Summary } from './blockers/model';
import type { BackendStatus } from './types';

/** The `clysm` settings the server needs; the client sends them as initializationOptions. */
export interface ServerSettings {
  backend: 'auto' | 'stage0' | 'sbcl';
  stage0Path: string;
  stage0TimeoutMs: number;
  modules: string[] | null;
  diagnosticsDelayMs: number;
  sbclPath: string;
  sbclDynamicSpaceSizeMb: number;
  sbclExtraArgs: string[];
  /** Folder for saved SBCL cores (the extension's global storage); none in the CLI. */
  coreCacheDir?: string;
  /** Absolute path of a report JSON to compare each run with (`clysm.baselineReport`); the previous run when absent. */
  baselineReport?: string;
  /** Folder for the persistent result cache (the extension's workspace storage); none in the CLI. */
  storageDir?: string;
  /** `clysm.stage0.engine`: `embedded` (V8 in the server, the default) or `wasmtime`. */
  stage0Engine?: 'embedded' | 'wasmtime';
  /** `clysm.wasmtime.path`: the wasmtime executable for the wasmtime engine (default `wasmtime`). */
  wasmtimePath?: string;
}

export const defaultServerSettings: ServerSettings = {
  backend: 'auto',
  stage0Path: 'dist/clysm-stage0.wasm',
  stage0TimeoutMs: 5000,
  modules: null,
  diagnosticsDelayMs: 300,
  sbclPath: 'sbcl',
  sbclDynamicSpaceSizeMb: 4096,
  sbclExtraArgs: [],
};

/** Per-status counts and coverage (compiled / (total − skipped) × 100, 2 decimals). */
export type CoverageCounts = Summary;

/** What the status bar shows: backend health plus the workspace coverage. */
export interface ServerStatus {
  backend: 'stage0' | 'sbcl' | 'none';
  /** Why this backend is in use (auto selection, or the setting). */
  backendReason: string;
  status: BackendStatus;
  /** True while a whole-workspace or per-document analysis is running. */
  busy: boolean;
  /** Modules analysed so far / modules in the module list. */
  modulesDone: number;
  modulesTotal: number;
  moduleListSource: string;
  summary: CoverageCounts;
  /** ISO time the last whole-workspace analysis finished. */
  lastRun?: string;
  lastRunMs?: number;
  /** Forms that compiled in the baseline and fail now. */
  regressions: number;
  /** What regressions are measured against: `previous run (…)`, `report <path>`, or `none (first run)`. */
  baselineSource: string;
  /** Present while results from the persisted cache are shown that have not been re-checked yet. */
  snapshot?: { savedAt: string; staleModules: number };
}

/** Server → client whenever the status or the coverage changes. */
export const StatusNotification = new NotificationType<ServerStatus>('clysm/status');

/** Client → server: the current status (used at startup and by tests). */
export const StatusRequest = new RequestType0<ServerStatus, void>('clysm/getStatus');

/** Client → server: drop cached results and analyse every module again. */
export const ReanalyzeRequest = new RequestType0<ServerStatus, void>('clysm/reanalyze');

/** A form as the views show it: enough to label it and reveal its range. */
export interface FormRef {
  id: string;
  /** Workspace-relative path. */
  file: string;
  /** 0-based, LSP range of the form (or of its blamed subform). */
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  operator: string | null;
  name: string | null;
  status: string;
  message: string | null;
  /** Compiled in the baseline, fails now. */
  regression?: boolean;
}

export interface BlockerPatternNode {
  /** Normalised message (digits → N, gensyms folded, the named symbol kept). */
  pattern: string;
  count: number;
  forms: FormRef[];
}

export interface BlockerCategoryNode {
  category: string;
  count: number;
  impactPct: number;
  priority: 'HIGH' | 'MEDIUM' | 'LOW';
  recommendation: string;
  patterns: BlockerPatternNode[];
}

export interface BlockerTreeParams {
  /** Only forms of this workspace-relative file (the "active module" filter); all when absent. */
  file?: string;
}

export interface BlockerTree {
  /** Forms that compiled in the baseline and fail now; shown first. */
  regressions: FormRef[];
  categories: BlockerCategoryNode[];
  /** Total forms the impact percentages are relative to. */
  totalForms: number;
}

export const BlockerTreeRequest = new RequestType<BlockerTreeParams, BlockerTree, void>('clysm/blockerTree');

export interface ModuleRow {
  file: string;
  /** 1-based position in the module list. */
  moduleIndex: number;
  analysed: boolean;
  total: number;
  compiled: number;
  failed: number;
  skipped: number;
  /** compiled / (total − skipped) × 100, 2 decimals. */
  coveragePct: number;
  /** Missing file, non-UTF-8 text. */
  problem?: string;
  /** The counts come from the persisted cache and the module has not been re-checked yet. */
  stale?: boolean;
}

export const ModulesRequest = new RequestType0<ModuleRow[], void>('clysm/modules');

export interface ExportReportParams {
  /** Absolute path of the JSON report to write. */
  path: string;
}

export const ExportReportRequest = new RequestType<ExportReportParams, { path: string; forms: number }, void>('clysm/exportReport');

// Stage 1 generation, diffs and the fixed-point check (server/src/stage1/protocol.ts).
export * from './stage1/protocol';
