// Where the Stage 0 worker runs: a forked Node process, for per-form compiles and for Stage 1
// generation alike. Not a worker_threads thread: V8 (13.6, Node 24) does not always honour
// Worker.terminate() (a Wasm loop that keeps allocating large GC arrays is never interrupted),
// and a heap exhausted by Wasm GC allocations in a thread aborts the whole language server
// (docs/stage0-abi.md §9). A process can always be killed, and its death is only its own.
import { fork, type ChildProcess } from 'node:child_process';
import type { FromWorker, ToWorker } from './workerProtocol';

export interface TransportHandlers {
  onMessage(message: FromWorker): void;
  /** The worker is gone; `reason` says why ("out of memory: …", "exited with code 1"). */
  onExit(reason: string): void;
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

class ProcessTransport implements Transport {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private stderrTail = '';

  constructor(script: string, memoryLimitMb: number, handlers: TransportHandlers) {
    // Keep the Wasm feature flags the server was started with; nothing else (no --inspect).
    const wasmFlags = process.execArgv.filter((arg) => arg.startsWith('--experimental-wasm') || arg.startsWith('--wasm'));
    this.child = fork(script, [], {
      serialization: 'advanced',
      // Never inherit stdout: the language server may be speaking LSP on it.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [...wasmFlags, `--max-old-space-size=${memoryLimitMb}`],
    });
    this.child.unref();
    this.child.channel?.unref();
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-2000);
    });
    this.child.on('message', (message: FromWorker) => handlers.onMessage(message));
    this.child.on('error', (error) => handlers.log(`Stage 0 engine process: ${error.message}`));
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        const outOfMemory = /heap out of memory|heap limit/i.test(this.stderrTail);
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        handlers.onExit(outOfMemory ? `out of memory (the engine process ${how})` : `the engine process ${how}`);
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

export function startTransport(script: string, memoryLimitMb: number, handlers: TransportHandlers): Transport {
  return new ProcessTransport(script, memoryLimitMb, handlers);
}
