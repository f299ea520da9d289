// Requests written ahead to the SBCL driver (issue 12 item 6): a form queued behind others is
// timed from when the driver starts it, never by its wait in the queue, by the driver and by the
// watchdog alike; and when the image is recycled after timeouts, the requests written after
// the last answer are compiled in the fresh image, after the replayed directives.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driverLaunchSpec } from '../../server/src/backends/sbcl/launchSpec';
import { SbclSupervisor, type JobOutcome } from '../../server/src/backends/sbcl/supervisor';
import type { RestartEvent } from '../../server/src/backends/sbcl/supervisor';
import { compile, driverSource, newBackend, runMain, standinWorkspace } from './sbclHelpers';

describe('SBCL requests written ahead', () => {
  it('does not time out a form for the time it waited behind others, in the driver or the watchdog', async () => {
    const restarts: RestartEvent[] = [];
    const supervisor = new SbclSupervisor({
      launch: () =>
        driverLaunchSpec({ sbcl: 'sbcl', workspaceRoot: standinWorkspace, systemName: 'clysm', driverPath: driverSource, dynamicSpaceSizeMb: 512, extraArgs: [] }),
      // Each form sleeps 0.2 s under a 0.5 s limit; six of them wait 1.2 s in all, twice the
      // watchdog's limit (0.5 s + 0.1 s grace) counted from when each was written.
      timeoutMs: 500,
      hangGraceMs: 100,
      startTimeoutMs: 60_000,
      recycleAfterTimeouts: 3,
      log: () => undefined,
      onReady: () => undefined,
      onState: () => undefined,
      onRestart: (event) => restarts.push(event),
    });
    try {
      await supervisor.start();
      const outcomes: JobOutcome[] = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          supervisor.submit({ op: 'compile', package: 'CL-USER', form: `(defun queued-${i} () (%sleep 0.2) ${i})`, timeout_ms: 500 }),
        ),
      );
      const statuses = outcomes.map((outcome) => (outcome.kind === 'reply' && outcome.reply.type === 'result' ? outcome.reply.status : outcome.kind));
      assert.deepEqual(statuses, Array(6).fill('compiled'));
      assert.deepEqual(restarts, []);
    } finally {
      await supervisor.stop();
    }
  });

  it('recycles after timeouts with requests written ahead: the forms written after the last answer go to the fresh image, as one at a time', async () => {
    const { backend } = newBackend({ timeoutMs: 300, recycleAfterTimeouts: 2 });
    const restarts: RestartEvent[] = [];
    backend.onRestart((event) => restarts.push(event));
    try {
      assert.equal((await backend.start()).state, 'ready');
      const pid = backend.processId;
      // All written at once, as a pipelined analysis sends them.
      const results = await Promise.all([
        compile(backend, '(defpackage #:ahead (:use #:cl))', 'CL-USER', '1:0'),
        compile(backend, '(defconstant +kept+ 5)', 'AHEAD', '1:1'),
        compile(backend, '(defun s1 () (%spin))', 'CL-USER', '1:2'),
        compile(backend, '(defun s2 () (%spin))', 'CL-USER', '1:3'),
        compile(backend, '(defun uses-kept () +kept+)', 'AHEAD', '1:4'),
        compile(backend, '(defun s3 () (%spin))', 'CL-USER', '1:5'),
        compile(backend, '(defun s4 () (%spin))', 'CL-USER', '1:6'),
        compile(backend, '(defconstant +late+ 7)', 'AHEAD', '1:7'),
        compile(backend, '(defun uses-late () (+ +kept+ +late+))', 'AHEAD', '1:8'),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['skipped', 'skipped', 'timeout', 'timeout', 'compiled', 'timeout', 'timeout', 'skipped', 'compiled']);
      assert.equal(runMain(results[4].wasm), 5);
      assert.equal(runMain(results[8].wasm), 12);
      assert.notEqual(backend.processId, pid);
      // As one request at a time: s1 and s2 recycle the first image, s3 and s4 the second (a
      // suspect image that finished what was written ahead would have taken all four).
      assert.deepEqual(restarts.map((r) => r.reason), Array(2).fill('recycled after repeated timeouts or stack/heap exhaustion'));
    } finally {
      await backend.dispose();
    }
  });
});
