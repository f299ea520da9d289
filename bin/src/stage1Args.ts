// Argument parsing for `clysm-check stage1` and `clysm-check diff`. Pure.
import * as path from 'node:path';
import { defaultStage1Settings } from '../../server/src/protocol/settings';
import { commonDefaults, parseArgs, positiveInteger, UsageError, type CommonArgs } from './args';

export interface Stage1Args extends CommonArgs {
  /** Output folder (absolute, or relative to the workspace). */
  out: string;
  /** Stage 1 file name in the output folder. */
  name: string;
  /** Report file name in the output folder. */
  reportName: string;
  /** Let the output folder really be outside the workspace. */
  allowOutsideWorkspace: boolean;
  /** write-bytes caps for the run. */
  maxOutputMb: number;
  maxOutputFiles: number;
  /** wasm-tools path, or null for "never". */
  wasmTools: string | null;
  fixedPoint: boolean;
}

export const stage1Usage = `usage: clysm-check stage1 [WORKSPACE] [--out DIR] [--json] [--backend auto|stage0|sbcl]
                          [--stage0 PATH] [--sbcl PATH] [--modules a.lisp,b.lisp]
                          [--timeout-ms N] [--max-memory-mb N] [--wasm-tools PATH|none] [--fixed-point] [--verbose]
                          [--name FILE] [--report-name FILE] [--allow-output-outside-workspace]
                          [--max-output-mb N] [--max-output-files N]

Generates Stage 1 with the backend's own generator (Stage 0's compile_all on V8, or Clysm's
clysm/stage1:generate-stage1 on SBCL), validates it, writes DIR/clysm-stage1.wasm (the previous
one kept as clysm-stage1.prev.wasm) and DIR/stage1-report.json, and compares it with Stage 0.
DIR defaults to dist (relative to WORKSPACE); its real path must be inside WORKSPACE unless
--allow-output-outside-workspace. --name and --report-name are plain file names in DIR that may
not name Stage 0, a module or another output. The generator may write at most
--max-output-mb MiB (default 64) in --max-output-files files (default 1000). --fixed-point then
also builds Stage 2 from Stage 1 when Stage 1 can compile, and compares the two byte for byte.

exit codes: 0 a Stage 1 was written and validates (and, with --fixed-point, the fixed point
holds); 1 a Stage 1 was written but does not validate, the generator wrote none, or the fixed
point does not hold / cannot be checked; 2 usage or setup error, generator failure.`;

export const diffUsage = `usage: clysm-check diff A.wasm B.wasm [--json] [--functions]

Compares two WebAssembly modules: size and per-section sizes, exports and imports with their
signatures, type / function / global / tag counts, per-function body sizes, and the bytes.
With --functions: the function-level diff, functions paired by export name, then by the name
section, then by index, with changed, added and removed functions listed by name.

exit codes: 0 structurally identical; 1 they differ; 2 usage error or a file that is missing
or not a WebAssembly module.`;

export function parseStage1Args(argv: string[], defaultWorkspace: string): Stage1Args {
  const d = defaultStage1Settings;
  const args: Stage1Args = {
    ...commonDefaults(defaultWorkspace),
    out: d.outputDir,
    name: d.outputName,
    reportName: d.reportName,
    allowOutsideWorkspace: d.allowOutputOutsideWorkspace,
    maxOutputMb: d.maxOutputMb,
    maxOutputFiles: d.maxOutputFiles,
    timeoutMs: d.timeoutMs,
    wasmTools: d.wasmToolsPath,
    fixedPoint: false,
  };
  return parseArgs(argv, args, (arg, value) => {
    switch (arg) {
      case '--out': args.out = value(); return true;
      case '--name': args.name = value(); return true;
      case '--report-name': args.reportName = value(); return true;
      case '--allow-output-outside-workspace': args.allowOutsideWorkspace = true; return true;
      case '--max-output-mb': args.maxOutputMb = positiveInteger(arg, value()); return true;
      case '--max-output-files': args.maxOutputFiles = positiveInteger(arg, value()); return true;
      case '--wasm-tools': {
        const v = value();
        args.wasmTools = v === 'none' ? null : v;
        return true;
      }
      case '--fixed-point': args.fixedPoint = true; return true;
      default: return false;
    }
  });
}

export interface DiffArgs {
  a: string;
  b: string;
  json: boolean;
  help: boolean;
  /** The function-level diff (server/src/wasm/text/functionDiff.ts) instead of the module diff. */
  functions?: boolean;
}

export function parseDiffArgs(argv: string[]): DiffArgs {
  const files: string[] = [];
  let json = false;
  let help = false;
  let functions = false;
  for (const arg of argv) {
    if (arg === '--json') json = true;
    else if (arg === '--functions') functions = true;
    else if (arg === '--help' || arg === '-h') help = true;
    else if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
    else files.push(arg);
  }
  if (help) return { a: '', b: '', json, help };
  if (files.length !== 2) throw new UsageError(`diff needs exactly two files, got ${files.length}`);
  return { a: path.resolve(files[0]), b: path.resolve(files[1]), json, help, ...(functions ? { functions } : {}) };
}
