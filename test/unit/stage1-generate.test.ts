// Stage 1 generation on the Stage 0 backend, end to end: the fixture Stage 0 (a test double,
// not Clysm) in the real generation worker, the commit, the report, and the failure paths:
// cancel midway, a Stage 0 that writes nothing (stale Stage 1), a trap, and Stage 0 never
// overwritten. Run on Node 24 after `node esbuild.mjs` (dist/stage0-worker.js).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { webAssembly } from '../../server/src/wasm/webAssembly';
import { LineIndex, readTopLevelForms } from '../../server/src/reader';
import { generateStage1, type GenerateStage1Options, type Stage1Outcome } from '../../server/src/stage1/generateStage1';
import type { GenerationProgress } from '../../server/src/backends/generation';
import { defaultOutputSettings, sha256 } from '../../server/src/stage1/outputFiles';
import { fixturePath, repoRoot, stage0Generator, tempWorkspace } from './stage0-helpers';

const exampleModules = ['src/backend/leb128.lisp', 'src/compiler/ast.lisp', 'src/compiler/emit.lisp', 'src/reader/tokenizer.lisp'];

function copyExample(root: string): void {
  fs.cpSync(path.join(repoRoot, 'examples', 'workspace', 'src'), path.join(root, 'src'), { recursive: true });
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  fs.copyFileSync(fixturePath('stage0-fixture.wasm'), path.join(root, 'dist', 'clysm-stage0.wasm'));
}

/** Options for a run on the Stage 0 backend, built for the workspace, Stage 0 and modules given. */
function options(root: string, extra: Partial<GenerateStage1Options> = {}): GenerateStage1Options {
  const merged = {
    workspaceRoot: root,
    modules: exampleModules,
    moduleListSource: 'all .lisp files',
    backendReason: 'test',
    stage0Path: 'dist/clysm-stage0.wasm',
    output: defaultOutputSettings,
    tempRoot: path.join(root, '..', `${path.basename(root)}-staging`),
    timeoutMs: 30_000,
    wasmTools: null,
    ...extra,
  };
  return { ...merged, backend: extra.backend ?? stage0Generator(merged.workspaceRoot, merged.stage0Path, merged.modules) };
}

/** Names in a folder that look like temp or partial files. */
function leftovers(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.startsWith('.') || n.includes('partial'));
}

describe('Generate Stage 1 with the fixture Stage 0', () => {
  let ws: { root: string; cleanup: () => void };
  let outcome: Stage1Outcome;
  const progress: GenerationProgress[] = [];
  before(async () => {
    ws = tempWorkspace('clysm-gen-');
    copyExample(ws.root);
    outcome = await generateStage1(options(ws.root), (p) => progress.push(p));
  });
  after(() => {
    ws.cleanup();
    fs.rmSync(`${ws.root}-staging`, { recursive: true, force: true });
  });

  it('writes a Stage 1 that validates, produced by this run', () => {
    assert.equal(outcome.status, 'generated', outcome.message);
    assert.ok(outcome.stage1);
    const bytes = fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage1.wasm'));
    assert.equal(webAssembly().validate(bytes), true);
    assert.equal(outcome.stage1.sha256, sha256(bytes));
    assert.equal(outcome.stage1.fresh, true);
    assert.equal(outcome.stage1.previous, undefined);
    assert.equal(outcome.validation?.valid, true);
    assert.equal(outcome.stale, undefined);
  });

  it('counts the example workspace like compile_form does: 20 compiled, 21 failed, 8 skipped of 49', () => {
    assert.deepEqual(outcome.counts, { total: 49, compiled: 20, failed: 21, skipped: 8, notProcessed: 0, readErrors: 0, coveragePct: 48.78 });
  });

  it('lists the blocker categories of the report, with impact as % of compilable forms (issue 11)', () => {
    const report = JSON.parse(fs.readFileSync(path.join(ws.root, 'dist', 'stage1-report.json'), 'utf8')) as {
      blockers: { category: string; count: number; impact_pct: number; priority: string }[];
    };
    assert.ok((outcome.blockers ?? []).length > 0);
    assert.deepEqual(outcome.blockers, report.blockers.slice(0, 5).map((b) => ({ category: b.category, count: b.count, impactPct: b.impact_pct, priority: b.priority })));
    // 41 compilable forms (49 − 8 skipped) are the base, as for coverage.
    const top = outcome.blockers![0];
    assert.equal(top.impactPct, Math.round((10000 * top.count) / 41) / 100);
  });

  it('reports progress as module k of n with forms done', () => {
    const compiling = progress.filter((p) => p.phase === 'compiling' && p.moduleNumber !== undefined);
    assert.deepEqual([...new Set(compiling.map((p) => p.moduleNumber))], [1, 2, 3, 4]);
    assert.ok(compiling.every((p) => p.moduleCount === 4 && p.formsTotal === 49));
    assert.equal(compiling[compiling.length - 1].formsDone, 49);
  });

  it('writes the report with Clysm\'s fields, correct counts and per-form positions', () => {
    const report = JSON.parse(fs.readFileSync(path.join(ws.root, 'dist', 'stage1-report.json'), 'utf8')) as {
      summary: { total_forms: number; compiled: number; failed: number; skipped: number; coverage_pct: number };
      modules: { path: string; compiled: number; failed: number; total: number }[];
      forms: { id: string; file: string; line: number; column: number; status: string; message: string | null }[];
      stage1_generation: { output: { sha256: string }; validation: { valid: boolean } };
    };
    assert.deepEqual(Object.keys(report).slice(0, 3), ['timestamp', 'stage0_version', 'summary']);
    assert.deepEqual(report.summary.total_forms, 49);
    assert.deepEqual([report.summary.compiled, report.summary.failed, report.summary.skipped, report.summary.coverage_pct], [20, 21, 8, 48.78]);
    assert.deepEqual(report.modules.map((m) => [m.path, m.total]), [['src/backend/leb128.lisp', 10], ['src/compiler/ast.lisp', 9], ['src/compiler/emit.lisp', 14], ['src/reader/tokenizer.lisp', 16]]);
    assert.equal(report.forms.length, 49);
    // Positions: from the reader, 1-based.
    const text = fs.readFileSync(path.join(ws.root, 'src/compiler/emit.lisp'), 'utf8');
    const loopForm = readTopLevelForms(text).find((f) => f.operator === 'LOOP');
    assert.ok(loopForm);
    const at = new LineIndex(text).positionAt(loopForm.start);
    const entry = report.forms.find((f) => f.id === `3:${loopForm.index}`);
    assert.deepEqual(entry && [entry.file, entry.line, entry.column, entry.status, entry.message], ['src/compiler/emit.lisp', at.line + 1, at.character + 1, 'failed', 'Unsupported form: LOOP']);
    assert.equal(report.stage1_generation.output.sha256, outcome.stage1?.sha256);
    assert.equal(report.stage1_generation.validation.valid, true);
  });

  it('diffs Stage 1 against Stage 0', () => {
    assert.ok(outcome.diff);
    assert.deepEqual(outcome.diff.diff.exports.missing.map((e) => e.name), ['compile_form', 'compile_all', '_initialize']);
    assert.equal(outcome.diff.diff.exports.added.length, 13);
    assert.equal(outcome.diff.bytes.firstDiffOffset, 8 + 1); // header equal; the type section size differs
  });

  it('leaves no temp files, and keeps the previous Stage 1 as clysm-stage1.prev.wasm on the next run', async () => {
    assert.deepEqual(leftovers(path.join(ws.root, 'dist')), []);
    const first = fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage1.wasm'));
    const again = await generateStage1(options(ws.root));
    assert.equal(again.status, 'generated');
    assert.equal(again.stage1?.previous, path.join(ws.root, 'dist', 'clysm-stage1.prev.wasm'));
    assert.deepEqual(fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage1.prev.wasm')), first);
    assert.deepEqual(leftovers(path.join(ws.root, 'dist')), []);
    assert.deepEqual(fs.readdirSync(`${ws.root}-staging`), [], 'staging folders are removed');
  });
});

describe('Generate Stage 1: failure paths', () => {
  let ws: { root: string; cleanup: () => void };
  const oldStage1 = Buffer.from('old Stage 1 from an earlier run');
  before(() => {
    ws = tempWorkspace('clysm-gen-fail-');
    copyExample(ws.root);
  });
  after(() => {
    ws.cleanup();
    fs.rmSync(`${ws.root}-staging`, { recursive: true, force: true });
  });
  const resetOutput = (): void => {
    fs.writeFileSync(path.join(ws.root, 'dist', 'clysm-stage1.wasm'), oldStage1);
    for (const name of ['stage1-report.json', 'clysm-stage1.prev.wasm']) fs.rmSync(path.join(ws.root, 'dist', name), { force: true });
  };
  const distNames = (): string[] => fs.readdirSync(path.join(ws.root, 'dist')).sort();

  it('cancelling midway leaves the previous Stage 1 untouched and no temp file', async () => {
    resetOutput();
    // Module 2 loops forever inside compile_all, so the run is certainly cancelled midway.
    fs.mkdirSync(path.join(ws.root, 'src', 'zz'), { recursive: true });
    fs.writeFileSync(path.join(ws.root, 'src', 'zz', 'loop.lisp'), '(defun spin () (%fixture-loop))\n');
    const controller = new AbortController();
    const seen: GenerationProgress[] = [];
    const outcome = await generateStage1(options(ws.root, { modules: ['src/backend/leb128.lisp', 'src/zz/loop.lisp'] }), (p) => {
      seen.push(p);
      if (p.moduleNumber === 2) controller.abort();
    }, controller.signal);
    fs.rmSync(path.join(ws.root, 'src', 'zz'), { recursive: true, force: true });
    assert.equal(outcome.status, 'cancelled');
    assert.ok(seen.some((p) => p.moduleNumber === 1 && p.formsDone > 0), 'module 1 was compiled before the cancel');
    assert.deepEqual(fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage1.wasm')), oldStage1);
    assert.deepEqual(distNames(), ['clysm-stage0.wasm', 'clysm-stage1.wasm']);
    assert.deepEqual(fs.readdirSync(`${ws.root}-staging`), []);
    assert.equal(outcome.stale?.sha256, sha256(oldStage1));
  });

  it('a Stage 0 whose compile_all writes nothing: the old Stage 1 is reported as stale, never as fresh', async () => {
    resetOutput();
    const outcome = await generateStage1(options(ws.root, { stage0Path: fixturePath('stage0-stub.wasm') }));
    assert.equal(outcome.status, 'no-output');
    assert.equal(outcome.stage1, undefined);
    assert.equal(outcome.stale?.sha256, sha256(oldStage1));
    assert.match(outcome.message, /wrote no Stage 1.*earlier run/);
    assert.deepEqual(outcome.counts && [outcome.counts.total, outcome.counts.notProcessed, outcome.counts.failed], [49, 49, 49]);
    assert.deepEqual(fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage1.wasm')), oldStage1);
    assert.deepEqual(distNames(), ['clysm-stage0.wasm', 'clysm-stage1.wasm'], 'no report for a run without a Stage 1');
  });

  it('a Stage 1 identical to the old one is still this run\'s (its write-bytes happened now)', async () => {
    const first = await generateStage1(options(ws.root));
    const second = await generateStage1(options(ws.root));
    assert.equal(first.status, 'generated');
    assert.equal(second.stage1?.fresh, true);
    assert.equal(second.stage1?.sha256, first.stage1?.sha256);
  });

  it('a trap in compile_all fails the run and writes nothing', async () => {
    resetOutput();
    fs.writeFileSync(path.join(ws.root, 'src', 'trap.lisp'), '(defun boom () (%fixture-trap))\n');
    const outcome = await generateStage1(options(ws.root, { modules: ['src/trap.lisp'] }));
    fs.rmSync(path.join(ws.root, 'src', 'trap.lisp'));
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.message, /compile_all failed: unreachable.*nothing was written/);
    assert.deepEqual(distNames(), ['clysm-stage0.wasm', 'clysm-stage1.wasm']);
    assert.deepEqual(fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage1.wasm')), oldStage1);
  });

  it('never overwrites Stage 0, even when the output name points at it', async () => {
    const stage0 = fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage0.wasm'));
    const outcome = await generateStage1(options(ws.root, { output: { ...defaultOutputSettings, outputName: 'clysm-stage0.wasm' } }));
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.message, /never overwritten/);
    assert.deepEqual(fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage0.wasm')), stage0);
    assert.deepEqual(leftovers(path.join(ws.root, 'dist')), []);
  });

  // Issue 10 item 1: reportName clysm-stage0.wasm or ../src/compiler/ast.lisp overwrote those
  // files with report JSON, and the outcome said `generated`.
  it('a report name that is Stage 0 or a source file fails before anything runs; both files stay as they were', async () => {
    resetOutput();
    const stage0 = fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage0.wasm'));
    const source = fs.readFileSync(path.join(ws.root, 'src', 'compiler', 'ast.lisp'));
    const onStage0 = await generateStage1(options(ws.root, { output: { ...defaultOutputSettings, reportName: 'clysm-stage0.wasm' } }));
    assert.equal(onStage0.status, 'failed');
    assert.equal(onStage0.message, `Stage 1 output refused: clysm.stage1.reportName: ${path.join(ws.root, 'dist', 'clysm-stage0.wasm')} is Stage 0, which is never overwritten; nothing was written`);
    const onSource = await generateStage1(options(ws.root, { output: { ...defaultOutputSettings, reportName: '../src/compiler/ast.lisp' } }));
    assert.equal(onSource.status, 'failed');
    assert.match(onSource.message, /^Stage 1 output refused: clysm\.stage1\.reportName "\.\.\/src\/compiler\/ast\.lisp" must be a plain file name/);
    assert.deepEqual(fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage0.wasm')), stage0);
    assert.deepEqual(fs.readFileSync(path.join(ws.root, 'src', 'compiler', 'ast.lisp')), source);
    assert.deepEqual(fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage1.wasm')), oldStage1);
  });

  // Issue 10 item 2, at generation: the output folder a symbolic link out of the workspace.
  it('an output folder that leads outside the workspace is refused unless the user allowed it', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-gen-outside-'));
    try {
      fs.symlinkSync(outside, path.join(ws.root, 'linked-out'));
      const refused = await generateStage1(options(ws.root, { output: { ...defaultOutputSettings, outputDir: 'linked-out' } }));
      assert.equal(refused.status, 'failed');
      assert.match(refused.message, /clysm\.stage1\.outputDir "linked-out": the output folder .* is outside the workspace folder .*allowOutputOutsideWorkspace/);
      assert.deepEqual(fs.readdirSync(outside), []);
      const allowed = await generateStage1(options(ws.root, { output: { ...defaultOutputSettings, outputDir: 'linked-out' }, allowOutputOutsideWorkspace: true }));
      assert.equal(allowed.status, 'generated', allowed.message);
      assert.deepEqual(fs.readdirSync(outside).sort(), ['clysm-stage1.wasm', 'stage1-report.json']);
    } finally {
      fs.rmSync(path.join(ws.root, 'linked-out'), { force: true });
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  // Issue 10 item 3, at generation: the run fails with the reason, and nothing is committed.
  it('a generator that writes more than the cap fails the run and writes nothing', async () => {
    resetOutput();
    const outcome = await generateStage1(options(ws.root, { writeLimits: { maxBytes: 16, maxFiles: 1000 } }));
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.message, /^Stage 0 compile_all went over its write limits: write-bytes of \d+ bytes to .*clysm-stage1\.wasm refused: .*over the limit of 16 bytes \(clysm\.stage1\.maxOutputMb\); nothing was written$/);
    assert.deepEqual(fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage1.wasm')), oldStage1);
    assert.deepEqual(distNames(), ['clysm-stage0.wasm', 'clysm-stage1.wasm']);
  });

  it('a missing Stage 0 fails with its path', async () => {
    const outcome = await generateStage1(options(ws.root, { stage0Path: 'dist/nope.wasm' }));
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.message, /Stage 0 not found at .*nope\.wasm/);
  });

  it('a timeout stops the generator and writes nothing', async () => {
    resetOutput();
    fs.writeFileSync(path.join(ws.root, 'src', 'spin.lisp'), '(defun spin () (%fixture-loop))\n');
    const outcome = await generateStage1(options(ws.root, { modules: ['src/spin.lisp'], timeoutMs: 500 }));
    fs.rmSync(path.join(ws.root, 'src', 'spin.lisp'));
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.message, /did not finish within 500 ms/);
    assert.deepEqual(fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage1.wasm')), oldStage1);
  });
});

describe('Stage 1 staging folder', () => {
  // Issue 10 item 4: interrupted generations left their staging folders in the temp folder.
  it('a staging folder left by a process that is gone is removed at the next start; a live process\'s is kept', async () => {
    const ws = tempWorkspace('clysm-gen-stale-');
    const tempRoot = `${ws.root}-staging`;
    try {
      copyExample(ws.root);
      const gone = spawnSync(process.execPath, ['-e', '']).pid;
      assert.ok(gone && gone !== process.pid);
      const stale = path.join(tempRoot, `clysm-stage1-${gone}-abc123`);
      const live = path.join(tempRoot, `clysm-stage2-${process.ppid}-def456`);
      const notOurs = path.join(tempRoot, 'clysm-stage1-notes');
      for (const dir of [stale, live, notOurs]) fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
      const outcome = await generateStage1(options(ws.root, { tempRoot }));
      assert.equal(outcome.status, 'generated', outcome.message);
      assert.deepEqual(fs.readdirSync(tempRoot).sort(), [path.basename(notOurs), path.basename(live)].sort());
    } finally {
      ws.cleanup();
      fs.rmSync(tempRoot, { recursive: true, force: true });
    }
  });

  it('is made under the OS temp folder by default and removed afterwards', async () => {
    const ws = tempWorkspace('clysm-gen-tmp-');
    try {
      copyExample(ws.root);
      const before = new Set(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('clysm-stage1-')));
      const outcome = await generateStage1({ ...options(ws.root), tempRoot: undefined });
      assert.equal(outcome.status, 'generated');
      const after = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('clysm-stage1-') && !before.has(n));
      assert.deepEqual(after, []);
    } finally {
      ws.cleanup();
    }
  });
});
