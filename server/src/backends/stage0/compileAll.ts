// Stage 1 generation on the Stage 0 backend: runs a compiler binary's compile_all (Stage 0 for
// Stage 1, or Stage 1 for Stage 2 in the fixed-point check) on a fresh Stage 0 worker process
// (workerTransport.ts) and turns the host events into per-form results and progress. Cancel
// and timeout kill the process; the staging folder is the caller's to remove.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultOf } from '../../protocol/settings';
import { andMore, clipText } from '../../util/boundedText';
import { normaliseModulePath } from '../../workspace/moduleList';
import type { HostEvent } from './compileAllHost';
import type { WriteLimits } from '../../sandbox/writeBudget';
import { startTransport } from './workerTransport';
import type { FromWorker } from './workerProtocol';
import {
  GenerationCancelled,
  GenerationFailed,
  type GeneratedForm,
  type GeneratedModule,
  type GenerationProgress,
  type GeneratorResult,
  type StagedOutput,
} from '../generation';

/** Warnings of one run that are listed; the rest are counted. */
const maxWarnings = 20;

/** The file compile_all is expected to write (docs/stage0-abi.md §6). */
export const STAGE1_OUTPUT_NAME = 'clysm-stage1.wasm';

export interface CompileAllRunOptions {
  /** Absolute path of the compiler binary whose compile_all runs. */
  compilerPath: string;
  /** `Stage 0` or `Stage 1`, for messages. */
  label: string;
  workspaceRoot: string;
  modules: string[];
  /** Private folder that receives write-bytes. */
  stagingDir: string;
  /** Never written by write-bytes. */
  protectedFiles: string[];
  /** Whole-run limit. */
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (progress: GenerationProgress) => void;
  /** Forms the editor's reader found, for "forms done of N" before the generator says. */
  formsTotalHint?: number;
  /** dist/stage0-worker.js; default next to this bundle. */
  workerScript?: string;
  /** Memory limit of the worker process (clysm.stage0.maxMemoryMb). */
  maxMemoryMb?: number;
  /** The name write-bytes must use for the Stage 1 (default clysm-stage1.wasm). */
  outputName?: string;
  /** What the run may write through write-bytes (default: the clysm.stage1.maxOutput* defaults). */
  writeLimits?: WriteLimits;
}

/** Folds the host events of one run into modules, forms and the staged output. */
export class CompileAllCollector {
  readonly modules: GeneratedModule[] = [];
  readonly forms: GeneratedForm[] = [];
  private readonly warningsKept: string[] = [];
  private warningsDropped = 0;
  output?: StagedOutput;
  /** Why the run went over its write limits: it fails. */
  writeLimit?: string;
  private current?: GeneratedModule;
  private formsInCurrent = 0;

  constructor(
    private readonly moduleList: string[],
    private readonly outputName: string,
  ) {}

  /** Returns true when the event changes what progress shows. */
  add(event: HostEvent): boolean {
    switch (event.kind) {
      case 'list-modules':
        return false;
      case 'read':
        if (!event.ok) this.warn(`could not read ${event.path}: ${event.reason ?? 'unknown reason'}`);
        return false;
      case 'report-start': {
        const modulePath = normaliseModulePath(event.module ?? `module ${this.modules.length + 1}`);
        const listed = this.moduleList.indexOf(modulePath);
        this.current = { index: listed >= 0 ? listed + 1 : this.modules.length + 1, path: modulePath, formCount: event.formCount };
        this.modules.push(this.current);
        this.formsInCurrent = 0;
        return true;
      }
      case 'form': {
        // A null id is attributed to the current module, in report order (as per form).
        const id = event.formId ?? `${this.current?.index ?? 0}:${this.formsInCurrent}`;
        this.formsInCurrent++;
        this.forms.push(toGeneratedForm(id, event));
        return this.forms.length % 25 === 0;
      }
      case 'module-complete':
        return true;
      case 'write-limit':
        this.writeLimit ??= event.reason;
        return true;
      case 'write':
        if (!event.ok) {
          this.warn(`write-bytes to ${event.path} was refused: ${event.reason}`);
        } else if (normaliseModulePath(event.path) === this.outputName) {
          this.output = { file: event.file, size: event.size, sha256: event.sha256 };
        } else {
          this.warn(`the compiler also wrote ${event.path} (${event.size} bytes); only ${this.outputName} is kept`);
        }
        return true;
    }
  }

  /** The warnings, at most `maxWarnings` of them (each clipped) plus one line counting the rest. */
  get warnings(): string[] {
    return this.warningsDropped === 0 ? [...this.warningsKept] : [...this.warningsKept, `… ${andMore(this.warningsDropped, 'warnings')}`];
  }

  /** A compiler can make the host warn a million times (one refused read each): keep the first few. */
  private warn(text: string): void {
    if (this.warningsKept.length < maxWarnings) this.warningsKept.push(clipText(text));
    else this.warningsDropped++;
  }

  progress(formsTotalHint?: number): GenerationProgress {
    const current = this.current;
    return {
      phase: 'compiling',
      moduleNumber: current?.index,
      moduleCount: this.moduleList.length,
      module: current?.path,
      formsDone: this.forms.length,
      formsTotal: formsTotalHint,
    };
  }
}

function toGeneratedForm(id: string, event: Extract<HostEvent, { kind: 'form' }>): GeneratedForm {
  if (event.success && event.errorType === 'skipped') return { id, status: 'skipped' };
  if (event.success) return { id, status: 'compiled' };
  return {
    id,
    status: 'failed',
    errorType: event.errorType ?? 'compile-error',
    message: event.message ?? 'the compiler reported a failure without a message',
  };
}

function defaultWorkerScript(): string {
  return path.join(__dirname, 'stage0-worker.js');
}

/** Runs compile_all once, on a fresh Stage 0 worker process. Rejects with GenerationCancelled or GenerationFailed; never writes outside stagingDir. */
export function runCompileAll(options: CompileAllRunOptions): Promise<GeneratorResult> {
  const script = options.workerScript ?? defaultWorkerScript();
  const outputName = options.outputName ?? STAGE1_OUTPUT_NAME;
  if (!fs.existsSync(script)) return Promise.reject(new GenerationFailed(`the generation worker script is missing: ${script}`));
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(options.compilerPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return Promise.reject(new GenerationFailed(code === 'ENOENT' ? `${options.label} not found at ${options.compilerPath}` : `${options.label} could not be read: ${(error as Error).message}`));
  }
  const sha = createHash('sha256').update(bytes).digest('hex');
  const collector = new CompileAllCollector(options.modules, outputName);
  const description = `${options.label} compile_all (${path.basename(options.compilerPath)}, sha256 ${sha.slice(0, 12)}…) on V8 ${process.versions.v8}`;
  const progressBase = { formsTotal: options.formsTotalHint, moduleCount: options.modules.length };

  return new Promise<GeneratorResult>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new GenerationCancelled());
      return;
    }
    let settled = false;
    const finish = (outcome: { ok: GeneratorResult } | { error: Error }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      void transport.stop(0);
      if ('ok' in outcome) resolve(outcome.ok);
      else reject(outcome.error);
    };
    const onMessage = (message: FromWorker): void => {
      switch (message.type) {
        case 'compile-all-loaded':
          options.onProgress?.({ phase: 'compiling', formsDone: 0, ...progressBase });
          return;
        case 'compile-all-events': {
          let changed = false;
          for (const event of message.events) changed = collector.add(event) || changed;
          if (collector.writeLimit) {
            finish({ error: new GenerationFailed(`${options.label} compile_all went over its write limits: ${collector.writeLimit}`, collector.forms) });
            return;
          }
          if (changed) options.onProgress?.(collector.progress(options.formsTotalHint));
          return;
        }
        case 'compile-all-finished':
          finish({ ok: { kind: 'stage0', description, modules: collector.modules, forms: collector.forms, output: collector.output, warnings: collector.warnings } });
          return;
        case 'compile-all-failed':
          finish({ error: new GenerationFailed(message.message, collector.forms) });
          return;
        default:
          return; // per-form messages: not asked for here
      }
    };
    const transport = startTransport(script, options.maxMemoryMb ?? defaultOf('clysm.stage0.maxMemoryMb'), {
      onMessage,
      onExit: (end) => finish({ error: new GenerationFailed(`the generation worker stopped before compile_all finished: ${end.reason}`, collector.forms) }),
      log: () => undefined,
    });
    const onAbort = (): void => finish({ error: new GenerationCancelled() });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () => finish({ error: new GenerationFailed(`${options.label} compile_all did not finish within ${options.timeoutMs} ms (stopped)`, collector.forms) }),
      options.timeoutMs,
    );
    options.onProgress?.({ phase: 'loading', formsDone: 0, ...progressBase });
    try {
      transport.post({
        type: 'compile-all',
        bytes: Uint8Array.from(bytes),
        label: options.label,
        host: { workspaceRoot: options.workspaceRoot, modules: options.modules, stagingDir: options.stagingDir, protectedFiles: options.protectedFiles, writeLimits: options.writeLimits },
      });
    } catch (error) {
      finish({ error: new GenerationFailed(`the generation worker could not run: ${(error as Error).message}`) });
    }
  });
}
