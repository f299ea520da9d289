// A backend whose answers the test releases, for tests of the order and concurrency of
// compileForm calls: it records each call, how many were outstanding, and the signal it got.
import type { CompileRequest, FormResult } from '../../server/src/types';
import { InstantBackend } from './memoryWorkspace';

export interface GatedCall {
  request: CompileRequest;
  signal: AbortSignal | undefined;
  /** Form ids asked for and not answered yet when this call was made (this one excluded). */
  outstanding: string[];
  answer(): void;
}

export class GatedBackend extends InstantBackend {
  readonly gated: GatedCall[] = [];
  maxOutstanding = 0;
  /** Answers every call as soon as it is made (in a later turn of the event loop), in order. */
  autoAnswer = false;
  private readonly open: GatedCall[] = [];
  private waiters: Array<() => void> = [];

  /** Absent without a depth, as on Stage 0: then requests go one at a time. */
  readonly pipelineDepth?: () => number;

  constructor(depth?: number) {
    super();
    if (depth !== undefined) this.pipelineDepth = () => depth;
  }

  override compileForm(request: CompileRequest, signal?: AbortSignal): Promise<FormResult> {
    const answered = super.compileForm(request);
    return new Promise<FormResult>((resolve) => {
      const call: GatedCall = {
        request,
        signal,
        outstanding: this.open.map((c) => c.request.formId),
        answer: () => {
          this.open.splice(this.open.indexOf(call), 1);
          resolve(answered);
        },
      };
      this.open.push(call);
      this.gated.push(call);
      this.maxOutstanding = Math.max(this.maxOutstanding, this.open.length);
      if (this.autoAnswer) setImmediate(() => this.answerOldest());
      const waiters = this.waiters;
      this.waiters = [];
      waiters.forEach((wake) => wake());
    });
  }

  /** Answers the oldest unanswered call, as a backend that works in order does. */
  answerOldest(): void {
    this.open[0]?.answer();
  }

  /** Answers every call not answered yet. */
  answerAll(): void {
    while (this.open.length > 0) this.answerOldest();
  }

  /** Resolves once `count` calls have been made in all. */
  async callsMade(count: number): Promise<void> {
    while (this.gated.length < count) await new Promise<void>((wake) => this.waiters.push(wake));
  }
}
