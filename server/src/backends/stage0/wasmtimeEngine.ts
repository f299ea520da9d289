// The wasmtime engine: Stage 0 runs as a WASI command in a wasmtime process started through
// execa (docs/stage0-abi.md §10). wasmtime links only WASI imports, and `--invoke` passes only
// numbers, so Stage 0 must be a WASI-command build that reads requests on stdin and answers in
// JSON lines. Same contract as the embedded engine: one form at a time; a form over its time
// limit kills the process (`timeout`) and a fresh one serves the next form; a trap is the
// form's `failed`; a process that dies otherwise is retried once, then `crashed`.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import type { EngineInfo, FormResult } from '../../types';
import { readModule, WasmFormatError } from '../../wasm/wasmReader';
import { findExecutable } from '../../util/findExecutable';
import { makePrivateFolder } from '../../util/privateTempFolder';
import { listSome } from '../../util/boundedText';
import { defaultOf } from '../../protocol/settings';
import type { HostConfig } from './hostImports';
import { PrecompileCache } from './precompileCache';
import type { RuntimeProbeResult } from '../../wasm/runtimeProbe';
import { abortError, inPackageForm, type EngineCompileOptions, type Stage0Engine } from './stage0Engine';
import { compileOnProcess, SerialQueue, ProcessSlot, type FormAttempt } from './processSupport';
import { makeValidator } from './stage0Instance';
import type { WasmExportDescriptor, WasmImportDescriptor } from '../../wasm/webAssembly';
import { collectOutputs } from './wasiOutput';
import { answerToResult, classifyEnd } from './wasiProtocol';
import { Stage0WasmtimeProcess, type WasmtimeRequestOutcome, type WasiLaunch } from './wasmtimeProcess';
import { minimumWasmtime, missingWasmtimeMessage, parseWasmtimeVersion, wasmtimeFlags, type WasmtimeVersion } from './wasmtimeVersion';
import type { Stage0LoadInfo } from './workerProtocol';

export interface WasmtimeEngineOptions extends HostConfig {
  /** `wasmtime` (looked up on PATH) or a path to it. */
  wasmtimePath: string;
  /** Where precompiled `.cwasm` files are cached; default a folder under the OS temp folder. */
  cacheDir?: string;
  log?: (message: string) => void;
  /** Limit for starting wasmtime and Stage 0 up to its handshake line. */
  loadTimeoutMs?: number;
  /** Use `wasmtime compile` and run the `.cwasm` (default true). */
  precompile?: boolean;
}

/** Guest paths of the two preopened folders (docs/stage0-abi.md §10). */
export const guestWorkspace = '/workspace';
export const guestOutput = '/output';

const kindName: Record<string, WasmImportDescriptor['kind']> = { func: 'function', table: 'table', memory: 'memory', global: 'global', tag: 'tag' };

/** The `wasmtime run` arguments. Pure. */
export function runArguments(options: { flags: string[]; workspaceRoot: string; privateOutput: string; module: string; precompiled: boolean }): string[] {
  for (const dir of [options.workspaceRoot, options.privateOutput]) {
    // wasmtime splits --dir HOST::GUEST on "::".
    if (dir.includes('::')) throw new Error(`the folder ${dir} contains "::", which wasmtime's --dir cannot take`);
  }
  return [
    'run',
    ...options.flags,
    '--dir', `${options.workspaceRoot}::${guestWorkspace}`,
    '--dir', `${options.privateOutput}::${guestOutput}`,
    ...(options.precompiled ? ['--allow-precompiled'] : []),
    options.module,
  ];
}

interface Loaded {
  module: string;
  precompiled?: string;
}

export class WasmtimeEngine implements Stage0Engine {
  info: EngineInfo = { name: 'wasmtime', version: 'not checked yet' };
  private readonly log: (message: string) => void;
  private readonly cache: PrecompileCache;
  private readonly validate = makeValidator();
  private executable?: string;
  private version?: WasmtimeVersion;
  private flags: string[] = [];
  private loaded?: Loaded;
  /** The current process and the replacement started after a timeout, trap, cancel or crash. */
  private readonly slot = new ProcessSlot<Stage0WasmtimeProcess>({
    start: () => (this.loaded && !this.disposed ? this.startProcess() : undefined),
    stop: (wasmtime) => wasmtime.stop(),
  });
  private privateOutput?: string;
  private readonly queue = new SerialQueue();
  private nextId = 1;
  private disposed = false;
  /** What the last load did with the cache: `compiled`, `cached` or `none`. */
  lastPrecompile: 'compiled' | 'cached' | 'none' = 'none';

  /** How many times a process was replaced after a timeout, trap, cancel or crash. */
  get restarts(): number {
    return this.slot.restarts;
  }

  constructor(private readonly options: WasmtimeEngineOptions) {
    this.log = options.log ?? (() => undefined);
    this.cache = new PrecompileCache(options.cacheDir ?? path.join(os.tmpdir(), 'clysm-wasmtime-cache'), this.log);
  }

  /** Finds wasmtime, reads `wasmtime --version` and picks the flags; the message names found and needed versions. */
  async checkRuntime(): Promise<RuntimeProbeResult> {
    const configured = this.options.wasmtimePath;
    const executable = findExecutable(configured);
    if (!executable) {
      const where = configured.includes('/') || configured.includes(path.sep) ? `no executable file at ${path.resolve(configured)}` : `"${configured}" is not on the PATH`;
      return { ok: false, message: missingWasmtimeMessage(where) };
    }
    const result = await execa(executable, ['--version'], { reject: false, timeout: 15_000, windowsHide: true });
    const stdout = typeof result.stdout === 'string' ? result.stdout : '';
    const version = parseWasmtimeVersion(stdout);
    if (!version) {
      const said = (stdout || (typeof result.stderr === 'string' ? result.stderr : '')).trim().split('\n')[0] ?? '';
      return {
        ok: false,
        message: `${executable} --version did not print a wasmtime version (exit code ${result.exitCode ?? 'none'}${said ? `, said "${said.slice(0, 120)}"` : ''}): ` +
          `the wasmtime engine needs wasmtime ${minimumWasmtime}.0.0 or later; found an unknown version, need ≥ ${minimumWasmtime}.0.0`,
      };
    }
    const choice = wasmtimeFlags(version, executable);
    if (!choice.ok) return { ok: false, message: choice.message };
    this.executable = executable;
    this.version = version;
    this.flags = choice.flags;
    this.info = { name: 'wasmtime', version: version.text.replace(/^wasmtime(?:-cli)?\s+/, '') };
    const flagText = this.flags.length ? this.flags.join(' ') : 'no -W flags (GC and exceptions are on by default from 47)';
    return { ok: true, message: `${version.text} at ${executable}; ${flagText}` };
  }

  /** Checks that Stage 0 is a WASI command wasmtime can link, precompiles it, and starts it. */
  load(bytes: Uint8Array): Promise<Stage0LoadInfo> {
    return this.queue.run(async () => {
      if (this.disposed) throw new Error('the Stage 0 engine was disposed');
      if (!this.version) {
        const runtime = await this.checkRuntime();
        if (!runtime.ok) throw new Error(runtime.message);
      }
      await this.slot.drop();
      this.loaded = undefined;
      const info = describeWasiModule(bytes);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const module = this.cache.moduleFile(bytes, sha256);
      const loaded: Loaded = { module };
      this.lastPrecompile = 'none';
      if (this.options.precompile !== false) {
        const precompiled = await this.cache.precompile(this.executable!, this.flags, this.version!.text, sha256, module);
        if (!precompiled.ok) throw new Error(precompiled.message);
        loaded.precompiled = precompiled.path;
        this.lastPrecompile = precompiled.compiled ? 'compiled' : 'cached';
      }
      this.loaded = loaded;
      try {
        this.slot.active = await this.startProcess();
      } catch (error) {
        if (!loaded.precompiled) {
          this.loaded = undefined;
          throw error;
        }
        // A cached .cwasm wasmtime will not load (another build of the same version, a damaged file): run the .wasm.
        this.log(`wasmtime refused the precompiled Stage 0 (${(error as Error).message}); dropping it and running the .wasm`);
        this.cache.invalidate(loaded.precompiled);
        loaded.precompiled = undefined;
        this.lastPrecompile = 'none';
        try {
          this.slot.active = await this.startProcess();
        } catch (retryError) {
          this.loaded = undefined;
          throw retryError;
        }
      }
      return info;
    });
  }

  private privateOutputDir(): string {
    this.privateOutput ??= makePrivateFolder(os.tmpdir(), 'wasi-output');
    return this.privateOutput;
  }

  private launch(): WasiLaunch {
    const loaded = this.loaded!;
    return {
      command: this.executable!,
      cwd: this.options.workspaceRoot,
      args: runArguments({
        flags: this.flags,
        workspaceRoot: this.options.workspaceRoot,
        privateOutput: this.privateOutputDir(),
        module: loaded.precompiled ?? loaded.module,
        precompiled: loaded.precompiled !== undefined,
      }),
    };
  }

  private async startProcess(): Promise<Stage0WasmtimeProcess> {
    const wasmtime = new Stage0WasmtimeProcess(this.launch(), this.log, this.options.loadTimeoutMs ?? defaultOf('clysm.stage0.loadTimeoutMs'));
    try {
      await wasmtime.ready;
    } catch (error) {
      await wasmtime.stop();
      throw error;
    }
    return wasmtime;
  }

  /** Sends the `(in-package …)` preamble when the form's package differs (its answer is ignored). */
  private async preamble(wasmtime: Stage0WasmtimeProcess, options: EngineCompileOptions): Promise<WasmtimeRequestOutcome | undefined> {
    if (!options.package || options.package === wasmtime.currentPackage) return undefined;
    const outcome = await wasmtime.request(this.nextId++, inPackageForm(options.package), options.timeoutMs, options.signal);
    if (outcome.kind !== 'answer') return outcome;
    wasmtime.currentPackage = options.package;
    return undefined;
  }

  compile(text: string, options: EngineCompileOptions): Promise<FormResult> {
    return this.queue.run(() =>
      compileOnProcess(
        {
          slot: this.slot,
          disposed: () => this.disposed,
          loaded: () => this.loaded !== undefined,
          restartSubject: 'wasmtime',
          attempt: (wasmtime) => this.attempt(wasmtime, text, options),
        },
        options.signal,
      ),
    );
  }

  private async attempt(wasmtime: Stage0WasmtimeProcess, text: string, options: EngineCompileOptions): Promise<FormAttempt> {
    const started = performance.now();
    const outcome = (await this.preamble(wasmtime, options)) ?? (await wasmtime.request(this.nextId++, text, options.timeoutMs, options.signal));
    const durationMs = performance.now() - started;
    if (outcome.kind === 'answer') {
      const { overLimit } = collectOutputs(this.privateOutputDir(), this.options, this.log);
      // Same words as the embedded engine, where write-bytes throws WriteLimitExceeded.
      if (overLimit) return { result: { status: 'failed', errorType: 'trap', message: `WriteLimitExceeded: ${overLimit}`, durationMs } };
      return { result: { ...answerToResult(outcome.answer, this.validate), durationMs } };
    }
    if (this.disposed) throw new Error('the Stage 0 engine was disposed');
    await this.slot.replace();
    if (outcome.kind === 'timeout') {
      this.log(`Stage 0 exceeded ${options.timeoutMs} ms; wasmtime process killed and restarted`);
      return { result: { status: 'timeout', message: `Stage 0 did not finish this form within ${options.timeoutMs} ms (the engine was restarted)`, durationMs } };
    }
    if (outcome.kind === 'aborted') throw abortError(options.signal!);
    const verdict = classifyEnd(outcome.end);
    if (verdict.kind === 'trap') return { result: { status: 'failed', errorType: 'trap', message: verdict.message, durationMs } };
    this.log(`wasmtime died on a form (${verdict.reason}); restarted`);
    return { died: verdict.reason, durationMs };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.slot.drop();
    if (this.privateOutput) {
      collectOutputs(this.privateOutput, this.options, this.log);
      fs.rmSync(this.privateOutput, { recursive: true, force: true });
    }
  }
}

/** Exports and imports of a WASI-command Stage 0, or an Error naming why wasmtime cannot run it. */
export function describeWasiModule(bytes: Uint8Array): Stage0LoadInfo {
  const magic = [0x00, 0x61, 0x73, 0x6d];
  if (bytes.length < 8 || magic.some((b, i) => bytes[i] !== b)) {
    throw new Error(`Stage 0 is not a WebAssembly module: it does not start with the \\0asm magic (${bytes.length} bytes)`);
  }
  let module;
  try {
    module = readModule(bytes);
  } catch (error) {
    const message = error instanceof WasmFormatError ? error.message : String(error);
    throw new Error(`Stage 0 is not a valid WebAssembly module: ${message}`);
  }
  const exports: WasmExportDescriptor[] = module.exports.map((e) => ({ name: e.name, kind: kindName[e.kind] ?? 'function' }));
  const imports: WasmImportDescriptor[] = module.imports.map((i) => ({ module: i.module, name: i.name, kind: kindName[i.kind] ?? 'function' }));
  const start = exports.find((e) => e.name === '_start');
  if (!start || start.kind !== 'function') {
    const names = listSome(exports.map((e) => e.name)) || 'nothing';
    throw new Error(
      `Stage 0 does not export _start (it exports: ${names}): the wasmtime engine runs Stage 0 as a WASI command ` +
        '(docs/stage0-abi.md §10); use a WASI-command build of Stage 0, or the embedded engine',
    );
  }
  const foreign = imports.filter((i) => i.module !== 'wasi_snapshot_preview1').map((i) => `${i.module}/${i.name}`);
  if (foreign.length) {
    throw new Error(`Stage 0 imports ${listSome(foreign)}, which wasmtime cannot provide (its CLI links only WASI imports)`);
  }
  return { exports, imports, initialized: false };
}
