// Stage 1 on the SBCL backend: the shipped driver (op generate-stage1) runs the stand-in
// clysm/stage1:generate-stage1 (a test double in test/fixtures/clysm-standin/src/stage1.lisp,
// not Clysm) in a separate SBCL, with the V8 stand-in for `wasm-tools validate` when wasm-tools
// is not installed. The real Clysm checkout was measured by hand (docs/stage1.md).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SbclBackend } from '../../server/src/backends/sbcl/sbclBackend';
import { generateStage1, type GenerateStage1Options, type Stage1Outcome } from '../../server/src/stage1/generateStage1';
import { SbclGenerationCollector } from '../../server/src/backends/sbcl/stage1Generation';
import { repoRoot } from '../support/repo';

const workspace = path.join(repoRoot, 'test', 'fixtures', 'sbcl-stage1-workspace');
const modules = ['src/a/first.lisp', 'src/b/second.lisp'];

/** Options for a run on an SBCL backend (not started: generation runs on an SBCL of its own) for the workspace given. */
function options(outDir: string, extra: Partial<GenerateStage1Options> = {}): GenerateStage1Options {
  const merged = {
    workspaceRoot: workspace,
    modules,
    moduleListSource: 'all .lisp files',
    backendReason: 'test',
    stage0Path: 'dist/clysm-stage0.wasm',
    output: { outputDir: outDir, outputName: 'clysm-stage1.wasm', reportName: 'stage1-report.json' },
    timeoutMs: 120_000,
    // Never the real wasm-tools here, so the stand-in path is what is tested.
    wasmTools: null,
    // The output goes to a temp folder outside the fixture (the sandbox rule has tests of its own).
    allowOutputOutsideWorkspace: true,
    ...extra,
  };
  return { ...merged, backend: new SbclBackend({ workspaceRoot: merged.workspaceRoot, dynamicSpaceSizeMb: 512 }) };
}

describe('Generate Stage 1 on the SBCL backend (stand-in generator)', () => {
  let out: string;
  let outcome: Stage1Outcome;
  before(async () => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-sbcl-stage1-'));
    outcome = await generateStage1(options(out));
  });
  after(() => fs.rmSync(out, { recursive: true, force: true }));

  it('runs the generator and commits a Stage 1 that validates', () => {
    assert.equal(outcome.status, 'generated', outcome.message);
    assert.equal(outcome.validation?.valid, true);
    assert.match(outcome.generator ?? '', /^clysm\/stage1:generate-stage1 on SBCL/);
    assert.match(outcome.formValidator ?? '', /stand-in for wasm-tools validate/);
    assert.ok(outcome.warnings.some((w) => /wasm-tools is not on the PATH/.test(w)));
  });

  it('has the generator\'s counts, equal to what its own report says', () => {
    assert.deepEqual(outcome.counts, { total: 9, compiled: 3, failed: 2, skipped: 4, notProcessed: 0, readErrors: 0, coveragePct: 60 });
    assert.deepEqual(outcome.clysmCounts, { total_forms: 9, compiled: 3, failed: 2, skipped: 4 });
  });

  it('has per-form results with positions, including the validator rejecting a compiled form', () => {
    const report = JSON.parse(fs.readFileSync(path.join(out, 'stage1-report.json'), 'utf8')) as { forms: { id: string; line: number; status: string; message: string | null }[] };
    const byId = Object.fromEntries(report.forms.map((f) => [f.id, [f.status, f.line, f.message]]));
    assert.deepEqual(byId['1:2'], ['compiled', 6, null]);
    assert.deepEqual(byId['1:3'], ['failed', 8, 'Undefined function: UNDEFINED-THING']);
    assert.deepEqual(byId['2:1'], ['failed', 4, 'Compilation or validation failed']);
    assert.equal(byId['1:0'][0], 'skipped');
    assert.match(String(byId['1:0'][2]), /IN-PACKAGE.*counts it as skipped/);
    assert.equal(byId['2:3'][0], 'skipped');
  });

  it('keeps the generator\'s defun-errors.json with the output, and writes nothing into the workspace', () => {
    assert.ok(fs.existsSync(path.join(out, 'defun-errors.json')));
    assert.equal(fs.existsSync(path.join(workspace, 'dist')), false);
    assert.deepEqual(fs.readdirSync(out).sort(), ['clysm-stage1.wasm', 'defun-errors.json', 'stage1-report.json']);
  });

  it('cancelling kills SBCL and writes nothing', async () => {
    const out2 = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-sbcl-cancel-'));
    try {
      const controller = new AbortController();
      const cancelled = await generateStage1(options(out2), (p) => {
        if (p.phase === 'compiling') controller.abort();
      }, controller.signal);
      assert.equal(cancelled.status, 'cancelled');
      assert.deepEqual(fs.readdirSync(out2), []);
    } finally {
      fs.rmSync(out2, { recursive: true, force: true });
    }
  });

  it('a workspace without clysm.asd fails clearly', async () => {
    const outcome2 = await generateStage1(options(out, { workspaceRoot: path.join(repoRoot, 'examples', 'workspace'), modules: ['src/backend/leb128.lisp'] }));
    assert.equal(outcome2.status, 'failed');
    assert.match(outcome2.message, /has no clysm\.asd/);
  });

  it('a clysm system without a Stage 1 generator fails clearly', async () => {
    const outcome3 = await generateStage1(options(out, { workspaceRoot: path.join(repoRoot, 'test', 'fixtures', 'sbcl-workspace'), modules: ['src/app/package.lisp'] }));
    assert.equal(outcome3.status, 'failed');
    assert.match(outcome3.message, /has no CLYSM\/STAGE1:GENERATE-STAGE1/);
  });
});

describe('Generate Stage 1 on SBCL reads modules with *read-eval* NIL', () => {
  it('a module\'s #.(...) is not evaluated by the generator', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-sbcl-read-eval-'));
    const out = path.join(root, 'out');
    const marker = path.join(root, 'evaluated');
    try {
      // The stand-in system, from an .asd here (the fixture's own .asd names its sources relatively).
      const sources = path.join(repoRoot, 'test', 'fixtures', 'clysm-standin', 'src');
      fs.writeFileSync(path.join(root, 'clysm.asd'), `(defsystem "clysm" :pathname ${JSON.stringify(`${sources}/`)} :serial t :components ((:file "package") (:file "wasm") (:file "compiler") (:file "stage1")))\n`);
      fs.mkdirSync(path.join(root, 'src'));
      fs.writeFileSync(path.join(root, 'src', 'evil.lisp'), `(defvar *x* #.(progn (with-open-file (s ${JSON.stringify(marker)} :direction :output) (write-line "ran" s)) 1))\n`);
      const outcome = await generateStage1(options(out, { workspaceRoot: root, modules: ['src/evil.lisp'] }));
      assert.equal(fs.existsSync(marker), false, 'the #. form ran during generation');
      assert.equal(outcome.status, 'failed', outcome.message);
      assert.match(outcome.message, /READ-EVAL/i);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('SBCL generator messages', () => {
  it('folds driver lines into modules, results, non-compilable forms and progress', () => {
    const c = new SbclGenerationCollector();
    const event = { type: 'stage1-event', id: 7 } as const;
    c.add({ ...event, kind: 'module', index: 1, path: 'src/a.lisp', status: 'DONE', forms: [{ id: '1:0', operator: 'IN-PACKAGE', compilable: false }, { id: '1:1', operator: 'DEFUN', compilable: true }] });
    c.add({ ...event, kind: 'phase', phase: 'compiling', total: 1 });
    c.add({ ...event, kind: 'progress', done: 1, total: 1, module: 1 });
    c.add({ ...event, kind: 'result', form: '1:1', status: 'failed', message: null });
    c.add({ ...event, kind: 'done' });
    assert.deepEqual(c.progress(), { phase: 'compiling', moduleNumber: 1, moduleCount: 1, module: 'src/a.lisp', formsDone: 1, formsTotal: 1 });
    assert.deepEqual(c.forms().map((f) => [f.id, f.status, f.message]), [
      ['1:1', 'failed', 'Compilation or validation failed'],
      ['1:0', 'skipped', "not compiled by Clysm's generator (IN-PACKAGE); its report counts it as skipped"],
    ]);
    assert.equal(c.done, true);
  });
});
