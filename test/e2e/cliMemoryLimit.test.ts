// clysm-check against a Stage 0 that grows its linear memory by 1 GiB per form: with
// --max-memory-mb the worker is killed at the limit, every such form is `crashed` with the reason
// (never `no-output`), and the run exits 1.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { CheckReport } from '../../server/src/report/checkReport';
import { buildMemoryGrowStage0 } from '../fixtures/stage0/variants';
import { distDir } from '../support/repo';

describe('clysm-check with a Stage 0 that grows memory by 1 GiB per form', { timeout: 120_000 }, () => {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-memory-')));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reports the forms crashed with the memory limit and exits 1', () => {
    fs.mkdirSync(path.join(root, 'src'));
    fs.writeFileSync(path.join(root, 'src', 'a.lisp'), '(defun a () 1)\n(defun b () 2)\n');
    const stage0 = path.join(root, 'grow.wasm');
    fs.writeFileSync(stage0, buildMemoryGrowStage0(1024));
    const r = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), root, '--backend', 'stage0', '--stage0', stage0, '--max-memory-mb', '256', '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const report = JSON.parse(r.stdout) as CheckReport;
    assert.deepEqual(report.forms.map((f) => f.status), ['crashed', 'crashed']);
    for (const form of report.forms) assert.match(form.message ?? '', /went over its memory limit \(clysm\.stage0\.maxMemoryMb = 256;/);
    assert.equal(report.summary.no_output, 0);
  });
});
