// Command-line parsing for clysm-check, kept pure so it can be unit-tested.
import * as path from 'node:path';

export interface CheckArgs {
  workspace: string;
  backend: 'auto' | 'stage0' | 'sbcl';
  sbclPath: string;
  stage0: string;
  json: boolean;
  timeoutMs: number;
  modules?: string[];
  verbose: boolean;
  help: boolean;
}

export class UsageError extends Error {}

export const usage = `usage: clysm-check [WORKSPACE] [--backend auto|stage0|sbcl] [--stage0 PATH] [--sbcl PATH]
                   [--json] [--timeout-ms N] [--modules a.lisp,b.lisp] [--verbose]

Checks every top-level form of the workspace's Clysm modules with Stage 0 and prints the
forms that fail, the coverage (compiled / (total - skipped)) and the top blockers.
WORKSPACE defaults to the bundled example workspace; --stage0 defaults to
dist/clysm-stage0.wasm (relative to WORKSPACE). --backend auto (the default) uses Stage 0
when it compiles a probe form, else Clysm on SBCL when the workspace has clysm.asd.

exit codes: 0 every form compiled or was skipped; 1 some form failed, timed out or could
not be read; 2 usage or setup error (missing or unusable Stage 0, unsupported runtime).`;

export function parseCheckArgs(argv: string[], defaultWorkspace: string): CheckArgs {
  const args: CheckArgs = { workspace: defaultWorkspace, backend: 'auto', sbclPath: 'sbcl', stage0: 'dist/clysm-stage0.wasm', json: false, timeoutMs: 5000, verbose: false, help: false };
  let workspaceSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--json':
        args.json = true;
        break;
      case '--stage0':
        args.stage0 = value();
        break;
      case '--backend': {
        const mode = value();
        if (mode !== 'auto' && mode !== 'stage0' && mode !== 'sbcl') throw new UsageError('--backend must be auto, stage0 or sbcl');
        args.backend = mode;
        break;
      }
      case '--sbcl':
        args.sbclPath = value();
        break;
      case '--timeout-ms': {
        const n = Number(value());
        if (!Number.isInteger(n) || n <= 0) throw new UsageError('--timeout-ms needs a positive integer');
        args.timeoutMs = n;
        break;
      }
      case '--modules':
        args.modules = value().split(',').map((m) => m.trim()).filter((m) => m.length > 0);
        break;
      case '--verbose':
      case '-v':
        args.verbose = true;
        break;
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        if (workspaceSeen) throw new UsageError(`unexpected argument ${arg}`);
        args.workspace = path.resolve(arg);
        workspaceSeen = true;
    }
  }
  return args;
}
