// The SBCL backend when things go wrong: the process dies mid-request, the image is recycled
// after timeouts, SBCL or the ASDF system is missing, the system does not load; and saved cores.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { RestartEvent } from '../../server/src/backends/sbcl/supervisor';
import { compile, newBackend, runMain, tempDir } from './sbclHelpers';

describe('SBCL backend recovery', () => {
  it('restarts a killed SBCL, re-sends the request once, and marks a second death crashed', async () => {
    const { backend } = newBackend({ restartBackoffMs: [50] });
    const restarts: RestartEvent[] = [];
    const states: string[] = [];
    backend.onRestart((event) => restarts.push(event));
    backend.onDidChangeStatus((status) => states.push(status.state));
    try {
      assert.equal((await backend.start()).state, 'ready');
      // A directive before the crash must still hold in the new image (it is replayed).
      assert.equal((await compile(backend, '(defconstant +survivor+ 11)', 'CL-USER', '1:0')).status, 'skipped');

      const firstPid = backend.processId!;
      const slow = compile(backend, '(defun slow () (%sleep 0.4) (+ +survivor+ 1))', 'CL-USER', '1:1');
      setTimeout(() => process.kill(firstPid, 'SIGKILL'), 100);
      const retried = await slow;
      assert.equal(retried.status, 'compiled', retried.message);
      assert.equal(runMain(retried.wasm), 12);
      assert.notEqual(backend.processId, firstPid);
      assert.equal(restarts.length, 1);
      assert.match(restarts[0].reason, /killed by SIGKILL/);
      assert.ok(states.includes('starting'), 'the status says it is restarting');
      assert.equal(backend.status().state, 'ready');

      const dies = await compile(backend, '(defun fatal () (%die 9))', 'CL-USER', '1:2');
      assert.equal(dies.status, 'crashed');
      assert.equal(dies.errorType, 'crash');
      assert.match(dies.message ?? '', /died twice .*exited with code 9/);

      const next = await compile(backend, '(defun fine () +survivor+)', 'CL-USER', '1:3');
      assert.equal(next.status, 'compiled');
      assert.equal(runMain(next.wasm), 11);
    } finally {
      await backend.dispose();
    }
  });

  it('fails a form that asks for more heap than there is, and survives fatal heap exhaustion', async () => {
    const { backend } = newBackend({ dynamicSpaceSizeMb: 256, restartBackoffMs: [50] });
    try {
      assert.equal((await backend.start()).state, 'ready');
      const pid = backend.processId;
      const huge = await compile(backend, '(defun huge () (%huge-allocation))');
      assert.equal(huge.status, 'failed');
      assert.equal(huge.errorType, 'heap-exhausted');
      assert.equal(backend.processId, pid, 'a caught storage-condition keeps the process');

      // Exhaustion during GC kills SBCL each time: the form is crashed, the next one works.
      const hog = await compile(backend, '(defun hog () (%exhaust-heap))');
      assert.equal(hog.status, 'crashed');
      assert.match(hog.message ?? '', /died twice .*(Heap exhausted|exited with code)/);
      assert.equal((await compile(backend, '(defun small () 1)')).status, 'compiled');
    } finally {
      await backend.dispose();
    }
  });

  it('recycles the image after repeated timeouts and replays directives into the new one', async () => {
    const { backend } = newBackend({ timeoutMs: 300, recycleAfterTimeouts: 2 });
    const restarts: RestartEvent[] = [];
    backend.onRestart((event) => restarts.push(event));
    try {
      assert.equal((await backend.start()).state, 'ready');
      assert.equal((await compile(backend, '(defpackage #:recycled (:use #:cl))', 'CL-USER', '1:0')).status, 'skipped');
      assert.equal((await compile(backend, '(defconstant +kept+ 5)', 'RECYCLED', '1:1')).status, 'skipped');
      const pid = backend.processId;
      assert.equal((await compile(backend, '(defun s1 () (%spin))', 'CL-USER', '1:2')).status, 'timeout');
      assert.equal((await compile(backend, '(defun s2 () (%spin))', 'CL-USER', '1:3')).status, 'timeout');
      const next = await compile(backend, '(defun uses-kept () +kept+)', 'RECYCLED', '1:4');
      assert.equal(next.status, 'compiled', next.message);
      assert.equal(runMain(next.wasm), 5);
      assert.notEqual(backend.processId, pid);
      assert.deepEqual(restarts.map((r) => r.reason), ['recycled after repeated timeouts or stack/heap exhaustion']);
    } finally {
      await backend.dispose();
    }
  });

  it('kills an SBCL that stops answering, gives timeout, and carries on', async () => {
    const { backend } = newBackend({ timeoutMs: 200, restartBackoffMs: [50] });
    try {
      assert.equal((await backend.start()).state, 'ready');
      const pid = backend.processId;
      const stuck = await compile(backend, '(defun stuck () (%spin-without-interrupts))');
      assert.equal(stuck.status, 'timeout');
      assert.match(stuck.message ?? '', /did not answer within \d+ ms and was restarted/);
      const next = await compile(backend, '(defun unstuck () 4)');
      assert.equal(runMain(next.wasm), 4);
      assert.notEqual(backend.processId, pid);
    } finally {
      await backend.dispose();
    }
  });

  it('starts from a saved core built in the background', async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-core-'));
    const first = newBackend({ coreCacheDir: cacheDir });
    try {
      assert.equal((await first.backend.start()).state, 'ready');
      await first.logLine(/saved core|saving a core did not work/);
      assert.match(first.logs.join('\n'), /saved core .*\.core/);
    } finally {
      await first.backend.dispose();
    }
    const second = newBackend({ coreCacheDir: cacheDir });
    try {
      const status = await second.backend.start();
      assert.equal(status.state, 'ready');
      assert.match(status.message, /from a saved core/);
      assert.equal(second.backend.identity(), first.backend.identity());
      const result = await compile(second.backend, '(defun from-core () 21)');
      assert.equal(runMain(result.wasm), 21);
    } finally {
      await second.backend.dispose();
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('SBCL backend start-up errors', () => {
  it('says clearly that sbcl is missing', async () => {
    const { backend } = newBackend({ sbclPath: '/nonexistent/bin/sbcl' });
    const status = await backend.start();
    assert.equal(status.state, 'error');
    assert.equal(status.message, 'sbcl not found at /nonexistent/bin/sbcl: install SBCL or set clysm.sbcl.path');
    // Later requests fail at once with the same message; they do not retry the start.
    await assert.rejects(compile(backend, '(defun a () 1)'), /sbcl not found/);
    await backend.dispose();
  });

  it('says clearly that sbcl is not on the PATH', async () => {
    const { backend } = newBackend({ env: { PATH: '/nonexistent' } });
    const status = await backend.start();
    assert.equal(status.state, 'error');
    assert.equal(status.message, 'sbcl not found at "sbcl" (not on the PATH): install SBCL or set clysm.sbcl.path');
  });

  it('says clearly that the workspace has no clysm.asd', async () => {
    const root = tempDir({ 'src/a.lisp': '(defun a () 1)' });
    const { backend } = newBackend({ workspaceRoot: root });
    const status = await backend.start();
    assert.equal(status.state, 'error');
    assert.match(status.message, /^No clysm\.asd in .*: the SBCL backend loads the workspace's own clysm ASDF system/);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('says clearly when clysm.asd defines no clysm system', async () => {
    const root = tempDir({ 'clysm.asd': '(defsystem "something-else" :components ())\n' });
    const { backend } = newBackend({ workspaceRoot: root });
    const status = await backend.start();
    assert.equal(status.state, 'error');
    assert.match(status.message, /ASDF cannot find a system named "clysm"/);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('includes the Lisp error when the system fails to load', async () => {
    const root = tempDir({
      'clysm.asd': '(defsystem "clysm" :components ((:file "broken")))\n',
      'broken.lisp': '(defpackage #:clysm (:use #:cl))\n(in-package #:clysm)\n(defun compile-to-wasm (form)\n',
    });
    const { backend } = newBackend({ workspaceRoot: root });
    const status = await backend.start();
    assert.equal(status.state, 'error');
    assert.match(status.message, /^Loading the clysm system failed: COMPILE-FILE-ERROR/);
    assert.match(status.message, /READ error during COMPILE-FILE:\nend of file on .*broken\.lisp/);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('says clearly when the system defines no CLYSM:COMPILE-TO-WASM', async () => {
    const root = tempDir({
      'clysm.asd': '(defsystem "clysm" :components ((:file "empty")))\n',
      'empty.lisp': '(defpackage #:clysm (:use #:cl))\n',
    });
    const { backend } = newBackend({ workspaceRoot: root });
    const status = await backend.start();
    assert.equal(status.state, 'error');
    assert.match(status.message, /defines no CLYSM:COMPILE-TO-WASM/);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
