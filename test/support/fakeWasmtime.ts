// fake-wasmtime: A TEST DOUBLE FOR THE wasmtime CLI. It is not wasmtime and runs nothing
// natively: it takes wasmtime's command line (`--version`, `run`, `compile`), its flags
// (`-W`, `--dir HOST::GUEST`, `--allow-precompiled`, `-o`), prints wasmtime-shaped errors and
// exits with wasmtime's codes (0; 134 after a trap, from src/commands/run.rs; 1 for other
// errors; 2 for usage errors), and runs WASI commands on Node's own `node:wasi` (V8).
// Neither the npm registry nor Debian ships wasmtime, so the wasmtime engine is tested
// against this. Launched by test/support/fake-wasmtime (which picks the pinned Node 24).
//
// Environment: FAKE_WASMTIME_VERSION (default 37.0.0) is the version it claims;
// FAKE_WASMTIME_LOG, a file each invocation appends its argv to (one JSON line).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { WASI } from 'node:wasi';
import { webAssembly, type WasmImports, type WasmModule } from '../../server/src/wasm/webAssembly';
import { readModule } from '../../server/src/wasm/wasmReader';

const wasm = webAssembly();

const version = process.env.FAKE_WASMTIME_VERSION ?? '37.0.0';
const major = Number(version.split('.')[0]);
const cwasmMagic = 'FAKE-CWASM fake-wasmtime (test double, not a wasmtime .cwasm)\n';

type Features = Record<'gc' | 'function-references' | 'exceptions' | 'tail-call', boolean>;

class Exit extends Error {
  constructor(readonly code: number, readonly text: string) {
    super(text);
  }
}

function say(fd: 1 | 2, text: string): void {
  fs.writeSync(fd, text.endsWith('\n') ? text : `${text}\n`); // synchronous: process.exit must not lose it
}

/** `Error: <context>` then wasmtime's anyhow `Caused by:` chain. */
function wasmtimeError(context: string, causes: string[]): Exit {
  const chain = causes.length === 1 ? `    ${causes[0]}` : causes.map((c, i) => `    ${i}: ${c}`).join('\n');
  return new Exit(1, `Error: ${context}\n\nCaused by:\n${chain}`);
}

function usageError(text: string): Exit {
  return new Exit(2, `error: ${text}\n\nFor more information, try '--help'.`);
}

function defaultFeatures(): Features {
  const on = major >= 47;
  return { gc: on, 'function-references': on, exceptions: on, 'tail-call': major >= 22 };
}

function parseWasmOptions(value: string, features: Features): void {
  for (const item of value.split(',').filter((s) => s !== '')) {
    const [key, raw = 'y'] = item.split('=');
    if (!(key in features)) throw usageError(`invalid value '${value}' for '--wasm <KEY[=VAL[,..]]>': unknown wasm option: ${key}`);
    if (!['y', 'yes', 'true', 'n', 'no', 'false'].includes(raw)) throw usageError(`invalid value '${value}' for '--wasm <KEY[=VAL[,..]]>': invalid boolean: ${raw}`);
    features[key as keyof Features] = ['y', 'yes', 'true'].includes(raw);
  }
}

interface Parsed {
  features: Features;
  dirs: Array<[string, string]>;
  allowPrecompiled: boolean;
  output?: string;
  positional: string[];
}

function parseOptions(argv: string[], command: 'run' | 'compile'): Parsed {
  const parsed: Parsed = { features: defaultFeatures(), dirs: [], allowPrecompiled: false, positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (parsed.positional.length > 0) {
      parsed.positional.push(arg); // after the module: the guest's own arguments
      continue;
    }
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw usageError(`a value is required for '${arg} <VALUE>' but none was supplied`);
      return v;
    };
    if (arg === '-W' || arg === '--wasm') parseWasmOptions(value(), parsed.features);
    else if (arg.startsWith('-W')) parseWasmOptions(arg.slice(2), parsed.features);
    else if (arg.startsWith('--wasm=')) parseWasmOptions(arg.slice(7), parsed.features);
    else if (arg === '-S' || arg === '--wasi') value(); // WASI options: accepted, nothing to emulate here
    else if (command === 'run' && arg === '--dir') {
      const [host, guest = host] = value().split('::');
      parsed.dirs.push([host, guest]);
    } else if (command === 'run' && arg === '--allow-precompiled') parsed.allowPrecompiled = true;
    else if (command === 'compile' && (arg === '-o' || arg === '--output')) parsed.output = value();
    else if (arg === '--') parsed.positional.push(...argv.splice(i + 1));
    else if (arg.startsWith('-')) throw usageError(`unexpected argument '${arg}' found`);
    else parsed.positional.push(arg);
  }
  if (parsed.positional.length === 0) throw usageError('the following required arguments were not provided:\n  <WASM>...');
  return parsed;
}

const trapNames: Array<[RegExp, string]> = [
  [/^unreachable/, 'wasm `unreachable` instruction executed'],
  [/memory access out of bounds/, 'out of bounds memory access'],
  [/divide by zero|remainder by zero/, 'integer divide by zero'],
  [/divide result unrepresentable|integer overflow/, 'integer overflow'],
  [/float unrepresentable/, 'invalid conversion to integer'],
  [/table index is out of bounds/, 'undefined element: out of bounds table access'],
  [/signature mismatch/, 'indirect call type mismatch'],
  [/null/, 'null reference'],
  [/illegal cast/, 'cast failure'],
  [/array element access out of bounds|index out of bounds/, 'out of bounds array access'],
  [/too large/, 'allocation size too large'],
  [/Maximum call stack size exceeded/, 'call stack exhausted'],
];

/** V8's trap text as wasmtime words it (crates/environ/src/trap_encoding.rs). */
function trapText(error: Error): string {
  return trapNames.find(([re]) => re.test(error.message))?.[1] ?? error.message;
}

/** Does the module need GC / exceptions? (its types and its tag section, as wasmtime's validator sees them) */
function requiredFeatures(bytes: Uint8Array): Array<keyof Features> {
  let info;
  try {
    info = readModule(bytes);
  } catch {
    return []; // let V8 report the damage
  }
  const needs: Array<keyof Features> = [];
  if (info.types.some((t) => t.kind === 'struct' || t.kind === 'array')) needs.push('gc', 'function-references');
  if (info.counts.tags > 0) needs.push('exceptions');
  return needs;
}

function checkFeatures(bytes: Uint8Array, features: Features, context: string): void {
  const missing = requiredFeatures(bytes).filter((f) => !features[f]);
  if (missing.length) {
    const proposal = missing[0] === 'exceptions' ? 'exceptions proposal' : missing[0] === 'gc' ? 'gc proposal' : `${missing[0]} proposal`;
    throw wasmtimeError(context, ['WebAssembly translation error', `Invalid input WebAssembly code at offset 8: ${proposal} not enabled (fake-wasmtime: enable it with -W ${missing.join('=y,')}=y)`]);
  }
}

function compileWasm(bytes: Uint8Array, context: string): WasmModule {
  try {
    return new wasm.Module(bytes);
  } catch (error) {
    throw wasmtimeError(context, ['WebAssembly translation error', (error as Error).message]);
  }
}

function readInput(file: string, context: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw wasmtimeError(context, [`failed to read input file: ${file}`, (error as Error).message]);
  }
}

function compileCommand(argv: string[]): number {
  const options = parseOptions(argv, 'compile');
  const input = options.positional[0];
  const bytes = readInput(input, `failed to compile \`${input}\``);
  checkFeatures(bytes, options.features, `failed to compile \`${input}\``);
  compileWasm(bytes, `failed to compile \`${input}\``);
  const output = options.output ?? `${path.basename(input, path.extname(input))}.cwasm`;
  const header = JSON.stringify({ version, features: options.features });
  fs.writeFileSync(output, Buffer.concat([Buffer.from(`${cwasmMagic}${header}\n`), bytes]));
  return 0;
}

/** The Wasm inside a fake .cwasm, after wasmtime's checks (flag, version, features). */
function unpackPrecompiled(data: Buffer, options: Parsed, context: string): Uint8Array {
  if (!options.allowPrecompiled) throw wasmtimeError(context, ['running a precompiled module requires the `--allow-precompiled` flag']);
  const headerEnd = data.indexOf(0x0a, cwasmMagic.length);
  const header = JSON.parse(data.subarray(cwasmMagic.length, headerEnd).toString('utf8')) as { version: string; features: Features };
  if (header.version !== version) throw wasmtimeError(context, [`Module was compiled with incompatible Wasmtime version '${header.version}'`]);
  for (const key of Object.keys(options.features) as Array<keyof Features>) {
    if (header.features[key] !== options.features[key]) {
      throw wasmtimeError(context, [`Module was compiled ${header.features[key] ? 'with' : 'without'} support for the ${key} proposal but it is ${options.features[key] ? 'enabled' : 'not enabled'} for the host`]);
    }
  }
  return data.subarray(headerEnd + 1);
}

function runCommand(argv: string[]): number {
  const options = parseOptions(argv, 'run');
  const [file, ...guestArgs] = options.positional;
  const context = `failed to run main module \`${file}\``;
  const data = readInput(file, context);
  let bytes: Uint8Array;
  if (data.subarray(0, cwasmMagic.length).toString('latin1') === cwasmMagic) bytes = unpackPrecompiled(data, options, context);
  else if (data.subarray(0, 4).toString('latin1') === '\x7fELF') throw wasmtimeError(context, ['fake-wasmtime cannot run a real wasmtime .cwasm']);
  else {
    checkFeatures(data, options.features, context);
    bytes = data;
  }
  const module = compileWasm(bytes, context);
  const unknown = wasm.Module.imports(module).find((i) => i.module !== 'wasi_snapshot_preview1');
  if (unknown) throw wasmtimeError(context, [`failed to instantiate ${JSON.stringify(file)}`, `unknown import: \`${unknown.module}::${unknown.name}\` has not been defined`]);
  const preopens: Record<string, string> = {};
  for (const [host, guest] of options.dirs) {
    if (!fs.existsSync(host) || !fs.statSync(host).isDirectory()) throw wasmtimeError(context, [`failed to open directory '${host}'`, 'No such file or directory (os error 2)']);
    preopens[guest] = host;
  }
  const wasi = new WASI({ version: 'preview1', args: [file, ...guestArgs], env: {}, preopens, returnOnExit: true });
  const instance = new wasm.Instance(module, wasi.getImportObject() as WasmImports);
  const exports = instance.exports;
  if (typeof exports['_initialize'] === 'function' && typeof exports['_start'] === 'function') {
    throw wasmtimeError(context, ['fake-wasmtime does not support modules that export both _initialize and _start']);
  }
  if (typeof exports['_start'] !== 'function') return 0; // wasmtime only instantiates such a module
  try {
    return wasi.start(instance);
  } catch (error) {
    if (error instanceof wasm.RuntimeError || (error instanceof RangeError && /call stack/.test(error.message))) {
      say(2, `Error: ${context}\n\nCaused by:\n    0: failed to invoke command default\n    1: error while executing at wasm backtrace:\n` +
        `           (fake-wasmtime prints no backtrace)\n    2: wasm trap: ${trapText(error as Error)}`);
      return 134; // 128 + SIGABRT, as wasmtime exits after a trap on Unix
    }
    throw wasmtimeError(context, [(error as Error).message]);
  }
}

function main(argv: string[]): number {
  if (process.env.FAKE_WASMTIME_LOG) fs.appendFileSync(process.env.FAKE_WASMTIME_LOG, `${JSON.stringify({ pid: process.pid, argv })}\n`);
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-V') {
    say(1, `wasmtime ${version} (fake-wasmtime: a test double, not wasmtime)`);
    return 0;
  }
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    say(1, 'fake-wasmtime: a test double for the wasmtime CLI (not wasmtime). Usage: fake-wasmtime [run] [-W OPTS] [--dir HOST::GUEST] [--allow-precompiled] MODULE [ARGS]... | compile [-W OPTS] [-o OUT] MODULE | --version');
    return first === undefined ? 2 : 0;
  }
  if (first === 'compile') return compileCommand(rest);
  if (first === 'run') return runCommand(rest);
  if (!first.startsWith('-') && !first.endsWith('.wasm') && !first.endsWith('.cwasm') && !fs.existsSync(first)) {
    throw usageError(`unrecognized subcommand '${first}'`);
  }
  return runCommand(argv); // like wasmtime: no subcommand means run
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  if (error instanceof Exit) {
    say(2, error.text);
    process.exitCode = error.code;
  } else {
    say(2, `Error: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  }
}
