// Acceptance for the wasmtime engine, as a process: `clysm-check --engine wasmtime --wasmtime
// test/support/fake-wasmtime` (the stand-in runtime: a test double for wasmtime's CLI on
// node:wasi) gives the same per-form results as `--engine embedded` on the example workspace;
// a missing wasmtime or one older than 37 exits 2 naming the version found and the one needed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { CheckReport } from '../../server/src/report/checkReport';
import { distDir, exampleWorkspace, repoRoot } from '../support/repo';

const fakeWasmtime = path.join(repoRoot, 'test', 'support', 'fake-wasmtime');

function runCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), exampleWorkspace, ...args], { encoding: 'utf8', cwd: repoRoot });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('clysm-check --engine wasmtime (stand-in runtime)', { timeout: 120_000 }, () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-cli-wasmtime-'));
  after(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('gives the same per-form results as --engine embedded on the example workspace', () => {
    const embedded = runCli(['--json', '--engine', 'embedded']);
    const wasmtime = runCli(['--json', '--engine', 'wasmtime', '--wasmtime', 'test/support/fake-wasmtime']);
    assert.equal(wasmtime.code, embedded.code, wasmtime.stderr);
    const a = JSON.parse(embedded.stdout) as CheckReport;
    const b = JSON.parse(wasmtime.stdout) as CheckReport;
    assert.equal(a.engine.name, 'embedded-v8');
    assert.equal(b.engine.name, 'wasmtime');
    assert.match(b.stage0?.path ?? '', /clysm-stage0\.wasi\.wasm$/);
    assert.ok(a.forms.length > 40);
    assert.deepEqual(b.forms, a.forms);
    assert.deepEqual(b.summary, a.summary);
    assert.deepEqual(new Set(a.forms.map((f) => f.status)), new Set(['compiled', 'failed', 'skipped']));
  });

  it('exits 2 when wasmtime is older than 37, naming the version found and the one needed', () => {
    const old = path.join(scratch, 'wasmtime-36');
    fs.writeFileSync(old, `#!/bin/sh\nFAKE_WASMTIME_VERSION=36.0.1 exec ${JSON.stringify(fakeWasmtime)} "$@"\n`, { mode: 0o755 });
    const r = runCli(['--engine', 'wasmtime', '--wasmtime', old]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /wasmtime 36\.0\.1 at .* is too old: .*found 36\.0\.1, need ≥ 37\.0\.0/);
  });

  it('exits 2 when wasmtime is missing, saying none was found and what is needed', () => {
    const onPath = runCli(['--engine', 'wasmtime', '--wasmtime', 'no-such-wasmtime-here']);
    assert.equal(onPath.code, 2);
    assert.match(onPath.stderr, /wasmtime not found \("no-such-wasmtime-here" is not on the PATH\): .*found none, need ≥ 37\.0\.0/);
    const byPath = runCli(['--engine', 'wasmtime', '--wasmtime', path.join(scratch, 'absent', 'wasmtime')]);
    assert.equal(byPath.code, 2);
    assert.match(byPath.stderr, /no executable file at .*absent\/wasmtime/);
  });

  it('refuses an unknown engine as a usage error', () => {
    const r = runCli(['--engine', 'wasmer']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--engine must be embedded or wasmtime/);
  });
});
