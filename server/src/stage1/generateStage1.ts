// "Generate Stage 1", the orchestration: gives the active backend's generator
// (CompilerBackend.generateStage1) a private staging folder, joins its per-form results with
// the editor's reader, validates the binary, commits it (and its report) atomically to the
// output folder, and diffs it against Stage 0. Shared by the language server and
// `clysm-check stage1`, so both give the same numbers.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTopLevelForms } from '../reader';
import { buildStage1Report, countsAsFailed, type Stage1Report } from '../report/stage1Report';
import type { BackendStatus, CompilerBackend } from '../types';
import { writeFileAtomic } from '../util/atomicWrite';
import { diffOutcomeJson, diffWasmBytes, type WasmDiffOutcome } from '../wasm/diffFiles';
import { GenerationCancelled, type GenerationProgress, type GeneratorResult } from '../backends/generation';
import type { WriteLimits } from '../sandbox/writeBudget';
import { commitStage1, describeExisting, OutputRefused, planOrRefusal, planOutputs, type CommittedStage1, type ExistingFile, type OutputRequest } from './outputFiles';
import { makePrivateFolder } from '../util/privateTempFolder';
import { joinGeneratedForms, type ModuleSource } from './stage1Forms';
import { validateWasm, type ValidationResult } from '../wasm/validate';

export const GENERATOR_VERSION = '0.1.0';

/** Where to write (OutputRequest: the workspace, Stage 0, the modules in compile order, the output settings) and how to generate. */
export interface GenerateStage1Options extends OutputRequest {
  moduleListSource: string;
  /** The backend whose generator runs (it need not be started: generation runs on a process of its own). */
  backend: Pick<CompilerBackend, 'kind' | 'generateStage1'>;
  backendReason: string;
  /** What the generator may write through write-bytes (default: the settings' defaults). */
  writeLimits?: WriteLimits;
  /** Whole-run limit (default 10 minutes). */
  timeoutMs?: number;
  /** wasm-tools path; undefined: on the PATH if there; null: never. */
  wasmTools?: string | null;
  /** Where private staging folders are made (default the OS temp folder). */
  tempRoot?: string;
  now?: () => Date;
}

export interface OutcomeCounts {
  total: number;
  compiled: number;
  /** Clysm's "failed": everything neither compiled nor skipped (includes not processed). */
  failed: number;
  skipped: number;
  notProcessed: number;
  /** Text the reader could not read: not forms, so not in `total`. */
  readErrors: number;
  /** compiled / (total − skipped) × 100, 2 decimals. */
  coveragePct: number;
}

/** The first blocker categories of the report, as the report panel and the CLI list them. */
export interface OutcomeBlocker {
  category: string;
  count: number;
  /** 100 × count / compilable forms (total − skipped). */
  impactPct: number;
  priority: string;
}

const OUTCOME_BLOCKERS = 5;

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
  counts?: OutcomeCounts;
  modules?: Stage1Report['modules'];
  /** Blocker categories, the vocabulary of the Blockers view and the hovers. */
  blockers?: OutcomeBlocker[];
  /** Clysm's own `summary.top_blockers`: failures grouped by top-level operator (Clysm's rule). */
  topBlockers?: Stage1Report['summary']['top_blockers'];
  /** This run's Stage 1, verified on disk by its sha256. */
  stage1?: CommittedStage1 & { fresh: true };
  /** A Stage 1 found in the output folder that this run did NOT produce. */
  stale?: ExistingFile;
  reportPath?: string;
  validation?: ValidationResult;
  diff?: WasmDiffOutcome;
  /** Why there is no diff (no Stage 0, unreadable Stage 0, ...). */
  diffProblem?: string;
  /** What Clysm's own report said (SBCL path), for comparison with the counts above. */
  clysmCounts?: { total_forms: number; compiled: number; failed: number; skipped: number };
  formValidator?: string;
  warnings: string[];
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;

function readModules(root: string, modules: string[]): ModuleSource[] {
  return modules.map((rel, i) => {
    try {
      return { index: i + 1, path: rel, text: fs.readFileSync(path.resolve(root, rel), 'utf8') };
    } catch {
      return { index: i + 1, path: rel };
    }
  });
}

function clysmCountsOf(report: Record<string, unknown> | undefined): Stage1Outcome['clysmCounts'] {
  const summary = report?.summary as Record<string, unknown> | undefined;
  if (!summary) return undefined;
  const n = (key: string): number => (typeof summary[key] === 'number' ? (summary[key] as number) : NaN);
  const counts = { total_forms: n('total_forms'), compiled: n('compiled'), failed: n('failed'), skipped: n('skipped') };
  return Object.values(counts).every((v) => Number.isFinite(v)) ? counts : undefined;
}

function backendStatusFor(result: GeneratorResult, stage0: ExistingFile | undefined): BackendStatus {
  return {
    state: 'ready',
    message: result.description,
    engine: result.kind === 'stage0' ? { name: 'embedded-v8', version: `V8 ${process.versions.v8}, Node ${process.versions.node}` } : { name: 'sbcl', version: result.description },
    stage0: stage0 ? { path: stage0.path, sha256: stage0.sha256, size: stage0.size, status: 'ready', message: '' } : undefined,
  };
}

/** Runs the whole command. Never throws for generator problems: they come back as the outcome. */
export async function generateStage1(options: GenerateStage1Options, onProgress: (p: GenerationProgress) => void = () => undefined, signal?: AbortSignal): Promise<Stage1Outcome> {
  const now = options.now ?? (() => new Date());
  const started = now();
  const t0 = performance.now();
  const root = path.resolve(options.workspaceRoot);
  const stage0Abs = path.resolve(root, options.stage0Path);
  const kind = options.backend.kind;
  const base = { backend: kind, startedAt: started.toISOString(), warnings: [] as string[] };
  const finish = (outcome: Omit<Stage1Outcome, 'backend' | 'startedAt' | 'durationMs' | 'warnings'> & { warnings?: string[] }): Stage1Outcome => ({
    ...base,
    ...outcome,
    warnings: [...base.warnings, ...(outcome.warnings ?? [])],
    durationMs: Math.round(performance.now() - t0),
  });
  // Before the generator runs: a refused output is known at once, not after ten minutes.
  const planned = planOrRefusal(options);
  if (planned instanceof OutputRefused) return finish({ status: 'failed', message: `Stage 1 output refused: ${planned.message}; nothing was written` });
  let paths = planned;
  const before = describeExisting(paths.stage1);
  const sources = readModules(root, options.modules);
  const formsTotal = sources.reduce((n, s) => n + (s.text === undefined ? 0 : readTopLevelForms(s.text).length), 0);
  const staging = makePrivateFolder(options.tempRoot ?? os.tmpdir(), 'stage1');
  try {
    let result: GeneratorResult;
    try {
      result = await options.backend.generateStage1(
        { stagingDir: staging, timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, wasmTools: options.wasmTools, formsTotal, writeLimits: options.writeLimits },
        onProgress,
        signal,
      );
    } catch (error) {
      if (error instanceof GenerationCancelled) return finish({ status: 'cancelled', message: error.message, stale: before });
      const message = error instanceof Error ? error.message : String(error);
      return finish({ status: 'failed', message: `${message}; nothing was written`, stale: before });
    }
    const joined = joinGeneratedForms(sources, result.forms);
    const warnings = [...result.warnings, ...joined.warnings];
    for (const s of sources) if (s.text === undefined) warnings.push(`module ${s.path} could not be read by the editor`);
    const stage0 = describeExisting(stage0Abs);
    const report = buildStage1Report({
      now: started,
      generatorVersion: GENERATOR_VERSION,
      backend: { kind, reason: options.backendReason, identity: result.description, status: backendStatusFor(result, stage0) },
      modules: options.modules,
      moduleListSource: options.moduleListSource,
      forms: joined.forms,
      problems: sources.filter((s) => s.text === undefined).map((s) => ({ file: s.path, message: `Module not found: ${s.path}` })),
    });
    const counts: OutcomeCounts = {
      total: report.summary.total_forms,
      compiled: report.summary.compiled,
      failed: joined.forms.filter((f) => countsAsFailed(f.result.status)).length,
      skipped: report.summary.skipped,
      notProcessed: joined.notProcessed,
      readErrors: report.summary.read_errors,
      coveragePct: report.summary.coverage_pct,
    };
    const common = {
      generator: result.description,
      counts,
      modules: report.modules,
      blockers: report.blockers.slice(0, OUTCOME_BLOCKERS).map((b) => ({ category: b.category, count: b.count, impactPct: b.impact_pct, priority: b.priority })),
      topBlockers: report.summary.top_blockers,
      clysmCounts: clysmCountsOf(result.clysmReport),
      formValidator: result.formValidator,
      warnings,
    };
    if (!result.output) {
      return finish({
        ...common,
        status: 'no-output',
        message: `${kind === 'stage0' ? "Stage 0's compile_all" : "Clysm's generator"} ran but wrote no Stage 1 (${counts.total - counts.notProcessed} of ${counts.total} forms reported)${before ? `; the existing ${path.basename(paths.stage1)} is from an earlier run and was left as it was` : ''}`,
        stale: before,
      });
    }
    const bytes = fs.readFileSync(result.output.file);
    onProgress({ phase: 'validating', formsDone: counts.total, formsTotal: counts.total });
    const validation = await validateWasm(bytes, options.wasmTools);
    if (signal?.aborted) return finish({ ...common, status: 'cancelled', message: 'Stage 1 generation was cancelled; nothing was written', stale: before });
    let diff: WasmDiffOutcome | undefined;
    let diffProblem: string | undefined;
    onProgress({ phase: 'diffing', formsDone: counts.total, formsTotal: counts.total });
    if (!stage0) diffProblem = `no Stage 0 at ${stage0Abs} to compare with`;
    else {
      try {
        diff = diffWasmBytes(fs.readFileSync(stage0Abs), bytes, { a: 'Stage 0', b: 'Stage 1' }, { a: stage0Abs, b: paths.stage1 });
      } catch (error) {
        diffProblem = (error as Error).message;
      }
    }
    onProgress({ phase: 'writing', formsDone: counts.total, formsTotal: counts.total });
    // The commit: nothing in the output folder changed before this point. Same check again,
    // as a symbolic link may have appeared during the run.
    paths = planOutputs(options);
    const committed = commitStage1(bytes, result.output.sha256, paths);
    for (const artifact of result.artifacts ?? []) {
      const target = paths.artifacts[artifact.name];
      if (target) writeFileAtomic(target, fs.readFileSync(artifact.file));
      else warnings.push(`the generator's ${artifact.name} was not kept: only ${Object.keys(paths.artifacts).join(', ')} are`);
    }
    const fullReport = {
      ...report,
      stage1_generation: {
        backend: kind,
        generator: result.description,
        form_validator: result.formValidator ?? null,
        started_at: started.toISOString(),
        output: { path: committed.path, size_bytes: committed.size, sha256: committed.sha256, previous: committed.previous ?? null },
        validation: { valid: validation.valid, verdicts: validation.verdicts },
        diff_with_stage0: diff ? diffOutcomeJson(diff) : null,
        diff_problem: diffProblem ?? null,
        not_processed: counts.notProcessed,
        clysm_report_summary: clysmCountsOf(result.clysmReport) ?? null,
        warnings,
      },
    };
    writeFileAtomic(paths.report, `${JSON.stringify(fullReport, null, 2)}\n`);
    const verdict = validation.valid ? 'it validates' : 'it does NOT validate';
    return finish({
      ...common,
      status: 'generated',
      message: `Stage 1 written: ${committed.size} bytes, ${counts.compiled} compiled / ${counts.failed} failed / ${counts.skipped} skipped of ${counts.total} forms; ${verdict}`,
      stage1: { ...committed, fresh: true },
      reportPath: paths.report,
      validation,
      diff,
      diffProblem,
    });
  } catch (error) {
    // Only our own I/O gets here (output refused, disk full): still nothing half-written.
    const what = error instanceof OutputRefused ? 'Stage 1 output refused' : 'Stage 1 could not be written';
    return finish({ status: 'failed', message: `${what}: ${(error as Error).message}`, stale: describeExisting(paths.stage1) });
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
