// `clysm-check stage1 [WORKSPACE] [--out DIR] [--json] [--backend ...]`: the same generation
// as "Clysm: Generate Stage 1", headless. Exit codes: see stage1Usage.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectBackend } from '../../server/src/backends/createBackend';
import { verifyFixedPoint } from '../../server/src/stage1/fixedPoint';
import { generateStage1 } from '../../server/src/stage1/generateStage1';
import { fixedPointText, stage1OutcomeJson, stage1OutcomeText } from '../../server/src/stage1/outcomeText';
import { writeLimitsFrom } from '../../server/src/sandbox/writeBudget';
import { DiskFiles } from '../../server/src/workspace/workspaceFiles';
import { resolveWorkspaceModules } from '../../server/src/workspace/workspaceModel';
import { parseCommandArgs, processIo, type CommandIo } from './diffCommand';
import { parseStage1Args, stage1Usage } from './stage1Args';

export interface Stage1CommandOptions {
  /** Folder holding stage0-worker.js (default: next to this bundle). */
  workerDir?: string;
  /** Default workspace when none is given (the bundled example). */
  defaultWorkspace?: string;
}

export async function runStage1Command(argv: string[], io: CommandIo = processIo, options: Stage1CommandOptions = {}): Promise<number> {
  const workerDir = options.workerDir ?? __dirname;
  const args = parseCommandArgs('stage1', stage1Usage, io, () => parseStage1Args(argv, options.defaultWorkspace ?? path.resolve(__dirname, '..', 'examples', 'workspace')));
  if (typeof args === 'number') return args;
  if (!fs.existsSync(args.workspace)) {
    io.stderr(`clysm-check stage1: no such workspace folder: ${args.workspace}\n`);
    return 2;
  }
  const log = args.verbose ? (m: string) => io.stderr(`[clysm] ${m}\n`) : undefined;
  const moduleList = resolveWorkspaceModules(new DiskFiles(args.workspace), args.modules ?? null);
  if (moduleList.modules.length === 0) {
    io.stderr(`clysm-check stage1: no Lisp modules found under ${args.workspace}\n`);
    return 2;
  }
  const workerScript = path.join(workerDir, 'stage0-worker.js');
  // The language server's selection rule: "auto" prefers a Stage 0 that compiles, else Clysm on SBCL.
  const chosen = await selectBackend({
    mode: args.backend,
    modeSource: `--backend ${args.backend}`,
    startOnlyToChoose: true,
    workspaceRoot: args.workspace,
    stage0Path: args.stage0,
    timeoutMs: 5000,
    modules: moduleList.modules,
    sbclPath: args.sbclPath,
    stage0WorkerScript: workerScript,
    stage0MaxMemoryMb: args.maxMemoryMb,
    stage0LoadTimeoutMs: args.loadTimeoutMs,
    log,
  });
  log?.(`backend ${chosen.backend.kind}: ${chosen.reason}`);
  const output = { outputDir: args.out, outputName: args.name, reportName: args.reportName };
  // Messages name the flags the user typed, not the editor's settings.
  const outputOptions = { output, allowOutputOutsideWorkspace: args.allowOutsideWorkspace, outputNames: { outputDir: '--out', outputName: '--name', reportName: '--report-name' } };
  let lastModule = 0;
  let outcome;
  try {
    outcome = await generateStage1(
      {
        workspaceRoot: args.workspace,
        modules: moduleList.modules,
        moduleListSource: moduleList.source,
        backend: chosen.backend,
        backendReason: chosen.reason,
        stage0Path: args.stage0,
        ...outputOptions,
        writeLimits: writeLimitsFrom(args),
        timeoutMs: args.timeoutMs,
        wasmTools: args.wasmTools,
      },
      (p) => {
        if (!log || p.moduleNumber === undefined || p.moduleNumber === lastModule) return;
        lastModule = p.moduleNumber;
        log(`module ${p.moduleNumber} of ${p.moduleCount ?? '?'}: ${p.module ?? ''} (${p.formsDone} forms done)`);
      },
    );
  } finally {
    await chosen.backend.dispose();
  }
  const fixedPoint = args.fixedPoint && outcome.status === 'generated'
    ? await verifyFixedPoint({ workspaceRoot: args.workspace, modules: moduleList.modules, ...outputOptions, stage0Path: args.stage0, timeoutMs: args.timeoutMs, wasmTools: args.wasmTools, workerScript })
    : undefined;
  if (args.json) {
    const json = { ...(stage1OutcomeJson(outcome) as object), backend_reason: chosen.reason, module_list_source: moduleList.source, fixed_point: fixedPoint ?? null };
    io.stdout(`${JSON.stringify(json, null, 2)}\n`);
  } else {
    io.stdout(stage1OutcomeText(outcome, chosen.reason));
    if (fixedPoint) io.stdout(fixedPointText(fixedPoint));
  }
  if (outcome.status === 'failed' || outcome.status === 'cancelled') return 2;
  if (outcome.status !== 'generated' || !outcome.validation?.valid) return 1;
  if (fixedPoint && fixedPoint.status !== 'achieved') return 1;
  return 0;
}
