// Where the Stage 0 worker runs: a forked Node process, for per-form compiles and for Stage 1
// generation alike. Not a worker_threads thread: V8 (13.6, Node 24) does not always honour
// Worker.terminate() (a Wasm loop that keeps allocating large GC arrays is never interrupted),
// and a heap exhausted by Wasm GC allocations in a thread aborts the whole language server
// (docs/stage0-abi.md §9). A process can always be killed, and its death is only its own.
// It dies with its parent too, even one killed by SIGKILL (workerWatchdog.ts).
import { fork, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { clipText } from '../../util/boundedText';
import { lifelineFd, memoryLimitMarker, workerArguments, type FromWorker, type ToWorker } from './workerProtocol';

/** Why a worker ended: `memory` when it went over its memory limit (or V8's heap limit). */
export type WorkerEnd = { reason: string; cause: 'memory' | 'other' };

export interface TransportHandlers {
  onMessage(message: FromWorker): void;
  /** The worker is gone; `end.reason` says why ("over its memory limit of …", "exited with code 1"). */
  onExit(end: WorkerEnd): void;
  log(message: string): void;
}

export interface Transport {
  post(message: ToWorker): void;
  /** Stops the worker. Resolves true once it has exited, false if it is still running after `graceMs`. */
  stop(graceMs: number): Promise<boolean>;
}

function exitedWithin(exited: Promise<void>, graceMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), graceMs);
    void exited.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Why the worker ended, from how it exited and the end of its stderr. Pure. */
export function describeWorkerEnd(code: number | null, signal: string | null, stderrTail: string, maxMemoryMb: number): WorkerEnd {
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const overLimit = stderrTail.split('\n').find((line) => line.startsWith(memoryLimitMarker));
  if (overLimit) {
    const used = overLimit.slice(memoryLimitMarker.length).trim();
    return { cause: 'memory', reason: `out of memory: the engine process went over its memory limit (clysm.stage0.maxMemoryMb = ${maxMemoryMb}; ${used}) and was killed` };
  }
  if (/heap out of memory|heap limit/i.test(stderrTail)) return { cause: 'memory', reason: `out of memory (the engine process ${how})` };
  return { cause: 'other', reason: `the engine process ${how}` };
}

class ProcessTransport implements Transport {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private stderrTail = '';

  constructor(script: string, maxMemoryMb: number, handlers: TransportHandlers) {
    // Keep the Wasm feature flags the server was started with; nothing else (no --inspect).
    const wasmFlags = process.execArgv.filter((arg) => arg.startsWith('--experimental-wasm') || arg.startsWith('--wasm'));
    const stdio: ('ignore' | 'pipe' | 'ipc')[] = ['ignore', 'ignore', 'pipe', 'ipc'];
    // The lifeline: the worker's watchdog kills it when this end closes, i.e. when we die.
    stdio[lifelineFd] = 'pipe';
    this.child = fork(script, workerArguments({ maxMemoryMb }), {
      serialization: 'advanced',
      // Never inherit stdout: the language server may be speaking LSP on it.
      stdio,
      execArgv: [...wasmFlags, `--max-old-space-size=${maxMemoryMb}`],
    });
    this.child.unref();
    this.child.channel?.unref();
    (this.child.stdio[lifelineFd] as Readable & { unref?: () => void } | null)?.unref?.();
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2000);
    });
    this.child.on('message', (message: FromWorker) => handlers.onMessage(message));
    this.child.on('error', (error) => handlers.log(`Stage 0 engine process: ${clipText(error.message)}`));
    this.exited = new Promise((resolve) => {
      // 'close', not 'exit': stderr is read to its end, so the watchdog's verdict is in the tail.
      this.child.on('close', (code, signal) => {
        handlers.onExit(describeWorkerEnd(code, signal, this.stderrTail, maxMemoryMb));
        resolve();
      });
    });
  }
  post(message: ToWorker): void {
    this.child.send(message);
  }

  stop(graceMs: number): Promise<boolean> {
    this.child.kill('SIGKILL');
    return exitedWithin(this.exited, graceMs);
  }
}

/** Forks a worker; `maxMemoryMb` caps its resident size (Wasm memory included) and its JS heap. */
export function startTransport(script: string, maxMemoryMb: number, handlers: TransportHandlers): Transport {
  return new ProcessTransport(script, maxMemoryMb, handlers);
}
