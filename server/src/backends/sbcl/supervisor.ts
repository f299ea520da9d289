// Keeps one driver process serving a queue of requests, whatever happens to it:
// - a death (EOF, any exit, signal) restarts it with backoff and re-sends the request it was
//   working on once; a second death on the same request gives `crashed`; too many deaths in a
//   short time and it stays down until the user starts it again (RestartPolicy);
// - requests are written ahead (a window), answered in order; the driver times each form from
//   when it starts it, and the watchdog counts from the previous answer, so time a request
//   spends queued behind others never counts against it;
// - a process that stops answering (the driver's own per-form timer could not fire) is killed
//   and the request gives `hung`;
// - after `recycleAfterTimeouts` timeouts or caught stack/heap exhaustions the image is suspect
//   (Clysm's tables may be half updated), so it is replaced at once, and the requests written
//   after the last answer go to the new image;
// - directive forms (defpackage, defconstant, defmacro, ...) change the image, so every one
//   that succeeded is replayed, in order, into each new process before other work resumes.
import type { DriverReply, DriverRequest, ReadyMessage, ResultMessage } from './driverProtocol';
import { DEFAULT_RESTART_POLICY, RestartPolicy } from './restartPolicy';
import { DriverFatalError, describeExit, SbclProcess, type ExitInfo, type LaunchSpec } from './sbclProcess';
import { realTimers, type Timers } from '../../util/timers';

/**
 * Requests written to the driver ahead of the one it compiles. The driver reads the next one
 * the moment it has answered, so it only idles when the pipe runs dry; Node refills it only
 * between its own work (validating bytes, blaming failures, a GC pause), which may take a few
 * ms while SBCL answers a form in about 0.2 ms. On the real checkout (1,261 forms, 2 cores,
 * load ~3) a re-check took p50 344 ms with 16, 294 ms with 64; 256 gains nothing. The cost: a
 * cancelled analysis cannot take back what was written, so up to this many forms are still
 * compiled (a few ms for ordinary forms) before the next request is served.
 */
const DEFAULT_WINDOW = 64;

export type JobOutcome =
  | { kind: 'reply'; reply: DriverReply }
  /** The process died twice while working on this request. */
  | { kind: 'crashed'; message: string }
  /** The process stopped answering and was killed. */
  | { kind: 'hung'; message: string };

/** The backend cannot serve at all (SBCL gone, the system no longer loads, stopped). */
export class BackendUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

export interface RestartEvent {
  reason: string;
  /** Restarts within the policy's window, starting at 1 (0 for a planned recycle). */
  attempt: number;
  delayMs: number;
}

/** Time for the restart backoff; tests pass a fake one to check the delays without waiting. */
export interface RestartClock extends Timers {
  now(): number;
}

const realClock: RestartClock = { ...realTimers, now: () => Date.now() };

export type SupervisorState = 'idle' | 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';

export interface SupervisorOptions {
  /** Builds the command line for each new process (it may choose a saved core). */
  launch(): LaunchSpec;
  /** Per-form limit enforced by the driver; the watchdog adds `hangGraceMs` on top. */
  timeoutMs: number;
  hangGraceMs?: number;
  startTimeoutMs: number;
  /** Replace the image after this many timeouts or caught stack/heap exhaustions. */
  recycleAfterTimeouts: number;
  /** Delays before restarts 1, 2, 3... within `restartWindowMs`; the last one repeats. */
  backoffMs?: number[];
  /** More deaths than this within `restartWindowMs` and SBCL stays down until start(). */
  maxRestarts?: number;
  restartWindowMs?: number;
  clock?: RestartClock;
  /** Requests written ahead of the one being compiled, to hide the round trip (default DEFAULT_WINDOW). */
  window?: number;
  log(line: string): void;
  onReady(ready: ReadyMessage): void;
  onState(state: SupervisorState, message: string): void;
  onRestart(event: RestartEvent): void;
  /** A process did not become ready (not a load error reported by the driver). */
  onLaunchFailed?(error: Error): void;
}

interface Job {
  request: DriverRequest;
  /** For compile requests: remembered for replay when it turns out to be a directive. */
  formKey?: string;
  internal: boolean;
  attempts: number;
  sentAt: number;
  resolve(outcome: JobOutcome): void;
  reject(error: Error): void;
  done: boolean;
}

export class SbclSupervisor {
  private proc: SbclProcess | undefined;
  private state: SupervisorState = 'idle';
  private queue: Job[] = [];
  private inFlight: Job[] = [];
  private readonly replayLog = new Map<string, DriverRequest>();
  private readonly restarts: RestartPolicy;
  private readonly clock: RestartClock;
  private suspectEvents = 0;
  /** Set from the suspect answer until recycle() takes over. */
  private recycling = false;
  private lastProgressAt = 0;
  private watchdog: NodeJS.Timeout | undefined;
  private restartTimer: unknown;
  private failure: string | undefined;

  constructor(private readonly options: SupervisorOptions) {
    this.clock = options.clock ?? realClock;
    this.restarts = new RestartPolicy({
      backoffMs: options.backoffMs ?? DEFAULT_RESTART_POLICY.backoffMs,
      maxRestarts: options.maxRestarts ?? DEFAULT_RESTART_POLICY.maxRestarts,
      windowMs: options.restartWindowMs ?? DEFAULT_RESTART_POLICY.windowMs,
    });
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get currentState(): SupervisorState {
    return this.state;
  }

  /** First launch. Rejects with DriverFatalError / ProcessExitError / a timeout error. */
  async start(): Promise<ReadyMessage> {
    this.failure = undefined;
    this.restarts.reset();
    this.setState('starting', 'Starting SBCL');
    try {
      const ready = await this.launch();
      this.setState('ready', 'SBCL ready');
      this.startWatchdog();
      this.pump();
      return ready;
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  /** Queues one request. Compile requests with a `formKey` are remembered if they are directives. */
  submit(request: DriverRequest, formKey?: string, signal?: AbortSignal): Promise<JobOutcome> {
    if (this.state === 'failed' || this.state === 'stopped' || this.state === 'idle') {
      return Promise.reject(new BackendUnavailableError(this.failure ?? `SBCL backend is ${this.state}`));
    }
    return new Promise<JobOutcome>((resolve, reject) => {
      const job: Job = { request, formKey, internal: false, attempts: 0, sentAt: 0, resolve, reject, done: false };
      if (signal) {
        if (signal.aborted) {
          reject(abortError(signal));
          return;
        }
        // A request already written can't be taken back; its reply is then dropped.
        signal.addEventListener('abort', () => this.abandon(job, abortError(signal)), { once: true });
      }
      this.queue.push(job);
      this.pump();
    });
  }

  async stop(): Promise<void> {
    this.setState('stopped', 'SBCL backend stopped');
    this.clearTimers();
    for (const job of [...this.queue, ...this.inFlight]) this.finish(job, undefined, new BackendUnavailableError('SBCL backend stopped'));
    this.queue.length = 0;
    this.inFlight = [];
    const proc = this.proc;
    this.proc = undefined;
    if (proc) await proc.stop();
  }

  private async launch(): Promise<ReadyMessage> {
    const proc = new SbclProcess(this.options.launch(), this.options.log);
    this.proc = proc;
    void proc.exited.then((info) => this.onExit(proc, info));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`SBCL did not become ready within ${this.options.startTimeoutMs} ms`));
        proc.kill();
      }, this.options.startTimeoutMs);
    });
    try {
      const ready = await Promise.race([proc.ready, timeout]);
      this.options.onReady(ready);
      return ready;
    } catch (error) {
      if (!(error instanceof DriverFatalError) && error instanceof Error) this.options.onLaunchFailed?.(error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private pump(): void {
    const proc = this.proc;
    if (this.state !== 'ready' || !proc || this.recycling) return;
    const window = this.options.window ?? DEFAULT_WINDOW;
    while (this.inFlight.length < window && this.queue.length > 0) {
      const job = this.queue.shift()!;
      if (job.done) continue;
      job.sentAt = Date.now();
      if (this.inFlight.length === 0) this.lastProgressAt = job.sentAt;
      this.inFlight.push(job);
      proc.request(job.request).reply.then(
        (reply) => this.onReply(proc, job, reply),
        () => undefined, // the exit handler deals with every job of a dead process
      );
    }
  }

  private onReply(proc: SbclProcess, job: Job, reply: DriverReply): void {
    if (proc !== this.proc) return;
    this.inFlight = this.inFlight.filter((j) => j !== job);
    this.lastProgressAt = Date.now();
    if (reply.type === 'result') this.noteResult(job, reply);
    this.finish(job, { kind: 'reply', reply });
    if (this.recycling) {
      // The requests written after the suspect one are taken back and go to the fresh image,
      // after the replayed directives, as they would one request at a time.
      const takenBack = this.inFlight.length > 0;
      this.requeueFirst(this.inFlight.filter((j) => !j.internal));
      this.inFlight = [];
      void this.recycle(takenBack);
    } else this.pump();
  }

  private noteResult(job: Job, result: ResultMessage): void {
    if (isSuspect(result)) this.suspectEvents++;
    if (job.formKey !== undefined && !job.internal) {
      if (result.directive) this.replayLog.set(job.formKey, job.request);
      else this.replayLog.delete(job.formKey);
    }
    if (internalFailed(job, result)) this.options.log(`[sbcl] replayed directive failed: ${result.message ?? result.status}`);
    if (this.suspectEvents >= this.options.recycleAfterTimeouts && !this.recycling) {
      this.recycling = true;
      this.options.log(`[sbcl] ${this.suspectEvents} timeouts or exhaustions in this image: recycling it`);
    }
  }

  private onExit(proc: SbclProcess, info: ExitInfo): void {
    if (proc !== this.proc) return; // an old process we already replaced or stopped
    this.proc = undefined;
    if (this.state !== 'ready') return; // launch() reports its own failures
    const reason = describeExit(info);
    this.options.log(`[sbcl] process ${reason}`);
    const [first, ...rest] = this.inFlight;
    this.inFlight = [];
    const requeue: Job[] = [];
    if (first) {
      first.attempts++;
      if (first.attempts >= 2) {
        if (first.internal && first.formKey !== undefined) this.replayLog.delete(first.formKey);
        this.finish(first, { kind: 'crashed', message: `SBCL died twice while compiling this form: ${reason}` });
      } else {
        requeue.push(first);
      }
    }
    this.requeueFirst(requeue.concat(rest));
    this.scheduleRestart(reason);
  }

  private scheduleRestart(reason: string): void {
    const decision = this.restarts.onDeath(this.clock.now());
    if (!decision.restart) {
      this.fail(
        `SBCL keeps dying (${decision.deaths} times within ${Math.round(decision.windowMs / 1000)} s; last: ${reason}), ` +
          'so it is not restarted again: fix the cause, then restart the backend (Clysm: Restart Server)',
      );
      return;
    }
    const { attempt, delayMs } = decision;
    this.setState('restarting', `SBCL ${reason}; restarting in ${delayMs} ms`);
    this.options.onRestart({ reason, attempt, delayMs });
    this.restartTimer = this.clock.setTimeout(() => void this.relaunch(), delayMs);
  }

  private async relaunch(): Promise<void> {
    this.restartTimer = undefined;
    if (this.state !== 'restarting') return;
    try {
      await this.launch();
    } catch (error) {
      if (error instanceof DriverFatalError) {
        // The system no longer loads (e.g. a Clysm source saved mid-edit): retrying won't help.
        this.fail(`SBCL restarted but the system did not load: ${error.message}`);
      } else {
        this.scheduleRestart(error instanceof Error ? error.message : String(error));
      }
      return;
    }
    if (this.state !== 'restarting') return; // stopped meanwhile
    this.suspectEvents = 0;
    this.queueReplay();
    this.setState('ready', 'SBCL ready (restarted)');
    this.pump();
  }

  /**
   * Replaces a suspect image: no backoff; the new one gets the directives again, then the
   * requests taken back. An image that still has requests to answer is killed, not asked to quit
   * (it would compile them all first).
   */
  private async recycle(busy: boolean): Promise<void> {
    const old = this.proc;
    this.proc = undefined;
    this.recycling = false;
    const reason = 'recycled after repeated timeouts or stack/heap exhaustion';
    this.setState('restarting', `SBCL ${reason}`);
    this.options.onRestart({ reason, attempt: 0, delayMs: 0 });
    if (busy) old?.kill();
    if (old) await old.stop();
    await this.relaunch();
  }

  private queueReplay(): void {
    const replays: Job[] = [...this.replayLog].map(([formKey, request]) => ({
      request,
      formKey,
      internal: true,
      attempts: 0,
      sentAt: 0,
      resolve: () => undefined,
      reject: () => undefined,
      done: false,
    }));
    if (replays.length > 0) this.options.log(`[sbcl] replaying ${replays.length} directive forms into the new image`);
    this.requeueFirst(replays);
  }

  /** Puts jobs back at the head of the queue, in order (concat: the replay log has no size limit, a spread into unshift would overflow the stack). */
  private requeueFirst(jobs: Job[]): void {
    this.queue = jobs.concat(this.queue);
  }

  private startWatchdog(): void {
    if (this.watchdog) return;
    const grace = this.options.hangGraceMs ?? Math.max(2000, this.options.timeoutMs);
    this.watchdog = setInterval(() => {
      const job = this.inFlight[0];
      if (!job || this.state !== 'ready') return;
      const limit = requestTimeout(job.request, this.options.timeoutMs) + grace;
      const waited = Date.now() - Math.max(job.sentAt, this.lastProgressAt);
      if (waited <= limit) return;
      // The driver's own timer could not interrupt it (e.g. stuck with interrupts disabled).
      this.inFlight.shift();
      this.finish(job, { kind: 'hung', message: `SBCL did not answer within ${waited} ms and was restarted` });
      const proc = this.proc;
      this.proc = undefined;
      this.requeueFirst(this.inFlight);
      this.inFlight = [];
      proc?.kill();
      this.scheduleRestart('stopped answering and was killed');
    }, 250);
    this.watchdog.unref();
  }

  private finish(job: Job, outcome: JobOutcome | undefined, error?: Error): void {
    if (job.done) return;
    job.done = true;
    if (outcome) job.resolve(outcome);
    else job.reject(error ?? new Error('request dropped'));
  }

  private abandon(job: Job, error: Error): void {
    this.finish(job, undefined, error);
    const index = this.queue.indexOf(job);
    if (index >= 0) this.queue.splice(index, 1);
  }

  private fail(message: string): void {
    this.failure = message;
    this.clearTimers();
    this.setState('failed', message);
    const error = new BackendUnavailableError(message);
    for (const job of [...this.queue, ...this.inFlight]) this.finish(job, undefined, error);
    this.queue.length = 0;
    this.inFlight = [];
    const proc = this.proc;
    this.proc = undefined;
    proc?.kill();
  }

  private clearTimers(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.restartTimer !== undefined) this.clock.clearTimeout(this.restartTimer);
    this.watchdog = undefined;
    this.restartTimer = undefined;
  }

  private setState(state: SupervisorState, message: string): void {
    this.state = state;
    this.options.onState(state, message);
  }
}

function requestTimeout(request: DriverRequest, fallback: number): number {
  return request.op === 'compile' ? request.timeout_ms : fallback;
}

const SUSPECT_ERRORS = new Set(['stack-exhausted', 'heap-exhausted', 'storage-condition']);

/** A result after which the image may hold half-updated state. */
function isSuspect(result: ResultMessage): boolean {
  return result.status === 'timeout' || SUSPECT_ERRORS.has(result.error_type ?? '');
}

function internalFailed(job: Job, result: ResultMessage): boolean {
  return job.internal && result.status !== 'skipped';
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new DOMException('The request was aborted', 'AbortError');
}
