// "Verify Fixed Point": an honest `cannot-compile` for a Stage 1 without a working compile_all
// (today's Clysm, and the fixture's own Stage 1), and a real Stage 2 + byte comparison when
// the "Stage 1" can compile (the fixture Stage 0 put in its place). Expected offsets are
// computed here with a plain loop, not with compareBytes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cannotCompileReason, probeCompiler, verifyFixedPoint, type FixedPointOptions } from '../../server/src/stage1/fixedPoint';
import { generateStage1 } from '../../server/src/stage1/generateStage1';
import { defaultOutputSettings } from '../../server/src/stage1/outputFiles';
import { fixturePath, repoRoot, stage0Generator, tempWorkspace, workerScript } from './stage0-helpers';

const modules = ['src/backend/leb128.lisp', 'src/compiler/ast.lisp'];

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

describe('Verify Fixed Point', () => {
  let ws: { root: string; cleanup: () => void };
  let opts: FixedPointOptions;
  const stage1 = (): string => path.join(ws.root, 'dist', 'clysm-stage1.wasm');
  before(() => {
    ws = tempWorkspace('clysm-fixpoint-');
    fs.cpSync(path.join(repoRoot, 'examples', 'workspace', 'src'), path.join(ws.root, 'src'), { recursive: true });
    fs.mkdirSync(path.join(ws.root, 'dist'));
    fs.copyFileSync(fixturePath('stage0-fixture.wasm'), path.join(ws.root, 'dist', 'clysm-stage0.wasm'));
    opts = { workspaceRoot: ws.root, modules, output: defaultOutputSettings, stage0Path: 'dist/clysm-stage0.wasm', workerScript, wasmTools: null, timeoutMs: 30_000 };
  });
  after(() => ws.cleanup());

  it('says plainly that there is no Stage 1 yet', async () => {
    const outcome = await verifyFixedPoint(opts);
    assert.equal(outcome.status, 'missing-stage1');
    assert.equal(outcome.comparison, undefined);
  });

  it('the fixture\'s Stage 1 cannot compile (no compile_all): no Stage 2, no comparison', async () => {
    const generated = await generateStage1({
      workspaceRoot: ws.root, modules, moduleListSource: 'test', backend: stage0Generator(ws.root, 'dist/clysm-stage0.wasm', modules), backendReason: 'test', stage0Path: 'dist/clysm-stage0.wasm',
      output: defaultOutputSettings, wasmTools: null,
    });
    assert.equal(generated.status, 'generated');
    const outcome = await verifyFixedPoint(opts);
    assert.equal(outcome.status, 'cannot-compile');
    assert.match(outcome.message, /Stage 1 does not export compile_all.*There is no Stage 2, so there is no fixed-point result/);
    assert.equal(outcome.stage2, undefined);
    assert.equal(outcome.comparison, undefined);
    assert.equal(fs.existsSync(path.join(ws.root, 'dist', 'clysm-stage2.wasm')), false);
  });

  it('a Stage 1 like Clysm\'s stub (compile_all returns null, writes nothing) cannot compile either', async () => {
    fs.copyFileSync(fixturePath('stage0-stub.wasm'), stage1());
    const outcome = await verifyFixedPoint(opts);
    assert.equal(outcome.status, 'cannot-compile');
    assert.match(outcome.message, /compile_all ran \(0 forms reported\) but wrote no module/);
    assert.deepEqual(outcome.probe?.exports, ['compile_form', 'compile_all', '_initialize']);
    assert.equal(outcome.comparison, undefined);
  });

  it('a Stage 1 importing something outside the host ABI cannot be run, and says which import', async () => {
    fs.copyFileSync(fixturePath('stage0-unknown-import.wasm'), stage1());
    const outcome = await verifyFixedPoint(opts);
    assert.equal(outcome.status, 'cannot-compile');
    assert.match(outcome.message, /imports clysm\.fs\/bogus, which the Stage 0 host ABI does not provide/);
  });

  it('a Stage 1 that compiles gives a Stage 2 and a byte comparison (0-based first offset)', async () => {
    // The fixture Stage 0 standing in for a Stage 1 that can compile.
    fs.copyFileSync(fixturePath('stage0-fixture.wasm'), stage1());
    const outcome = await verifyFixedPoint(opts);
    assert.equal(outcome.status, 'not-achieved', outcome.message);
    const stage2Path = path.join(ws.root, 'dist', 'clysm-stage2.wasm');
    const a = fs.readFileSync(stage1());
    const b = fs.readFileSync(stage2Path);
    assert.equal(outcome.stage2?.path, stage2Path);
    assert.equal(outcome.stage2?.validation.valid, true);
    assert.equal(outcome.comparison?.firstDiffOffset, firstDifference(a, b));
    assert.equal(outcome.comparison?.sizeDelta, b.length - a.length);
    assert.match(outcome.message, new RegExp(`first difference at byte offset ${firstDifference(a, b)} \\(0-based\\)`));
    assert.deepEqual(outcome.stage2Forms, { reported: 19, compiled: 9, failed: 7, skipped: 3 });
    assert.ok(outcome.structural);
  });

  it('probe and reason are pure functions of the module', () => {
    const probe = probeCompiler(fs.readFileSync(fixturePath('stage0-no-compile-form.wasm')));
    assert.equal(probe.hasCompileAll, true);
    assert.equal(cannotCompileReason(probe), undefined);
    const none = probeCompiler(Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
    assert.match(cannotCompileReason(none) ?? '', /does not export compile_all; it exports: nothing/);
  });
});
