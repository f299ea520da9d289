// A compiler backend wrapper that counts compileForm calls (the cache's misses), so tests and
// the benchmark can show what the persistent cache saved. It delegates to a real backend.
import type { BackendStatus, CompileRequest, CompilerBackend, FormResult } from '../../server/src/types';

export class CountingBackend implements CompilerBackend {
  readonly calls: CompileRequest[] = [];
  /** Called before each compile, e.g. to record the order of events. */
  onCompile: ((request: CompileRequest) => void) | undefined;

  /** With `ownsInner` false, dispose() leaves the real backend running for the next user. */
  constructor(
    readonly inner: CompilerBackend,
    private readonly ownsInner = true,
  ) {}

  get kind(): 'stage0' | 'sbcl' {
    return this.inner.kind;
  }

  identity(): string {
    return this.inner.identity();
  }

  timeLimitMs(): number {
    return this.inner.timeLimitMs();
  }

  start(): Promise<BackendStatus> {
    return this.inner.start();
  }

  status(): BackendStatus {
    return this.inner.status();
  }

  compileForm(request: CompileRequest, signal?: AbortSignal): Promise<FormResult> {
    this.calls.push(request);
    this.onCompile?.(request);
    return this.inner.compileForm(request, signal);
  }

  generateStage1(...args: Parameters<CompilerBackend['generateStage1']>): ReturnType<CompilerBackend['generateStage1']> {
    return this.inner.generateStage1(...args);
  }

  dispose(): Promise<void> {
    return this.ownsInner ? this.inner.dispose() : Promise.resolve();
  }
}
