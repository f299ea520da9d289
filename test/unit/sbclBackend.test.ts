// The SBCL backend against the stand-in `clysm` system (test double, not Clysm): per-form
// results, order-sensitive directives, captured output, timeouts, stack exhaustion, invalid
// bytes. Recovery from crashes and start-up errors are in sbclRecovery.test.ts.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SbclBackend } from '../../server/src/backends/sbcl/sbclBackend';
import { v8SupportsWasmGc } from '../../server/src/wasm/runtimeProbe';
import { repoRoot } from '../support/repo';
import { compile, newBackend, runMain, standinWorkspace, type TestBackend } from './sbclHelpers';

describe('SBCL backend on the stand-in compiler', () => {
  let test: TestBackend;
  let backend: SbclBackend;

  before(async () => {
    test = newBackend({ timeoutMs: 1500, recycleAfterTimeouts: 100 });
    backend = test.backend;
    const status = await backend.start();
    assert.equal(status.state, 'ready', status.message);
  });
  after(() => backend.dispose());

  it('reports SBCL, the loaded system and an identity built from the sources', () => {
    const status = backend.status();
    assert.equal(status.engine.name, 'SBCL');
    assert.match(status.engine.version, /^\d+\.\d+/);
    assert.match(status.message, /Clysm on SBCL .*clysm loaded from .*sbcl-workspace/);
    assert.match(backend.identity(), /^sbcl:\d+\.\d+[^:]*:[0-9a-f]{16}$/);
    assert.equal(backend.kind, 'sbcl');
  });

  it('gives compiled, failed and skipped per form over the workspace modules, in order', async () => {
    const results: Array<{ id: string; operator?: string; status: string; message?: string; value?: number }> = [];
    const modules = ['src/app/package.lisp', 'src/app/shapes.lisp', 'src/app/noisy.lisp'];
    for (const [m, module] of modules.entries()) {
      const file = path.join(standinWorkspace, module);
      const text = fs.readFileSync(file, 'utf8');
      for (const form of await backend.listForms(file)) {
        const id = `${m + 1}:${form.index}`;
        const result = await compile(backend, text.slice(form.start, form.end), form.package, id);
        results.push({
          id,
          operator: form.operator,
          status: result.status,
          message: result.message,
          value: result.status === 'compiled' ? runMain(result.wasm) : undefined,
        });
      }
    }
    const summary = results.map((r) => `${r.id} ${r.operator ?? 'atom'} ${r.status}${r.value !== undefined ? ` = ${r.value}` : ''}`);
    assert.deepEqual(summary, [
      '1:0 DEFPACKAGE skipped',
      '2:0 IN-PACKAGE skipped',
      '2:1 DEFCONSTANT skipped',
      '2:2 DEFCONSTANT skipped',
      '2:3 DEFUN compiled = 42',
      '2:4 DEFUN failed',
      '2:5 DEFUN failed',
      '2:6 DEFMACRO skipped',
      '2:7 DEFPARAMETER compiled = 42',
      '2:8 atom skipped',
      '3:0 IN-PACKAGE skipped',
      '3:1 DEFCONSTANT skipped',
      '3:2 DEFUN compiled = 2',
    ]);
    assert.equal(results.find((r) => r.id === '2:4')?.message, 'Undefined variable: +DEPTH+');
    assert.equal(results.find((r) => r.id === '2:5')?.message, 'Undefined function: MULTIPLY');
  });

  it('sees a defconstant only in forms checked after it', async () => {
    const before = await compile(backend, '(defun late () (+ +later+ 1))');
    assert.equal(before.status, 'failed');
    assert.equal(before.errorType, 'compile-error');
    assert.equal(before.message, 'Undefined variable: +LATER+');

    const directive = await compile(backend, '(defconstant +later+ 4)');
    assert.equal(directive.status, 'skipped');
    assert.equal(directive.directive, true);

    const afterwards = await compile(backend, '(defun late () (+ +later+ 1))');
    assert.equal(afterwards.status, 'compiled');
    assert.equal(runMain(afterwards.wasm), 5);
  });

  it('reads each form in its own package, which exists only after its defpackage', async () => {
    const early = await compile(backend, '(defun k () 1)', 'PKG-A');
    assert.equal(early.status, 'failed');
    assert.equal(early.errorType, 'unknown-package');
    assert.match(early.message ?? '', /Package PKG-A does not exist/);

    assert.equal((await compile(backend, '(defpackage #:pkg-a (:use #:cl))')).status, 'skipped');
    assert.equal((await compile(backend, '(in-package #:pkg-a)')).status, 'skipped');
    assert.equal((await compile(backend, '(defconstant +k+ 3)', 'PKG-A')).status, 'skipped');

    const inPackage = await compile(backend, '(defun k () (* +k+ 2))', 'PKG-A');
    assert.equal(inPackage.status, 'compiled');
    assert.equal(runMain(inPackage.wasm), 6);

    // The same text read in CL-USER names another +K+, and in-package did not leak.
    const elsewhere = await compile(backend, '(defun k () (* +k+ 2))', 'CL-USER');
    assert.equal(elsewhere.status, 'failed');
    assert.equal(elsewhere.message, 'Undefined variable: +K+');
  });

  it('captures what a form prints, keeping the protocol intact', async () => {
    const printed = await compile(backend, '(defun chatty () (%print "hello from the compiler") 7)');
    assert.equal(printed.status, 'compiled');
    assert.equal(printed.stdout, 'hello from the compiler\n');
    assert.equal(runMain(printed.wasm), 7);

    const hostEval = await compile(backend, '(defconstant +loud+ (progn (format t "loud~%") (format *error-output* "err~%") 1))');
    assert.equal(hostEval.status, 'skipped');
    assert.equal(hostEval.stdout, 'loud\n');
    assert.equal(hostEval.stderr, 'err\n');

    const warned = await compile(backend, '(defun w () (%warn "careful") 1)');
    assert.equal(warned.status, 'compiled');
    assert.equal(warned.warnings, 1);

    const next = await compile(backend, '(defun quiet () 1)');
    assert.equal(next.status, 'compiled');
    assert.equal(next.stdout, undefined);
  });

  it('times out an infinite macro expansion and a CPU loop; the next form still works', async () => {
    assert.equal((await compile(backend, '(defmacro rec (x) `(rec ,x))')).status, 'skipped');
    const started = Date.now();
    const expansion = await compile(backend, '(defconstant +rec+ (rec 1))');
    assert.equal(expansion.status, 'timeout');
    assert.equal(expansion.errorType, 'timeout');
    assert.match(expansion.message ?? '', /longer than 1500 ms/);
    assert.ok(Date.now() - started < 5000);

    const pid = backend.processId;
    const spin = await compile(backend, '(defun spin () (%spin))');
    assert.equal(spin.status, 'timeout');

    const next = await compile(backend, '(defun after-timeout () 3)');
    assert.equal(next.status, 'compiled');
    assert.equal(backend.processId, pid, 'a timeout does not need a new process');
  });

  it('ends only the form that exhausts the stack', async () => {
    const pid = backend.processId;
    const deep = await compile(backend, '(defun deep () (%recurse))');
    assert.equal(deep.status, 'failed');
    assert.equal(deep.errorType, 'stack-exhausted');
    assert.match(deep.message ?? '', /Control stack exhausted/);
    const next = await compile(backend, '(defun shallow () 9)');
    assert.equal(next.status, 'compiled');
    assert.equal(runMain(next.wasm), 9);
    assert.equal(backend.processId, pid);
  });

  it("fails a form whose bytes V8 rejects, with V8's own message", { skip: v8SupportsWasmGc() ? false : 'this Node has no WasmGC, so V8 validation is off' }, async () => {
    const result = await compile(backend, '(defun broken () (%invalid-wasm))');
    assert.equal(result.status, 'failed');
    assert.equal(result.errorType, 'wasm-validation-error');
    assert.equal(result.message, 'Compiling function #0 failed: start-arity and end-arity of one-armed if must match');
    assert.equal(result.bytes, result.wasm?.length);
  });

  it('reports reader errors as read-error, with *read-eval* off', async () => {
    const evil = await compile(backend, '#.(error "read-time evaluation")');
    assert.equal(evil.status, 'read-error');
    assert.match(evil.message ?? '', /READ-EVAL/);
    const unknown = await compile(backend, '(nopkg::foo)');
    assert.equal(unknown.status, 'read-error');
    assert.match(unknown.message ?? '', /NOPKG/);
    assert.equal((await compile(backend, '   ; only a comment')).status, 'read-error');
  });

  it('carries non-ASCII text both ways', async () => {
    const named = await compile(backend, '(defun λ-größe () "é ✓ 𝄞" 8)');
    assert.equal(named.status, 'compiled');
    assert.equal(runMain(named.wasm), 8);
    const failed = await compile(backend, '(defun f () (größe-𝄞))');
    assert.equal(failed.message, 'Undefined function: GRÖßE-𝄞');
  });

  it('answers requests sent together, each with its own result', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => `(defun f${i} () ${i})`);
    const results = await Promise.all(texts.map((text) => compile(backend, text)));
    assert.deepEqual(results.map((r) => runMain(r.wasm)), texts.map((_, i) => i));
  });

  it('rejects a request whose signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(
      backend.compileForm({ formId: '1:0', text: '(defun a () 1)', package: 'CL-USER' }, controller.signal),
      /abort/i,
    );
  });
  it("names where the stand-in compiler signalled a failure: its function, file and definition line, and the callers", async () => {
    const compiler = path.join(repoRoot, 'test', 'fixtures', 'clysm-standin', 'src', 'compiler.lisp');
    const lineOf = (definition: string): number => fs.readFileSync(compiler, 'utf8').split('\n').findIndex((l) => l.startsWith(definition)) + 1;
    const failed = await compile(backend, '(defun broken () (+ 1 missing-constant))');
    assert.equal(failed.status, 'failed');
    assert.equal(failed.condition, 'SIMPLE-ERROR');
    assert.match(failed.origin?.function ?? '', /::?FOLD$/);
    // Outside the workspace folder (the stand-in is loaded from a sibling folder): an absolute path.
    assert.equal(failed.origin?.file, compiler);
    assert.equal(failed.origin?.line, lineOf('(defun fold '));
    assert.equal(failed.origin?.column, 1);
    assert.ok(failed.origin?.frames?.some((f) => /COMPILE-TO-WASM$/.test(f.function) && f.line === lineOf('(defun compile-to-wasm ')));
    // An error the compiler catches and signals again is blamed on the function that signalled it last.
    const directive = await compile(backend, '(defconstant +p+ (error "boom"))');
    assert.match(directive.message ?? '', /Compile-time directive error/);
    assert.match(directive.origin?.function ?? '', /COMPILE-TO-WASM$/);
    // A compiled form has no origin.
    assert.equal((await compile(backend, '(defun fine () 42)')).origin, undefined);
  });
});
