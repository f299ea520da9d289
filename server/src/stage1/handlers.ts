// LSP wiring for the Stage 1 commands: generation with cancellable work-done progress, the
// two diffs, and the fixed-point check. One registration call from server.ts.
import * as path from 'node:path';
import { LSPErrorCodes, ResponseError, type CancellationToken, type Connection, type WorkDoneProgressReporter, type WorkDoneProgressServerReporter } from 'vscode-languageserver/node';
import type { GenerationProgress } from '../backends/generation';
import { writeLimitsFrom } from '../sandbox/writeBudget';
import type { CompilerBackend } from '../types';
import { diffWasmFiles } from '../wasm/diffFiles';
import { verifyFixedPoint } from './fixedPoint';
import { generateStage1 } from './generateStage1';
import type { OutputSettings } from './outputFiles';
import { fixedPointToWire, stage1OutcomeToWire, wasmDiffToWire } from '../lsp/stage1Wire';
import {
  defaultStage1Settings,
  DiffFilesRequest,
  fitsSetting,
  settingSpecs,
  type SettingSpec,
  DiffStage1Request,
  GenerateStage1Request,
  VerifyFixedPointRequest,
  type DiffResult,
  type ServerSettings,
  type Stage1Params,
  type Stage1Settings,
} from '../protocol';

/** What the handlers need from the running server. */
export interface Stage1Context {
  root: string;
  settings: ServerSettings;
  /** The backend in use: its generator runs. Undefined while the server is still choosing it. */
  backend: Pick<CompilerBackend, 'kind' | 'generateStage1'> | undefined;
  /** Resolves once the server has chosen the backend; absent when `backend` never changes. */
  backendChosen?(): Promise<void>;
  backendReason: string;
  modules: string[];
  moduleListSource: string;
  log(message: string): void;
  /** After a generation: bring the views' per-form results up to date. */
  refresh?(): Promise<void>;
  /** dist/stage0-worker.js, for the fixed-point check; default next to the server bundle (tests run from out/). */
  workerScript?: string;
}

/** The parts of WorkspaceSession used here (structural, so WorkspaceSession needs no change). */
export interface Stage1WorkspaceSource {
  readonly root: string;
  status(): { backendReason: string };
  /** The backend in use, once chosen. */
  activeBackend(): CompilerBackend | undefined;
  backendChosen(): Promise<void>;
  workspace(): { modules: string[]; moduleListSource: string } | undefined;
  analyzeWorkspace(): Promise<void>;
}

export function stage1ContextOf(session: Stage1WorkspaceSource, settings: ServerSettings, log: (message: string) => void): Stage1Context {
  const status = session.status();
  const model = session.workspace();
  return {
    root: session.root,
    settings,
    backend: session.activeBackend(),
    backendChosen: () => session.backendChosen(),
    backendReason: status.backendReason,
    modules: model?.modules ?? [],
    moduleListSource: model?.moduleListSource ?? '',
    log,
    // Cache-friendly: only forms whose results are not cached are compiled again.
    refresh: () => session.analyzeWorkspace(),
  };
}

/** The Stage 1 settings a request carries, over the defaults; a value of the wrong type is ignored. */
export function stage1Settings(partial: Partial<Record<keyof Stage1Settings, unknown>> | undefined): Stage1Settings {
  const settings: Record<string, unknown> = { ...defaultStage1Settings };
  for (const spec of Object.values(settingSpecs) as SettingSpec[]) {
    const field = spec.stage1Field;
    if (field !== undefined && partial && fitsSetting(spec, partial[field])) settings[field] = partial[field];
  }
  return settings as unknown as Stage1Settings;
}

function outputSettings(s: Stage1Settings): OutputSettings {
  return { outputDir: s.outputDir, outputName: s.outputName, reportName: s.reportName };
}

/** What generation and the fixed-point check take from the output settings. */
function outputOptions(s: Stage1Settings): { output: OutputSettings; allowOutputOutsideWorkspace: boolean } {
  return { output: outputSettings(s), allowOutputOutsideWorkspace: s.allowOutputOutsideWorkspace };
}

function wasmToolsOf(s: Stage1Settings): string | null {
  return s.wasmToolsPath.trim() === '' ? null : s.wasmToolsPath;
}

/** `module 3 of 45: src/…/x.lisp — 120 of 1261 forms`. */
export function progressText(p: GenerationProgress): { message: string; percentage?: number } {
  const parts: string[] = [];
  if (p.phase === 'loading') parts.push('loading the compiler');
  else if (p.phase === 'bundling') parts.push("bundling (Clysm's generator)");
  else if (p.phase === 'validating') parts.push('validating');
  else if (p.phase === 'diffing') parts.push('comparing with Stage 0');
  else if (p.phase === 'writing') parts.push('writing');
  if (p.moduleNumber !== undefined && p.moduleCount !== undefined && p.phase === 'compiling') {
    parts.push(`module ${p.moduleNumber} of ${p.moduleCount}${p.module ? `: ${p.module}` : ''}`);
  }
  parts.push(p.formsTotal !== undefined ? `${p.formsDone} of ${p.formsTotal} forms` : `${p.formsDone} forms`);
  const percentage = p.formsTotal ? Math.min(100, Math.round((100 * p.formsDone) / p.formsTotal)) : undefined;
  return { message: parts.join(' — '), percentage };
}

function abortOn(token: CancellationToken, reporter?: WorkDoneProgressReporter): AbortController {
  const controller = new AbortController();
  token.onCancellationRequested(() => controller.abort());
  // A server-created progress has its own cancel button; an attached one cancels the request.
  if (reporter && 'token' in reporter) (reporter as WorkDoneProgressServerReporter).token.onCancellationRequested(() => controller.abort());
  return controller;
}

/** Settles when `chosen` does, the request is cancelled, or `limitMs` passes, whichever is first. */
function untilChosenOrGivenUp(chosen: Promise<void>, token: CancellationToken, limitMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  let cancellation: { dispose(): void } | undefined;
  const givenUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, limitMs);
    cancellation = token.onCancellationRequested(() => resolve());
  });
  return Promise.race([chosen, givenUp]).finally(() => {
    clearTimeout(timer);
    cancellation?.dispose();
  });
}

export function registerStage1Handlers(connection: Connection, getContext: () => Stage1Context | undefined, backendWaitMs = 60_000): void {
  let running: Promise<unknown> | undefined;
  const exclusive = async <T>(work: () => Promise<T>): Promise<T> => {
    if (running) throw new Error('a Stage 1 generation or fixed-point check is already running');
    const run = work();
    running = run;
    try {
      return await run;
    } finally {
      running = undefined;
    }
  };
  const requireContext = (): Stage1Context => {
    const context = getContext();
    if (!context) throw new Error('Clysm has no file-system workspace folder to generate Stage 1 in');
    return context;
  };
  const reporterFor = async (params: Stage1Params, title: string): Promise<WorkDoneProgressReporter> => {
    const reporter = params.workDoneToken !== undefined
      ? connection.window.attachWorkDoneProgress(params.workDoneToken)
      : await connection.window.createWorkDoneProgress();
    reporter.begin(title, 0, 'starting', true);
    return reporter;
  };

  /** Right after start-up the backend is still being chosen: wait for it rather than fail. */
  const contextWithBackend = async (token: CancellationToken): Promise<Stage1Context & { backend: NonNullable<Stage1Context['backend']> }> => {
    const first = requireContext();
    if (!first.backend && first.backendChosen) await untilChosenOrGivenUp(first.backendChosen(), token, backendWaitMs);
    const context = requireContext();
    const backend = context.backend;
    if (backend) return { ...context, backend };
    throw new Error('no compiler backend is running (the server has not chosen one), so there is nothing to generate Stage 1 with');
  };

  connection.onRequest(GenerateStage1Request, (params, token) => exclusive(async () => {
    const context = await contextWithBackend(token);
    const settings = stage1Settings(params.settings);
    const reporter = await reporterFor(params, 'Clysm: Generate Stage 1');
    const controller = abortOn(token, reporter);
    let last = 0;
    let lastModule: number | undefined;
    try {
      const outcome = await generateStage1(
        {
          workspaceRoot: context.root,
          modules: context.modules,
          moduleListSource: context.moduleListSource,
          backend: context.backend,
          backendReason: context.backendReason,
          stage0Path: context.settings.stage0Path,
          ...outputOptions(settings),
          writeLimits: writeLimitsFrom(settings),
          timeoutMs: settings.timeoutMs,
          wasmTools: wasmToolsOf(settings),
        },
        (p) => {
          // At most ~10 updates a second within a module: progress is a notification per call.
          const now = Date.now();
          if (p.phase === 'compiling' && p.moduleNumber === lastModule && now - last < 100) return;
          last = now;
          lastModule = p.moduleNumber;
          const { message, percentage } = progressText(p);
          reporter.report(percentage ?? 0, message);
        },
        controller.signal,
      );
      context.log(`Stage 1 (${outcome.backend}): ${outcome.status}: ${outcome.message}`);
      // LSP: a request cancelled by the client answers RequestCancelled.
      if (outcome.status === 'cancelled' && token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, outcome.message);
      for (const w of outcome.warnings) context.log(`Stage 1 warning: ${w}`);
      if (outcome.status === 'generated') void context.refresh?.().catch((e: unknown) => context.log(`refresh after Stage 1 failed: ${String(e)}`));
      return stage1OutcomeToWire(outcome);
    } finally {
      reporter.done();
    }
  }));

  connection.onRequest(DiffStage1Request, (params): DiffResult => {
    const context = requireContext();
    const settings = stage1Settings(params.settings);
    const stage0 = path.resolve(context.root, context.settings.stage0Path);
    const stage1 = path.resolve(context.root, settings.outputDir, settings.outputName);
    try {
      return { outcome: wasmDiffToWire(diffWasmFiles(stage0, stage1, { a: 'Stage 0', b: 'Stage 1' })) };
    } catch (error) {
      return { problem: (error as Error).message };
    }
  });

  connection.onRequest(DiffFilesRequest, (params): DiffResult => {
    try {
      const labels = { a: params.labelA ?? path.basename(params.a), b: params.labelB ?? path.basename(params.b) };
      return { outcome: wasmDiffToWire(diffWasmFiles(params.a, params.b, labels)) };
    } catch (error) {
      return { problem: (error as Error).message };
    }
  });

  connection.onRequest(VerifyFixedPointRequest, (params, token) => exclusive(async () => {
    const context = requireContext();
    const settings = stage1Settings(params.settings);
    const reporter = await reporterFor(params, 'Clysm: Verify Fixed Point');
    const controller = abortOn(token, reporter);
    try {
      const outcome = await verifyFixedPoint(
        {
          workspaceRoot: context.root,
          modules: context.modules,
          ...outputOptions(settings),
          stage0Path: context.settings.stage0Path,
          timeoutMs: settings.timeoutMs,
          wasmTools: wasmToolsOf(settings),
          workerScript: context.workerScript,
        },
        (p) => reporter.report(progressText(p).percentage ?? 0, `Stage 2 from Stage 1: ${progressText(p).message}`),
        controller.signal,
      );
      context.log(`fixed point: ${outcome.status}: ${outcome.message}`);
      if (outcome.status === 'cancelled' && token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, outcome.message);
      return fixedPointToWire(outcome);
    } finally {
      reporter.done();
    }
  }));
}
