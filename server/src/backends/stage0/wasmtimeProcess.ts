// One wasmtime process running Stage 0 as a WASI command (docs/stage0-abi.md §10): requests
// go to its stdin, answers come back as lines on its stdout, wasmtime's errors on stderr.
// It serves one request at a time and never restarts itself: WasmtimeEngine decides that.
import * as readline from 'node:readline';
import { execa } from 'execa';
import { diesWithParent } from '../../util/diesWithParent';
import { PendingRequest } from './processSupport';
import { encodeRequest, parseAnswer, parseHandshake, lastStderrLine, type Answer, type ProcessEnd } from './wasiProtocol';

export interface WasiLaunch {
  command: string;
  args: string[];
  cwd: string;
}

export type WasmtimeRequestOutcome =
  | { kind: 'answer'; answer: Answer }
  | { kind: 'timeout' }
  | { kind: 'aborted' }
  | { kind: 'ended'; end: ProcessEnd };

const stderrKeep = 8000;

function spawnWasmtime(launch: WasiLaunch) {
  // A looping Stage 0 never reads its stdin's end: only the kernel can stop it when we die.
  const { command, args } = diesWithParent(launch);
  return execa(command, args, {
    cwd: launch.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    buffer: false,
    reject: false,
    cleanup: true,
    windowsHide: true,
  });
}

export class Stage0WasmtimeProcess {
  /** Resolves when Stage 0 wrote its handshake; rejects with wasmtime's own error otherwise. */
  readonly ready: Promise<void>;
  private readonly child: ReturnType<typeof spawnWasmtime>;
  private readonly exited: Promise<ProcessEnd>;
  private stderr = '';
  private end?: ProcessEnd;
  private readonly pending = new PendingRequest<WasmtimeRequestOutcome, Answer>();
  /** The package Stage 0 was last told about; a fresh process starts in CL-USER. */
  currentPackage = 'CL-USER';

  constructor(launch: WasiLaunch, private readonly log: (message: string) => void, loadTimeoutMs: number) {
    this.child = spawnWasmtime(launch);
    this.child.stdin?.on('error', () => undefined); // EPIPE after a crash is reported by the exit
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-stderrKeep);
    });
    this.exited = this.child.then((result) => {
      const end: ProcessEnd = { exitCode: result.exitCode, signal: result.signal, stderr: this.stderr };
      if (result.failed && result.exitCode === undefined && result.signal === undefined) end.stderr ||= result.message ?? '';
      this.end = end;
      this.pending.settle({ kind: 'ended', end });
      return end;
    });

    let handshaken = false;
    this.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`Stage 0 did not start on wasmtime within ${loadTimeoutMs} ms, the load time limit (clysm.stage0.loadTimeoutMs): no handshake line`));
        void this.stop();
      }, loadTimeoutMs);
      const lines = readline.createInterface({ input: this.child.stdout!, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (!handshaken) {
          const handshake = parseHandshake(line);
          if (!handshake) {
            this.log(`[stage0 stdout] ${line.slice(0, 300)}`);
            return;
          }
          handshaken = true;
          clearTimeout(timer);
          if (handshake.ok) resolve();
          else {
            reject(new Error(handshake.message));
            void this.stop();
          }
          return;
        }
        const answer = parseAnswer(line);
        if (answer && this.pending.accepts(answer)) this.pending.settle({ kind: 'answer', answer });
        else if (line.trim() !== '') this.log(`[stage0 stdout] ${line.slice(0, 300)}`);
      });
      void this.exited.then((end) => {
        clearTimeout(timer);
        if (!handshaken) reject(new Error(describeStartFailure(end)));
      });
    });
    this.ready.catch(() => undefined); // the engine awaits it; an early exit must not be unhandled
  }

  get alive(): boolean {
    return this.end === undefined;
  }

  /** Sends one request and waits for its answer, the time limit, an abort or the process's end. */
  request(id: number, text: string, timeoutMs: number, signal?: AbortSignal): Promise<WasmtimeRequestOutcome> {
    if (this.end) return Promise.resolve({ kind: 'ended', end: this.end });
    return this.pending.wait((answer) => answer.id === id, () => this.child.stdin?.write(encodeRequest(id, text)), timeoutMs, signal);
  }

  /** Kills the process (SIGKILL: a looping Stage 0 does not read its stdin) and waits for it. */
  async stop(): Promise<void> {
    if (!this.end) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Closes stdin, so Stage 0 ends normally (exit 0); kills it if it does not within graceMs. */
  async close(graceMs = 2000): Promise<void> {
    if (this.end) return;
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Why wasmtime did not get as far as the handshake: its own error, shortened. */
export function describeStartFailure(end: ProcessEnd): string {
  const how = end.signal ? `was killed by ${end.signal}` : `exited with code ${end.exitCode ?? 'unknown'}`;
  const last = lastStderrLine(end.stderr);
  return `wasmtime could not run Stage 0 (it ${how} before the handshake)${last ? `: ${last}` : ''}`;
}
