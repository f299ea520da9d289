import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseCheckArgs, UsageError } from '../../bin/src/args';

describe('clysm-check argument parsing', () => {
  it('defaults to the given workspace and the conventional Stage 0 path', () => {
    const args = parseCheckArgs([], '/default/ws');
    assert.equal(args.workspace, '/default/ws');
    assert.equal(args.stage0, 'dist/clysm-stage0.wasm');
    assert.equal(args.json, false);
    assert.equal(args.timeoutMs, 5000);
  });

  it('reads the workspace, --stage0, --json, --timeout-ms and --modules', () => {
    const args = parseCheckArgs(['ws', '--stage0', 'x.wasm', '--json', '--timeout-ms', '250', '--modules', 'a.lisp, b.lisp'], '/d');
    assert.equal(args.workspace, path.resolve('ws'));
    assert.equal(args.stage0, 'x.wasm');
    assert.equal(args.json, true);
    assert.equal(args.timeoutMs, 250);
    assert.deepEqual(args.modules, ['a.lisp', 'b.lisp']);
  });

  it('rejects unknown options, missing values, bad numbers and a second workspace', () => {
    assert.throws(() => parseCheckArgs(['--frobnicate'], '/d'), UsageError);
    assert.throws(() => parseCheckArgs(['--stage0'], '/d'), /needs a value/);
    assert.throws(() => parseCheckArgs(['--timeout-ms', '-3'], '/d'), /positive integer/);
    assert.throws(() => parseCheckArgs(['a', 'b'], '/d'), /unexpected argument b/);
  });
});
