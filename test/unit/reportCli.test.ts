// The report-related options of clysm-check, and how a regression looks in the editor.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { parseCheckArgs, UsageError } from '../../bin/src/args';
import { summarize } from '../../server/src/blockers';
import { diagnosticFor, hoverMarkdown, REGRESSION_PREFIX } from '../../server/src/lsp/formPresentation';
import { syntheticForm } from './workspaceHelpers';

describe('clysm-check --report / --baseline / --cache', () => {
  it('parses them as absolute paths', () => {
    const args = parseCheckArgs(['ws', '--report', 'out/r.json', '--baseline', 'b.json', '--cache', '.cache'], '/default');
    assert.equal(args.report, path.resolve('out/r.json'));
    assert.equal(args.baseline, path.resolve('b.json'));
    assert.equal(args.cacheDir, path.resolve('.cache'));
    const none = parseCheckArgs([], '/default');
    assert.equal(none.report, undefined);
    assert.equal(none.baseline, undefined);
    assert.equal(none.cacheDir, undefined);
    assert.throws(() => parseCheckArgs(['--baseline'], '/default'), UsageError);
  });
});

describe('a regression in the editor', () => {
  const form = syntheticForm({ index: 1, operator: 'DEFUN', name: 'A', status: 'failed', message: 'Undefined function: FOO' });

  it('prefixes the diagnostic message and marks its data', () => {
    const d = diagnosticFor(form, true)!;
    assert.equal(d.message, `${REGRESSION_PREFIX}Undefined function: FOO`);
    assert.equal(d.data.regression, true);
    const plain = diagnosticFor(form)!;
    assert.equal(plain.message, 'Undefined function: FOO');
    assert.equal(plain.data.regression, undefined);
  });

  it('says so in the hover, naming the baseline', () => {
    const text = hoverMarkdown(form, { blockers: [], summary: summarize([form]), regressionBaseline: 'report /tmp/b.json' });
    assert.match(text, /\*\*Regression:\*\* this form compiled in the baseline \(report \/tmp\/b\.json\)/);
    assert.doesNotMatch(hoverMarkdown(form, { blockers: [], summary: summarize([form]) }), /Regression/);
  });
});
