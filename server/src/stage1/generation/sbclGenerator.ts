// Stage 1 on the SBCL backend: Clysm's own generator (clysm/stage1:generate-stage1, as
// build/stage1-complete.lisp runs it) in a separate SBCL process, with output, report and
// temp files in a private staging folder. Progress and per-form results stream on fd 3 from
// the shipped driver (server/lisp/stage1-generate.lisp).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { findExecutable } from '../../util/findExecutable';
import { lispString } from '../../backends/sbcl/launchSpec';
import { v8SupportsWasmGc } from '../../wasm/runtimeProbe';
import { sha256 } from '../outputFiles';
import { parseLenientJson } from './lenientJson';
import { GenerationCancelled, GenerationFailed, type GeneratedForm, type GeneratedModule, type GenerationProgress, type GeneratorResult } from './types';
import { writeWasmToolsShim } from './wasmToolsShim';

export const GENERATOR_DRIVER = 'stage1-generate.lisp';

export interface SbclGeneratorOptions {
  workspaceRoot: string;
  sbclPath?: string;
  dynamicSpaceSizeMb?: number;
  extraArgs?: string[];
  systemName?: string;
  stagingDir: string;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (progress: GenerationProgress) => void;
  /** Path or name of wasm-tools; undefined: `wasm-tools` on the PATH; null: always use the V8 stand-in. */
  wasmTools?: string | null;
  /** The Lisp driver; default dist/lisp/stage1-generate.lisp, else server/lisp/ above this file. */
  driverPath?: string;
  env?: Record<string, string | undefined>;
  log?: (message: string) => void;
}

/** dist/lisp/stage1-generate.lisp next to the bundle, else server/lisp/stage1-generate.lisp in the source tree. */
export function defaultGeneratorDriver(from: string = __dirname): string {
  const bundled = path.join(from, 'lisp', GENERATOR_DRIVER);
  if (fs.existsSync(bundled)) return bundled;
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'server', 'lisp', GENERATOR_DRIVER);
    if (fs.existsSync(candidate)) return candidate;
  }
  return bundled;
}

type DriverMessage =
  | { type: 'hello'; lisp: string }
  | { type: 'loaded' }
  | { type: 'phase'; phase: string; total?: number }
  | { type: 'module'; index: number | null; path: string | null; status: string | null; forms: { id: string | null; operator: string | null; compilable: boolean }[] }
  | { type: 'progress'; done: number; total: number; module: number }
  | { type: 'result'; id: string | null; status: 'compiled' | 'failed' | 'skipped'; message: string | null }
  | { type: 'done' }
  | { type: 'failed'; stage: string; message: string; condition?: string };

/** Folds driver messages into modules, forms and progress. Pure. */
export class SbclGenerationCollector {
  lisp = 'SBCL';
  readonly modules: GeneratedModule[] = [];
  readonly results = new Map<string, GeneratedForm>();
  /** Forms Clysm's generator never compiles (in-package, ...): its report counts them as skipped. */
  readonly nonCompilable: { id: string; operator: string | null }[] = [];
  failure?: { stage: string; message: string };
  done = false;
  phase: GenerationProgress['phase'] = 'loading';
  formsDone = 0;
  formsTotal?: number;
  currentModule?: number;

  add(message: DriverMessage): boolean {
    switch (message.type) {
      case 'hello':
        this.lisp = message.lisp;
        return false;
      case 'loaded':
        this.phase = 'compiling';
        return true;
      case 'phase':
        if (message.phase === 'bundling') this.phase = 'bundling';
        else if (message.phase === 'validating') this.phase = 'validating';
        else this.phase = 'compiling'; // reading, compiling
        if (message.total !== undefined) this.formsTotal = message.total;
        return true;
      case 'module': {
        const index = message.index ?? this.modules.length + 1;
        const modulePath = message.path ?? `module ${index}`;
        this.modules.push({ index, path: modulePath, formCount: message.forms.length, unreadable: message.status === 'ERROR' || undefined });
        for (const form of message.forms) {
          if (!form.compilable && form.id) this.nonCompilable.push({ id: form.id, operator: form.operator });
        }
        return false;
      }
      case 'progress':
        this.formsDone = message.done;
        this.formsTotal = message.total;
        this.currentModule = message.module;
        return message.done % 10 === 0 || message.done === message.total;
      case 'result':
        if (message.id) {
          this.results.set(message.id, message.status === 'failed'
            ? { id: message.id, status: 'failed', errorType: 'compile-error', message: message.message ?? 'Compilation or validation failed' }
            : { id: message.id, status: message.status });
        }
        return false;
      case 'done':
        this.done = true;
        return false;
      case 'failed':
        this.failure = { stage: message.stage, message: message.message };
        return false;
    }
  }

  progress(): GenerationProgress {
    const module = this.modules.find((m) => m.index === this.currentModule);
    return {
      phase: this.phase,
      moduleNumber: this.currentModule || undefined,
      moduleCount: this.modules.length || undefined,
      module: module?.path,
      formsDone: this.formsDone,
      formsTotal: this.formsTotal,
    };
  }

  /** Every form with an outcome: the generator's results, plus its non-compilable forms as skipped. */
  forms(): GeneratedForm[] {
    const out = [...this.results.values()];
    for (const f of this.nonCompilable) {
      if (!this.results.has(f.id)) {
        out.push({ id: f.id, status: 'skipped', message: `not compiled by Clysm's generator (${f.operator ?? 'not a list form'}); its report counts it as skipped` });
      }
    }
    return out;
  }
}

export function parseDriverMessage(line: string): DriverMessage | undefined {
  try {
    const value = JSON.parse(line) as { type?: unknown };
    return typeof value.type === 'string' ? (value as DriverMessage) : undefined;
  } catch {
    return undefined;
  }
}

interface Prepared {
  sbcl: string;
  env: Record<string, string | undefined>;
  formValidator: string;
  warnings: string[];
}

function prepare(options: SbclGeneratorOptions): Prepared {
  const sbcl = findExecutable(options.sbclPath ?? 'sbcl');
  if (!sbcl) throw new GenerationFailed(`SBCL was not found (clysm.sbcl.path is "${options.sbclPath ?? 'sbcl'}"); Clysm's Stage 1 generator runs on SBCL`);
  if (!fs.existsSync(path.join(options.workspaceRoot, `${options.systemName ?? 'clysm'}.asd`))) {
    throw new GenerationFailed(`${options.workspaceRoot} has no ${options.systemName ?? 'clysm'}.asd: the SBCL backend generates Stage 1 only in a Clysm checkout`);
  }
  const env: Record<string, string | undefined> = { ...(options.env ?? process.env) };
  const tmp = path.join(options.stagingDir, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  // Clysm writes one temp file per validated form; keep them in the staging folder.
  env.TMPDIR = tmp;
  const warnings: string[] = [];
  const wasmTools = options.wasmTools === null ? undefined : findExecutable(options.wasmTools ?? 'wasm-tools', env.PATH);
  if (wasmTools) {
    if (options.wasmTools && path.dirname(wasmTools) !== '.') env.PATH = `${path.dirname(wasmTools)}${path.delimiter}${env.PATH ?? ''}`;
    return { sbcl, env, formValidator: `wasm-tools (${wasmTools})`, warnings };
  }
  if (process.platform === 'win32') {
    throw new GenerationFailed('wasm-tools is not on the PATH, and Clysm\'s generator needs it to validate each form; install wasm-tools (cargo install wasm-tools)');
  }
  if (!v8SupportsWasmGc()) {
    throw new GenerationFailed(`wasm-tools is not on the PATH, and this runtime's V8 ${process.versions.v8} cannot validate WasmGC in its place; install wasm-tools or run on Node ≥ 22.22 / 24.15`);
  }
  const shimDir = writeWasmToolsShim(path.join(options.stagingDir, 'bin'));
  env.PATH = `${shimDir}${path.delimiter}${env.PATH ?? ''}`;
  warnings.push(`wasm-tools is not on the PATH: Clysm's generator validated each form with a V8 ${process.versions.v8} stand-in for \`wasm-tools validate\``);
  return { sbcl, env, formValidator: `V8 ${process.versions.v8} (stand-in for wasm-tools validate)`, warnings };
}

/** Runs Clysm's generator once; rejects with GenerationCancelled or GenerationFailed. */
export async function runSbclGenerator(options: SbclGeneratorOptions): Promise<GeneratorResult> {
  if (options.signal?.aborted) throw new GenerationCancelled();
  const prepared = prepare(options);
  const out = path.join(options.stagingDir, 'out');
  fs.mkdirSync(out, { recursive: true });
  const files = { stage1: path.join(out, 'clysm-stage1.wasm'), report: path.join(out, 'stage1-report.json'), defunErrors: path.join(out, 'defun-errors.json') };
  const driver = options.driverPath ?? defaultGeneratorDriver();
  if (!fs.existsSync(driver)) throw new GenerationFailed(`the Stage 1 generator driver is missing: ${driver}`);
  const args = [
    '--noinform', '--dynamic-space-size', `${options.dynamicSpaceSizeMb ?? 4096}MB`, '--disable-ldb', ...(options.extraArgs ?? []), '--end-runtime-options',
    '--disable-debugger', '--no-userinit', '--no-sysinit',
    '--eval', `(load (sb-ext:parse-native-namestring ${lispString(driver)}))`,
    '--eval', '(clysm-stage1-driver:main)',
    '--end-toplevel-options',
    '--workspace', options.workspaceRoot, '--system', options.systemName ?? 'clysm',
    '--output', files.stage1, '--report', files.report, '--defun-errors', files.defunErrors,
  ];
  const log = options.log ?? (() => undefined);
  log(`Stage 1: ${prepared.sbcl} ${args.join(' ')}`);
  const collector = new SbclGenerationCollector();
  const tail: string[] = [];
  // Clysm's relative module paths resolve against the current directory (its scripts run from the root).
  const child = execa(prepared.sbcl, args, {
    cwd: options.workspaceRoot,
    env: prepared.env,
    extendEnv: false,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    buffer: false,
    reject: false,
    cleanup: true,
    windowsHide: true,
  });
  const logLines = (stream: Readable | null | undefined, source: string): void => {
    if (!stream) return;
    readline.createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      log(`[generate-stage1 ${source}] ${line}`);
    });
  };
  logLines(child.stdout, 'out');
  logLines(child.stderr, 'err');
  const replies = child.stdio[3] as Readable | null;
  if (replies) {
    readline.createInterface({ input: replies }).on('line', (line) => {
      const message = parseDriverMessage(line);
      if (message && collector.add(message)) options.onProgress?.(collector.progress());
    });
  }
  options.onProgress?.(collector.progress());

  let stopped: 'cancelled' | 'timeout' | undefined;
  const stop = (why: 'cancelled' | 'timeout'): void => {
    stopped ??= why;
    child.kill('SIGKILL');
  };
  const onAbort = (): void => stop('cancelled');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
  let result;
  try {
    result = await child;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (stopped === 'cancelled') throw new GenerationCancelled();
  const partial = collector.forms();
  if (stopped === 'timeout') throw new GenerationFailed(`Clysm's Stage 1 generator did not finish within ${options.timeoutMs} ms (stopped)`, partial);
  if (collector.failure) {
    const where = collector.failure.stage === 'generate' ? "Clysm's Stage 1 generator failed" : collector.failure.stage === 'load' ? 'Loading Clysm failed' : 'Stage 1 generation failed';
    throw new GenerationFailed(`${where}: ${collector.failure.message}`, partial);
  }
  if (!collector.done) {
    const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
    const last = tail.filter((l) => l.trim() !== '').slice(-3).join(' | ');
    throw new GenerationFailed(`SBCL ${how} before Clysm's generator finished${last ? ` (last output: ${last})` : ''}`, partial);
  }
  const warnings = [...prepared.warnings];
  const unreadable = collector.modules.filter((m) => m.unreadable).map((m) => m.path);
  if (unreadable.length > 0) warnings.push(`Clysm's generator could not read ${unreadable.length} module(s): ${unreadable.join(', ')}`);
  const output = fs.existsSync(files.stage1) ? fs.readFileSync(files.stage1) : undefined;
  const reportText = fs.existsSync(files.report) ? fs.readFileSync(files.report, 'utf8') : undefined;
  return {
    kind: 'sbcl',
    description: `clysm/stage1:generate-stage1 on ${collector.lisp}`,
    modules: collector.modules,
    forms: partial,
    output: output ? { file: files.stage1, size: output.length, sha256: sha256(output) } : undefined,
    warnings,
    clysmReport: reportText === undefined ? undefined : parseLenientJson(reportText),
    artifacts: fs.existsSync(files.defunErrors) ? [{ name: 'defun-errors.json', file: files.defunErrors }] : [],
    formValidator: prepared.formValidator,
  };
}
