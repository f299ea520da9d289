// clysm-check: the headless checker. Runs the same reader, backend and blocker modules as the
// language server, with no VS Code, and prints per-form results for a whole workspace.
import * as path from 'node:path';
import { selectBackend } from '../../server/src/backends/createBackend';
import { buildCheckReport, formatCheckReportText, isProblemStatus } from '../../server/src/report/checkReport';
import { ResultCache } from '../../server/src/workspace/resultCache';
import { DiskFiles } from '../../server/src/workspace/workspaceFiles';
import { resolveWorkspaceModules, WorkspaceModel } from '../../server/src/workspace/workspaceModel';
import { parseCheckArgs, usage, UsageError } from './args';

const EXIT_OK = 0;
const EXIT_FORMS_FAILED = 1;
const EXIT_SETUP = 2;

async function main(argv: string[]): Promise<number> {
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
  // The module list is needed by the backend (clysm.fs list-modules), so resolve it first.
  const moduleList = resolveWorkspaceModules(files, args.modules ?? null);
  const { backend, status, reason } = await selectBackend({
    mode: args.backend,
    workspaceRoot: args.workspace,
    stage0Path: args.stage0,
    timeoutMs: args.timeoutMs,
    modules: moduleList.modules,
    sbclPath: args.sbclPath,
    log,
  });
  log?.(`backend ${backend.kind}: ${reason}`);
  try {
    if (status.state === 'error' || status.state === 'stub') {
      process.stderr.write(`clysm-check: ${status.message}\n`);
      if (args.backend === 'auto') process.stderr.write(`clysm-check: ${reason}\n`);
      return EXIT_SETUP;
    }
    const model = new WorkspaceModel(files, backend, new ResultCache(), args.modules ?? null);
    if (model.modules.length === 0) {
      process.stderr.write(`clysm-check: no Lisp modules found under ${args.workspace}\n`);
      return EXIT_SETUP;
    }
    await model.analyzeAll(undefined, (p) => log?.(`module ${p.moduleNumber} of ${p.moduleCount}: ${p.file}`));
    const forms = model.allForms();
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
    });
    process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatCheckReportText(report)}\n`);
    return forms.some((f) => isProblemStatus(f.result.status)) ? EXIT_FORMS_FAILED : EXIT_OK;
  } finally {
    await backend.dispose();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`clysm-check: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT_SETUP;
  },
);
