// The Stage 0 backend: Clysm's own compiler, compiled to Wasm, running on an engine: the
// embedded V8 (default) or wasmtime (a WASI-command build, docs/stage0-abi.md §10). start()
// checks the runtime, loads the binary and probe-compiles `(+ 1 2)`, so a Stage 0 that
// compiles nothing (today's 275-byte stub) is reported once as `stub` instead of painting
// every form red.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { defaultOf } from '../../protocol/settings';
import { clipText } from '../../util/boundedText';
import type { BackendStatus, CompileRequest, CompilerBackend, FormResult, Stage0Info } from '../../types';
import type { GenerationProgress, GeneratorResult, Stage1GenerationRequest } from '../generation';
import { runCompileAll } from './compileAll';
import { EmbeddedV8Engine } from './v8Engine';
import type { RuntimeProbeResult } from '../../wasm/runtimeProbe';
import type { EngineKind, Stage0Engine } from './stage0Engine';
import { WasmtimeEngine } from './wasmtimeEngine';
import type { Stage0LoadInfo } from './workerProtocol';

export interface Stage0BackendOptions {
  workspaceRoot: string;
  /** Absolute, or relative to workspaceRoot. */
  stage0Path: string;
  /** Per-form time limit. */
  timeoutMs: number;
  /** Module list in compile order (workspace-relative); what clysm.fs/list-modules returns. */
  modules: string[];
  /** Folder clysm.output/write-bytes may write into (absolute or relative to the root). */
  outputDir?: string;
  /** dist/stage0-worker.js: runs per-form compiles and Stage 1 generation; default next to the bundle. */
  workerScript?: string;
  log?: (message: string) => void;
  /** Replaceable for tests; defaults to the real runtime probe. */
  probeRuntime?: () => RuntimeProbeResult;
  /** Limit for loading Stage 0: engine start, instantiation, start function, `_initialize` (`clysm.stage0.loadTimeoutMs`). */
  loadTimeoutMs?: number;
  /** Memory limit of the engine worker process in MB, Wasm memory included (`clysm.stage0.maxMemoryMb`). */
  maxMemoryMb?: number;
  /** `embedded` (default): V8 in a worker; `wasmtime`: a WASI-command build run by wasmtime. */
  engine?: EngineKind;
  /** The wasmtime executable (name on PATH or path); default `wasmtime`. */
  wasmtimePath?: string;
  /** Where the wasmtime engine caches precompiled `.cwasm` files. */
  wasmtimeCacheDir?: string;
  /** What the binary is called in messages: `Stage 0` (default), or `Stage 1` when it compiles Stage 2. */
  compilerLabel?: string;
  /** Files compile_all never overwrites besides the binary itself (Stage 0, while Stage 1 runs). */
  protectedFiles?: string[];
}

/**
 * The WASI-command build the wasmtime engine runs: `<name>.wasi.wasm` next to the configured
 * `<name>.wasm` when it exists, else the configured file itself.
 */
export function wasiBuildPath(configured: string, exists: (file: string) => boolean = fs.existsSync): string {
  if (!configured.endsWith('.wasm') || configured.endsWith('.wasi.wasm')) return configured;
  const sibling = `${configured.slice(0, -'.wasm'.length)}.wasi.wasm`;
  return exists(sibling) ? sibling : configured;
}

export const probeForm = '(+ 1 2)';

export class Stage0Backend implements CompilerBackend {
  readonly kind = 'stage0' as const;
  private readonly engine: Stage0Engine;
  private readonly configuredPath: string;
  private current: BackendStatus;
  private sha256 = 'none';
  private loadInfo?: Stage0LoadInfo;
  private probe?: FormResult;
  private disposed = false;
  private loading: Promise<unknown> = Promise.resolve();

  private get loadTimeoutMs(): number {
    return this.options.loadTimeoutMs ?? defaultOf('clysm.stage0.loadTimeoutMs');
  }

  constructor(private readonly options: Stage0BackendOptions) {
    const root = path.resolve(options.workspaceRoot);
    this.configuredPath = path.resolve(root, options.stage0Path);
    const host = {
      workspaceRoot: root,
      modules: options.modules,
      outputDir: options.outputDir === undefined ? undefined : path.resolve(root, options.outputDir),
      protectedFiles: [this.configuredPath, wasiBuildPath(this.configuredPath, () => true)],
      log: options.log,
    };
    this.engine = options.engine === 'wasmtime'
      ? new WasmtimeEngine({ ...host, wasmtimePath: options.wasmtimePath ?? 'wasmtime', cacheDir: options.wasmtimeCacheDir, loadTimeoutMs: this.loadTimeoutMs })
      : new EmbeddedV8Engine({
        ...host,
        workerScript: options.workerScript,
        loadTimeoutMs: this.loadTimeoutMs,
        maxMemoryMb: options.maxMemoryMb,
        probeRuntime: options.probeRuntime,
      });
    this.current = { state: 'stopped', message: 'Stage 0 has not been started', engine: this.engine.info };
  }

  /** The file this backend loads: the configured one, or its WASI build for wasmtime. */
  private get absolutePath(): string {
    return this.options.engine === 'wasmtime' ? wasiBuildPath(this.configuredPath) : this.configuredPath;
  }

  timeLimitMs(): number {
    return this.options.timeoutMs;
  }

  /** `stage0:<engine>:<engine version>:<sha256 of the binary>`: part of every cache key. */
  identity(): string {
    // The engine version is part of the identity: a persisted result from another V8 may differ.
    return `stage0:${this.engine.info.name}:${this.engine.info.version}:${this.sha256}`;
  }

  status(): BackendStatus {
    return this.current;
  }

  /** What `(+ 1 2)` gave at the last (re)load. */
  probeResult(): FormResult | undefined {
    return this.probe;
  }

  /** Exports and imports of the loaded Stage 0. */
  stage0Exports(): Stage0LoadInfo | undefined {
    return this.loadInfo;
  }

  start(): Promise<BackendStatus> {
    return this.reload();
  }

  /** Re-reads the binary and loads it again (serialised with other reloads). */
  reload(): Promise<BackendStatus> {
    const run = this.loading.then(() => this.load(), () => this.load());
    this.loading = run;
    return run;
  }

  private log(message: string): void {
    this.options.log?.(message);
  }

  private setError(unbounded: string, stage0?: Stage0Info): BackendStatus {
    // Status goes to every client view on every change: never megabytes of one engine error.
    const message = clipText(unbounded);
    this.probe = undefined;
    this.loadInfo = undefined;
    this.current = { state: 'error', message, engine: this.engine.info, stage0: stage0 ? { ...stage0, status: 'error', message } : undefined };
    this.log(message);
    return this.current;
  }

  private async load(): Promise<BackendStatus> {
    if (this.disposed) return this.current;
    this.current = { ...this.current, state: 'starting', message: `Loading Stage 0 from ${this.absolutePath}` };
    const runtime = await this.engine.checkRuntime();
    if (!runtime.ok) {
      this.sha256 = 'none';
      return this.setError(runtime.message);
    }
    const file = this.absolutePath;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      this.sha256 = 'none';
      const code = (error as NodeJS.ErrnoException).code;
      return this.setError(
        code === 'ENOENT'
          ? `Stage 0 not found at ${file}`
          : `Stage 0 at ${file} could not be read: ${(error as Error).message}`,
      );
    }
    this.sha256 = createHash('sha256').update(bytes).digest('hex');
    const info: Stage0Info = { path: file, sha256: this.sha256, size: bytes.length, status: 'error', message: '' };
    try {
      this.loadInfo = await this.engine.load(bytes);
    } catch (error) {
      if (this.disposed) return this.current;
      return this.setError(`${(error as Error).message} (${file})`, info);
    }
    let probe: FormResult;
    try {
      probe = await this.engine.compile(probeForm, { timeoutMs: this.options.timeoutMs });
    } catch (error) {
      if (this.disposed) return this.current;
      return this.setError(`Stage 0 could not compile the probe form ${probeForm}: ${(error as Error).message}`, info);
    }
    if (this.disposed) return this.current;
    this.probe = probe;
    const { state, message } = describeProbe(probe);
    this.current = { state, message, engine: this.engine.info, stage0: { ...info, status: state, message } };
    this.log(`${message} [${this.identity()}]`);
    return this.current;
  }

  async compileForm(request: CompileRequest, signal?: AbortSignal): Promise<FormResult> {
    await this.loading.catch(() => undefined);
    if (this.current.state !== 'ready' && this.current.state !== 'stub') {
      throw new Error(`the Stage 0 backend is not ready (${this.current.state}): ${this.current.message}`);
    }
    return this.engine.compile(request.text, { timeoutMs: this.options.timeoutMs, signal, package: request.package });
  }

  /**
   * Stage 1 from the configured Stage 0's compile_all, on a fresh worker process of its own
   * (always V8, whichever engine compiles forms: compile_all needs the whole-program host).
   */
  generateStage1(request: Stage1GenerationRequest, progress: (progress: GenerationProgress) => void, signal?: AbortSignal): Promise<GeneratorResult> {
    return runCompileAll({
      compilerPath: this.configuredPath,
      label: this.options.compilerLabel ?? 'Stage 0',
      workspaceRoot: path.resolve(this.options.workspaceRoot),
      modules: this.options.modules,
      stagingDir: request.stagingDir,
      protectedFiles: [this.configuredPath, ...(this.options.protectedFiles ?? [])],
      timeoutMs: request.timeoutMs,
      signal,
      onProgress: progress,
      formsTotalHint: request.formsTotal,
      workerScript: this.options.workerScript,
      writeLimits: request.writeLimits,
      maxMemoryMb: this.options.maxMemoryMb,
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.engine.dispose();
    this.current = { state: 'stopped', message: 'Stage 0 backend stopped', engine: this.engine.info, stage0: this.current.stage0 };
  }
}

/** The backend state and the one message the user sees, from the probe compile of `(+ 1 2)`. */
export function describeProbe(probe: FormResult): { state: 'ready' | 'stub'; message: string } {
  switch (probe.status) {
    case 'no-output':
      return { state: 'stub', message: `Stage 0 produced no output for ${probeForm}: this Stage 0 does not compile yet` };
    case 'compiled':
      return { state: 'ready', message: `Stage 0 compiles: ${probeForm} gave a valid ${probe.bytes ?? 0}-byte module` };
    case 'skipped':
      return { state: 'ready', message: `Stage 0 loaded; it treated ${probeForm} as a directive (skipped)` };
    default:
      return { state: 'ready', message: `Stage 0 loaded, but the probe ${probeForm} ended ${probe.status}: ${probe.message ?? ''}`.trimEnd() };
  }
}
