// An in-memory workspace for model tests: files from a map, and a backend that answers at once
// (every defun fails, anything else compiles) and counts its calls.
import { GenerationFailed, type GeneratorResult } from '../../server/src/backends/generation';
import type { BackendStatus, CompileRequest, CompilerBackend, FormResult } from '../../server/src/types';
import type { WorkspaceFiles } from '../../server/src/workspace/workspaceFiles';

export class MemoryFiles implements WorkspaceFiles {
  readonly reads: string[] = [];
  constructor(private readonly files: Map<string, string>) {}
  read(relPath: string): { text: string } | undefined {
    this.reads.push(relPath);
    const text = this.files.get(relPath);
    return text === undefined ? undefined : { text };
  }
  listLispFiles(): string[] {
    return [...this.files.keys()];
  }
}

/** Compiles every form at once; counts the calls. */
export class InstantBackend implements CompilerBackend {
  readonly kind = 'stage0';
  calls = 0;
  identity(): string {
    return 'instant';
  }
  timeLimitMs(): number {
    return 5000;
  }
  start(): Promise<BackendStatus> {
    return Promise.resolve(this.status());
  }
  status(): BackendStatus {
    return { state: 'ready', message: 'ready', engine: { name: 'embedded-v8', version: 'test' } };
  }
  /** The ids of the forms compiled, in order. */
  readonly compiled: string[] = [];
  compileForm(request: CompileRequest): Promise<FormResult> {
    this.calls++;
    this.compiled.push(request.formId);
    return Promise.resolve(request.text.startsWith('(defun') ? { status: 'failed', message: 'Undefined function: FOO' } : { status: 'compiled', bytes: 8 });
  }
  generateStage1(): Promise<GeneratorResult> {
    return Promise.reject(new GenerationFailed('this test backend has no Stage 1 generator'));
  }
  dispose(): Promise<void> {
    return Promise.resolve();
  }
}
