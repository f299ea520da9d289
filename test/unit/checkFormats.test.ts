// clysm-check's CI formats on the example workspace (fixture Stage 0): --format sarif validates
// against the SARIF 2.1.0 schema (test/fixtures/sarif), --format github annotates each failing
// form, and the `$clysm-check` problem matcher (package.json) reads the text format.
// Run on Node 24 (./node_modules/.bin/node): the CLI runs the WasmGC fixture Stage 0 in-process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import type * as Sarif from 'sarif';
import { parseCheckArgs, UsageError } from '../../bin/src/args';
import { escapeData, escapeProperty, toGithubAnnotations } from '../../bin/src/formats/github';
import { toSarif } from '../../bin/src/formats/sarif';
import { isProblemStatus, type CheckReport } from '../../server/src/report/checkReport';
import { distDir, exampleWorkspace, repoRoot } from '../support/repo';

function runCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  // cwd: the repository, so GitHub annotations name files relative to it.
  const r = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), exampleWorkspace, ...args], { encoding: 'utf8', cwd: repoRoot });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function sarifValidator(): (log: unknown) => string[] {
  const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/sarif/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
  // unicodeRegExp off: the schema's `language` pattern has a stray `]`, an error only under the `u` flag.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  const validate = ajv.compile(schema);
  return (log) => (validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`));
}

/** The example workspace's --json report: what the other formats must agree with. */
const json = runCli(['--json']);
const report = JSON.parse(json.stdout) as CheckReport;
const failing = report.forms.filter((f) => isProblemStatus(f.status));

describe('clysm-check --format sarif', () => {
  const run = runCli(['--format', 'sarif']);
  const log = JSON.parse(run.stdout) as Sarif.Log;
  const validate = sarifValidator();

  it('exits as the text format does and validates against the SARIF 2.1.0 schema', () => {
    assert.equal(run.code, json.code, run.stderr);
    assert.ok(failing.length > 0, 'the example workspace has failing forms');
    assert.deepEqual(validate(log), []);
    assert.equal(log.version, '2.1.0');
  });

  it('the schema check can fail: a result without a message, or a line 0, is rejected', () => {
    const broken = structuredClone(log);
    const result = broken.runs[0].results![0] as Partial<Sarif.Result>;
    delete result.message;
    result.locations![0].physicalLocation!.region!.startLine = 0;
    const errors = validate(broken);
    assert.ok(errors.some((e) => /message/.test(e)), errors.join('\n'));
    assert.ok(errors.some((e) => /startLine/.test(e)), errors.join('\n'));
  });

  it('has one result per failing form, its rule the blocker category, located at the form', () => {
    const run0 = log.runs[0];
    const results = run0.results ?? [];
    assert.equal(results.length, failing.length);
    const rules = run0.tool.driver.rules ?? [];
    for (const [i, f] of failing.entries()) {
      const r = results[i];
      assert.equal(r.ruleId, f.category ?? f.status);
      assert.equal(rules[r.ruleIndex!].id, r.ruleId, 'ruleIndex points at its rule');
      assert.ok(rules[r.ruleIndex!].fullDescription?.text, 'the rule is described');
      const loc = r.locations![0].physicalLocation!;
      assert.equal(loc.artifactLocation!.uri, f.file);
      assert.equal(loc.artifactLocation!.uriBaseId, '%SRCROOT%');
      assert.deepEqual(loc.region, { startLine: f.line, startColumn: f.column, endLine: f.end_line, endColumn: f.end_column });
      assert.ok(r.message.text?.endsWith(f.message ?? f.status));
    }
    assert.deepEqual(rules.map((r) => r.id), [...new Set(failing.map((f) => f.category ?? f.status))].sort());
    // The base resolves the relative URIs to the workspace's files.
    const base = run0.originalUriBaseIds!['%SRCROOT%'].uri!;
    assert.ok(fs.existsSync(new URL(results[0].locations![0].physicalLocation!.artifactLocation!.uri!, base)));
  });
});

describe('clysm-check --format github', () => {
  it('prints one ::error annotation per failing form, with the file relative to the repository', () => {
    const run = runCli(['--format', 'github']);
    assert.equal(run.code, json.code, run.stderr);
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error '));
    assert.equal(errors.length, failing.length);
    for (const [i, f] of failing.entries()) {
      const m = /^::error file=([^,]+),line=(\d+),col=(\d+),endLine=(\d+),endColumn=(\d+),title=([^,:]+)::(.*)$/.exec(errors[i]);
      assert.ok(m, errors[i]);
      assert.equal(m[1], `examples/workspace/${f.file}`);
      assert.deepEqual(m.slice(2, 6).map(Number), [f.line, f.column, f.end_line, f.end_column]);
      assert.equal(decodeURIComponent(m[6]), `Clysm blocker: ${f.category ?? f.status}`);
      assert.equal(m[7], escapeData(f.message ?? f.status));
    }
    assert.match(run.stdout, /^::notice title=Clysm::Clysm coverage \d+\.\d\d%25 \(compiled \d+ of \d+ forms/m, "the percent sign is escaped");
  });

  it('escapes what the runner would read as syntax', () => {
    assert.equal(escapeData('50% done\r\nnext'), '50%25 done%0D%0Anext');
    assert.equal(escapeProperty('a:b,c%\n'), 'a%3Ab%2Cc%25%0A');
  });
});

describe('regressions against --baseline in the CI formats', () => {
  // The example's report, as if its first failing form had compiled in the baseline.
  const withRegression: CheckReport = { ...report, baseline: { source: 'report b.json', regressions: 1 }, regressions: [failing[0]] };

  it('SARIF marks the regressed form, and only it, and still validates', () => {
    const log = toSarif(withRegression, exampleWorkspace, { name: 'clysm-check', version: '0' });
    const results = log.runs[0].results ?? [];
    assert.deepEqual(results.map((r) => r.properties?.regression), failing.map((_, i) => i === 0));
    assert.match(results[0].message.text ?? '', /^Regression \(compiled in the baseline\): /);
    assert.doesNotMatch(results[1].message.text ?? '', /Regression/);
    assert.deepEqual(sarifValidator()(log), []);
  });

  it('GitHub titles the regressed form "Clysm regression"', () => {
    const lines = toGithubAnnotations(withRegression, (f) => f).split('\n');
    assert.match(lines[0], /,title=Clysm regression%3A [a-z-]+::/);
    assert.ok(lines.slice(1, failing.length).every((l) => l.includes(',title=Clysm blocker%3A ')));
  });
});

describe('the $clysm-check problem matcher', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
    contributes: { problemMatchers: { name: string; pattern: { regexp: string; file: number; line: number; column: number; code: number; message: number } }[] };
  };
  const matcher = manifest.contributes.problemMatchers.find((m) => m.name === 'clysm-check');

  it('reads every failing form, and nothing else, from the text output', () => {
    assert.ok(matcher, 'package.json contributes a problem matcher named clysm-check');
    const run = runCli([]);
    assert.equal(run.code, json.code, run.stderr);
    const re = new RegExp(matcher.pattern.regexp);
    const matched = run.stdout.split('\n').map((line) => re.exec(line)).filter((m) => m !== null);
    const p = matcher.pattern;
    assert.deepEqual(
      matched.map((m) => [m[p.file], Number(m[p.line]), Number(m[p.column]), m[p.code], m[p.message]]),
      failing.map((f) => [f.file, f.line, f.column, f.category ?? f.status, (f.message ?? f.status).split('\n')[0]]),
    );
  });
});

describe('clysm-check --format (arguments)', () => {
  it('defaults to text, takes each format, and treats --json as --format json', () => {
    assert.equal(parseCheckArgs([], '/ws').format, 'text');
    for (const format of ['text', 'json', 'sarif', 'github']) assert.equal(parseCheckArgs(['--format', format], '/ws').format, format);
    assert.equal(parseCheckArgs(['--json'], '/ws').format, 'json');
    assert.throws(() => parseCheckArgs(['--format', 'xml'], '/ws'), /--format must be text, json, sarif, github/);
    assert.throws(() => parseCheckArgs(['--json', '--format', 'sarif'], '/ws'), UsageError);
  });
});
