import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregateBlockers, buildRootCauses, rootCauseByForm, summarize } from '../../server/src/blockers';
import { diagnosticFor, documentDiagnostics, hoverMarkdown } from '../../server/src/lsp/formPresentation';
import type { AnalyzedForm, FormResult } from '../../server/src/types';

let counter = 0;
function analyzed(result: FormResult, extra: Partial<AnalyzedForm> = {}): AnalyzedForm {
  const index = counter++;
  return {
    file: 'src/m.lisp',
    id: `1:${index}`,
    moduleIndex: 1,
    form: {
      index,
      kind: 'list',
      range: { start: { line: index, character: 0 }, end: { line: index, character: 20 } },
      start: index * 21,
      end: index * 21 + 20,
      text: '(defun f (x) (g x))',
      operator: 'DEFUN',
      name: 'F',
      package: 'CL-USER',
    },
    result,
    ...extra,
  };
}

describe('diagnostics for analysed forms', () => {
  it('gives failing forms one Error diagnostic coded by category, on the blamed subform', () => {
    const blameRange = { start: { line: 0, character: 14 }, end: { line: 0, character: 15 } };
    const form = analyzed({ status: 'failed', message: 'Undefined function: G' }, { category: 'missing-function', blameRange });
    const d = diagnosticFor(form);
    assert.ok(d);
    assert.equal(d.severity, 1);
    assert.equal(d.code, 'missing-function');
    assert.equal(d.source, 'clysm');
    assert.equal(d.message, 'Undefined function: G');
    assert.deepEqual(d.range, blameRange);
    assert.deepEqual(d.data, { id: form.id, status: 'failed' });
  });

  it('without a blamed subform, squiggles the operator and the name (not the body), and warns for timeouts', () => {
    const form = analyzed({ status: 'timeout', message: 'Stage 0 ran longer than 5000 ms' }, { category: 'timeout' });
    const d = diagnosticFor(form);
    assert.ok(d);
    assert.equal(d.severity, 2);
    const line = form.form.range.start.line;
    assert.deepEqual(d.range, { start: { line, character: 1 }, end: { line, character: '(defun f'.length } });
  });

  it('gives a one-line summary of at most 200 characters, and links the category to its docs section', () => {
    const dump = `#S(PKG:AST-VALUES\n   :FORMS (${'#S(PKG:AST-CALL :FUNCTION LIST :ARGUMENTS NIL) '.repeat(100)}))\nfell through ETYPECASE expression.`;
    const d = diagnosticFor(analyzed({ status: 'failed', message: dump }, { category: 'type-error' }));
    assert.equal(d?.message, '#S(PKG:AST-VALUES …) fell through ETYPECASE expression.');
    assert.match(d?.codeDescription.href ?? '', /docs\/blockers\.md#type-error$/);
    const long = diagnosticFor(analyzed({ status: 'failed', message: `Bad: ${'word '.repeat(80)}` }, { category: 'unknown-error' }));
    assert.ok((long?.message.length ?? 0) <= 200 && long?.message.endsWith('…'));
    assert.match(diagnosticFor(analyzed({ status: 'failed', message: 'x' }, { category: 'unsupported-defvar' }))?.codeDescription.href ?? '', /#unsupported-op$/);
  });

  it('gives compiled, skipped and no-output forms no diagnostic', () => {
    for (const status of ['compiled', 'skipped', 'no-output'] as const) assert.equal(diagnosticFor(analyzed({ status })), undefined);
  });
});

describe('hover text', () => {
  const failing = [
    analyzed({ status: 'failed', message: 'Undefined function: G' }, { category: 'missing-function', recommendation: 'Define G or add it as a runtime import' }),
    analyzed({ status: 'failed', message: 'Undefined function: G' }, { category: 'missing-function' }),
    analyzed({ status: 'failed', message: 'Undefined function: H' }, { category: 'missing-function' }),
  ];
  const compiled = analyzed({ status: 'compiled', bytes: 41, durationMs: 0.25 });
  const skipped = analyzed({ status: 'skipped' });
  const all = [...failing, compiled, skipped];
  const context = { blockers: aggregateBlockers(all), summary: summarize(all) };
  const causes = rootCauseByForm(buildRootCauses(all, summarize(all)));

  it('shows status, the summary once, the full message, the root cause with its impact, and the recommendation', () => {
    const origin = { function: 'PKG::COMPILE-CALL', file: 'src/compiler/codegen.lisp', line: 120, column: 1 };
    const text = hoverMarkdown(failing[0], { ...context, rootCause: causes.get(failing[0].id), root: '/ws' });
    assert.match(text, /form `1:\d+` · `DEFUN F` — \*\*failed\*\*/);
    assert.match(text, /Blocker: `missing-function` · 3 forms in this category \(75\.00% of the 4 compilable forms/);
    assert.equal(text.split('\n\n')[1], 'Undefined function: G', 'the summary, once, right after the head');
    assert.match(text, /```text\nUndefined function: G\n```\n\[Open Full Message\]\(command:clysm\.openFullMessage\?/);
    // Two forms miss G: one root cause; fixing it unlocks both; coverage 1/4 → 3/4.
    assert.match(text, /\*\*Root cause\*\* `missing-function`: 2 forms fail with it \(this one and 1 more\); fixing it unlocks 2 forms: coverage 25\.00% → 75\.00%/);
    assert.match(text, /\[Show All Forms with This Root Cause\]\(command:clysm\.showRootCause\?/);
    assert.match(text, /\*\*Recommendation:\*\* Define G/);
    const cause = causes.get(failing[0].id);
    assert.ok(cause);
    const withOrigin = hoverMarkdown(failing[0], { ...context, rootCause: { ...cause, origin }, root: '/ws' });
    const link = /Raised in `COMPILE-CALL` \(src\/compiler\/codegen\.lisp:120\) · \[Go to Compiler Source\]\(command:clysm\.openLocation\?([^)]+)\)/.exec(withOrigin);
    assert.ok(link, withOrigin);
    assert.deepEqual(JSON.parse(decodeURIComponent(link[1])), [{ path: '/ws/src/compiler/codegen.lisp', line: 120, column: 1, function: 'PKG::COMPILE-CALL', name: 'COMPILE-CALL', file: 'src/compiler/codegen.lisp' }]);
  });

  it('bounds the fenced message to 30 lines and still links the full one', () => {
    const message = Array.from({ length: 80 }, (_, i) => `line ${i} ${'x'.repeat(i === 3 ? 500 : 10)}`).join('\n');
    const text = hoverMarkdown(analyzed({ status: 'failed', message }, { category: 'unknown-error' }), context);
    const fence = /```text\n([\s\S]*?)\n```/.exec(text)?.[1] ?? '';
    assert.equal(fence.split('\n').length, 31);
    assert.match(fence, /^line 29 x+$/m);
    assert.doesNotMatch(fence, /^line 30 /m);
    assert.match(fence, /… 50 more lines$/);
    assert.ok(fence.split('\n').every((l) => l.length <= 200));
    assert.match(text, /\[Open Full Message\]/);
  });

  it('shows the size of a compiled form and what skipped means, and no backend time', () => {
    assert.match(hoverMarkdown(compiled, context), /\*\*compiled\*\*: 41 bytes of valid Wasm/);
    // Per-form timings are noise in a hover (issue 11): they belong in the benchmark.
    assert.doesNotMatch(hoverMarkdown(compiled, context), /ms in the backend/);
    assert.match(hoverMarkdown(skipped, context), /\*\*skipped\*\*: a directive/);
  });

  it('says a read error is not a form, with no blocker share and no other form in it', () => {
    const stray = analyzed({ status: 'read-error', message: 'unmatched close parenthesis' }, { category: 'read-error' });
    const withStray = [...all, stray];
    const text = hoverMarkdown(stray, { blockers: aggregateBlockers(withStray), summary: summarize(withStray) });
    assert.match(text, /\*\*read error\*\*: the reader could not read this text, so it is not a form/);
    assert.match(text, /unmatched close parenthesis/);
    assert.match(text, /1 read error in the analysed modules, counted apart from the 5 forms\./);
    assert.doesNotMatch(text, /share this blocker|compiled|bytes/);
  });

  it('keeps a multi-line message verbatim inside a fence', () => {
    const form = analyzed({ status: 'failed', message: 'Compile-time directive error in (X):\n  Package error: ```boom```' }, { category: 'unknown-error' });
    const text = hoverMarkdown(form, context);
    assert.match(text, /```text\nCompile-time directive error in \(X\):\n {2}Package error: /);
    assert.equal((text.match(/```/g) ?? []).length, 2, 'inner fences are broken up, and the summary escapes them');
  });
});

describe('stale results (a restored snapshot the backend has not re-checked)', () => {
  const failed = analyzed({ status: 'failed', message: 'Undefined function: G' }, { category: 'missing-function' });
  const context = { blockers: [], summary: summarize([failed]) };

  it('says so in the hover, with the local time and how long ago, and why', () => {
    const zone = process.env.TZ;
    process.env.TZ = 'Asia/Tokyo'; // UTC+9, no daylight saving: 13:02 UTC is 22:02 local
    try {
      const savedAt = new Date('2026-12-03T13:02:00Z');
      const at = (hours: number) => ({ savedAt, now: new Date(savedAt.getTime() + hours * 3_600_000), reason: 'the backend is still starting' });
      const lines = hoverMarkdown(failed, { ...context, stale: at(2) }).split('\n\n');
      assert.equal(lines[1], '**Stale:** this result is from the last session, saved 3 Dec 2026, 22:02 (2 hours ago); not re-checked: the backend is still starting.');
      assert.match(hoverMarkdown(failed, { ...context, stale: at(30) }), /\(yesterday\)/);
      assert.match(hoverMarkdown(failed, { ...context, stale: at(0.5) }), /\(30 minutes ago\)/);
      assert.match(hoverMarkdown(analyzed({ status: 'compiled', bytes: 9 }), { ...context, stale: at(2) }), /\*\*Stale:\*\*/);
      assert.doesNotMatch(hoverMarkdown(failed, context), /Stale/);

      const d = diagnosticFor(failed, true, at(2));
      assert.equal(d?.message, 'Stale (last session, saved 3 Dec 2026, 22:02): Regression: Undefined function: G');
      assert.deepEqual(d?.data, { id: failed.id, status: 'failed', regression: true, stale: true });
      assert.equal(diagnosticFor(failed)?.data.stale, undefined);
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});

describe('the diagnostics of a document', () => {
  it('puts the file problem first, then one diagnostic per failing form, with regressions marked', () => {
    const failing = analyzed({ status: 'failed', message: 'Undefined function: G' });
    const compiled = analyzed({ status: 'compiled', bytes: 10 });
    const items = documentDiagnostics([compiled, failing], { isRegression: (f) => f === failing, fileProblem: 'File is not valid UTF-8' });
    assert.deepEqual(items[0], {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      severity: 2,
      source: 'clysm',
      code: 'file',
      message: 'File is not valid UTF-8',
    });
    assert.equal(items.length, 2);
    assert.equal(items[1].message, 'Regression: Undefined function: G');
    assert.deepEqual(documentDiagnostics([compiled], { isRegression: () => false }), []);
    const stale = { savedAt: new Date('2026-12-03T13:02:00Z'), now: new Date('2026-12-03T14:02:00Z'), reason: 'the backend is still starting' };
    assert.match(documentDiagnostics([failing], { isRegression: () => false, stale })[0].message, /^Stale \(last session/);
  });
});
