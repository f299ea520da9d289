// Sends the cache misses of one analysis (one module, or every module of a workspace run) to
// the backend ahead of the form being looked at, in plan order, so that a backend that queues
// them (SBCL) never idles for a round trip between two forms or two modules. At most
// `pipelineDepth` requests are outstanding past the one awaited; none is sent once the signal
// is aborted. A one-at-a-time backend (depth 1) has one request at a time.
import type { CompileRequest, CompilerBackend, FormResult } from '../types';

export class CompilePipeline {
  private readonly planned: CompileRequest[] = [];
  private readonly sent: Promise<FormResult>[] = [];
  /** Index of each planned cache key: a form that an earlier one of the run has is compiled once. */
  private readonly byKey = new Map<string, number>();
  /** The request whose result is awaited now: the window is counted from it. */
  private awaited = 0;
  private readonly depth: number;

  constructor(
    readonly backend: CompilerBackend,
    private readonly signal?: AbortSignal,
  ) {
    this.depth = Math.max(1, Math.floor(backend.pipelineDepth?.() ?? 1));
  }

  /**
   * Plans the compile of the form with cache key `key`, after every request planned before,
   * and sends it at once when it is inside the window. `fresh` is false when an earlier form
   * of the run has the same key: then its request is shared.
   */
  plan(key: string, request: CompileRequest): { index: number; fresh: boolean } {
    const known = this.byKey.get(key);
    if (known !== undefined) return { index: known, fresh: false };
    const index = this.planned.push(request) - 1;
    this.byKey.set(key, index);
    this.sendThrough(this.awaited + this.depth - 1);
    return { index, fresh: true };
  }

  /** The result of the `index`-th planned request; it and the next `depth - 1` are sent first if they were not. */
  result(index: number): Promise<FormResult> {
    this.awaited = Math.max(this.awaited, index);
    this.sendThrough(this.awaited + this.depth - 1);
    return this.sent[index] ?? Promise.reject(new Error(`compile request ${index} was not sent: the analysis was cancelled`));
  }

  private sendThrough(last: number): void {
    // Only a backend that queues requests gets the signal: it drops those it has not started.
    // A one-at-a-time backend (Stage 0) would abort the form it is compiling and restart.
    const signal = this.depth > 1 ? this.signal : undefined;
    while (this.sent.length <= Math.min(last, this.planned.length - 1) && !this.signal?.aborted) {
      const reply = this.backend.compileForm(this.planned[this.sent.length], signal);
      // Requests still outstanding when the analysis stops are never awaited.
      reply.catch(() => undefined);
      this.sent.push(reply);
    }
  }
}
