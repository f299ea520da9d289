// clysm-check: the headless checker. Runs the same reader, backend and blocker modules as the
// language server, with no VS Code, and prints per-form results for a whole workspace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { baselineFromReport, type Baseline } from '../../server/src/report/baseline';
import { buildCheckReport, isProblemStatus } from '../../server/src/report/checkReport';
import { writeFileAtomic } from '../../server/src/util/atomicWrite';
import { ResultCache } from '../../server/src/workspace/resultCache';
import { ResultPersistence } from '../../server/src/workspace/resultPersistence';
import { DiskFiles } from '../../server/src/workspace/workspaceFiles';
import { WorkspaceModel } from '../../server/src/workspace/workspaceModel';
import { fixedBaseline, WorkspaceRun } from '../../server/src/workspace/workspaceRun';
import { parseCheckArgs, usage, UsageError, type CheckArgs } from './args';
import { backendForArgs } from './checkBackend';
import { endWithLauncher } from './launcherLink';
import { runDiffCommand } from './diffCommand';
import { formatCheckOutput } from './formats';
import { runStage1Command } from './stage1Command';
import { cleanUpOnSignal, coreFolderForRun, waitForCoreSave } from './savedCores';
import { runWatCommand } from './watCommand';
import { resultLine, watchCompiler } from './watchCommand';

const EXIT_OK = 0;
const EXIT_FORMS_FAILED = 1;
const EXIT_SETUP = 2;

/** The --baseline report, or a message saying why it cannot be used. */
function loadBaseline(file: string): Baseline | string {
  try {
    return baselineFromReport(`report ${file}`, JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (error) {
    return `baseline ${file} cannot be used: ${(error as Error).message}`;
  }
}

/** The --cache result store (only with an explicit --cache: it skips compiling), loaded into `cache`. A bad cache file is not an error: it is reported with --verbose and the run starts cold. */
function openCache(args: CheckArgs, cache: ResultCache, run: () => WorkspaceRun, log: ((m: string) => void) | undefined): ResultPersistence | undefined {
  if (!args.cacheDir) return undefined;
  // Saved once, right after the run: no batching needed.
  const persistence = new ResultPersistence(args.cacheDir, args.workspace, log ?? (() => undefined), () => run().persistedState(new Date()), 0);
  persistence.load(cache);
  log?.(`cache ${persistence.store.file}: ${cache.size} results`);
  return persistence;
}

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'stage1') return runStage1Command(argv.slice(1));
  if (argv[0] === 'diff') return runDiffCommand(argv.slice(1));
  if (argv[0] === 'wat') return runWatCommand(argv.slice(1));
  let args;
  try {
    args = parseCheckArgs(argv, path.resolve(__dirname, '..', 'examples', 'workspace'));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`clysm-check: ${e.message}\n\n${usage}\n`);
      return EXIT_SETUP;
    }
    throw e;
  }
  if (args.help) {
    process.stdout.write(`${usage}\n`);
    return EXIT_OK;
  }
  const files = new DiskFiles(args.workspace);
  const log = args.verbose ? (m: string) => process.stderr.write(`[clysm] ${m}\n`) : undefined;
  const baseline = args.baseline === undefined ? undefined : loadBaseline(args.baseline);
  if (typeof baseline === 'string') {
    process.stderr.write(`clysm-check: ${baseline}\n`);
    return EXIT_SETUP;
  }
  const coreFolder = coreFolderForRun(args, (line) => process.stderr.write(`${line}\n`));
  const { backend, status, reason } = await backendForArgs(args, files, log, coreFolder);
  log?.(`backend ${backend.kind}: ${reason}; ${status.message}`);
  // --watch ends on these signals by itself (watchCommand.ts); a one-shot run must still end its children and partial files.
  const releaseSignals = args.watch ? () => undefined : cleanUpOnSignal(() => backend.dispose());
  try {
    if (status.state === 'error' || status.state === 'stub') {
      process.stderr.write(`clysm-check: ${status.message}\n`);
      if (args.backend === 'auto') process.stderr.write(`clysm-check: ${reason}\n`);
      return EXIT_SETUP;
    }
    const cache = new ResultCache();
    const persistence = openCache(args, cache, () => run, log);
    const model = new WorkspaceModel(files, backend, cache, args.modules ?? null);
    if (model.modules.length === 0) {
      process.stderr.write(`clysm-check: no Lisp modules found under ${args.workspace}\n`);
      return EXIT_SETUP;
    }
    const run = new WorkspaceRun(args.workspace, model, fixedBaseline(baseline));
    run.useBackend(backend, reason);
    const compiled = await run.analyzeAll(undefined, (p) => log?.(`module ${p.moduleNumber} of ${p.moduleCount}: ${p.file}`));
    log?.(`${compiled} forms sent to the backend in ${(run.lastRunMs ?? 0).toFixed(0)} ms`);
    const forms = model.allForms();
    persistence?.saveNow();
    const regressionIds = run.regressionIds();
    if (args.report) {
      writeFileAtomic(args.report, `${JSON.stringify(run.stage1Report(), null, 2)}\n`);
      log?.(`report written to ${args.report}`);
    }
    const report = buildCheckReport({
      backend: backend.kind,
      backendReason: reason,
      status: backend.status(),
      modules: model.modules,
      moduleListSource: model.moduleListSource,
      forms,
      summary: model.summary(),
      blockers: model.blockers(),
      problems: model.moduleProblems(),
      baseline: baseline ? { source: baseline.source } : undefined,
      regressionIds,
    });
    if (args.watch) {
      // The result goes out once the compiler files are watched, so a change saved right after it is seen.
      const printResult = (): void => {
        process.stdout.write(args.format === 'json' ? `${resultLine(report)}\n` : formatCheckOutput(report, args.format, args.workspace));
      };
      await watchCompiler({ run, workspace: args.workspace, json: args.format === 'json', log, write: (line) => process.stdout.write(`${line}\n`), ready: printResult });
      return EXIT_OK;
    }
    process.stdout.write(formatCheckOutput(report, args.format, args.workspace));
    if (regressionIds.size > 0) return EXIT_FORMS_FAILED;
    return forms.some((f) => isProblemStatus(f.result.status)) ? EXIT_FORMS_FAILED : EXIT_OK;
  } finally {
    // Results are out; a core saved now makes the next run start in milliseconds.
    if (!args.watch) await waitForCoreSave(backend, (line) => process.stderr.write(`${line}\n`));
    releaseSignals();
    await backend.dispose();
  }
}

endWithLauncher();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`clysm-check: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT_SETUP;
  },
);
