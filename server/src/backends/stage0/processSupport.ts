// What both Stage 0 engines (v8Engine.ts on a V8 worker, wasmtimeEngine.ts on a wasmtime process)
// and their processes share: one request at a time, each ending with its reply, a time limit or
// an abort; a process that is replaced in the background after it had to be stopped; and the
// retry rule for a form whose process died.
import type { FormResult } from '../../types';
import { abortError } from './stage0Engine';

/** Runs tasks one at a time, in call order; a failed task does not block the next. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const run = this.tail.then(task, task);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

/** How a request ends when its reply does not come. */
export type Interrupted = { kind: 'timeout' } | { kind: 'aborted' };

/**
 * The one request a process is serving: it settles once, with whatever settle() is given
 * first (a reply, the process's end), the time limit or an abort, and always drops its timer
 * and abort listener.
 */
export class PendingRequest<Outcome, Reply> {
  private waiter?: { accept: (reply: Reply) => boolean; settle: (outcome: Outcome | Interrupted) => void };

  /** True when a request is waiting and `reply` answers it. */
  accepts(reply: Reply): boolean {
    return this.waiter?.accept(reply) ?? false;
  }

  settle(outcome: Outcome | Interrupted): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.settle(outcome);
  }

  /** Calls `send`, then waits for the reply `accept` recognises (or a settle(), timeout or abort). */
  wait(accept: (reply: Reply) => boolean, send: () => void, timeoutMs: number, signal?: AbortSignal): Promise<Outcome | Interrupted> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle({ kind: 'timeout' }), timeoutMs);
      const onAbort = (): void => this.settle({ kind: 'aborted' });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiter = {
        accept,
        settle: (outcome) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve(outcome);
        },
      };
      send();
    });
  }
}

export interface ProcessSlotHooks<S> {
  /** Starts a fresh process with the loaded Stage 0, or returns undefined when there is none to start (nothing loaded, disposed). */
  start(): Promise<S> | undefined;
  /** Stops a process; false means it could not be stopped. */
  stop(process: S): Promise<boolean | void>;
}

/**
 * The engine's current process plus the replacement being started after a timeout, cancel or
 * crash, which starts at once so the next form does not wait for its start-up.
 */
export class ProcessSlot<S extends { readonly alive: boolean }> {
  active?: S;
  private starting?: Promise<S>;
  /** How many times a process was replaced after a timeout, cancel or crash. */
  restarts = 0;

  constructor(private readonly hooks: ProcessSlotHooks<S>) {}

  /** Stops the current process and any replacement still starting. */
  async drop(): Promise<void> {
    const pending = this.starting;
    this.starting = undefined;
    const old = this.active;
    this.active = undefined;
    if (old) await this.hooks.stop(old);
    if (pending) await pending.then((s) => this.hooks.stop(s), () => undefined);
  }

  private startReplacement(): void {
    const starting = this.hooks.start();
    if (!starting) return;
    this.restarts++;
    starting.catch(() => undefined); // awaited (and reported) by the next compile
    this.starting = starting;
  }

  /** The live process, waiting for a replacement to finish starting if needed. */
  async current(): Promise<S> {
    if (this.active?.alive) return this.active;
    if (!this.starting) {
      this.startReplacement();
      if (!this.starting) throw new Error('no Stage 0 is loaded');
    }
    const starting = this.starting;
    try {
      this.active = await starting;
      return this.active;
    } finally {
      if (this.starting === starting) this.starting = undefined;
    }
  }

  /** Stops the current process (after a timeout, cancel or crash) and starts its replacement; false when it could not be stopped. */
  async replace(): Promise<boolean> {
    const old = this.active;
    this.active = undefined;
    const stopped = old ? (await this.hooks.stop(old)) !== false : true;
    this.startReplacement();
    return stopped;
  }
}

/** What one attempt at a form came to: its result, or the death of the process (not yet blamed on the form). */
export type FormAttempt = { result: FormResult } | { died: string; durationMs: number };

export interface FormOnProcess<S extends { readonly alive: boolean }> {
  slot: ProcessSlot<S>;
  disposed(): boolean;
  /** False when nothing is loaded: then a failed start rejects instead of giving a result. */
  loaded(): boolean;
  /** Who could not be restarted, in the `crashed` message: `the Stage 0 engine`, `wasmtime`. */
  restartSubject: string;
  /** One request on the live process; after anything but a reply it has the process replaced. */
  attempt(process: S): Promise<FormAttempt>;
}

/**
 * One form on an engine's replaceable process. A process can die for reasons unrelated to the
 * form, so a death is tried once more before the form is blamed for it; only disposal,
 * cancellation and "nothing loaded" reject.
 */
export async function compileOnProcess<S extends { readonly alive: boolean }>(spec: FormOnProcess<S>, signal: AbortSignal | undefined): Promise<FormResult> {
  for (let attempt = 1; ; attempt++) {
    if (spec.disposed()) throw new Error('the Stage 0 engine was disposed');
    if (signal?.aborted) throw abortError(signal);
    let process: S;
    try {
      process = await spec.slot.current();
    } catch (error) {
      if (!spec.loaded()) throw error;
      return { status: 'crashed', message: `${spec.restartSubject} could not be restarted: ${(error as Error).message}` };
    }
    const outcome = await spec.attempt(process);
    if ('result' in outcome) return outcome.result;
    if (attempt >= 2) return { status: 'crashed', message: `the Stage 0 engine died on this form twice: ${outcome.died}`, durationMs: outcome.durationMs };
  }
}
