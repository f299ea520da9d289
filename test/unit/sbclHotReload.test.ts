// Hot reload of the compiler into the running SBCL image, on a throwaway copy of the stand-in
// `clysm` system (a test double, not Clysm): a changed defun changes the results of the forms
// that depend on it without a restart; a broken save keeps the previous definitions; a
// defstruct change takes the full-reload path; a removed defun goes away; a system that no
// longer loads starts from the last good saved core.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { repoRoot } from '../support/repo';
import { compile, newBackend, type TestBackend } from './sbclHelpers';

const standin = path.join(repoRoot, 'test', 'fixtures', 'clysm-standin');

/** A private copy of the stand-in, with `extra` appended to its compiler.lisp. */
function standinCopy(extra = ''): { root: string; compiler: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-hot-reload-'));
  fs.cpSync(standin, root, { recursive: true });
  const compiler = path.join(root, 'src', 'compiler.lisp');
  fs.appendFileSync(compiler, extra);
  return { root, compiler };
}

function edit(file: string, from: string, to: string): void {
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${file} holds ${from}`);
  fs.writeFileSync(file, text.replace(from, to));
}

describe('SBCL hot reload of the stand-in compiler', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  async function started(root: string, cacheDir?: string): Promise<TestBackend> {
    const test = newBackend({ workspaceRoot: root, coreCacheDir: cacheDir });
    cleanup.push(() => test.backend.dispose());
    const status = await test.backend.start();
    assert.equal(status.state, 'ready', status.message);
    return test;
  }

  it('applies a changed defun in place: dependent forms change status, same process, new generation', async () => {
    const { root, compiler } = standinCopy();
    cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const { backend } = await started(root);
    const before = await compile(backend, '(defun uses-1+ () (1+ 41))');
    assert.equal(before.status, 'failed');
    assert.match(before.message ?? '', /Undefined function: 1\+/);
    const pid = backend.processId;
    const identity = backend.identity();

    edit(compiler, "(member (car expr) '(+ - *))", "(member (car expr) '(+ - * 1+))");
    const outcome = await backend.reload([compiler]);

    assert.equal(outcome.mode, 'incremental');
    assert.equal(outcome.forms, 1, 'only the changed defun is evaluated');
    assert.deepEqual(outcome.names, ['FOLD']);
    assert.deepEqual(outcome.errors, []);
    assert.equal(backend.processId, pid, 'no restart');
    assert.notEqual(backend.identity(), identity, 'the compiler generation is part of the identity');
    assert.equal(backend.generation(), 1);
    const after = await compile(backend, '(defun uses-1+ () (1+ 41))');
    assert.equal(after.status, 'compiled', after.message);
  });

  it('keeps the previous definition when a changed form does not read or does not compile, with the range and SBCL message', async () => {
    const { root, compiler } = standinCopy();
    cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const { backend } = await started(root);
    const pid = backend.processId;

    // A defun whose body SBCL's compiler rejects, then a form missing its closing parenthesis.
    fs.appendFileSync(compiler, '\n(defun body-is-wrong () (car 1 2))\n(defun unclosed (x) (+ x 1)\n');
    const text = fs.readFileSync(compiler, 'utf8');
    const outcome = await backend.reload([compiler]);

    assert.equal(outcome.mode, 'incremental');
    assert.equal(backend.processId, pid);
    const [compileError, readError] = outcome.errors;
    assert.equal(outcome.errors.length, 2);
    assert.equal(text.slice(compileError.start, compileError.end), '(defun body-is-wrong () (car 1 2))');
    assert.match(compileError.message, /CAR|argument/i);
    assert.equal(readError.start, text.indexOf('(defun unclosed'));
    assert.equal(readError.end, text.length);
    assert.match(readError.message, /end of file/i);
    assert.equal(backend.reloadErrors().length, 2);
    assert.match(backend.identity(), /:partial-[0-9a-f]+$/);
    // Every other result stays: the compiler still works.
    assert.equal((await compile(backend, '(defun still-fine () (+ 1 2))')).status, 'compiled');
  });

  it('removes a defun whose form was deleted, as an incremental compile would', async () => {
    const { root, compiler } = standinCopy('\n(defun helper () 7)\n');
    cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const { backend } = await started(root);
    // The stand-in evaluates a defconstant in the host, so it sees HELPER's presence.
    assert.equal((await compile(backend, '(defconstant +seven+ (helper))', 'CLYSM')).status, 'skipped');

    edit(compiler, '(defun helper () 7)', '');
    const outcome = await backend.reload([compiler]);

    assert.equal(outcome.mode, 'incremental');
    assert.deepEqual(outcome.removed, ['HELPER']);
    const after = await compile(backend, '(defconstant +eight+ (helper))', 'CLYSM');
    assert.equal(after.status, 'failed');
    assert.match(after.message ?? '', /HELPER/);
  });

  it('takes the full-reload path for an incompatible defstruct change and says why', async () => {
    const { root, compiler } = standinCopy('\n(defstruct probe a)\n');
    cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const test = await started(root);
    const pid = test.backend.processId;

    edit(compiler, '(defstruct probe a)', '(defstruct probe a b)');
    const outcome = await test.backend.reload([compiler]);

    assert.equal(outcome.mode, 'full');
    assert.match(outcome.reason ?? '', /defstruct PROBE .* changed incompatibly/);
    assert.notEqual(test.backend.processId, pid, 'a fresh image');
    assert.match(test.logs.join('\n'), /full reload \(defstruct PROBE/);
    assert.equal((await compile(test.backend, '(defstruct probe-user x)', 'CLYSM')).status, 'failed');
    assert.equal((await compile(test.backend, '(defun after-full () (+ 2 3))')).status, 'compiled');
  });

  it('takes the full-reload path for a defpackage change', async () => {
    const { root } = standinCopy();
    cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
    const { backend } = await started(root);
    const pkg = path.join(root, 'src', 'package.lisp');
    edit(pkg, '(:export #:compile-to-wasm', '(:export #:compile-to-wasm #:fold');
    const outcome = await backend.reload([pkg]);
    assert.equal(outcome.mode, 'full');
    assert.match(outcome.reason ?? '', /defpackage changed in package\.lisp/);
  });

  it('starts from the last good saved core when the sources no longer load, and applies what it can', async () => {
    const { root, compiler } = standinCopy();
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-hot-reload-cores-'));
    cleanup.push(() => fs.rmSync(root, { recursive: true, force: true }));
    cleanup.push(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
    const first = await started(root, cacheDir);
    await first.logLine(/saved core|saving a core did not work/);
    assert.match(first.logs.join('\n'), /saved core .*\.core/);
    await first.backend.dispose();

    // One good change and one broken form: the good one must still reach the image.
    edit(compiler, "(member (car expr) '(+ - *))", "(member (car expr) '(+ - * 1+))");
    fs.appendFileSync(compiler, '\n(defun unclosed (x) (+ x 1)\n');
    const second = newBackend({ workspaceRoot: root, coreCacheDir: cacheDir });
    cleanup.push(() => second.backend.dispose());
    const status = await second.backend.start();

    assert.equal(status.state, 'ready', status.message);
    assert.match(status.message, /last good saved core/);
    assert.equal(second.backend.reloadErrors().length, 1);
    assert.match(second.backend.reloadErrors()[0].message, /end of file/i);
    assert.equal((await compile(second.backend, '(defun uses-1+ () (1+ 1))')).status, 'compiled');
  });
});
