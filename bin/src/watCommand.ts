// `clysm-check wat [WORKSPACE] FORM_ID [--backend …] [--json]`: the form's module in WAT.
// The modules up to the form's are analysed in list order (as the checker does), so the
// form compiles in the same context. Exit 0 for bytes V8 accepts, 1 for rejected bytes or a
// form without bytes, 2 for a usage or setup error.
import * as path from 'node:path';
import { formWat } from '../../server/src/wasm/text/formWat';
import { loadWasmPrinter } from '../../server/src/wasm/text/wasmToolsLoader';
import { ResultCache } from '../../server/src/workspace/resultCache';
import { DiskFiles } from '../../server/src/workspace/workspaceFiles';
import { WorkspaceModel } from '../../server/src/workspace/workspaceModel';
import { parseCheckArgs, UsageError } from './args';
import { backendForArgs } from './checkBackend';
import { processIo, type CommandIo } from './diffCommand';

export const watUsage = `usage: clysm-check wat [WORKSPACE] FORM_ID [--backend auto|stage0|sbcl] [--json] [checker options]
  FORM_ID is "{module}:{form}" (module 1-based in the module list, form 0-based), as in reports.
  Prints the form's compiled module as WAT (wasm-tools' printer). With --json:
  {id, status, wat, error?: {message, function_index, offset, line}}, line 1-based in wat.`;

const FORM_ID = /^\d+:\d+$/;

export async function runWatCommand(argv: string[], io: CommandIo = processIo): Promise<number> {
  const ids = argv.filter((a) => FORM_ID.test(a));
  let args;
  try {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout(`${watUsage}\n`);
      return 0;
    }
    if (ids.length !== 1) throw new UsageError(ids.length === 0 ? 'a FORM_ID such as 12:3 is needed' : `one FORM_ID, not ${ids.length}`);
    args = parseCheckArgs(argv.filter((a) => a !== ids[0]), path.resolve(__dirname, '..', 'examples', 'workspace'));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`clysm-check wat: ${error.message}\n\n${watUsage}\n`);
    return 2;
  }
  const id = ids[0];
  const moduleNumber = Number(id.split(':')[0]);
  const files = new DiskFiles(args.workspace);
  const log = args.verbose ? (m: string) => io.stderr(`[clysm] ${m}\n`) : undefined;
  const { backend, status, reason } = await backendForArgs(args, files, log);
  try {
    if (status.state === 'error' || status.state === 'stub') {
      io.stderr(`clysm-check wat: ${status.message}\n${args.backend === 'auto' ? `clysm-check wat: ${reason}\n` : ''}`);
      return 2;
    }
    const model = new WorkspaceModel(files, backend, new ResultCache(), args.modules ?? null);
    if (moduleNumber < 1 || moduleNumber > model.modules.length) {
      io.stderr(`clysm-check wat: no module ${moduleNumber}: the workspace has ${model.modules.length} modules\n`);
      return 2;
    }
    for (const file of model.modules.slice(0, moduleNumber)) await model.analyzeFile(file);
    const form = model.analysisOf(model.modules[moduleNumber - 1])?.forms.find((f) => f.id === id);
    if (!form) {
      io.stderr(`clysm-check wat: no form ${id} in ${model.modules[moduleNumber - 1]}\n`);
      return 2;
    }
    const shown = formWat(form, await loadWasmPrinter());
    if (args.json) io.stdout(`${JSON.stringify(shown, null, 2)}\n`);
    else {
      if (shown.wat !== null) io.stdout(`${shown.wat}\n`);
      if (shown.error) {
        const where = shown.error.line === null ? '' : ` (function #${shown.error.function_index}, @+${shown.error.offset}, line ${shown.error.line})`;
        io.stderr(`clysm-check wat: ${form.file} ${id}: ${shown.error.message}${where}\n`);
      }
    }
    return shown.error ? 1 : 0;
  } finally {
    await backend.dispose();
  }
}
