// clysm-check --report, --baseline and --cache, run as a process on a copy of the example
// workspace (fixture Stage 0).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readTopLevelForms } from '../../server/src/reader';
import type { CheckReport } from '../../server/src/report/checkReport';
import type { Stage1Report } from '../../server/src/report/stage1Report';
import { copyExampleWorkspace, distDir } from '../support/repo';

function runCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Replaces the top-level form defining `name` in a file by `replacement`. */
function replaceForm(file: string, name: string, replacement: string): void {
  const text = fs.readFileSync(file, 'utf8');
  const form = readTopLevelForms(text).find((f) => f.name === name);
  assert.ok(form, `${name} in ${file}`);
  fs.writeFileSync(file, `${text.slice(0, form.start)}${replacement}${text.slice(form.end)}`);
}

describe('clysm-check --report / --baseline / --cache', () => {
  let workspace = '';
  let scratch = '';

  before(() => {
    workspace = copyExampleWorkspace();
    scratch = fs.mkdtempSync(path.join(path.dirname(workspace), 'clysm-cli-'));
  });

  after(() => {
    fs.rmSync(workspace, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('--report writes every stage1-report.json field, with counts equal to the --json report', () => {
    const file = path.join(scratch, 'out', 'report.json');
    const run = runCli([workspace, '--json', '--report', file]);
    assert.equal(run.code, 1, run.stderr);
    const check = JSON.parse(run.stdout) as CheckReport;
    const report = JSON.parse(fs.readFileSync(file, 'utf8')) as Stage1Report;
    for (const field of ['timestamp', 'stage0_version', 'summary', 'error_patterns', 'top_patterns_coverage_pct', 'defun_failures', 'modules', 'forms', 'backend']) {
      assert.ok(field in report, field);
    }
    assert.equal(report.summary.total_forms, check.summary.total);
    assert.equal(report.summary.compiled, check.summary.compiled);
    assert.equal(report.summary.skipped, check.summary.skipped);
    assert.equal(report.summary.coverage_pct, check.summary.coverage_pct);
    assert.equal(report.modules.reduce((n, m) => n + m.total, 0), check.summary.total, 'module totals add up (no inflation)');
    assert.equal(report.forms.length, check.forms.length);
    assert.ok(report.forms.every((f) => f.line >= 1 && f.column >= 1));
    assert.deepEqual(report.blockers.map((b) => [b.category, b.count]), check.blockers.map((b) => [b.category, b.count]));
    assert.equal(report.backend.kind, 'stage0');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['report.json'], 'no temp file left behind');
  });

  it('--baseline names a form that compiled in the baseline and fails now, and exits 1', () => {
    const emit = path.join(workspace, 'src', 'compiler', 'emit.lisp');
    const original = fs.readFileSync(emit, 'utf8');
    const baseline = path.join(scratch, 'baseline.json');
    try {
      // Make OPCODE compile, export that as the baseline, then revert: OPCODE regressed.
      replaceForm(emit, 'OPCODE', '(defun opcode (name)\n  (+ name 1))');
      runCli([workspace, '--report', baseline]);
      const inBaseline = (JSON.parse(fs.readFileSync(baseline, 'utf8')) as Stage1Report).forms.find((f) => f.name === 'OPCODE');
      assert.equal(inBaseline?.status, 'compiled');
    } finally {
      fs.writeFileSync(emit, original);
    }
    const run = runCli([workspace, '--baseline', baseline]);
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stdout.split('\n').filter((l) => l.includes('regression:'));
    assert.deepEqual(lines, ['src/compiler/emit.lisp:23:8: regression: Undefined function: GETHASH (compiled in baseline)']);
    assert.match(run.stdout, new RegExp(`1 regression against report ${baseline.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    const json = JSON.parse(runCli([workspace, '--json', '--baseline', baseline]).stdout) as CheckReport;
    assert.deepEqual(json.regressions?.map((f) => f.name), ['OPCODE']);
    assert.equal(json.baseline?.regressions, 1);
  });

  it('--baseline with its own fresh report exits as usual, with no regressions', () => {
    const own = path.join(scratch, 'own.json');
    const first = runCli([workspace, '--report', own]);
    const run = runCli([workspace, '--baseline', own]);
    assert.equal(run.code, first.code, 'exit code decided by failures alone');
    assert.equal(run.code, 1, 'the example workspace has failing forms');
    assert.ok(!run.stdout.includes('regression:'), run.stdout);
    assert.match(run.stdout, /No regressions against report /);
    const json = JSON.parse(runCli([workspace, '--json', '--baseline', own]).stdout) as CheckReport;
    assert.deepEqual(json.regressions, []);
  });

  it('--baseline refuses an unreadable report with exit 2', () => {
    const bad = path.join(scratch, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ summary: { total_forms: 1 } }));
    const run = runCli([workspace, '--baseline', bad]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /no per-form detail/);
  });

  it('--cache makes a second run send no form to the backend, with the same results', () => {
    const cache = path.join(scratch, 'cache');
    const cold = runCli([workspace, '--json', '--cache', cache, '--verbose']);
    const warm = runCli([workspace, '--json', '--cache', cache, '--verbose']);
    assert.match(cold.stderr, /\b49 forms sent to the backend/);
    assert.match(warm.stderr, /\b0 forms sent to the backend/);
    assert.deepEqual((JSON.parse(warm.stdout) as CheckReport).forms, (JSON.parse(cold.stdout) as CheckReport).forms);
  });
});
