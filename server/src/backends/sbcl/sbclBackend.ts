// Clysm on SBCL: a persistent SBCL loads the workspace's own `clysm` ASDF system through the
// shipped Lisp driver and compiles form by form with CLYSM:COMPILE-TO-WASM, with the semantics
// of Clysm's own Stage 1 generator. This is what gives real per-form results on today's Clysm.
import { clipText } from '../../util/boundedText';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BackendStatus, CompileRequest, CompilerBackend } from '../../types';
import type { GenerationProgress, GeneratorResult, Stage1GenerationRequest } from '../generation';
import type { DriverForm, ReadyMessage, ReloadedMessage } from './driverProtocol';
import { defaultDriverPath, driverFiles } from './driverPath';
import { findExecutable } from '../../util/findExecutable';
import { driverLaunchSpec, type DriverLaunch } from './launchSpec';
import { formResultFromOutcome, type SbclFormResult } from './resultMapping';
import { DriverFatalError } from './sbclProcess';
import { hashSourceFiles } from './sourceHash';
import { runSbclGenerator } from './stage1Generation';
import { BackendUnavailableError, SbclSupervisor, type RestartEvent, type SupervisorState } from './supervisor';
import { CoreCache, type CoreBuildOutcome } from './coreCache';
import { WasmValidator } from '../../wasm/validate';
import { describeReload, incrementalOutcome, ReloadErrors, type ReloadError, type ReloadOutcome } from './hotReload';

export interface SbclBackendOptions {
  /** Folder holding `clysm.asd` (the Clysm checkout). */
  workspaceRoot: string;
  /** `sbcl` on the PATH, or a path (setting clysm.sbcl.path). */
  sbclPath?: string;
  /** --dynamic-space-size; address space only, so generous is cheap. Default 4096. */
  dynamicSpaceSizeMb?: number;
  /** Extra SBCL runtime options, e.g. ['--control-stack-size', '8MB']. */
  extraArgs?: string[];
  /** Per-form time limit, enforced inside SBCL by sb-ext:with-timeout. Default 5000. */
  timeoutMs?: number;
  /** The Lisp driver; default dist/lisp/driver.lisp next to the bundled server. */
  driverPath?: string;
  /** ASDF system to load. Default `clysm`. */
  systemName?: string;
  /** Time allowed for SBCL to load the system; the first load compiles every fasl. Default 300 s. */
  startTimeoutMs?: number;
  /** Replace the image after this many timeouts or caught stack/heap exhaustions (its state may be half updated). Default 3. */
  recycleAfterTimeouts?: number;
  /** wasm-tools path; undefined: use it when on the PATH; null: never. */
  wasmTools?: string | null;
  /** Where saved cores may be kept (one per Clysm source hash); no cores without it. */
  coreCacheDir?: string;
  /** Delays before the 1st, 2nd... restart within a minute after crashes. Default 100, 400, 1600, 5000 ms. */
  restartBackoffMs?: number[];
  /** Environment for SBCL; default the server's own. */
  env?: Record<string, string>;
  log?: (message: string) => void;
}

export interface Disposable {
  dispose(): void;
}

type Listener<T> = (value: T) => void;

function listen<T>(set: Set<Listener<T>>, listener: Listener<T>): Disposable {
  set.add(listener);
  return { dispose: () => set.delete(listener) };
}

/**
 * Forms queued ahead of the one awaited (see pipelineDepth): more than the supervisor writes
 * ahead (its window, 64), so that it can refill the pipe on each answer without waiting for
 * the analysis to take the result.
 */
const PIPELINE_DEPTH = 128;

const DEFAULTS = {
  sbclPath: 'sbcl',
  dynamicSpaceSizeMb: 4096,
  timeoutMs: 5000,
  systemName: 'clysm',
  startTimeoutMs: 300_000,
  recycleAfterTimeouts: 3,
};

export class SbclBackend implements CompilerBackend {
  readonly kind = 'sbcl' as const;
  private readonly options: SbclBackendOptions & typeof DEFAULTS;
  private readonly log: (message: string) => void;
  private readonly validator: WasmValidator;
  private readonly supervisor: SbclSupervisor;
  private readonly statusListeners = new Set<Listener<BackendStatus>>();
  private readonly restartListeners = new Set<Listener<RestartEvent>>();
  private readonly coreCache: CoreCache | undefined;
  private current: BackendStatus;
  private starting: Promise<BackendStatus> | undefined;
  private ready: ReadyMessage | undefined;
  private sourceHash = 'unknown';
  private sbclExecutable: string | undefined;
  private offeredCore: string | undefined;
  /** Set while the image runs on the last good core because the sources do not load. */
  private fallbackCore: string | undefined;
  private readonly reloadErrorsInForce = new ReloadErrors();
  private readonly reloadListeners = new Set<Listener<ReloadOutcome>>();
  private reloadChain: Promise<unknown> = Promise.resolve();
  private compilerGeneration = 0;
  private disposed = false;

  constructor(options: SbclBackendOptions) {
    this.options = { ...DEFAULTS, ...stripUndefined(options), workspaceRoot: options.workspaceRoot };
    this.log = options.log ?? (() => undefined);
    this.validator = new WasmValidator({ wasmTools: options.wasmTools });
    this.coreCache = options.coreCacheDir ? new CoreCache(options.coreCacheDir, this.log) : undefined;
    this.current = { state: 'stopped', message: 'SBCL backend not started', engine: { name: 'SBCL', version: 'unknown' } };
    this.supervisor = new SbclSupervisor({
      launch: () => {
        this.offeredCore = this.fallbackCore ?? this.coreCache?.coreFor(this.coreKeyInputs());
        return driverLaunchSpec(this.launchConfig(this.offeredCore));
      },
      onLaunchFailed: () => {
        if (this.offeredCore) this.coreCache?.reject(this.offeredCore);
      },
      timeoutMs: this.options.timeoutMs,
      startTimeoutMs: this.options.startTimeoutMs,
      recycleAfterTimeouts: this.options.recycleAfterTimeouts,
      backoffMs: options.restartBackoffMs,
      log: this.log,
      onReady: (ready) => this.onReady(ready),
      onState: (state, message) => this.onSupervisorState(state, message),
      onRestart: (event) => this.restartListeners.forEach((listener) => listener(event)),
    });
  }

  timeLimitMs(): number {
    return this.options.timeoutMs;
  }

  /**
   * The driver evaluates requests in the order written, its per-form timer starts when it
   * reads the form, and the supervisor drops queued requests on abort: a module's forms can
   * all be queued ahead. The supervisor's window bounds how many are written to the pipe.
   */
  pipelineDepth(): number {
    return PIPELINE_DEPTH;
  }

  /**
   * `sbcl:<SBCL version>:<hash of the system's sources and the driver>[:partial-<hash>]`: the
   * compiler generation. A reload changes the sources' hash; forms of the sources that the
   * image could not take (reload errors) add the partial part.
   */
  identity(): string {
    const partial = this.reloadErrorsInForce.fingerprint();
    return `sbcl:${this.ready?.sbcl_version ?? 'unknown'}:${this.sourceHash.slice(0, 16)}${partial ? `:partial-${partial}` : ''}`;
  }

  /** The loaded system's .asd and source files (absolute): a change to one reloads the compiler. */
  compilerFiles(): string[] {
    return (this.ready?.source_files ?? []).map((file) => path.resolve(file));
  }

  /** Counts the reloads that changed the compiler in this session. */
  generation(): number {
    return this.compilerGeneration;
  }

  /** Changed forms that the image could not take; it keeps their previous definitions. */
  reloadErrors(): ReloadError[] {
    return this.reloadErrorsInForce.all();
  }

  /** Fires after each reload, once the new compiler generation is in force. */
  onDidReload(listener: Listener<ReloadOutcome>): Disposable {
    return listen(this.reloadListeners, listener);
  }

  /**
   * Applies changed files of the system (absolute paths) to the running image: the changed
   * forms in place when the driver can, else a full load in a fresh image. Reloads run one
   * at a time, in the order asked.
   */
  reload(files: string[]): Promise<ReloadOutcome> {
    const next = this.reloadChain.then(() => this.doReload(files.map((file) => path.resolve(file))));
    this.reloadChain = next.catch(() => undefined);
    return next;
  }

  private async doReload(files: string[]): Promise<ReloadOutcome> {
    await this.ensureStarted();
    const started = Date.now();
    // On the last good core, every save tries the sources again: they may load now.
    const reply = this.fallbackCore ? undefined : await this.requestReload(files);
    const outcome =
      reply?.mode === 'incremental'
        ? incrementalOutcome(reply)
        : await this.fullReload(files, reply?.reason ?? 'the image runs on the last good saved core; trying the sources again');
    outcome.ms = Date.now() - started;
    this.reloadErrorsInForce.record(outcome);
    if (this.ready) await this.refreshSourceHash(this.ready);
    this.compilerGeneration++;
    this.log(describeReload(outcome));
    for (const error of outcome.errors) this.log(`[sbcl] reload-error in ${error.file} at ${error.start}: ${error.message}`);
    this.reloadListeners.forEach((listener) => listener(outcome));
    return outcome;
  }

  private async requestReload(files: string[] | undefined, inPlaceOnly = false): Promise<ReloadedMessage> {
    const outcome = await this.supervisor.submit({ op: 'reload', ...(files ? { files } : {}), ...(inPlaceOnly ? { in_place_only: true } : {}) });
    if (outcome.kind !== 'reply' || outcome.reply.type !== 'reloaded') {
      const why = outcome.kind === 'reply' ? (outcome.reply.type === 'error' ? outcome.reply.message : outcome.reply.type) : outcome.message;
      throw new Error(`reloading ${files?.join(', ') ?? 'the system'} failed: ${why}`);
    }
    return outcome.reply;
  }

  /** A fresh image loads the system from sources; when they do not load, the last good core takes what it can. */
  private async fullReload(files: string[], reason: string): Promise<ReloadOutcome> {
    await this.supervisor.stop();
    this.fallbackCore = undefined;
    this.setStatus({ ...this.current, state: 'starting', message: `Reloading ${this.options.systemName}: ${reason}` });
    const status = await this.start();
    const fallback = this.lastFallback;
    this.lastFallback = undefined;
    if (fallback) return { ...fallback, mode: 'full', reason: `${reason}; ${fallback.reason}` };
    if (status.state !== 'ready') throw new BackendUnavailableError(status.message);
    return { mode: 'full', reason, files, forms: 0, errors: [], removed: [], names: [], fromLastGoodCore: false, ms: 0 };
  }

  /** What the last start-up from the last good core applied, for the reload that caused it. */
  private lastFallback: ReloadOutcome | undefined;

  status(): BackendStatus {
    return this.current;
  }

  /** Fires on every status change, including `starting` while SBCL restarts after a crash. */
  onDidChangeStatus(listener: Listener<BackendStatus>): Disposable {
    return listen(this.statusListeners, listener);
  }

  /** Fires when SBCL is about to be restarted (crash, hang, or recycling after timeouts). */
  onRestart(listener: Listener<RestartEvent>): Disposable {
    return listen(this.restartListeners, listener);
  }

  /** Process id of the running SBCL, for diagnostics and tests. */
  get processId(): number | undefined {
    return this.supervisor.pid;
  }

  start(): Promise<BackendStatus> {
    if (this.current.state === 'ready') return Promise.resolve(this.current);
    if (!this.starting && this.supervisor.currentState === 'restarting') return this.settled();
    this.starting ??= this.doStart().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  async compileForm(request: CompileRequest, signal?: AbortSignal): Promise<SbclFormResult> {
    await this.ensureStarted();
    const outcome = await this.supervisor.submit(
      { op: 'compile', package: request.package, form: request.text, timeout_ms: this.options.timeoutMs },
      request.formId,
      signal,
    );
    const result = await formResultFromOutcome(outcome, this.validator);
    if (result.stdout || result.stderr) {
      this.log(`[sbcl] ${request.formId} printed while compiling: ${(result.stdout ?? '') + (result.stderr ?? '')}`.trimEnd());
    }
    return result;
  }

  /**
   * Top-level forms of `file` as SBCL's reader sees them, tracking in-package the way Clysm's
   * generator does. A generator-faithful enumeration for measurements; the editor uses its own
   * splitter (it needs exact ranges and must work on unsaved text).
   */
  async listForms(file: string): Promise<DriverForm[]> {
    await this.ensureStarted();
    const outcome = await this.supervisor.submit({ op: 'list-forms', path: path.resolve(file) });
    if (outcome.kind !== 'reply' || outcome.reply.type !== 'forms') {
      throw new Error(`listing forms of ${file} failed: ${outcome.kind === 'reply' ? outcome.reply.type : outcome.message}`);
    }
    if (outcome.reply.error !== undefined) throw new Error(outcome.reply.error);
    return outcome.reply.forms ?? [];
  }

  /**
   * Clysm's own Stage 1 generator, in a fresh SBCL started from the same driver with the same
   * settings, never in the process that compiles forms (the generator changes the image).
   */
  generateStage1(request: Stage1GenerationRequest, progress: (progress: GenerationProgress) => void, signal?: AbortSignal): Promise<GeneratorResult> {
    return runSbclGenerator({
      workspaceRoot: path.resolve(this.options.workspaceRoot),
      sbclPath: this.options.sbclPath,
      dynamicSpaceSizeMb: this.options.dynamicSpaceSizeMb,
      extraArgs: this.options.extraArgs ?? [],
      systemName: this.options.systemName,
      driverPath: this.driverPath(),
      stagingDir: request.stagingDir,
      timeoutMs: request.timeoutMs,
      wasmTools: request.wasmTools,
      env: this.options.env,
      log: this.log,
      onProgress: progress,
      signal,
    });
  }

  /** The core being saved for the next starts since this start, if any (a one-shot run waits for it). */
  coreBuild(): Promise<CoreBuildOutcome> | undefined {
    return this.coreCache?.lastBuild();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    await this.supervisor.stop();
    await this.coreCache?.dispose();
  }

  /** The next status that is not `starting` (the supervisor is restarting SBCL). */
  private settled(): Promise<BackendStatus> {
    return new Promise((resolve) => {
      const subscription = this.onDidChangeStatus((status) => {
        if (status.state === 'starting') return;
        subscription.dispose();
        resolve(status);
      });
    });
  }

  /** Starts on first use; after a failed start only an explicit start() tries again. */
  private async ensureStarted(): Promise<void> {
    if (this.disposed) throw new BackendUnavailableError('SBCL backend disposed');
    if (this.current.state === 'ready' || this.current.state === 'starting') return;
    if (this.current.state === 'error') throw new BackendUnavailableError(this.current.message);
    const status = await this.start();
    if (status.state !== 'ready') throw new BackendUnavailableError(status.message);
  }

  private async doStart(): Promise<BackendStatus> {
    const problem = this.checkPrerequisites();
    if (problem) return this.setStatus({ ...this.current, state: 'error', message: problem });
    this.setStatus({ ...this.current, state: 'starting', message: `Starting SBCL and loading ${this.options.systemName}` });
    try {
      const ready = await this.supervisor.start().catch((error: unknown) => {
        // A stale or incompatible saved core: it is rejected now, so load from sources.
        if (this.offeredCore && !(error instanceof DriverFatalError)) return this.supervisor.start();
        throw error;
      }).catch((error: unknown) => this.startFromLastGoodCore(error));
      await this.refreshSourceHash(ready);
      if (this.fallbackCore) return this.setStatus(this.fallbackStatus(ready));
      this.coreCache?.ensure(this.coreKeyInputs(), (saveCore) => driverLaunchSpec(this.launchConfig(undefined, saveCore)));
      return this.setStatus(this.readyStatus(ready));
    } catch (error) {
      return this.setStatus({ ...this.current, state: 'error', message: this.startFailureMessage(error) });
    }
  }

  /**
   * The sources do not load (a compiler file saved broken): start from the core saved after the
   * last load that worked, then apply what can be applied of the files as they are now, so that
   * one broken file never leaves every form without a result.
   */
  private async startFromLastGoodCore(error: unknown): Promise<ReadyMessage> {
    const core = error instanceof DriverFatalError && error.fatal.kind === 'load-failed'
      ? this.coreCache?.lastGoodCore({ workspaceRoot: path.resolve(this.options.workspaceRoot), sbcl: this.sbclExecutable ?? this.options.sbclPath })
      : undefined;
    if (!core) throw error;
    this.log(`[sbcl] ${(error as Error).message.split('\n')[0]}; starting from the last good saved core ${core}`);
    this.fallbackCore = core;
    let ready: ReadyMessage;
    try {
      ready = await this.supervisor.start();
    } catch {
      this.fallbackCore = undefined;
      throw error; // the load failure says more than the core's
    }
    const reply = await this.requestReload(undefined, true);
    const applied = incrementalOutcome(reply, true);
    this.lastFallback = { ...applied, reason: `started from the last good saved core: ${(error as Error).message.split('\n')[0]}` };
    this.reloadErrorsInForce.record(this.lastFallback);
    this.log(describeReload({ ...this.lastFallback, mode: 'full' }));
    return ready;
  }

  private fallbackStatus(ready: ReadyMessage): BackendStatus {
    const broken = this.reloadErrorsInForce.all().length;
    return {
      ...this.readyStatus(ready),
      message: `Clysm on SBCL ${ready.sbcl_version}: ${ready.system} does not load from its sources, so the image runs on the last good saved core with the changes that apply (${broken} form(s) not applied)`,
    };
  }

  private checkPrerequisites(): string | undefined {
    const { sbclPath, workspaceRoot, systemName } = this.options;
    this.sbclExecutable = findExecutable(sbclPath, this.options.env?.PATH ?? process.env.PATH);
    if (!this.sbclExecutable) {
      const where = sbclPath.includes('/') || sbclPath.includes(path.sep) ? sbclPath : `"${sbclPath}" (not on the PATH)`;
      return `sbcl not found at ${where}: install SBCL or set clysm.sbcl.path`;
    }
    const asd = path.join(workspaceRoot, `${systemName}.asd`);
    if (!fs.existsSync(asd)) {
      return `No ${systemName}.asd in ${workspaceRoot}: the SBCL backend loads the workspace's own ${systemName} ASDF system, so open the Clysm checkout (the folder with ${systemName}.asd)`;
    }
    const driver = this.driverPath();
    if (!fs.existsSync(driver)) return `The SBCL driver is missing at ${driver}: the extension build is incomplete`;
    return undefined;
  }

  private startFailureMessage(error: unknown): string {
    if (error instanceof DriverFatalError) {
      const tail = error.logTail.filter((line) => line.trim() !== '').slice(-5);
      // The driver quotes the compiler's complaint when it found one; else show the last lines.
      const quoted = error.message.includes('\n');
      const context = error.fatal.kind === 'load-failed' && !quoted && tail.length > 0 ? `\nLast load output:\n${tail.join('\n')}` : '';
      return `${error.message}${context}`;
    }
    const text = error instanceof Error ? error.message : String(error);
    return `SBCL could not start the driver: ${text}`;
  }

  private readyStatus(ready: ReadyMessage): BackendStatus {
    const how = ready.from_core ? 'from a saved core' : `in ${Math.round(ready.load_ms)} ms`;
    return {
      state: 'ready',
      message: `Clysm on SBCL ${ready.sbcl_version}: ${ready.system} loaded from ${ready.source_root} ${how}; compiled bytes ${this.validator.describe()}`,
      engine: { name: 'SBCL', version: ready.sbcl_version },
    };
  }

  private onReady(ready: ReadyMessage): void {
    this.ready = ready;
    this.log(`[sbcl] ready: SBCL ${ready.sbcl_version}, ${ready.system} from ${ready.source_root}, pid ${ready.pid}`);
    // A restart reloads the system from disk, where the sources may have changed: then the
    // identity changes too, and listeners hear about it.
    if (!this.starting && this.fallbackCore) {
      // A restart on the last good core lost what the reloads had applied: apply it again.
      void this.requestReload(undefined, true).then(
        (reply) => this.reloadErrorsInForce.record(incrementalOutcome(reply, true)),
        (error: unknown) => this.log(`[sbcl] re-applying the changed sources after a restart failed: ${String(error)}`),
      );
    }
    if (!this.starting) {
      const before = this.identity();
      void this.refreshSourceHash(ready).then(() => {
        if (this.identity() !== before && this.current.state === 'ready') this.setStatus(this.readyStatus(ready));
      });
    }
  }

  private async refreshSourceHash(ready: ReadyMessage): Promise<void> {
    this.sourceHash = await hashSourceFiles(ready.source_root, ready.source_files, driverFiles(this.driverPath()));
  }

  private onSupervisorState(state: SupervisorState, message: string): void {
    if (this.starting && (state === 'starting' || state === 'ready')) return; // doStart reports these
    if (state === 'restarting') this.setStatus({ ...this.current, state: 'starting', message: `Restarting: ${message}` });
    else if (state === 'ready' && this.ready) this.setStatus(this.readyStatus(this.ready));
    else if (state === 'failed') this.setStatus({ ...this.current, state: 'error', message });
    else if (state === 'stopped') this.setStatus({ ...this.current, state: 'stopped', message });
  }

  private setStatus(unbounded: BackendStatus): BackendStatus {
    const status = { ...unbounded, message: clipText(unbounded.message) };
    this.current = status;
    this.statusListeners.forEach((listener) => listener(status));
    return status;
  }

  private driverPath(): string {
    return this.options.driverPath ?? defaultDriverPath();
  }

  private launchConfig(core: string | undefined, saveCore?: string): DriverLaunch {
    return {
      sbcl: this.sbclExecutable ?? this.options.sbclPath,
      workspaceRoot: path.resolve(this.options.workspaceRoot),
      systemName: this.options.systemName,
      driverPath: this.driverPath(),
      dynamicSpaceSizeMb: this.options.dynamicSpaceSizeMb,
      extraArgs: this.options.extraArgs ?? [],
      core,
      saveCore,
      env: this.options.env,
    };
  }

  /** What a saved core must match: the runtime binary, the driver and the system's sources. */
  private coreKeyInputs(): { workspaceRoot: string; files: string[]; sbcl: string } {
    return {
      workspaceRoot: path.resolve(this.options.workspaceRoot),
      files: [...(this.ready?.source_files ?? []), ...driverFiles(this.driverPath())],
      sbcl: this.sbclExecutable ?? this.options.sbclPath,
    };
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
