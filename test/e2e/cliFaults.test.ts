// clysm-check against misbehaving Stage 0 binaries and forms that make Stage 0 trap or loop:
// the run always completes, and setup problems exit 2 with a message naming the problem.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CheckReport } from '../../server/src/report/checkReport';
import { copyExampleWorkspace, distDir, fixtureDir } from '../support/repo';

function runCli(args: string[]): { code: number | null; stdout: string; stderr: string; ms: number } {
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

describe('clysm-check with a Stage 0 that traps or loops', () => {
  let workspace: string;
  before(() => {
    workspace = copyExampleWorkspace();
    // The fixture Stage 0 (a test double) traps on %fixture-trap and never returns on %fixture-loop.
    fs.writeFileSync(
      path.join(workspace, 'src', 'zz-faults.lisp'),
      '(in-package #:demo)\n(defun boom () (%fixture-trap))\n(defun spin () (%fixture-loop))\n(defun after-spin (x) (+ x 1))\n',
    );
  });
  after(() => fs.rmSync(workspace, { recursive: true, force: true }));

  it('marks the trapping form failed and the looping form timeout, and the run completes', () => {
    const r = runCli([workspace, '--json', '--timeout-ms', '400']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as CheckReport;
    const byName = new Map(report.forms.filter((f) => f.file === 'src/zz-faults.lisp').map((f) => [f.name, f]));
    assert.equal(byName.get('BOOM')?.status, 'failed');
    assert.equal(byName.get('BOOM')?.category, 'compiler-trap');
    assert.match(byName.get('BOOM')?.message ?? '', /unreachable/);
    assert.equal(byName.get('SPIN')?.status, 'timeout');
    // The worker was restarted: the next form compiles.
    assert.equal(byName.get('AFTER-SPIN')?.status, 'compiled');
    assert.equal(report.summary.timeout, 1);
    // Every other module still got its results (49 forms in the example workspace + 4 here).
    assert.equal(report.summary.total, 53);
    assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
  });
});

describe('clysm-check with unusable Stage 0 binaries', () => {
  const cases: [string, RegExp][] = [
    ['stage0-corrupt.wasm', /not a WebAssembly module/],
    ['stage0-no-compile-form.wasm', /does not export compile_form/],
    ['stage0-unknown-import.wasm', /bogus/],
    ['stage0-stub.wasm', /this Stage 0 does not compile yet/],
    ['does-not-exist.wasm', /not found/i],
  ];
  for (const [file, message] of cases) {
    it(`${file}: exit 2 with a message naming the problem`, () => {
      const r = runCli(['--stage0', path.join(fixtureDir, file), '--backend', 'stage0']);
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '', 'no report when the backend cannot run');
    });
  }

  it('a usage error exits 2 with the usage text', () => {
    const r = runCli(['--frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option --frobnicate/);
    assert.match(r.stderr, /usage: clysm-check/);
  });
});
