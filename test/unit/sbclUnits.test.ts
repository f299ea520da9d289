// The SBCL backend's small pure parts: command line, protocol parsing, validation, paths.
// None of these needs SBCL.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseDriverLine } from '../../server/src/backends/sbcl/driverProtocol';
import { copyDriver, defaultDriverPath } from '../../server/src/backends/sbcl/driverPath';
import { findExecutable } from '../../server/src/util/findExecutable';
import { driverLaunchSpec, lispString } from '../../server/src/backends/sbcl/launchSpec';
import { formResultFromReply } from '../../server/src/backends/sbcl/resultMapping';
import { v8SupportsWasmGc } from '../../server/src/wasm/runtimeProbe';
import { v8Rejection, WasmValidator } from '../../server/src/wasm/validate';
import { repoRoot } from '../support/repo';
import { tempDir } from './sbclHelpers';

// (module (func (export "main") (result i32) i32.const 1 if (result i32) i32.const 2 end))
const ONE_ARMED_IF = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01,
  0x00, 0x07, 0x08, 0x01, 0x04, 0x6d, 0x61, 0x69, 0x6e, 0x00, 0x00, 0x0a, 0x0b, 0x01, 0x09, 0x00, 0x41, 0x01,
  0x04, 0x7f, 0x41, 0x02, 0x0b, 0x0b,
]);
// The same module returning i32.const 3: valid.
const RETURNS_3 = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01,
  0x00, 0x07, 0x08, 0x01, 0x04, 0x6d, 0x61, 0x69, 0x6e, 0x00, 0x00, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x03,
  0x0b,
]);

describe('SBCL command line', () => {
  const base = {
    sbcl: '/usr/bin/sbcl',
    workspaceRoot: '/ws',
    systemName: 'clysm',
    driverPath: '/ext/dist/lisp/dri"ver\\.lisp',
    dynamicSpaceSizeMb: 4096,
    extraArgs: ['--control-stack-size', '8MB'],
  };

  it('uses the safe flags and never --lose-on-corruption', () => {
    const { args, command, cwd } = driverLaunchSpec(base);
    assert.equal(command, '/usr/bin/sbcl');
    assert.equal(cwd, '/ws');
    assert.ok(!args.includes('--lose-on-corruption'));
    for (const flag of ['--disable-ldb', '--disable-debugger', '--no-userinit', '--no-sysinit', '--noinform']) assert.ok(args.includes(flag), flag);
    // Runtime options (and the extra ones) come before --end-runtime-options.
    const end = args.indexOf('--end-runtime-options');
    assert.ok(args.indexOf('--dynamic-space-size') < end && args.indexOf('--control-stack-size') < end);
    assert.ok(end < args.indexOf('--disable-debugger'));
    assert.deepEqual(args.slice(args.indexOf('--end-toplevel-options') + 1), ['--workspace', '/ws', '--system', 'clysm']);
    assert.ok(args.includes('(load (sb-ext:parse-native-namestring "/ext/dist/lisp/dri\\"ver\\\\.lisp"))'));
  });

  it('starts from a core without loading the driver source, and can save one', () => {
    const fromCore = driverLaunchSpec({ ...base, core: '/cache/x.core' }).args;
    assert.deepEqual(fromCore.slice(0, 2), ['--core', '/cache/x.core']);
    assert.ok(!fromCore.some((a) => a.includes('(load ')));
    const saving = driverLaunchSpec({ ...base, saveCore: '/cache/y.partial' }).args;
    assert.deepEqual(saving.slice(-2), ['--save-core', '/cache/y.partial']);
  });

  it('quotes Lisp strings', () => {
    assert.equal(lispString('a"b\\c'), '"a\\"b\\\\c"');
  });
});

describe('driver protocol', () => {
  it('parses driver lines and ignores anything else', () => {
    assert.deepEqual(parseDriverLine('{"type":"pong","id":3,"heap_bytes":1}'), { type: 'pong', id: 3, heap_bytes: 1 });
    assert.equal(parseDriverLine('fatal error encountered in SBCL pid 1'), undefined);
    assert.equal(parseDriverLine('{"type":"nonsense"}'), undefined);
    assert.equal(parseDriverLine('[1,2]'), undefined);
  });

  it('maps driver results to form results', async () => {
    const validator = new WasmValidator({ wasmTools: null });
    const base = { type: 'result' as const, id: 1, total_ms: 1, warnings: 0, heap_bytes: 0 };
    const compiled = await formResultFromReply({ ...base, status: 'compiled', wasm: Buffer.from(RETURNS_3).toString('base64'), compile_ms: 0.5 }, validator);
    assert.equal(compiled.status, 'compiled');
    assert.equal(compiled.bytes, RETURNS_3.length);
    assert.equal(compiled.durationMs, 0.5);
    const failed = await formResultFromReply({ ...base, status: 'failed', error_type: 'compile-error', message: 'Undefined function: X' }, validator);
    assert.deepEqual([failed.status, failed.errorType, failed.message], ['failed', 'compile-error', 'Undefined function: X']);
    const skipped = await formResultFromReply({ ...base, status: 'skipped', directive: true, stdout: 'hi\n' }, validator);
    assert.deepEqual([skipped.status, skipped.directive, skipped.stdout], ['skipped', true, 'hi\n']);
    const driverError = await formResultFromReply({ type: 'error', id: 1, message: 'Malformed JSON request' }, validator);
    assert.equal(driverError.errorType, 'driver-error');
  });
});

describe('validation of returned bytes', () => {
  it("gives V8's own message without its prefix and offset", { skip: v8SupportsWasmGc() ? false : 'this Node has no WasmGC' }, () => {
    assert.equal(v8Rejection(RETURNS_3), undefined);
    assert.equal(v8Rejection(ONE_ARMED_IF), 'Compiling function #0 failed: start-arity and end-arity of one-armed if must match');
  });

  it('also asks wasm-tools when it is there, and reports its message', { skip: process.platform === 'win32' ? 'POSIX shell script' : false }, async () => {
    const dir = tempDir({
      'wasm-tools': '#!/bin/sh\n[ "$1" = validate ] || exit 2\necho "error: func 0 failed to validate" >&2\nexit 1\n',
    });
    fs.chmodSync(path.join(dir, 'wasm-tools'), 0o755);
    const validator = new WasmValidator({ wasmTools: path.join(dir, 'wasm-tools') });
    assert.match(validator.describe(), /wasm-tools/);
    assert.deepEqual(await validator.validate(RETURNS_3), { valid: false, validator: 'wasm-tools', message: 'func 0 failed to validate' });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('skips wasm-tools when told to', async () => {
    const validator = new WasmValidator({ wasmTools: null });
    assert.equal(validator.wasmTools, undefined);
    assert.deepEqual(await validator.validate(RETURNS_3), { valid: true });
  });
});

describe('paths', () => {
  it('finds executables on a PATH and reports missing ones', () => {
    assert.equal(findExecutable('no-such-command-here', '/nonexistent'), undefined);
    assert.equal(findExecutable('/nonexistent/sbcl'), undefined);
    assert.equal(findExecutable('node', path.dirname(process.execPath)), process.execPath);
  });

  it('finds the driver source from compiled code, and copies it for the bundle', () => {
    assert.equal(defaultDriverPath(path.join(repoRoot, 'out', 'server', 'src', 'backends', 'sbcl')), path.join(repoRoot, 'server', 'lisp', 'driver.lisp'));
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-dist-'));
    const copied = copyDriver(repoRoot, out);
    assert.equal(copied, path.join(out, 'lisp', 'driver.lisp'));
    assert.ok(fs.existsSync(path.join(out, 'lisp', 'json.lisp')), 'the Lisp the driver loads is copied with it');
    assert.equal(defaultDriverPath(out), copied);
    fs.rmSync(out, { recursive: true, force: true });
  });
});
