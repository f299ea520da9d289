// The fixture Stage 0's compile_all (a test double, not Clysm), run in this thread with the
// generation host: every form of the example workspace is reported with the same outcome as
// compile_form gives it, and the Stage 1 it writes is a valid module with one export per
// compiled defun. Run on Node 24 (./node_modules/.bin/node).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildImportObject } from '../../server/src/backends/stage0/hostImports';
import { Stage0Instance } from '../../server/src/backends/stage0/stage0Instance';
import { stage0CompileOptions, webAssembly } from '../../server/src/wasm/webAssembly';
import { readTopLevelForms } from '../../server/src/reader';
import { compileAllImports, type HostEvent } from '../../server/src/backends/stage0/compileAllHost';
import { CompileAllCollector } from '../../server/src/backends/stage0/compileAll';
import { WriteLimitExceeded, type WriteLimits } from '../../server/src/sandbox/writeBudget';
import { stage1Notice } from '../fixtures/stage0/compileAll';
import { exampleWorkspace, readFixture } from './stage0-helpers';

const modules = ['src/backend/leb128.lisp', 'src/compiler/ast.lisp', 'src/compiler/emit.lisp', 'src/reader/tokenizer.lisp'];

function runCompileAllInProcess(bytes: Uint8Array, stagingDir: string, workspaceRoot = exampleWorkspace, moduleList = modules, events: HostEvent[] = [], writeLimits?: WriteLimits): { events: HostEvent[]; returned: unknown } {
  const wasm = webAssembly();
  const module = new wasm.Module(bytes, stage0CompileOptions);
  const imports = buildImportObject(wasm.Module.imports(module), compileAllImports({ workspaceRoot, modules: moduleList, stagingDir, protectedFiles: [], writeLimits }, (e) => events.push(e)));
  const instance = new wasm.Instance(module, imports);
  (instance.exports['_initialize'] as () => unknown)();
  const returned = (instance.exports['compile_all'] as () => unknown)();
  return { events, returned };
}

describe('fixture Stage 0: compile_all', () => {
  let staging: string;
  let events: HostEvent[];
  let collector: CompileAllCollector;
  before(() => {
    staging = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-compile-all-'));
    ({ events } = runCompileAllInProcess(readFixture('stage0-fixture.wasm'), staging));
    collector = new CompileAllCollector(modules, 'clysm-stage1.wasm');
    for (const e of events) collector.add(e);
  });
  after(() => fs.rmSync(staging, { recursive: true, force: true }));

  it('reports every module with the form count of the editor reader, in list order', () => {
    const starts = events.filter((e) => e.kind === 'report-start');
    assert.deepEqual(starts.map((e) => e.kind === 'report-start' && [e.module, e.formCount]), modules.map((m) => [m, readTopLevelForms(fs.readFileSync(path.join(exampleWorkspace, m), 'utf8')).length]));
    assert.equal(events.filter((e) => e.kind === 'module-complete').length, 4);
  });

  it('gives every form the outcome compile_form gives it (status, error type, message)', () => {
    const stage0 = Stage0Instance.load(readFixture('stage0-fixture.wasm'), { workspaceRoot: exampleWorkspace, modules: [] });
    const byId = new Map(collector.forms.map((f) => [f.id, f]));
    let compared = 0;
    modules.forEach((m, i) => {
      const text = fs.readFileSync(path.join(exampleWorkspace, m), 'utf8');
      for (const form of readTopLevelForms(text)) {
        const perForm = stage0.compile(form.text, form.package);
        const all = byId.get(`${i + 1}:${form.index}`);
        assert.ok(all, `compile_all reported ${i + 1}:${form.index}`);
        assert.equal(all.status, perForm.status, `${i + 1}:${form.index} ${form.text.slice(0, 40)}`);
        assert.equal(all.errorType, perForm.status === 'failed' ? perForm.errorType : undefined);
        assert.equal(all.message, perForm.status === 'failed' ? perForm.message : undefined);
        compared++;
      }
    });
    assert.equal(compared, 49);
    assert.equal(collector.forms.length, 49);
  });

  it('counts match the example workspace README (20 compiled, 21 failed, 8 skipped)', () => {
    const count = (s: string): number => collector.forms.filter((f) => f.status === s).length;
    assert.deepEqual([count('compiled'), count('failed'), count('skipped')], [20, 21, 8]);
  });

  it('module-complete carries the module\'s own compiled and failed counts', () => {
    const completes = events.flatMap((e) => (e.kind === 'module-complete' ? [[e.compiled, e.failed]] : []));
    assert.deepEqual(completes, [[4, 4], [5, 3], [5, 7], [6, 7]]);
  });

  it('writes one valid Stage 1 with an export per compiled defun, returning the form length', () => {
    const writes = events.filter((e) => e.kind === 'write');
    assert.equal(writes.length, 1);
    const write = writes[0];
    assert.ok(write.kind === 'write' && write.ok);
    assert.equal(path.basename(write.file), 'clysm-stage1.wasm');
    const bytes = fs.readFileSync(write.file);
    assert.equal(bytes.length, write.size);
    const wasm = webAssembly();
    assert.equal(wasm.validate(bytes), true);
    const module = new wasm.Module(bytes);
    // The compiled defuns, from the per-form results and the reader (independent of the Stage 1 bytes).
    const expected: Array<[string, number]> = [];
    modules.forEach((m, i) => {
      const text = fs.readFileSync(path.join(exampleWorkspace, m), 'utf8');
      for (const form of readTopLevelForms(text)) {
        const result = collector.forms.find((f) => f.id === `${i + 1}:${form.index}`);
        if (result?.status === 'compiled' && form.operator === 'DEFUN' && form.name) expected.push([form.name.toLowerCase(), form.text.length]);
      }
    });
    assert.equal(expected.length, 13);
    assert.deepEqual(wasm.Module.exports(module).map((e) => e.name), expected.map(([n]) => n));
    const instance = new wasm.Instance(module, {});
    for (const [exportName, length] of expected) assert.equal((instance.exports[exportName] as () => number)(), length, exportName);
    assert.equal(Buffer.from(wasm.Module.customSections(module, 'clysm-vscode.test-double')[0]).toString('utf8'), stage1Notice);
    assert.deepEqual(collector.output, { file: write.file, size: write.size, sha256: write.sha256 });
  });

  it('a trapping form aborts compile_all (a trap is not catchable in Wasm)', () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-compile-all-trap-'));
    try {
      fs.writeFileSync(path.join(ws, 'a.lisp'), '(defun ok () 1)\n(defun bad () (%fixture-trap))\n');
      assert.throws(() => runCompileAllInProcess(readFixture('stage0-fixture.wasm'), ws, ws, ['a.lisp']), /unreachable/);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  // Issue 10 item 3: the write that goes over the run's cap stops compile_all, and the run fails.
  it('a write over the run\'s byte cap stops compile_all and fails the run; nothing is staged', () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-compile-all-cap-'));
    const events: HostEvent[] = [];
    try {
      fs.writeFileSync(path.join(ws, 'a.lisp'), '(defun ok () 1)\n');
      assert.throws(
        () => runCompileAllInProcess(readFixture('stage0-fixture.wasm'), ws, ws, ['a.lisp'], events, { maxBytes: 16, maxFiles: 10 }),
        (e: Error) => e instanceof WriteLimitExceeded && /over the limit of 16 bytes/.test(e.message),
      );
      const c = new CompileAllCollector(['a.lisp'], 'clysm-stage1.wasm');
      for (const e of events) c.add(e);
      assert.match(c.writeLimit ?? '', /write-bytes of \d+ bytes to .*clysm-stage1\.wasm refused: it would bring this run's output to \d+ bytes, over the limit of 16 bytes/);
      assert.equal(c.output, undefined);
      assert.equal(fs.existsSync(path.join(ws, 'clysm-stage1.wasm')), false);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });

  it('an unreadable module is reported with 0 forms and the run goes on', () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-compile-all-missing-'));
    try {
      fs.writeFileSync(path.join(ws, 'b.lisp'), '(defun two () 2)\n');
      const { events: evs } = runCompileAllInProcess(readFixture('stage0-fixture.wasm'), ws, ws, ['missing.lisp', 'b.lisp']);
      const c = new CompileAllCollector(['missing.lisp', 'b.lisp'], 'clysm-stage1.wasm');
      for (const e of evs) c.add(e);
      assert.deepEqual(c.modules.map((m) => [m.index, m.path, m.formCount]), [[1, 'missing.lisp', 0], [2, 'b.lisp', 1]]);
      assert.deepEqual(c.forms, [{ id: '2:0', status: 'compiled' }]);
      assert.match(c.warnings[0], /could not read missing\.lisp/);
    } finally {
      fs.rmSync(ws, { recursive: true, force: true });
    }
  });
});
