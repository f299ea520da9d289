// Stage 1 on the SBCL backend: Clysm's own generator (clysm/stage1:generate-stage1, as
// build/stage1-complete.lisp runs it) in an SBCL process of its own, started from the same
// driver and launch spec as the process that compiles forms (op generate-stage1 in
// server/lisp/driver.lisp). Output, report and temp files go to a private staging folder;
// progress and per-form results stream on fd 3.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findExecutable } from '../../util/findExecutable';
import { v8SupportsWasmGc } from '../../wasm/runtimeProbe';
import { findWasmTools } from '../../wasm/validate';
import { GenerationCancelled, GenerationFailed, type GeneratedForm, type GeneratedModule, type GenerationProgress, type GeneratorResult } from '../generation';
import type { Stage1Event } from './driverProtocol';
import { driverLaunchSpec } from './launchSpec';
import { parseLenientJson } from './lenientJson';
import { DriverFatalError, ProcessExitError, SbclProcess } from './sbclProcess';
import { writeWasmToolsShim } from './wasmToolsShim';

export interface SbclGeneratorOptions {
  workspaceRoot: string;
  sbclPath: string;
  dynamicSpaceSizeMb: number;
  extraArgs: readonly string[];
  systemName: string;
  /** server/lisp/driver.lisp (dist/lisp/ when bundled). */
  driverPath: string;
  stagingDir: string;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (progress: GenerationProgress) => void;
  /** Path or name of wasm-tools; undefined: `wasm-tools` on the PATH; null: always use the V8 stand-in. */
  wasmTools?: string | null;
  env?: Record<string, string | undefined>;
  log?: (message: string) => void;
}

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

  add(message: Stage1Event): boolean {
    switch (message.kind) {
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
        if (message.form) {
          this.results.set(message.form, message.status === 'failed'
            ? { id: message.form, status: 'failed', errorType: 'compile-error', message: message.message ?? 'Compilation or validation failed' }
            : { id: message.form, status: message.status });
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

interface Prepared {
  sbcl: string;
  env: Record<string, string>;
  formValidator: string;
  warnings: string[];
}

function definedOnly(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function prepare(options: SbclGeneratorOptions): Prepared {
  const env = definedOnly(options.env ?? process.env);
  const sbcl = findExecutable(options.sbclPath, env.PATH);
  if (!sbcl) throw new GenerationFailed(`SBCL was not found (clysm.sbcl.path is "${options.sbclPath}"); Clysm's Stage 1 generator runs on SBCL`);
  if (!fs.existsSync(path.join(options.workspaceRoot, `${options.systemName}.asd`))) {
    throw new GenerationFailed(`${options.workspaceRoot} has no ${options.systemName}.asd: the SBCL backend generates Stage 1 only in a Clysm checkout`);
  }
  const tmp = path.join(options.stagingDir, 'tmp');
  fs.mkdirSync(tmp, { recursive: true });
  // Clysm writes one temp file per validated form; keep them in the staging folder.
  env.TMPDIR = tmp;
  const warnings: string[] = [];
  const wasmTools = findWasmTools(options.wasmTools, env.PATH);
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

/** Runs Clysm's generator once, in an SBCL of its own; rejects with GenerationCancelled or GenerationFailed. */
export async function runSbclGenerator(options: SbclGeneratorOptions): Promise<GeneratorResult> {
  if (options.signal?.aborted) throw new GenerationCancelled();
  const prepared = prepare(options);
  const out = path.join(options.stagingDir, 'out');
  fs.mkdirSync(out, { recursive: true });
  const files = { stage1: path.join(out, 'clysm-stage1.wasm'), report: path.join(out, 'stage1-report.json'), defunErrors: path.join(out, 'defun-errors.json') };
  if (!fs.existsSync(options.driverPath)) throw new GenerationFailed(`the SBCL driver is missing: ${options.driverPath}`);
  const log = options.log ?? (() => undefined);
  // Always loaded from the sources (no saved core): the generator must see the files as they are.
  const spec = driverLaunchSpec({
    sbcl: prepared.sbcl,
    workspaceRoot: options.workspaceRoot,
    systemName: options.systemName,
    driverPath: options.driverPath,
    dynamicSpaceSizeMb: options.dynamicSpaceSizeMb,
    extraArgs: options.extraArgs,
    env: prepared.env,
  });
  log(`Stage 1: ${spec.command} ${spec.args.join(' ')}`);
  const proc = new SbclProcess(spec, log);
  const collector = new SbclGenerationCollector();
  options.onProgress?.(collector.progress());

  let stopped: 'cancelled' | 'timeout' | undefined;
  const stop = (why: 'cancelled' | 'timeout'): void => {
    stopped ??= why;
    proc.kill();
  };
  const onAbort = (): void => stop('cancelled');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
  try {
    const ready = await proc.ready;
    collector.lisp = `SBCL ${ready.sbcl_version}`;
    const request = proc.request({ op: 'generate-stage1', output: files.stage1, report: files.report, defun_errors: files.defunErrors }, (event) => {
      if (collector.add(event)) options.onProgress?.(collector.progress());
    });
    const reply = await request.reply;
    if (reply.type === 'error') throw new GenerationFailed(`Stage 1 generation failed: ${reply.message}`, collector.forms());
  } catch (error) {
    if (stopped === 'cancelled') throw new GenerationCancelled();
    const partial = collector.forms();
    if (stopped === 'timeout') throw new GenerationFailed(`Clysm's Stage 1 generator did not finish within ${options.timeoutMs} ms (stopped)`, partial);
    if (error instanceof DriverFatalError) throw new GenerationFailed(`Loading Clysm failed: ${error.message}`, partial);
    if (error instanceof ProcessExitError) throw new GenerationFailed(`${error.message} before Clysm's generator finished`, partial);
    throw error;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await proc.stop();
  }
  const partial = collector.forms();
  if (collector.failure) {
    const where = collector.failure.stage === 'generate' ? "Clysm's Stage 1 generator failed" : 'Stage 1 generation failed';
    throw new GenerationFailed(`${where}: ${collector.failure.message}`, partial);
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
    output: output ? { file: files.stage1, size: output.length, sha256: createHash('sha256').update(output).digest('hex') } : undefined,
    warnings,
    clysmReport: reportText === undefined ? undefined : parseLenientJson(reportText),
    artifacts: fs.existsSync(files.defunErrors) ? [{ name: 'defun-errors.json', file: files.defunErrors }] : [],
    formValidator: prepared.formValidator,
  };
}
