// One SBCL process running the driver: spawn with four pipes, line framing on fd 3, requests
// matched to replies by id. It never restarts itself; the supervisor decides that.
// fd 1 and 2 only go to the log, clipped per form (OutputClip); fd 3 lines without this
// process's secret tag are dropped (a form can write there too).
import { diesWithParent } from '../../util/diesWithParent';
import * as readline from 'node:readline';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import {
  newReplyTag,
  parseTaggedLine,
  type DriverMessage,
  type DriverReply,
  type DriverRequest,
  type FatalMessage,
  type ReadyMessage,
  type Stage1Event,
} from './driverProtocol';
import { OutputClip } from './outputClip';

export interface LaunchSpec {
  command: string;
  args: string[];
  cwd: string;
  env?: Record<string, string>;
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  /** Set when the process could not be spawned at all. */
  spawnError?: string;
  /** Last lines the process wrote to stdout/stderr (fatal runtime errors land there). */
  outputTail: string[];
}

/** The driver said it cannot serve (system missing, load failed, ...). */
export class DriverFatalError extends Error {
  constructor(
    readonly fatal: FatalMessage,
    readonly logTail: string[],
  ) {
    super(fatal.message);
    this.name = 'DriverFatalError';
  }
}

/** The process ended before it was ready, or while requests were pending. */
export class ProcessExitError extends Error {
  constructor(readonly exit: ExitInfo) {
    super(`SBCL ${describeExit(exit)}`);
    this.name = 'ProcessExitError';
  }
}

export function describeExit(exit: ExitInfo): string {
  if (exit.spawnError) return `could not be started: ${exit.spawnError}`;
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  const tail = exit.outputTail.filter((line) => line.trim() !== '').slice(-3);
  return tail.length > 0 ? `${how} (last output: ${tail.join(' | ')})` : how;
}

const TAIL_LINES = 40;
/** What each of fd 1 and fd 2 may log per form before the rest is only counted. */
const OUTPUT_BUDGET_BYTES = 16 * 1024;
const MAX_LOG_LINE_CHARS = 2000;
/** Lines without the tag that are quoted in the log per form; the others are counted. */
const FORGED_LINES_QUOTED = 3;

function spawnDriver(spec: LaunchSpec) {
  // SBCL busy in a form never reads its stdin's end: only the kernel can stop it when we die.
  const { command, args } = diesWithParent(spec);
  return execa(command, args, {
    cwd: spec.cwd,
    env: spec.env,
    // fd 3 is the reply channel; fd 1 and 2 are only logs (SBCL's runtime writes there).
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    buffer: false,
    reject: false,
    cleanup: true,
    windowsHide: true,
  });
}

function pushTail(tail: string[], line: string): void {
  tail.push(line);
  if (tail.length > TAIL_LINES) tail.shift();
}

function clipFor(name: string, log: (line: string) => void): OutputClip {
  return new OutputClip({ budgetBytes: OUTPUT_BUDGET_BYTES, maxLineChars: MAX_LOG_LINE_CHARS, emit: (line) => log(`[sbcl ${name}] ${line}`) });
}

interface Pending {
  resolve(reply: DriverReply): void;
  reject(error: Error): void;
  /** Messages the driver streams before the reply (generate-stage1). */
  onEvent?(event: Stage1Event): void;
}

export class SbclProcess {
  readonly ready: Promise<ReadyMessage>;
  readonly exited: Promise<ExitInfo>;
  private readonly child: ReturnType<typeof spawnDriver>;
  private readonly pending = new Map<number, Pending>();
  private readonly output: OutputClip[] = [];
  private readonly logTail: string[] = [];
  private readonly tag = newReplyTag();
  private forgedLines = 0;
  private nextId = 1;
  private exitInfo: ExitInfo | undefined;

  constructor(
    spec: LaunchSpec,
    private readonly log: (line: string) => void,
  ) {
    this.child = spawnDriver(spec);
    this.child.stdin?.on('error', () => undefined); // EPIPE after a crash is reported by exit
    // The driver reads the tag before anything else; it never travels on argv or in the environment.
    this.child.stdin?.write(`${this.tag}\n`);
    this.forwardOutput(this.child.stdout, 'stdout');
    this.forwardOutput(this.child.stderr, 'stderr');

    let readyResolve!: (ready: ReadyMessage) => void;
    let readyReject!: (error: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    this.ready.catch(() => undefined); // callers may never look at it
    let settled = false;

    const replies = this.child.stdio[3] as Readable;
    readline.createInterface({ input: replies, crlfDelay: Infinity }).on('line', (line) => {
      const message = this.driverMessage(line);
      if (!message) return;
      switch (message.type) {
        case 'ready':
          settled = true;
          readyResolve(message);
          break;
        case 'fatal':
          settled = true;
          readyReject(new DriverFatalError(message, [...this.logTail]));
          break;
        case 'log':
          pushTail(this.logTail, message.text);
          this.log(`[sbcl ${message.source}] ${message.text}`);
          break;
        case 'saving-core':
          this.log(`[sbcl] saving core to ${message.path}`);
          break;
        case 'stage1-event':
          this.endSegment(); // one generation prints per form: bound the log per form there too
          this.pending.get(message.id)?.onEvent?.(message);
          break;
        case 'error':
          if (message.id !== undefined && this.settle(message.id, message)) break;
          this.log(`[sbcl] driver error: ${message.message}`);
          break;
        default:
          if (!this.settle(message.id, message)) this.log(`[sbcl] reply for unknown request ${message.id}`);
      }
    });

    this.exited = this.child.then((result) => {
      const spawnError =
        result.exitCode === undefined && result.signal === undefined && result.failed
          ? (result.cause instanceof Error ? result.cause.message : result.shortMessage)
          : undefined;
      const info: ExitInfo = {
        code: result.exitCode ?? null,
        signal: result.signal ?? null,
        spawnError,
        outputTail: this.output.flatMap((clip) => clip.recentLines(TAIL_LINES)),
      };
      this.endSegment();
      this.exitInfo = info;
      const error = new ProcessExitError(info);
      if (!settled) readyReject(error);
      for (const pending of this.pending.values()) pending.reject(error);
      this.pending.clear();
      return info;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  /**
   * Sends one request; the promise settles with the reply, or rejects with ProcessExitError.
   * `onEvent` hears what the driver streams before the reply (generate-stage1).
   */
  request(request: DriverRequest, onEvent?: (event: Stage1Event) => void): { id: number; reply: Promise<DriverReply> } {
    const id = this.nextId++;
    const reply = new Promise<DriverReply>((resolve, reject) => {
      if (this.exitInfo) {
        reject(new ProcessExitError(this.exitInfo));
        return;
      }
      this.pending.set(id, { resolve, reject, onEvent });
      this.child.stdin?.write(`${JSON.stringify({ ...request, id })}\n`);
    });
    return { id, reply };
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.alive) this.child.kill(signal);
  }

  /** Asks the driver to exit, then kills it if it has not within `graceMs`. */
  async stop(graceMs = 1000): Promise<ExitInfo> {
    if (this.alive) {
      this.child.stdin?.write(`${JSON.stringify({ op: 'quit', id: 0 })}\n`);
      this.child.stdin?.end();
      const timer = setTimeout(() => this.kill(), graceMs);
      timer.unref();
      const info = await this.exited;
      clearTimeout(timer);
      return info;
    }
    return this.exited;
  }

  private settle(id: number, reply: DriverReply): boolean {
    this.endSegment();
    const pending = this.pending.get(id);
    if (!pending) return false;
    this.pending.delete(id);
    pending.resolve(reply);
    return true;
  }

  /** The driver's message on one fd 3 line; undefined (and a bounded log line) for anything else. */
  private driverMessage(line: string): DriverMessage | undefined {
    const parsed = parseTaggedLine(line, this.tag);
    if (parsed.kind === 'message') return parsed.message;
    if (parsed.text.trim() === '') return undefined;
    if (parsed.kind === 'unparsable') {
      this.log(`[sbcl fd3] unparsable line: ${parsed.text.slice(0, 200)}`);
    } else if (++this.forgedLines <= FORGED_LINES_QUOTED) {
      this.log(`[sbcl fd3] dropped a line without the driver's tag (written by the form, not the driver): ${parsed.text.slice(0, 200)}`);
    }
    return undefined;
  }

  /** A reply or the exit ends what one form printed: log what was clipped and start afresh. */
  private endSegment(): void {
    for (const clip of this.output) clip.endSegment();
    const unquoted = this.forgedLines - FORGED_LINES_QUOTED;
    if (unquoted > 0) this.log(`[sbcl fd3] … dropped ${unquoted} more lines without the driver's tag`);
    this.forgedLines = 0;
  }

  private forwardOutput(stream: Readable | null, name: string): void {
    if (!stream) return;
    const clip = clipFor(name, this.log);
    this.output.push(clip);
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => clip.push(chunk));
  }
}
