// Messages between the Stage 1 generation worker (a forked Node process running Stage 0's
// compile_all) and the orchestrator.
import type { CompileAllHostConfig, HostEvent } from './compileAllHost';

export type ToGenerationWorker = { type: 'run'; bytes: Uint8Array; host: CompileAllHostConfig; label: string };

export type FromGenerationWorker =
  | { type: 'loaded'; exports: string[]; imports: string[] }
  | { type: 'events'; events: HostEvent[] }
  /** compile_all returned; `returned` is what it returned, described. */
  | { type: 'finished'; returned: string }
  /** `stage`: load (compile, link, _initialize, no compile_all) or run (compile_all trapped). */
  | { type: 'failed'; stage: 'load' | 'run'; message: string };
