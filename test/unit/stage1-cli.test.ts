// `clysm-check stage1` and `clysm-check diff`, run as separate processes (as the CLI runs
// them), with their exit codes. The diff's expected numbers come from the test builder's own
// accounting (manifest) and hand counts, never from the reader under test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDiffArgs, parseStage1Args } from '../../bin/src/stage1Args';
import { selectBackend } from '../../server/src/backends/createBackend';
import { generateStage1 } from '../../server/src/stage1/generateStage1';
import { defaultOutputSettings } from '../../server/src/stage1/outputFiles';
import { buildClysmLike, type BuildManifest } from '../support/wasm';
import { fixturePath, repoRoot, stage0Generator, tempWorkspace, workerScript } from './stage0-helpers';

const outDir = path.join(repoRoot, 'out');
const distDir = path.join(repoRoot, 'dist');

/** Runs a command module the way clysm-check's dispatch does, in a fresh Node process. */
function cli(command: 'stage1' | 'diff', args: string[]): { code: number | null; stdout: string; stderr: string } {
  const script = command === 'diff'
    ? `require(${JSON.stringify(path.join(outDir, 'bin/src/diffCommand'))}).runDiffCommand(${JSON.stringify(args)}).then((c) => { process.exitCode = c; })`
    : `require(${JSON.stringify(path.join(outDir, 'bin/src/stage1Command'))}).runStage1Command(${JSON.stringify(args)}, undefined, { workerDir: ${JSON.stringify(distDir)} }).then((c) => { process.exitCode = c; })`;
  const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 120_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function sectionSize(m: BuildManifest, name: string): number {
  const s = m.sections.find((x) => x.name === name);
  assert.ok(s, `no ${name} section`);
  return s.size;
}

describe('clysm-check diff', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-diff-cli-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reports exactly an export removed, a type added and a function grown (exit 1)', () => {
    const GROWTH = 37;
    const a = buildClysmLike();
    const b = buildClysmLike({ omitExport: 'compile_all', extraType: true, growCompileFormBy: GROWTH });
    fs.writeFileSync(path.join(dir, 'a.wasm'), a.bytes);
    fs.writeFileSync(path.join(dir, 'b.wasm'), b.bytes);
    const run = cli('diff', [path.join(dir, 'a.wasm'), path.join(dir, 'b.wasm'), '--json']);
    assert.equal(run.code, 1, run.stderr);
    const json = JSON.parse(run.stdout) as {
      identical: boolean;
      size: { a: number; b: number; delta: number };
      sections: { name: string; a: number | null; b: number | null; delta: number }[];
      exports: { a: number; b: number; missing: { name: string; kind: string; signature: string | null }[]; added: unknown[]; changed: unknown[] };
      types: { a: number; b: number; delta: number; only_in_a: string[]; only_in_b: string[] };
      functions: { changed: number; added: number; removed: number; largest: { name: string | null; a: number; b: number; delta: number }[] };
      comparison: { identical: boolean; size_delta: number };
    };
    assert.equal(json.identical, false);
    // The export: the builder exported compile_all from a; b leaves it out.
    const removed = a.manifest.exports.filter((e) => !b.manifest.exports.some((x) => x.name === e.name));
    assert.deepEqual(removed.map((e) => e.name), ['compile_all']);
    assert.deepEqual(json.exports.missing.map((e) => [e.name, e.kind, e.signature]), [['compile_all', 'func', '(result externref)']]);
    assert.deepEqual([json.exports.a, json.exports.b, json.exports.added.length, json.exports.changed.length], [a.manifest.exports.length, b.manifest.exports.length, 0, 0]);
    // The type: one more, a 4-byte struct type (hand count: 0x5f 0x01 0x6c 0x01).
    assert.deepEqual([json.types.a, json.types.b, json.types.delta], [a.manifest.types, a.manifest.types + 1, 1]);
    assert.deepEqual(json.types.only_in_b, ['(struct (field (mut i31ref)))']);
    assert.deepEqual(json.types.only_in_a, []);
    // The function: compile_form's body grew by GROWTH nops, nothing else changed.
    assert.equal(b.manifest.bodySizes[0] - a.manifest.bodySizes[0], GROWTH);
    assert.deepEqual([json.functions.changed, json.functions.added, json.functions.removed], [1, 0, 0]);
    assert.deepEqual(json.functions.largest.map((f) => [f.name, f.a, f.b, f.delta]), [['compile_form', a.manifest.bodySizes[0], b.manifest.bodySizes[0], GROWTH]]);
    // Sections: exactly type, export and code changed, by the builder's own sizes.
    const changed = json.sections.filter((s) => s.delta !== 0).map((s) => [s.name, s.delta]);
    assert.deepEqual(changed, [
      ['type', sectionSize(b.manifest, 'type') - sectionSize(a.manifest, 'type')],
      ['export', sectionSize(b.manifest, 'export') - sectionSize(a.manifest, 'export')],
      ['code', sectionSize(b.manifest, 'code') - sectionSize(a.manifest, 'code')],
    ]);
    assert.deepEqual(changed.map(([, d]) => d), [4, -14, GROWTH]);
    assert.deepEqual([json.size.a, json.size.b, json.size.delta], [a.bytes.length, b.bytes.length, b.bytes.length - a.bytes.length]);
    assert.equal(json.size.delta, 4 - 14 + GROWTH);
    assert.equal(json.comparison.size_delta, json.size.delta);
  });

  it('prints a readable summary without --json', () => {
    const run = cli('diff', [path.join(dir, 'a.wasm'), path.join(dir, 'b.wasm')]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /Exports: 5 → 4 \(0 new, 1 missing, 0 changed\)\n {2}- func compile_all \(result externref\)/);
    assert.match(run.stdout, /Summary: \d+ structural differences/);
    // b no longer exports compile_all, so its name section pairs it; tail was never exported.
    assert.match(run.stdout, /^Functions: 4 paired \(2 by export name, 2 by name section, 0 by index\); 1 changed, 0 added, 0 removed; /m);
    assert.match(run.stdout, /^Changed functions \(1\): compile_form$/m);
    assert.match(run.stdout, /^ +\+37 {2}compile_form {2}\d+ → \d+ bytes {2}\(func 2, by export name\)$/m);
  });

  it('exits 0 for structurally identical modules', () => {
    fs.writeFileSync(path.join(dir, 'a2.wasm'), buildClysmLike().bytes);
    const run = cli('diff', [path.join(dir, 'a.wasm'), path.join(dir, 'a2.wasm')]);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /structurally identical/);
  });

  it('exits 2 for a missing file, a file that is not Wasm, or bad usage', () => {
    fs.writeFileSync(path.join(dir, 'text.wasm'), 'not wasm');
    const missing = cli('diff', [path.join(dir, 'a.wasm'), path.join(dir, 'nope.wasm')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /not found: .*nope\.wasm/);
    const notWasm = cli('diff', [path.join(dir, 'a.wasm'), path.join(dir, 'text.wasm')]);
    assert.equal(notWasm.code, 2);
    assert.match(notWasm.stderr, /is not a readable WebAssembly module/);
    assert.equal(cli('diff', [path.join(dir, 'a.wasm')]).code, 2);
    assert.equal(cli('diff', ['--frobnicate', 'a', 'b']).code, 2);
  });
});

describe('clysm-check stage1', () => {
  let ws: { root: string; cleanup: () => void };
  before(() => {
    ws = tempWorkspace('clysm-stage1-cli-');
    fs.cpSync(path.join(repoRoot, 'examples', 'workspace', 'src'), path.join(ws.root, 'src'), { recursive: true });
    fs.mkdirSync(path.join(ws.root, 'dist'));
    fs.copyFileSync(fixturePath('stage0-fixture.wasm'), path.join(ws.root, 'dist', 'clysm-stage0.wasm'));
  });
  after(() => ws.cleanup());

  it('--json gives the same counts as the generation the language server runs; exit 0 when Stage 1 validates', async () => {
    const run = cli('stage1', [ws.root, '--json', '--out', 'out-cli', '--wasm-tools', 'none']);
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as { status: string; backend: string; backend_reason: string; counts: Record<string, number>; stage1: { path: string; fresh: boolean }; validation: { valid: boolean }; diff: { exports: { missing: { name: string }[] } } };
    assert.equal(json.status, 'generated');
    assert.equal(json.backend, 'stage0');
    assert.match(json.backend_reason, /auto: Stage 0 compiled the probe form/);
    assert.equal(json.stage1.path, path.join(ws.root, 'out-cli', 'clysm-stage1.wasm'));
    assert.equal(json.stage1.fresh, true);
    assert.equal(json.validation.valid, true);
    assert.deepEqual(json.diff.exports.missing.map((e) => e.name), ['compile_form', 'compile_all', '_initialize']);
    const modules = ['src/backend/leb128.lisp', 'src/compiler/ast.lisp', 'src/compiler/emit.lisp', 'src/reader/tokenizer.lisp'];
    const direct = await generateStage1({
      workspaceRoot: ws.root,
      modules,
      moduleListSource: 'all .lisp files',
      backend: stage0Generator(ws.root, 'dist/clysm-stage0.wasm', modules),
      backendReason: 'test',
      stage0Path: 'dist/clysm-stage0.wasm',
      output: { ...defaultOutputSettings, outputDir: 'out-direct' },
      wasmTools: null,
    });
    assert.deepEqual(json.counts, direct.counts);
    assert.deepEqual(json.counts, { total: 49, compiled: 20, failed: 21, skipped: 8, notProcessed: 0, readErrors: 0, coveragePct: 48.78 });
    assert.deepEqual(fs.readFileSync(path.join(ws.root, 'out-cli', 'clysm-stage1.wasm')), fs.readFileSync(path.join(ws.root, 'out-direct', 'clysm-stage1.wasm')));
  });

  it('exit 1 when the Stage 0 writes no Stage 1 (like today\'s Clysm stub); the text says so', () => {
    const run = cli('stage1', [ws.root, '--backend', 'stage0', '--stage0', fixturePath('stage0-stub.wasm'), '--out', 'out-stub', '--wasm-tools', 'none']);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /Stage 1 \(stage0 backend; --backend stage0\): no-output/);
    assert.equal(fs.existsSync(path.join(ws.root, 'out-stub')), false);
  });

  it('"auto" chooses with the language server\'s rule: a stub Stage 0 and no clysm.asd keep Stage 0, with its reason', async () => {
    const stub = fixturePath('stage0-stub.wasm');
    const run = cli('stage1', [ws.root, '--json', '--stage0', stub, '--out', 'out-auto-stub', '--wasm-tools', 'none']);
    assert.equal(run.code, 1, run.stderr);
    const json = JSON.parse(run.stdout) as { backend: string; backend_reason: string };
    const server = await selectBackend({ mode: 'auto', workspaceRoot: ws.root, stage0Path: stub, timeoutMs: 5000, modules: ['src/backend/leb128.lisp'], stage0WorkerScript: workerScript });
    await server.backend.dispose();
    assert.equal(json.backend, server.backend.kind);
    assert.equal(json.backend_reason, server.reason);
    assert.match(json.backend_reason, /^auto: Stage 0 is not usable \(stub: .*\), and the workspace has no clysm\.asd for the SBCL backend$/);
  });

  it('--fixed-point says plainly that the fixture\'s Stage 1 cannot compile (exit 1)', () => {
    const run = cli('stage1', [ws.root, '--out', 'out-fp', '--fixed-point', '--wasm-tools', 'none']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /Fixed point: cannot-compile\n {2}Stage 1 cannot compile: Stage 1 does not export compile_all/);
  });

  it('exit 2 on usage errors and a missing workspace', () => {
    assert.equal(cli('stage1', ['--backend', 'wasm']).code, 2);
    assert.equal(cli('stage1', [path.join(ws.root, 'no-such-folder')]).code, 2);
  });
});

describe('stage1 / diff argument parsing', () => {
  it('parses the documented options', () => {
    const args = parseStage1Args(['ws', '--out', 'o', '--json', '--backend', 'sbcl', '--wasm-tools', 'none', '--timeout-ms', '5', '--fixed-point'], '/default');
    assert.deepEqual(
      [path.basename(args.workspace), args.out, args.json, args.backend, args.wasmTools, args.timeoutMs, args.fixedPoint],
      ['ws', 'o', true, 'sbcl', null, 5, true],
    );
    assert.equal(parseStage1Args([], '/default').workspace, '/default');
    const named = parseStage1Args(['--name', 's1.wasm', '--report-name', 'r.json', '--allow-output-outside-workspace', '--max-output-mb', '8', '--max-output-files', '3'], '/d');
    assert.deepEqual([named.name, named.reportName, named.allowOutsideWorkspace, named.maxOutputMb, named.maxOutputFiles], ['s1.wasm', 'r.json', true, 8, 3]);
    assert.throws(() => parseStage1Args(['--max-output-files', '0'], '/d'), /--max-output-files needs a positive integer/);
    assert.throws(() => parseStage1Args(['--timeout-ms', '-1'], '/d'), /positive integer/);
    assert.throws(() => parseStage1Args(['a', 'b'], '/d'), /unexpected argument b/);
    assert.deepEqual(parseDiffArgs(['x.wasm', 'y.wasm', '--json']).json, true);
    assert.throws(() => parseDiffArgs(['x.wasm']), /exactly two files/);
  });
});
