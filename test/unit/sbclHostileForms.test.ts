// Forms that attack the SBCL backend's channels: 100 MB printed to fd 1 or to *standard-output*
// (the log and the result stay bounded, the form is not slowed into a timeout), and JSON
// written on fd 3 to forge replies (dropped: only lines with the process's tag count).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTaggedLine } from '../../server/src/backends/sbcl/driverProtocol';
import { OutputClip } from '../../server/src/backends/sbcl/outputClip';
import { formatBytes } from '../../server/src/util/formatBytes';
import { compile, newBackend, runMain } from './sbclHelpers';

describe('output clipping', () => {
  it('logs the first lines of a segment, counts the rest, and starts afresh at the next segment', () => {
    const emitted: string[] = [];
    const clip = new OutputClip({ budgetBytes: 100, maxLineChars: 30, emit: (line) => emitted.push(line) });
    for (let i = 0; i < 1000; i++) clip.push(`line ${String(i).padStart(4, '0')}\n`);
    clip.endSegment();
    // 10 lines of 10 bytes fit in 100 bytes; the other 990 are counted.
    assert.deepEqual(emitted.slice(0, 10), Array.from({ length: 10 }, (_, i) => `line 000${i}`));
    assert.deepEqual(emitted.slice(10), ['… 9.9 kB more output clipped']);
    assert.deepEqual(clip.recentLines(2), ['line 0998', 'line 0999']);

    emitted.length = 0;
    clip.push('next form\n');
    clip.endSegment();
    assert.deepEqual(emitted, ['next form']);
  });

  it('cuts a line that never ends instead of holding it', () => {
    const emitted: string[] = [];
    const clip = new OutputClip({ budgetBytes: 100, maxLineChars: 30, emit: (line) => emitted.push(line) });
    for (let i = 0; i < 1000; i++) clip.push('x'.repeat(1000));
    clip.endSegment();
    assert.deepEqual(emitted, [`${'x'.repeat(30)}…`, `${'x'.repeat(30)}…`, `${'x'.repeat(30)}…`, '… 999.9 kB more output clipped']);
  });

  it('formats sizes for people', () => {
    assert.deepEqual([1, 999, 1000, 99_900_000, 2e12].map(formatBytes), ['1 byte', '999 bytes', '1.0 kB', '99.9 MB', '2.0 TB']);
  });
});

describe('reply tags', () => {
  it('takes only lines with the tag, and ignores text written before it', () => {
    const reply = '{"type":"pong","id":3,"heap_bytes":1}';
    assert.deepEqual(parseTaggedLine(`TAG ${reply}`, 'TAG'), { kind: 'message', message: { type: 'pong', id: 3, heap_bytes: 1 } });
    assert.equal(parseTaggedLine(`{"partial":TAG ${reply}`, 'TAG').kind, 'message');
    assert.deepEqual(parseTaggedLine(reply, 'TAG'), { kind: 'forged', text: reply });
    assert.deepEqual(parseTaggedLine('TAG not json', 'TAG'), { kind: 'unparsable', text: 'not json' });
  });
});

const LINE = 'x'.repeat(150);

describe('SBCL backend under hostile forms', () => {
  it('bounds the log of a form that writes 20 MB to fd 1, and the next form still works', async () => {
    const { backend, logs } = newBackend({ timeoutMs: 30_000 });
    try {
      assert.equal((await backend.start()).state, 'ready');
      const before = logs.length;
      const flood = await compile(
        backend,
        `(defconstant +flood+ (let ((s (sb-sys:make-fd-stream 1 :output t :buffering :full))) (dotimes (i 130000) (write-line "${LINE}" s)) (finish-output s) 1))`,
      );
      assert.equal(flood.status, 'skipped', flood.message);
      const next = await compile(backend, '(defun after-flood () 3)');
      assert.equal(runMain(next.wasm), 3);
      const logged = logs.slice(before);
      const bytes = logged.reduce((sum, line) => sum + line.length, 0);
      assert.ok(bytes < 40_000, `${logged.length} log lines, ${bytes} characters`);
      assert.ok(logged.includes('[sbcl stdout] … 19.6 MB more output clipped'), logged.slice(-3).join('\n'));
    } finally {
      await backend.dispose();
    }
  });

  it('keeps the first characters a form prints to *standard-output* and counts the other 100 MB', async () => {
    // 512 MB of heap: before the output was bounded, 100 MB of characters exhausted it.
    const { backend } = newBackend({ timeoutMs: 60_000, dynamicSpaceSizeMb: 512 });
    try {
      assert.equal((await backend.start()).state, 'ready');
      const loud = await compile(backend, `(defconstant +loud+ (progn (dotimes (i 662000) (write-line "${LINE}")) 1))`);
      assert.equal(loud.status, 'skipped', loud.message);
      assert.ok(loud.stdout?.startsWith(`${LINE}\n${LINE}\n`));
      assert.match(loud.stdout ?? '', /\n… 99\.9 MB more output clipped\n$/);
      assert.ok((loud.stdout ?? '').length < 21_000);
    } finally {
      await backend.dispose();
    }
  });

  it('drops replies that a form forges on fd 3, and says so in the log', async () => {
    const { backend, logs } = newBackend();
    try {
      assert.equal((await backend.start()).state, 'ready');
      // Forged results for every id the form might be answering, then half a line.
      const forge =
        '(defconstant +forged+ (let ((s (sb-sys:make-fd-stream 3 :output t :buffering :full))) ' +
        '(dotimes (id 20) (format s "{\\"type\\":\\"result\\",\\"id\\":~D,\\"status\\":\\"failed\\",\\"message\\":\\"forged\\",\\"total_ms\\":0,\\"warnings\\":0,\\"heap_bytes\\":0}~%" id)) ' +
        '(write-string "{\\"type\\":" s) (finish-output s) 1))';
      const result = await compile(backend, forge);
      assert.equal(result.status, 'skipped', result.message);
      assert.equal(result.directive, true);
      assert.match(logs.join('\n'), /dropped a line without the driver's tag \(written by the form, not the driver\): \{"type":"result","id":0,/);
      assert.ok(logs.includes("[sbcl fd3] … dropped 17 more lines without the driver's tag"), logs.slice(-5).join('\n'));
      const next = await compile(backend, '(defun after-forgery () +forged+)');
      assert.equal(runMain(next.wasm), 1);
    } finally {
      await backend.dispose();
    }
  });
});
