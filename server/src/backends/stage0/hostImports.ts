// The host side of the Stage 0 ABI (docs/stage0-abi.md): the clysm.fs, clysm.compile and
// clysm.output import modules from Clysm's 039 contract, and the import object built from
// exactly what the module declares. No Worker or Wasm here, so it is unit-testable.
import * as fs from 'node:fs';
import { writeFileAtomic } from '../../util/atomicWrite';
import { listSome } from '../../util/boundedText';
import { byteStringToBytes, type FormReport } from './resultFromReports';
import { outputFolderOutsideWorkspace, resolveReadable, resolveWritable } from '../../sandbox/paths';
import { WriteBudget, WriteLimitExceeded, type WriteLimits } from '../../sandbox/writeBudget';
import type { WasmImportDescriptor, WasmImports } from '../../wasm/webAssembly';

export interface HostConfig {
  /** Absolute workspace folder: clysm.fs reads only below it. */
  workspaceRoot: string;
  /** Module paths returned by clysm.fs/list-modules (workspace-relative, compile order). */
  modules: string[];
  /** Absolute folder clysm.output/write-bytes may write into; writes are refused without it. */
  outputDir?: string;
  /** Files write-bytes must never replace: the Stage 0 binary. */
  protectedFiles?: string[];
  /** What one compile_form call may write (default: the clysm.stage1.maxOutput* defaults). */
  writeLimits?: WriteLimits;
}

/** report-start / report-module-complete calls (used by compile_all; recorded, not interpreted per form). */
export type ProgressEvent =
  | { kind: 'report-start'; modulePath: string | null; formCount: number }
  | { kind: 'report-module-complete'; modulePath: string | null; compiled: number; failed: number };

type HostFunction = (...args: unknown[]) => unknown;
export type ProvidedImports = Record<string, Record<string, HostFunction>>;

/** A JS value that arrived as externref, as a string (or null). */
export function asText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : String(value);
}

/** The bytes write-bytes was given, or why they are not bytes. */
export function asBytes(value: unknown): Uint8Array | string {
  if (typeof value === 'string') {
    const converted = byteStringToBytes(value);
    return converted.ok ? converted.bytes : converted.reason;
  }
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return `bytes must be a byte string, got ${value === null ? 'null' : typeof value}`;
}

/** Host state for one Stage 0 instance: the configured sandbox plus what the current call reported. */
export class Stage0Host {
  /** report-form-result calls since the last beginCall(). */
  reports: FormReport[] = [];
  progress: ProgressEvent[] = [];
  private budget: WriteBudget;

  constructor(
    private readonly config: HostConfig,
    private readonly log: (message: string) => void = () => undefined,
  ) {
    this.budget = new WriteBudget(config.writeLimits);
  }

  /** Starts collecting for a new compile_form call; each call has its own write budget. */
  beginCall(): void {
    this.reports = [];
    this.progress = [];
    this.budget = new WriteBudget(this.config.writeLimits);
  }

  /** Why the current call went over its write limits (the form then fails), if it did. */
  get writeLimitProblem(): string | undefined {
    return this.budget.exceeded;
  }

  readSource(requested: unknown): string | null {
    const resolved = resolveReadable(this.config.workspaceRoot, requested);
    if (!resolved.ok) {
      this.log(`clysm.fs/read-source refused: ${resolved.reason}`);
      return null;
    }
    try {
      return fs.readFileSync(resolved.path, 'utf8');
    } catch (error) {
      this.log(`clysm.fs/read-source failed for ${String(requested)}: ${(error as Error).message}`);
      return null;
    }
  }

  listModules(): string[] {
    return [...this.config.modules];
  }

  /**
   * Returns the number of bytes written, or -1 when the write is refused or fails. Over the
   * call's write limits it throws WriteLimitExceeded, which stops the form.
   */
  writeBytes(bytes: unknown, requested: unknown): number {
    if (!this.config.outputDir) {
      this.log('clysm.output/write-bytes refused: no output folder is configured');
      return -1;
    }
    // The folder is checked at each write: a symbolic link can appear between two forms.
    const outside = outputFolderOutsideWorkspace(this.config.workspaceRoot, this.config.outputDir);
    if (outside) {
      this.log(`clysm.output/write-bytes refused: ${outside}`);
      return -1;
    }
    const resolved = resolveWritable(this.config.outputDir, requested, this.config.protectedFiles);
    if (!resolved.ok) {
      this.log(`clysm.output/write-bytes refused: ${resolved.reason}`);
      return -1;
    }
    const data = asBytes(bytes);
    if (typeof data === 'string') {
      this.log(`clysm.output/write-bytes refused: ${data}`);
      return -1;
    }
    const overLimit = this.budget.charge(resolved.path, data.length);
    if (overLimit) {
      this.log(`clysm.output/write-bytes: ${overLimit}`);
      throw new WriteLimitExceeded(overLimit);
    }
    try {
      writeFileAtomic(resolved.path, data);
      return data.length;
    } catch (error) {
      this.log(`clysm.output/write-bytes failed for ${String(requested)}: ${(error as Error).message}`);
      return -1;
    }
  }

  /** Every import this host knows, by module and field name. */
  provided(): ProvidedImports {
    return hostImports({
      readSource: (p) => this.readSource(p),
      listModules: () => this.listModules(),
      reportStart: (modulePath, formCount) => {
        this.progress.push({ kind: 'report-start', modulePath, formCount });
      },
      reportFormResult: (report) => {
        this.reports.push(report);
      },
      reportModuleComplete: (modulePath, compiled, failed) => {
        this.progress.push({ kind: 'report-module-complete', modulePath, compiled, failed });
      },
      writeBytes: (bytes, p) => this.writeBytes(bytes, p),
    });
  }
}

/** What a host does for each clysm.* import; the report calls get their arguments already converted from Wasm values. */
export interface HostHandlers {
  readSource(requested: unknown): string | null;
  listModules(): unknown;
  reportStart(modulePath: string | null, formCount: number): void;
  reportFormResult(report: FormReport): void;
  reportModuleComplete(modulePath: string | null, compiled: number, failed: number): void;
  writeBytes(bytes: unknown, requested: unknown): number;
}

/** The clysm.fs, clysm.compile and clysm.output imports (docs/stage0-abi.md), shared by the per-form and compile_all hosts. */
export function hostImports(handlers: HostHandlers): ProvidedImports {
  return {
    'clysm.fs': {
      'read-source': (p) => handlers.readSource(p),
      'list-modules': () => handlers.listModules(),
    },
    'clysm.compile': {
      'report-start': (modulePath, formCount) => handlers.reportStart(asText(modulePath), Number(formCount)),
      'report-form-result': (formId, success, errorType, message) =>
        handlers.reportFormResult({ formId: asText(formId), success: Number(success) !== 0, errorType: asText(errorType), message: asText(message) }),
      'report-module-complete': (modulePath, compiled, failed) => handlers.reportModuleComplete(asText(modulePath), Number(compiled), Number(failed)),
    },
    'clysm.output': {
      'write-bytes': (bytes, p) => handlers.writeBytes(bytes, p),
    },
  };
}

export class HostImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostImportError';
  }
}

/**
 * The import object for exactly the imports the module declares. `wasm:js-string` imports
 * never appear here: compiled with builtins, the engine supplies them. Anything else the host
 * does not know fails loading, naming the first few such imports and counting the rest.
 */
export function buildImportObject(declared: WasmImportDescriptor[], provided: ProvidedImports): WasmImports {
  const imports: WasmImports = {};
  const unknown: string[] = [];
  const engineMissing: string[] = [];
  const wrongKind: string[] = [];
  for (const entry of declared) {
    const label = `${entry.module}/${entry.name}`;
    if (entry.module.startsWith('wasm:')) {
      engineMissing.push(label);
      continue;
    }
    const fn = provided[entry.module]?.[entry.name];
    if (!fn) {
      unknown.push(label);
      continue;
    }
    if (entry.kind !== 'function') {
      wrongKind.push(`${label} as a ${entry.kind}`);
      continue;
    }
    (imports[entry.module] ??= {})[entry.name] = fn;
  }
  if (unknown.length) {
    throw new HostImportError(`Stage 0 imports ${listSome(unknown)}, which this host does not provide`);
  }
  if (engineMissing.length) {
    throw new HostImportError(`Stage 0 imports ${listSome(engineMissing)}, which this engine does not provide (only the js-string builtins are enabled)`);
  }
  if (wrongKind.length) {
    throw new HostImportError(`Stage 0 imports ${listSome(wrongKind)}, but the host provides functions`);
  }
  return imports;
}
