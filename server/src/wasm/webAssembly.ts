// The one accessor for the JS WebAssembly API. The project compiles against lib ES2023 without
// DOM, and @types/node does not declare WebAssembly, so the few members we use are declared
// here (including the JS String Builtins compile option) instead of as a global.

export interface WasmImportDescriptor {
  module: string;
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}

export interface WasmExportDescriptor {
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
}

/** Compile options of the JS String Builtins proposal. */
export interface WasmCompileOptions {
  builtins?: string[];
  importedStringConstants?: string;
}

export type WasmImports = Record<string, Record<string, unknown>>;

export interface WasmModule {
  readonly __wasmModule: unique symbol;
}

export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

export interface WasmApi {
  Module: {
    new (bytes: Uint8Array, options?: WasmCompileOptions): WasmModule;
    imports(module: WasmModule): WasmImportDescriptor[];
    exports(module: WasmModule): WasmExportDescriptor[];
    customSections(module: WasmModule, sectionName: string): ArrayBuffer[];
  };
  Instance: new (module: WasmModule, imports?: WasmImports) => WasmInstance;
  validate(bytes: Uint8Array, options?: WasmCompileOptions): boolean;
  CompileError: new (message?: string) => Error;
  LinkError: new (message?: string) => Error;
  RuntimeError: new (message?: string) => Error;
}

/** The runtime's WebAssembly object (present in every Node this extension supports). */
export function webAssembly(): WasmApi {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api) throw new Error('this JavaScript runtime has no WebAssembly support');
  return api;
}

/** Stage 0 is compiled with the JS String Builtins, so `wasm:js-string` imports are engine-provided. */
export const stage0CompileOptions: WasmCompileOptions = { builtins: ['js-string'] };
