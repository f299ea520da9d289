// The README's first command: `npm start --silent -- --json` builds, then checks the example
// workspace, and its stdout is the JSON report alone (build chatter goes to stderr, or nowhere
// under --silent), so it can be piped into jq.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import type { CheckReport } from '../../server/src/report/checkReport';
import { repoRoot } from '../support/repo';

describe('npm start', () => {
  it('--silent -- --json prints only the JSON report on stdout', () => {
    const run = spawnSync('npm', ['start', '--silent', '--', '--json'], { cwd: repoRoot, encoding: 'utf8' });
    // Exit 1: the example workspace has forms that do not compile yet.
    assert.equal(run.status, 1, run.stderr);
    const report = JSON.parse(run.stdout) as CheckReport;
    assert.equal(report.backend, 'stage0');
    assert.ok(report.summary.total > 0 && report.forms.length === report.summary.total);
    assert.doesNotMatch(run.stderr, /fixture Stage 0/, '--silent silences the build');
  });

  it('the build alone (no --silent) says what it wrote on stderr, not stdout', () => {
    const r = spawnSync('npm', ['run', 'build'], { cwd: repoRoot, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /fixture Stage 0 \(test double, not Clysm\): wrote \d+ files/);
    assert.doesNotMatch(r.stdout, /fixture Stage 0/);
  });
});
