// The embedded engine: Stage 0 runs on V8, in a forked Node worker process (workerTransport.ts). Requests are served one at a time. A form that
// exceeds its time limit (or is cancelled) costs the worker: it is stopped and a fresh one
// re-instantiates Stage 0 before the next form.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EngineInfo, FormResult } from '../../types';
import type { HostConfig } from './hostImports';
import { defaultOf } from '../../protocol/settings';
import { probeRuntime, type RuntimeProbeResult } from '../../wasm/runtimeProbe';
import { abortError, type EngineCompileOptions, type Stage0Engine } from './stage0Engine';
import { compileOnProcess, PendingRequest, SerialQueue, ProcessSlot, type FormAttempt } from './processSupport';
import { startTransport, type Transport, type WorkerEnd } from './workerTransport';
import type { FromWorker, Stage0LoadInfo, ToWorker } from './workerProtocol';

/** The host configuration (sandbox roots, module list) plus engine settings. */
export interface EmbeddedV8EngineOptions extends HostConfig {
  /** The bundled worker script; default `stage0-worker.js` next to this file (dist/). */
  workerScript?: string;
  log?: (message: string) => void;
  /** Limit for starting the worker, instantiating Stage 0 and running its start function and `_initialize`. */
  loadTimeoutMs?: number;
  /** Memory limit of the worker (resident size, Wasm memory included), so a runaway Stage 0 cannot exhaust the machine. */
  maxMemoryMb?: number;
  /** Replaceable for tests; defaults to the real runtime probe (WasmGC, exnref, js-string builtins). */
  probeRuntime?: () => RuntimeProbeResult;
}

export type { EngineCompileOptions } from './stage0Engine';

type Outcome =
  | { kind: 'message'; message: FromWorker }
  | { kind: 'timeout' }
  | { kind: 'aborted' }
  | { kind: 'died'; reason: string; cause: WorkerEnd['cause'] };

/** How long a stopped worker may take to exit before it counts as stuck. */
const stopGraceMs = 1000;

/** One worker and the request it is currently serving. */
class Stage0WorkerProcess {
  private readonly transport: Transport;
  private readonly pending = new PendingRequest<Outcome, FromWorker>();
  private end?: WorkerEnd;

  constructor(script: string, maxMemoryMb: number, log: (message: string) => void, onExit: () => void) {
    this.transport = startTransport(script, maxMemoryMb, {
      onMessage: (message) => {
        if (message.type === 'log') log(`[stage0] ${message.message}`);
        else if (this.pending.accepts(message)) this.pending.settle({ kind: 'message', message });
      },
      onExit: (end) => {
        this.end ??= end;
        this.pending.settle({ kind: 'died', ...this.end });
        onExit();
      },
      log,
    });
  }

  get alive(): boolean {
    return this.end === undefined;
  }

  /** Sends a message and waits for the reply that `accept` recognises, a timeout, an abort or the worker's death. */
  request(message: ToWorker, accept: (reply: FromWorker) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<Outcome> {
    if (this.end) return Promise.resolve({ kind: 'died', ...this.end });
    const send = (): void => {
      try {
        this.transport.post(message);
      } catch (error) {
        this.pending.settle({ kind: 'died', reason: `the engine worker cannot take messages: ${(error as Error).message}`, cause: 'other' });
      }
    };
    return this.pending.wait(accept, send, timeoutMs, signal);
  }

  /** Stops the worker; resolves false when it is still running after the grace period. */
  async stop(): Promise<boolean> {
    if (this.end) return true;
    this.end = { reason: 'stopped by the engine', cause: 'other' };
    this.pending.settle({ kind: 'died', ...this.end });
    return this.transport.stop(stopGraceMs);
  }
}

export class EmbeddedV8Engine implements Stage0Engine {
  readonly info: EngineInfo;
  private readonly script: string;
  private readonly log: (message: string) => void;
  private readonly loadTimeoutMs: number;
  private readonly maxMemoryMb: number;
  /** The current worker and the replacement started after a timeout, cancel or crash. */
  private readonly slot = new ProcessSlot<Stage0WorkerProcess>({
    start: () => (this.bytes && !this.disposed ? this.startWorker(this.bytes).then(({ worker }) => worker) : undefined),
    stop: (worker) => this.stopWorker(worker),
  });
  /** Every live worker, including one still loading, so dispose() can stop them all. */
  private readonly workers = new Set<Stage0WorkerProcess>();
  private bytes?: Uint8Array;
  private readonly queue = new SerialQueue();
  private nextId = 1;
  private disposed = false;
  /** Workers that did not exit when stopped (V8 did not interrupt them); they still use a CPU. */
  stuckWorkers = 0;

  constructor(private readonly options: EmbeddedV8EngineOptions) {
    this.script = options.workerScript ?? path.join(__dirname, 'stage0-worker.js');
    this.log = options.log ?? (() => undefined);
    this.loadTimeoutMs = options.loadTimeoutMs ?? defaultOf('clysm.stage0.loadTimeoutMs');
    this.maxMemoryMb = options.maxMemoryMb ?? defaultOf('clysm.stage0.maxMemoryMb');
    const electron = (process.versions as NodeJS.ProcessVersions & { electron?: string }).electron;
    this.info = {
      name: 'embedded-v8',
      version: `V8 ${process.versions.v8}, Node ${process.versions.node}${electron ? `, Electron ${electron}` : ''}`,
    };
  }

  /** This process's V8 must run WasmGC, exnref and the js-string builtins. */
  checkRuntime(): Promise<RuntimeProbeResult> {
    return Promise.resolve((this.options.probeRuntime ?? probeRuntime)());
  }

  private hostConfig(): HostConfig {
    const { workspaceRoot, modules, outputDir, protectedFiles } = this.options;
    return { workspaceRoot, modules, outputDir, protectedFiles };
  }

  /** How many times a worker was replaced after a timeout, cancel or crash. */
  get restarts(): number {
    return this.slot.restarts;
  }

  /** Stops a worker, and says so loudly when V8 would not stop it. */
  private async stopWorker(worker: Stage0WorkerProcess | undefined): Promise<boolean> {
    if (!worker) return true;
    const stopped = await worker.stop();
    if (!stopped) {
      this.stuckWorkers++;
      this.log(`a Stage 0 engine process did not stop within ${stopGraceMs} ms (V8 did not interrupt the running Wasm); it keeps running until the language server restarts`);
    }
    return stopped;
  }

  /** Starts a worker and loads `bytes` in it; rejects with the worker's clear message. */
  private async startWorker(bytes: Uint8Array): Promise<{ worker: Stage0WorkerProcess; info: Stage0LoadInfo }> {
    if (!fs.existsSync(this.script)) throw new Error(`the Stage 0 engine worker script is missing: ${this.script}`);
    const worker: Stage0WorkerProcess = new Stage0WorkerProcess(this.script, this.maxMemoryMb, this.log, () => this.workers.delete(worker));
    this.workers.add(worker);
    const outcome = await worker.request(
      { type: 'load', bytes, host: this.hostConfig() },
      (reply) => reply.type === 'loaded' || reply.type === 'load-failed',
      this.loadTimeoutMs,
    );
    if (outcome.kind === 'message' && outcome.message.type === 'loaded') return { worker, info: outcome.message.info };
    await this.stopWorker(worker);
    if (outcome.kind === 'message' && outcome.message.type === 'load-failed') throw new Error(outcome.message.message);
    if (outcome.kind === 'timeout') {
      throw new Error(`Stage 0 did not finish loading (instantiation and _initialize or its start function) within ${this.loadTimeoutMs} ms, the load time limit (clysm.stage0.loadTimeoutMs; docs/stage0-abi.md §7)`);
    }
    throw new Error(`the Stage 0 engine worker failed while loading: ${outcome.kind === 'died' ? outcome.reason : outcome.kind}`);
  }

  /**
   * Loads (or replaces) the Stage 0 module in a fresh worker. Resolves with its exports and
   * imports; rejects with an Error whose message names the problem.
   */
  load(bytes: Uint8Array): Promise<Stage0LoadInfo> {
    return this.queue.run(async () => {
      if (this.disposed) throw new Error('the Stage 0 engine was disposed');
      await this.dropWorkers();
      const copy = Uint8Array.from(bytes);
      const { worker, info } = await this.startWorker(copy);
      if (this.disposed) {
        await this.stopWorker(worker);
        throw new Error('the Stage 0 engine was disposed');
      }
      this.slot.active = worker;
      this.bytes = copy;
      return info;
    });
  }

  private async dropWorkers(): Promise<void> {
    this.bytes = undefined;
    await this.slot.drop();
  }

  /**
   * Compiles one form. Per-form problems (trap, timeout, invalid output, a crashed worker)
   * are results; only cancellation (AbortSignal), disposal and "nothing loaded" reject.
   */
  compile(text: string, options: EngineCompileOptions): Promise<FormResult> {
    return this.queue.run(() =>
      compileOnProcess(
        {
          slot: this.slot,
          disposed: () => this.disposed,
          loaded: () => this.bytes !== undefined,
          restartSubject: 'the Stage 0 engine',
          attempt: (worker) => this.attempt(worker, text, options),
        },
        options.signal,
      ),
    );
  }

  private async attempt(worker: Stage0WorkerProcess, text: string, options: EngineCompileOptions): Promise<FormAttempt> {
    const id = this.nextId++;
    const started = performance.now();
    const outcome = await worker.request(
      { type: 'compile', id, text, package: options.package },
      (reply) => reply.type === 'result' && reply.id === id,
      options.timeoutMs,
      options.signal,
    );
    const durationMs = performance.now() - started;
    if (outcome.kind === 'message' && outcome.message.type === 'result') {
      await this.recycleIfBloated(outcome.message.residentMb);
      return { result: outcome.message.result };
    }
    if (this.disposed) throw new Error('the Stage 0 engine was disposed');
    const stopped = await this.slot.replace();
    if (outcome.kind === 'timeout') {
      this.log(`Stage 0 exceeded ${options.timeoutMs} ms; engine worker restarted`);
      const stuck = stopped ? '' : '; the timed-out worker could not be stopped and keeps running until the language server restarts';
      return { result: { status: 'timeout', message: `Stage 0 did not finish this form within ${options.timeoutMs} ms (the engine was restarted${stuck})`, durationMs } };
    }
    if (outcome.kind === 'aborted') throw abortError(options.signal!);
    const reason = outcome.kind === 'died' ? outcome.reason : 'unexpected reply';
    this.log(`Stage 0 engine worker died (${reason}); restarted`);
    // Over its memory limit on this form: the form's own doing (a worker starts every form
    // below the recycle threshold), so no second try that would hide it.
    if (outcome.kind === 'died' && outcome.cause === 'memory') return { result: { status: 'crashed', message: `the Stage 0 engine died on this form: ${reason}`, durationMs } };
    return { died: reason, durationMs };
  }

  /**
   * Wasm memory never shrinks: a worker left above half its limit after a form is replaced, so
   * the next form starts with room, and an idle worker does not hold gigabytes.
   */
  private async recycleIfBloated(residentMb: number): Promise<void> {
    if (residentMb <= this.maxMemoryMb / 2) return;
    this.log(`the Stage 0 engine worker holds ${residentMb} MB after a form, over half its limit of ${this.maxMemoryMb} MB (clysm.stage0.maxMemoryMb); restarting it`);
    await this.slot.replace();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.dropWorkers();
    await Promise.all([...this.workers].map((s) => this.stopWorker(s)));
  }
}
