// `clysm-check diff A.wasm B.wasm [--json]`: the same diff as "Clysm: Diff Two Wasm Files…".
// Exit 0 structurally identical, 1 different, 2 usage error or unreadable file.
import { diffOutcomeJson, diffWasmFiles, readWasmFile, WasmFileError } from '../../server/src/wasm/diffFiles';
import { readModule } from '../../server/src/wasm/wasmReader';
import { diffFunctions, formatFunctionDiff, type ModuleInput } from '../../server/src/wasm/text/functionDiff';
import { UsageError } from './args';
import { diffUsage, parseDiffArgs } from './stage1Args';

export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/**
 * A subcommand's arguments, or the exit code when there is nothing to run: 2 after a usage
 * error (printed with the usage), 0 after printing the usage for --help.
 */
export function parseCommandArgs<T extends { help: boolean }>(name: string, usage: string, io: CommandIo, parse: () => T): T | number {
  let args: T;
  try {
    args = parse();
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`clysm-check ${name}: ${error.message}\n\n${usage}\n`);
      return 2;
    }
    throw error;
  }
  if (args.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  return args;
}

export async function runDiffCommand(argv: string[], io: CommandIo = processIo): Promise<number> {
  const args = parseCommandArgs('diff', diffUsage, io, () => parseDiffArgs(argv));
  if (typeof args === 'number') return args;
  try {
    if (args.functions) {
      const diff = diffFunctions(readInput(args.a), readInput(args.b));
      io.stdout(args.json ? `${JSON.stringify(diff, null, 2)}\n` : formatFunctionDiff(diff));
      return diff.counts.changed + diff.counts.added + diff.counts.removed === 0 ? 0 : 1;
    }
    const outcome = diffWasmFiles(args.a, args.b, { a: args.a, b: args.b });
    io.stdout(args.json ? `${JSON.stringify(diffOutcomeJson(outcome), null, 2)}\n` : outcome.summaryText);
    return outcome.diff.identical ? 0 : 1;
  } catch (error) {
    if (error instanceof WasmFileError) {
      io.stderr(`clysm-check diff: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

function readInput(file: string): ModuleInput {
  const bytes = readWasmFile(file, 'file');
  try {
    return { bytes, info: readModule(bytes) };
  } catch (error) {
    throw new WasmFileError(`${file} is not a readable WebAssembly module: ${(error as Error).message}`);
  }
}
