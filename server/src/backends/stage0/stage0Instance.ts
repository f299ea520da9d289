// Loads a Stage 0 module and calls compile_form on it, per docs/stage0-abi.md. Runs inside
// the engine worker (worker.ts), but has no worker code itself so tests can drive it directly.
import type { FormResult } from '../../types';
import { listSome } from '../../util/boundedText';
import { buildImportObject, Stage0Host, type HostConfig } from './hostImports';
import { interpretFormCall, describeThrown, type ByteValidator } from './resultFromReports';
import { stage0CompileOptions, webAssembly, type WasmApi } from '../../wasm/webAssembly';
import type { Stage0LoadInfo } from './workerProtocol';
import { WriteLimitExceeded } from '../../sandbox/writeBudget';

export class Stage0LoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Stage0LoadError';
  }
}

const wasmMagic = [0x00, 0x61, 0x73, 0x6d];

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Validation of compiled output in this very engine, with V8's own error text. */
export function makeValidator(wasm: WasmApi = webAssembly()): ByteValidator {
  return (bytes) => {
    if (wasm.validate(bytes, stage0CompileOptions)) return undefined;
    try {
      new wasm.Module(bytes, stage0CompileOptions);
      return 'WebAssembly.validate rejected the module';
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
}

/** Lisp string literal for a package name, for the `(in-package "…")` preamble. */
function lispString(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export class Stage0Instance {
  /** Package the instance was last told about (a fresh instance starts in CL-USER). */
  private currentPackage = 'CL-USER';

  private constructor(
    readonly info: Stage0LoadInfo,
    private readonly compileFormExport: (text: string) => unknown,
    private readonly host: Stage0Host,
    private readonly validate: ByteValidator,
  ) {}

  /** Compiles, links and initialises a Stage 0; every failure is a Stage0LoadError with a clear message. */
  static load(bytes: Uint8Array, hostConfig: HostConfig, log: (message: string) => void = () => undefined): Stage0Instance {
    const wasm = webAssembly();
    if (bytes.length < 8 || wasmMagic.some((b, i) => bytes[i] !== b)) {
      const start = hex(bytes.subarray(0, 8));
      throw new Stage0LoadError(
        `Stage 0 is not a WebAssembly module: it does not start with the \\0asm magic (${bytes.length} bytes${bytes.length ? `, starting ${start}` : ''})`,
      );
    }
    let module;
    try {
      module = new wasm.Module(bytes, stage0CompileOptions);
    } catch (error) {
      throw new Stage0LoadError(`Stage 0 is not a valid WebAssembly module for V8 ${process.versions.v8}: ${(error as Error).message}`);
    }
    const exports = wasm.Module.exports(module);
    const imports = wasm.Module.imports(module);
    const compileFormDesc = exports.find((e) => e.name === 'compile_form');
    if (!compileFormDesc || compileFormDesc.kind !== 'function') {
      const names = listSome(exports.map((e) => e.name)) || 'nothing';
      const what = compileFormDesc ? `exports compile_form as a ${compileFormDesc.kind}, not a function` : 'does not export compile_form';
      throw new Stage0LoadError(`Stage 0 ${what} (it exports: ${names})`);
    }
    const host = new Stage0Host(hostConfig, log);
    let importObject;
    try {
      importObject = buildImportObject(imports, host.provided());
    } catch (error) {
      throw new Stage0LoadError((error as Error).message);
    }
    let instance;
    try {
      instance = new wasm.Instance(module, importObject);
    } catch (error) {
      throw new Stage0LoadError(`Stage 0 could not be instantiated: ${(error as Error).message}`);
    }
    const initialize = instance.exports['_initialize'];
    const hasInitialize = typeof initialize === 'function';
    if (hasInitialize) {
      try {
        (initialize as () => unknown)();
      } catch (error) {
        throw new Stage0LoadError(`Stage 0 _initialize failed: ${describeThrown(error)}`);
      }
    }
    const compileForm = instance.exports['compile_form'] as (text: string) => unknown;
    return new Stage0Instance({ exports, imports, initialized: hasInitialize }, compileForm, host, makeValidator(wasm));
  }

  /**
   * One form. When the form was read in another package than the previous one, Stage 0 is
   * first given `(in-package "NAME")`, whose result is ignored (it is a directive).
   */
  compile(text: string, packageName?: string): FormResult {
    if (packageName && packageName !== this.currentPackage) {
      this.host.beginCall();
      try {
        this.compileFormExport(`(in-package ${lispString(packageName)})`);
      } catch {
        // A Stage 0 that cannot take the preamble still gets the form itself.
      }
      this.currentPackage = packageName;
    }
    this.host.beginCall();
    const started = performance.now();
    let outcome;
    try {
      outcome = { reports: this.host.reports, returned: this.compileFormExport(text) };
    } catch (error) {
      outcome = { reports: this.host.reports, thrown: error };
    }
    // Over the write limits the form fails, even if Stage 0 caught the error write-bytes threw.
    const overLimit = this.host.writeLimitProblem;
    if (overLimit) outcome = { reports: this.host.reports, thrown: new WriteLimitExceeded(overLimit) };
    const durationMs = performance.now() - started;
    return { ...interpretFormCall(outcome, this.validate), durationMs };
  }
}
