// Sends the cache misses of one analysis (one module, or every module of a workspace run) to
// the backend ahead of the form being looked at, in plan order, so that a backend that queues
// them (SBCL) never idles for a round trip between two forms or two modules. At most
// `pipelineDepth` requests are outstanding past the one awaited; none is sent once the signal
// is aborted. A one-at-a-time backend (depth 1) has one request at a time.
import type { CompileRequest, CompilerBackend, FormResult } from '../types';

interface Planned {
  request: CompileRequest | undefined;
  reply: Promise<FormResult> | undefined;
  /** Forms that will still ask for this result; at 0 it is let go (its bytes can be large). */
  takers: number;
}

export class CompilePipeline {
  private readonly planned: Planned[] = [];
  /** Index of each planned cache key: a form that an earlier one of the run has is compiled once. */
  private readonly byKey = new Map<string, number>();
  private nextToSend = 0;
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
   * of the run has the same key: then its request is shared. Each plan must be taken once
   * with result().
   */
  plan(key: string, request: CompileRequest): { index: number; fresh: boolean } {
    const known = this.byKey.get(key);
    if (known !== undefined && this.planned[known].takers > 0) {
      this.planned[known].takers++;
      return { index: known, fresh: false };
    }
    const index = this.planned.push({ request, reply: undefined, takers: 1 }) - 1;
    this.byKey.set(key, index);
    this.sendThrough(this.awaited + this.depth - 1);
    return { index, fresh: true };
  }

  /** The result of the `index`-th planned request; it and the next `depth - 1` are sent first if they were not. */
  result(index: number): Promise<FormResult> {
    this.awaited = Math.max(this.awaited, index);
    this.sendThrough(this.awaited + this.depth - 1);
    const planned = this.planned[index];
    const reply = planned.reply ?? Promise.reject(new Error(`compile request ${index} was not sent: the analysis was cancelled`));
    if (--planned.takers === 0) planned.reply = undefined;
    return reply;
  }

  private sendThrough(last: number): void {
    // Only a backend that queues requests gets the signal: it drops those it has not started.
    // A one-at-a-time backend (Stage 0) would abort the form it is compiling and restart.
    const signal = this.depth > 1 ? this.signal : undefined;
    while (this.nextToSend <= Math.min(last, this.planned.length - 1) && !this.signal?.aborted) {
      const planned = this.planned[this.nextToSend++];
      planned.reply = this.backend.compileForm(planned.request!, signal);
      planned.request = undefined;
      // Requests still outstanding when the analysis stops are never awaited.
      planned.reply.catch(() => undefined);
    }
  }
}
