// The analysis part of the client/server protocol: status, views, report export, and the
// live settings change. Wire types only: the server maps its own types onto these
// (server/src/lsp/), the client renders them and holds no analysis logic.
import { NotificationType, RequestType, RequestType0 } from 'vscode-languageserver-protocol';
import type { ServerSettings } from './settings';

/**
 * Per-status counts and coverage (compiled / (total − skipped) × 100, 2 decimals). `total`
 * counts forms; read errors are not forms and are counted apart in `readErrors`.
 */
export interface CoverageCounts {
  total: number;
  compiled: number;
  /** Only `failed` status; timeouts, read errors and crashes are counted apart. */
  failed: number;
  skipped: number;
  timeout: number;
  readErrors: number;
  noOutput: number;
  crashed: number;
  coveragePct: number;
}

/** The backend's health, as the status bar shows it. */
export interface BackendStatus {
  /** `ready` means per-form results are meaningful. */
  state: 'ready' | 'stub' | 'error' | 'starting' | 'stopped';
  message: string;
  engine: { name: string; version: string };
  stage0?: { path: string; sha256: string; size: number; status: 'ready' | 'stub' | 'error'; message: string };
}

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
  restoredResults?: { savedAt: string; staleModules: number };
  /** The delta of the last compiler change (clysm/lastChange has the forms). */
  lastChange?: { text: string; at: string };
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
  /** 100 × count / compilable forms (BlockerTree.compilableForms), 2 decimals. */
  impactPct: number;
  priority: 'HIGH' | 'MEDIUM' | 'LOW';
  /** Why the server gave this priority (its rule applied to this category), for tooltips. */
  priorityReason: string;
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
  /** Text the reader could not read: not forms, so outside the categories and the counts. */
  readErrors: FormRef[];
  categories: BlockerCategoryNode[];
  /** Compilable forms (total − skipped, read errors excluded): what impact percentages are of. */
  compilableForms: number;
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
  /** Text the reader could not read: not forms, so not in `total`. */
  readErrors: number;
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

/**
 * `workspace/didChangeConfiguration` from the client: the settings recomputed as for
 * initializationOptions. The server applies the live ones (settings.ts) at once; for the others
 * the client offers a restart.
 */
export interface ClysmConfigurationChange {
  settings: ServerSettings;
}
