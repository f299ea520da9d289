// The server's log reaches the client in batches, bounded in size, not one message per line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogBatcher } from '../../server/src/lsp/logBatcher';
import type { Timers } from '../../server/src/util/timers';

class ManualTimers implements Timers {
  pending: Array<() => void> = [];
  setTimeout(callback: () => void): unknown {
    this.pending.push(callback);
    return callback;
  }
  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((callback) => callback !== handle);
  }
  fireAll(): void {
    const due = this.pending;
    this.pending = [];
    due.forEach((callback) => callback());
  }
}

describe('log batching', () => {
  it('sends the lines of one interval as one message, and counts what goes over the size bound', () => {
    const sent: string[] = [];
    const timers = new ManualTimers();
    const batcher = new LogBatcher({ send: (text) => sent.push(text), maxBatchBytes: 1000, timers });
    for (let i = 0; i < 100_000; i++) batcher.add(`line ${i} ${'x'.repeat(10)}`);
    assert.equal(sent.length, 0, 'nothing is sent before the interval ends');
    assert.equal(timers.pending.length, 1, 'one timer for the whole batch');
    timers.fireAll();
    assert.equal(sent.length, 1);
    const lines = sent[0].split('\n');
    assert.equal(lines[0], 'line 0 xxxxxxxxxx');
    assert.ok(Buffer.byteLength(sent[0]) < 1100, `batch of ${Buffer.byteLength(sent[0])} bytes`);
    assert.match(lines.at(-1)!, /^… 99\d{3} more log lines \(\d\.\d MB\) dropped$/);

    // The next interval starts with a fresh budget.
    batcher.add('after');
    timers.fireAll();
    assert.deepEqual(sent.slice(1), ['after']);
  });

  it('sends what is waiting when flushed, and nothing when nothing is', () => {
    const sent: string[] = [];
    const timers = new ManualTimers();
    const batcher = new LogBatcher({ send: (text) => sent.push(text), timers });
    batcher.add('a');
    batcher.add('b');
    batcher.flush();
    assert.deepEqual(sent, ['a\nb']);
    assert.equal(timers.pending.length, 0, 'the flush cancels the timer');
    batcher.flush();
    assert.equal(sent.length, 1);
  });
});
