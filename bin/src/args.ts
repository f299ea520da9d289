// Command-line parsing for clysm-check, kept pure so it can be unit-tested.
import * as path from 'node:path';
import { backendModes, defaultOf, defaultServerSettings, stage0Engines, type BackendMode, type Stage0EngineName } from '../../server/src/protocol/settings';
import { OUTPUT_FORMATS, type OutputFormat } from './formats/outputFormat';

/** The options `clysm-check` and `clysm-check stage1` share, parsed the same way by parseArgs. */
export interface CommonArgs {
  workspace: string;
  backend: BackendMode;
  sbclPath: string;
  stage0: string;
  json: boolean;
  timeoutMs: number;
  /** Memory limit of the Stage 0 worker process in MB (`--max-memory-mb`, clysm.stage0.maxMemoryMb). */
  maxMemoryMb: number;
  /** Limit for loading Stage 0 (`--load-timeout-ms`, clysm.stage0.loadTimeoutMs). */
  loadTimeoutMs: number;
  modules?: string[];
  verbose: boolean;
  help: boolean;
}

export interface CheckArgs extends CommonArgs {
  /** Which engine runs Stage 0 (`--engine`). */
  engine: Stage0EngineName;
  /** The wasmtime executable (`--wasmtime`): a name on PATH or a path. */
  wasmtimePath: string;
  /** Write the full report (docs/report-format.md) here. */
  report?: string;
  /** Compare with this report and list regressions. */
  baseline?: string;
  /** The cache folder given by --cache: saved SBCL cores (cores/) and the persistent result cache. */
  cacheDir?: string;
  /** --no-cache: no saved cores and no result cache. */
  noCache?: boolean;
  /** What stdout gets (`--format`; `--json` is `--format json`). */
  format: OutputFormat;
  /** After the result, keep watching the compiler's files and print each change's delta (`--watch`). */
  watch?: boolean;
}

export class UsageError extends Error {}

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

/** The defaults of the common options: the settings' defaults (protocol/settings.ts); timeoutMs is each command's own. */
export function commonDefaults(workspace: string): Omit<CommonArgs, 'timeoutMs'> {
  const d = defaultServerSettings;
  return { workspace, backend: d.backend, sbclPath: d.sbclPath, stage0: d.stage0Path, maxMemoryMb: defaultOf('clysm.stage0.maxMemoryMb'), loadTimeoutMs: defaultOf('clysm.stage0.loadTimeoutMs'), json: false, verbose: false, help: false };
}

/** The value of an option that takes a positive integer. */
export function positiveInteger(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} needs a positive integer`);
  return n;
}

/**
 * Parses `argv` into `args`, which holds the defaults: the common options and one WORKSPACE
 * here, every other option by `own`, which returns false for an option it does not know.
 */
export function parseArgs<T extends CommonArgs>(argv: string[], args: T, own: (arg: string, value: () => string) => boolean): T {
  let workspaceSeen = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--json': args.json = true; break;
      case '--stage0': args.stage0 = value(); break;
      case '--sbcl': args.sbclPath = value(); break;
      case '--backend': {
        const mode = value();
        if (!isOneOf(backendModes, mode)) throw new UsageError('--backend must be auto, stage0 or sbcl');
        args.backend = mode;
        break;
      }
      case '--timeout-ms': args.timeoutMs = positiveInteger(arg, value()); break;
      case '--load-timeout-ms': args.loadTimeoutMs = positiveInteger(arg, value()); break;
      case '--max-memory-mb': args.maxMemoryMb = positiveInteger(arg, value()); break;
      case '--modules': args.modules = value().split(',').map((m) => m.trim()).filter((m) => m.length > 0); break;
      case '--verbose': case '-v': args.verbose = true; break;
      case '--help': case '-h': args.help = true; break;
      default:
        if (own(arg, value)) break;
        if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
        if (workspaceSeen) throw new UsageError(`unexpected argument ${arg}`);
        args.workspace = path.resolve(arg);
        workspaceSeen = true;
    }
  }
  return args;
}

export const usage = `usage: clysm-check [WORKSPACE] [--backend auto|stage0|sbcl] [--stage0 PATH] [--sbcl PATH]
                   [--json] [--timeout-ms N] [--load-timeout-ms N] [--max-memory-mb N]
                   [--modules a.lisp,b.lisp] [--verbose]
                   [--engine embedded|wasmtime] [--wasmtime PATH]
                   [--report FILE] [--baseline FILE] [--cache DIR | --no-cache]
                   [--format text|json|sarif|github]
                   [--watch]
       clysm-check stage1 [WORKSPACE] [--out DIR] [--json] [--backend ...]   (docs/stage1.md)
       clysm-check diff A.wasm B.wasm [--json]   (exit 0 identical, 1 differ, 2 error)

Checks every top-level form of the workspace's Clysm modules with Stage 0 and prints the
forms that fail, the coverage (compiled / (total - skipped)) and the top blockers.
WORKSPACE defaults to the bundled example workspace; --stage0 defaults to
dist/clysm-stage0.wasm (relative to WORKSPACE). --backend auto (the default) uses Stage 0
when it compiles a probe form, else Clysm on SBCL when the workspace has clysm.asd.
--engine wasmtime runs Stage 0's WASI-command build (X.wasi.wasm next to X.wasm, else X.wasm)
on wasmtime >= 37 (--wasmtime; default: wasmtime on the PATH) instead of the embedded V8.

--report FILE writes the full JSON report (every field of Clysm's stage1-report.json with
correct counts, plus per-form detail; docs/report-format.md). --baseline FILE compares the
run with such a report (or a --json output) and lists every form that compiled there and
fails now as "file:line:col: regression: message (compiled in baseline)".
The SBCL backend starts from a saved core (DIR/cores) when one matches the sources, SBCL and
the driver; when none does, the run saves one for the next runs before it exits (it says so
on stderr). DIR is the cache folder: --cache DIR, else clysm-check in the user's cache
directory ($XDG_CACHE_HOME or ~/.cache, ~/Library/Caches, %LOCALAPPDATA%). --cache DIR also
keeps results there: forms whose text, package, preceding directives and backend are
unchanged are not compiled again. --no-cache saves and uses nothing.
--watch then keeps running: each saved change to a file of the compiler (SBCL backend), or
the Stage 0 rebuilt on disk, reloads it and re-checks every form, and prints the delta (with
--json one object per line: "event":"result" first, then "event":"delta"); SIGINT or SIGTERM
ends it. --format sarif prints a SARIF 2.1.0 log (one result per failing form, rule =
blocker category); --format github prints GitHub Actions annotations.

exit codes: 0 every form compiled or was skipped; 1 some form failed, timed out or could
not be read, or some form regressed against --baseline; 2 usage or setup error (missing or
unusable Stage 0, unsupported runtime, unreadable baseline).`;

export function parseCheckArgs(argv: string[], defaultWorkspace: string): CheckArgs {
  const d = defaultServerSettings;
  const args: CheckArgs = { ...commonDefaults(defaultWorkspace), timeoutMs: d.stage0TimeoutMs, engine: d.stage0Engine ?? 'embedded', wasmtimePath: d.wasmtimePath ?? 'wasmtime', format: 'text' };
  const parsed = parseArgs(argv, args, (arg, value) => {
    switch (arg) {
      case '--engine': {
        const engine = value();
        if (!isOneOf(stage0Engines, engine)) throw new UsageError('--engine must be embedded or wasmtime');
        args.engine = engine;
        return true;
      }
      case '--wasmtime': {
        // A bare name is looked up on PATH; a path is relative to the current folder.
        const command = value();
        args.wasmtimePath = command.includes('/') || command.includes(path.sep) ? path.resolve(command) : command;
        return true;
      }
      case '--report': args.report = path.resolve(value()); return true;
      case '--baseline': args.baseline = path.resolve(value()); return true;
      case '--cache': args.cacheDir = path.resolve(value()); return true;
      case '--no-cache': args.noCache = true; return true;
      case '--watch': args.watch = true; return true;
      case '--format': {
        const format = value();
        if (!isOneOf(OUTPUT_FORMATS, format)) throw new UsageError(`--format must be ${OUTPUT_FORMATS.join(', ')}`);
        args.format = format;
        return true;
      }
      default: return false;
    }
  });
  if (parsed.json && parsed.format !== 'text' && parsed.format !== 'json') throw new UsageError(`--json and --format ${parsed.format} cannot be used together`);
  if (parsed.cacheDir !== undefined && parsed.noCache) throw new UsageError('--cache and --no-cache cannot be used together');
  if (parsed.json) parsed.format = 'json';
  if (parsed.watch && parsed.format !== 'text' && parsed.format !== 'json') throw new UsageError('--watch prints text or --json lines');
  return parsed;
}
