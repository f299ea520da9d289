// clysm-check's engine options: --engine embedded|wasmtime and --wasmtime PATH.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseCheckArgs, usage, UsageError } from '../../bin/src/args';

describe('clysm-check --engine / --wasmtime', () => {
  it('defaults to the embedded engine and wasmtime on the PATH', () => {
    const args = parseCheckArgs([], '/ws');
    assert.equal(args.engine, 'embedded');
    assert.equal(args.wasmtimePath, 'wasmtime');
  });

  it('takes wasmtime, a bare command name as is and a path resolved against the current folder', () => {
    assert.equal(parseCheckArgs(['--engine', 'wasmtime'], '/ws').engine, 'wasmtime');
    assert.equal(parseCheckArgs(['--wasmtime', 'wasmtime-37'], '/ws').wasmtimePath, 'wasmtime-37');
    assert.equal(parseCheckArgs(['--wasmtime', 'test/support/fake-wasmtime'], '/ws').wasmtimePath, path.resolve('test/support/fake-wasmtime'));
    assert.equal(parseCheckArgs(['--wasmtime', '/opt/wt/wasmtime'], '/ws').wasmtimePath, '/opt/wt/wasmtime');
  });

  it('refuses other engines and a missing value', () => {
    assert.throws(() => parseCheckArgs(['--engine', 'wasmer'], '/ws'), (e: Error) => e instanceof UsageError && /embedded or wasmtime/.test(e.message));
    assert.throws(() => parseCheckArgs(['--wasmtime'], '/ws'), UsageError);
  });

  it('documents both options', () => {
    assert.match(usage, /--engine embedded\|wasmtime/);
    assert.match(usage, /--wasmtime PATH/);
  });
});
