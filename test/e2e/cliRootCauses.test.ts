// clysm-check's root causes, run as a process: on the SBCL stand-in (test double, not Clysm),
// each failure has an origin in the stand-in's source, and the report ranks the causes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { CheckReport } from '../../server/src/report/checkReport';
import { distDir, repoRoot } from '../support/repo';
import { standinWorkspace } from '../unit/sbclHelpers';

function runCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('clysm-check root causes on the SBCL stand-in', () => {
  const compiler = path.join(repoRoot, 'test', 'fixtures', 'clysm-standin', 'src', 'compiler.lisp');
  const foldLine = fs.readFileSync(compiler, 'utf8').split('\n').findIndex((l) => l.startsWith('(defun fold ')) + 1;

  it('--json: root_causes sorted by forms unlocked, each naming its forms and where the compiler raised it; forms[].origin', () => {
    const run = runCli([standinWorkspace, '--backend', 'sbcl', '--json', '--no-cache']);
    assert.equal(run.code, 1, run.stderr);
    const report = JSON.parse(run.stdout) as CheckReport;
    const failed = report.forms.filter((f) => f.status === 'failed');
    assert.ok(failed.length >= 2);
    const viaFold = failed.filter((f) => /FOLD$/.test(f.origin?.function ?? ''));
    assert.ok(viaFold.length >= 2, JSON.stringify(failed.map((f) => f.origin)));
    for (const f of viaFold) assert.deepEqual([f.origin?.file, f.origin?.line], [compiler, foldLine]);
    assert.ok(report.forms.filter((f) => f.status === 'compiled').every((f) => f.origin === null));

    const causes = report.root_causes;
    assert.deepEqual(causes.flatMap((c) => c.forms).sort(), failed.map((f) => f.id).sort(), 'every failing form in exactly one cause');
    for (let i = 1; i < causes.length; i++) assert.ok(causes[i - 1].unlocks >= causes[i].unlocks, 'ranked by forms unlocked');
    const undefinedVariable = causes.find((c) => c.message.startsWith('Undefined variable: '));
    assert.equal(undefinedVariable?.origin?.line, foldLine);
    assert.ok(causes.every((c) => c.message.length <= 200 && c.impact_pct > 0));
  });

  it('text mode prints the top root causes with the compiler function to change', () => {
    const run = runCli([standinWorkspace, '--backend', 'sbcl', '--no-cache']);
    assert.equal(run.code, 1, run.stderr);
    const at = run.stdout.indexOf('Top root causes');
    assert.ok(at > 0, run.stdout);
    assert.match(run.stdout.slice(at), /Undefined variable: \S+ — in FOLD \(.*compiler\.lisp:\d+\)/);
    assert.doesNotMatch(run.stdout, /Top blockers/);
  });
});
