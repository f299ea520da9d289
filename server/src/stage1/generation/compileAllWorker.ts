// The Stage 1 generation worker (bundled to dist/stage1-worker.js), run as a forked Node
// process so that cancelling or timing out a run is a plain kill. It loads a Stage 0 (or a
// Stage 1, for the fixed-point check) with the compile_all host and calls compile_all once.
// Host events are batched so a 1,000-form run is not 3,000 IPC messages.
import { describeThrown } from '../../backends/stage0/resultFromReports';
import { buildImportObject } from '../../backends/stage0/hostImports';
import { stage0CompileOptions, webAssembly } from '../../wasm/webAssembly';
import { compileAllImports, type HostEvent } from './compileAllHost';
import type { FromGenerationWorker, ToGenerationWorker } from './workerMessages';

const send = process.send?.bind(process);
if (!send) throw new Error('stage1-worker must run as a forked process');
process.on('disconnect', () => process.exit(0));

function post(message: FromGenerationWorker): void {
  send!(message);
}

let batch: HostEvent[] = [];
function flush(): void {
  if (batch.length === 0) return;
  post({ type: 'events', events: batch });
  batch = [];
}

function emit(event: HostEvent): void {
  batch.push(event);
  // Module boundaries and writes go out at once so progress is live; forms in batches.
  if (event.kind !== 'form' || batch.length >= 50) flush();
}

function run(message: ToGenerationWorker): void {
  const wasm = webAssembly();
  const { bytes, label } = message;
  if (bytes.length < 8 || bytes[0] !== 0x00 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) {
    post({ type: 'failed', stage: 'load', message: `${label} is not a WebAssembly module (no \\0asm magic)` });
    return;
  }
  let module;
  try {
    module = new wasm.Module(bytes, stage0CompileOptions);
  } catch (error) {
    post({ type: 'failed', stage: 'load', message: `${label} is not a valid WebAssembly module for V8 ${process.versions.v8}: ${(error as Error).message}` });
    return;
  }
  const exported = wasm.Module.exports(module);
  const declared = wasm.Module.imports(module);
  const compileAll = exported.find((e) => e.name === 'compile_all');
  if (!compileAll || compileAll.kind !== 'function') {
    const names = exported.map((e) => e.name).join(', ') || 'nothing';
    post({ type: 'failed', stage: 'load', message: `${label} does not export a compile_all function (it exports: ${names})` });
    return;
  }
  let instance;
  try {
    const imports = buildImportObject(declared, compileAllImports(message.host, emit));
    instance = new wasm.Instance(module, imports);
  } catch (error) {
    post({ type: 'failed', stage: 'load', message: `${label} could not be linked: ${(error as Error).message.replace(/^Stage 0 /, '')}` });
    return;
  }
  post({ type: 'loaded', exports: exported.map((e) => e.name), imports: declared.map((i) => `${i.module}/${i.name}`) });
  const initialize = instance.exports['_initialize'];
  try {
    if (typeof initialize === 'function') (initialize as () => unknown)();
  } catch (error) {
    flush();
    post({ type: 'failed', stage: 'load', message: `${label} _initialize failed: ${describeThrown(error)}` });
    return;
  }
  let returned: unknown;
  try {
    returned = (instance.exports['compile_all'] as () => unknown)();
  } catch (error) {
    flush();
    post({ type: 'failed', stage: 'run', message: `${label} compile_all failed: ${describeThrown(error)}` });
    return;
  }
  flush();
  post({ type: 'finished', returned: returned === null || returned === undefined ? 'null' : typeof returned === 'string' ? `a ${returned.length}-character string` : typeof returned });
}

process.on('message', (message: ToGenerationWorker) => {
  try {
    run(message);
  } catch (error) {
    flush();
    post({ type: 'failed', stage: 'run', message: `generation worker error: ${error instanceof Error ? error.message : String(error)}` });
  }
});
