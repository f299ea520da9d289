// clysm-check with a persistent cache (--cache) and a changed --timeout-ms, through the
// bin/clysm-check launcher: timeouts obtained under a smaller limit are compiled again under a
// larger one; under a smaller limit every result is reused. Runs the fixture Stage 0 (a test
// double, not Clysm), which never returns on %fixture-loop.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CheckReport } from '../../server/src/report/checkReport';
import { copyExampleWorkspace, repoRoot } from '../support/repo';

interface Run {
  code: number | null;
  report: CheckReport;
  /** "N forms sent to the backend", from --verbose. */
  sent: number;
  stderr: string;
}

function check(workspace: string, cacheDir: string, timeoutMs: number): Run {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'clysm-check'), workspace, '--json', '--verbose', '--cache', cacheDir, '--timeout-ms', String(timeoutMs)], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  const sent = /\[clysm\] (\d+) forms sent to the backend/.exec(r.stderr);
  assert.ok(sent, r.stderr);
  return { code: r.status, report: JSON.parse(r.stdout) as CheckReport, sent: Number(sent[1]), stderr: r.stderr };
}

describe('clysm-check --cache with a changed --timeout-ms', () => {
  let workspace: string;
  let cacheDir: string;
  before(() => {
    workspace = copyExampleWorkspace();
    cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-cli-cache-'));
    fs.writeFileSync(path.join(workspace, 'src', 'zz-loop.lisp'), '(in-package #:demo)\n(defun spin () (%fixture-loop))\n(defun after-spin (x) (+ x 1))\n');
  });
  after(() => {
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(cacheDir, { recursive: true, force: true });
  });

  it('compiles the timeouts of a 1 ms run again under 1500 ms, and reuses everything under 400 ms', () => {
    const tight = check(workspace, cacheDir, 1);
    const timedOut = tight.report.forms.filter((f) => f.status === 'timeout').length;
    assert.equal(tight.report.forms.find((f) => f.name === 'SPIN')?.status, 'timeout', tight.stderr);

    const wide = check(workspace, cacheDir, 1500);
    assert.equal(wide.code, 1, wide.stderr);
    assert.equal(wide.sent, timedOut, 'every timeout under 1 ms is compiled again, nothing else');
    assert.deepEqual(
      wide.report.forms.filter((f) => f.status === 'timeout').map((f) => [f.file, f.name]),
      [['src/zz-loop.lisp', 'SPIN']],
      'only the looping form still times out',
    );
    assert.match(wide.report.forms.find((f) => f.name === 'SPIN')?.message ?? '', /1500 ms/);
    assert.equal(wide.report.summary.total, tight.report.summary.total);

    const smaller = check(workspace, cacheDir, 400);
    assert.equal(smaller.sent, 0, 'a timeout under 1500 ms stands under 400 ms');
    assert.deepEqual(smaller.report.summary, wide.report.summary);
  });
});
