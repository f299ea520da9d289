// Inside the Stage 0 worker: loads a Stage 0 (or a Stage 1, for the fixed-point check) with
// the compile_all host and calls compile_all once. Host events are batched so a 1,000-form
// run is not 3,000 IPC messages. Every failure is posted back as a message.
import { listSome } from '../../util/boundedText';
import { buildImportObject } from './hostImports';
import { compileAllImports, type HostEvent } from './compileAllHost';
import { describeThrown } from './resultFromReports';
import { stage0CompileOptions, webAssembly } from '../../wasm/webAssembly';
import type { FromCompileAllWorker, ToCompileAllWorker } from './workerProtocol';

function describeReturned(returned: unknown): string {
  if (returned === null || returned === undefined) return 'null';
  return typeof returned === 'string' ? `a ${returned.length}-character string` : typeof returned;
}

type Ending = Extract<FromCompileAllWorker, { type: 'compile-all-finished' | 'compile-all-failed' }>;

const failed = (stage: 'load' | 'run', message: string): Ending => ({ type: 'compile-all-failed', stage, message });

export function runCompileAllInWorker(message: ToCompileAllWorker, post: (message: FromCompileAllWorker) => void): void {
  let batch: HostEvent[] = [];
  const flush = (): void => {
    if (batch.length === 0) return;
    post({ type: 'compile-all-events', events: batch });
    batch = [];
  };
  const emit = (event: HostEvent): void => {
    batch.push(event);
    // Module boundaries and writes go out at once so progress is live; forms in batches.
    if (event.kind !== 'form' || batch.length >= 50) flush();
  };
  let ending: Ending;
  try {
    ending = run(message, post, emit);
  } catch (error) {
    ending = failed('run', `generation worker error: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Every event is out before the run is reported over.
  flush();
  post(ending);
}

function run(message: ToCompileAllWorker, post: (message: FromCompileAllWorker) => void, emit: (event: HostEvent) => void): Ending {
  const wasm = webAssembly();
  const { bytes, label } = message;
  if (bytes.length < 8 || bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    return failed('load', `${label} is not a WebAssembly module (no \\0asm magic)`);
  }
  let module;
  try {
    module = new wasm.Module(bytes, stage0CompileOptions);
  } catch (error) {
    return failed('load', `${label} is not a valid WebAssembly module for V8 ${process.versions.v8}: ${(error as Error).message}`);
  }
  const exported = wasm.Module.exports(module);
  const declared = wasm.Module.imports(module);
  const compileAll = exported.find((e) => e.name === 'compile_all');
  if (!compileAll || compileAll.kind !== 'function') {
    const names = listSome(exported.map((e) => e.name)) || 'nothing';
    return failed('load', `${label} does not export a compile_all function (it exports: ${names})`);
  }
  let instance;
  try {
    instance = new wasm.Instance(module, buildImportObject(declared, compileAllImports(message.host, emit)));
  } catch (error) {
    return failed('load', `${label} could not be linked: ${(error as Error).message.replace(/^Stage 0 /, '')}`);
  }
  post({ type: 'compile-all-loaded', exports: exported.map((e) => e.name), imports: declared.map((i) => `${i.module}/${i.name}`) });
  const initialize = instance.exports['_initialize'];
  try {
    if (typeof initialize === 'function') (initialize as () => unknown)();
  } catch (error) {
    return failed('load', `${label} _initialize failed: ${describeThrown(error)}`);
  }
  try {
    const returned: unknown = (instance.exports['compile_all'] as () => unknown)();
    return { type: 'compile-all-finished', returned: describeReturned(returned) };
  } catch (error) {
    return failed('run', `${label} compile_all failed: ${describeThrown(error)}`);
  }
}
