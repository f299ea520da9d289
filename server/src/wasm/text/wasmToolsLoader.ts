// Lazy access to wasm-tools' printer as shipped (compiled to Wasm) in @bytecodealliance/jco-transpile.
// It costs about 2.4 MB of Wasm to compile, so it is loaded on the first print only, once per
// process. The build copies it to dist/wasm-tools/ (an ES module and its core Wasm files);
// tests and the CLI running from out/ load it from node_modules.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Prints one core module as WAT, synchronously; throws the library's message on bytes it cannot read. */
export type PrintFn = (bytes: Uint8Array) => string;

interface WasmToolsModule {
  $init: Promise<void>;
  tools: { print(bytes: Uint8Array): string };
}

/** The bundled copy's file, relative to the folder of the bundle that loads it. */
export const BUNDLED_PRINTER = path.join('wasm-tools', 'wasm-tools.mjs');
/** The package's own module (exports maps hide it, so it is found next to the public entry). */
const PACKAGE_ENTRY = '@bytecodealliance/jco-transpile/wasm-tools';
const PACKAGE_MODULE = path.join('..', 'vendor', 'wasm-tools.js');

export function printerModulePath(from: string = __dirname): string {
  const bundled = path.join(from, BUNDLED_PRINTER);
  if (fs.existsSync(bundled)) return bundled;
  return path.join(path.dirname(require.resolve(PACKAGE_ENTRY)), PACKAGE_MODULE);
}

let loading: Promise<PrintFn> | undefined;

/** The printer, loaded on first use. A load failure is not cached, so a later call tries again. */
export function loadWasmPrinter(): Promise<PrintFn> {
  loading ??= (async () => {
    const module = (await import(pathToFileURL(printerModulePath()).href)) as WasmToolsModule;
    await module.$init;
    return (bytes: Uint8Array) => module.tools.print(bytes);
  })().catch((error: unknown) => {
    loading = undefined;
    throw new Error(`the Wasm text printer (wasm-tools) could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  });
  return loading;
}
