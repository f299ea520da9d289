// The diagnostics scheduler without a server: superseded and cancelled pulls, one computation
// per document at a time (of the latest version), and result ids. Computations are deferred
// promises the test settles, so every step waits on an event.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticsScheduler, type CancellationSignal } from '../../server/src/workspace/diagnosticsScheduler';

class Token implements CancellationSignal {
  isCancellationRequested = false;
  private readonly listeners: (() => void)[] = [];
  onCancellationRequested(listener: () => void): void {
    this.listeners.push(listener);
  }
  cancel(): void {
    this.isCancellationRequested = true;
    for (const l of this.listeners) l();
  }
}

/** A token that was cancelled before the pull started: like LSP's, its event never fires. */
const alreadyCancelled: CancellationSignal = { isCancellationRequested: true, onCancellationRequested: () => undefined };

/** A computation the test finishes, recording its signal. */
class Computation {
  signal: AbortSignal | undefined;
  private finish: ((items: string[]) => void) | undefined;
  private fail: ((error: Error) => void) | undefined;
  readonly started: Promise<void>;
  private markStarted: (() => void) | undefined;

  constructor() {
    this.started = new Promise((resolve) => (this.markStarted = resolve));
  }

  readonly run = (signal: AbortSignal): Promise<string[]> => {
    this.signal = signal;
    this.markStarted?.();
    return new Promise((resolve, reject) => {
      this.finish = resolve;
      this.fail = reject;
      signal.addEventListener('abort', () => reject(new Error('aborted')));
    });
  };

  resolve(items: string[]): void {
    this.finish?.(items);
  }

  reject(error: Error): void {
    this.fail?.(error);
  }
}

const immediate = (items: string[]) => () => Promise.resolve(items);
const URI = 'file:///ws/a.lisp';

describe('diagnostics scheduler', () => {
  it('answers a pull cancelled by the client, before or while it waits, with a cancellation', async () => {
    const scheduler = new DiagnosticsScheduler<string>(() => 600_000);
    scheduler.edited(URI);
    let computed = false;
    const compute = () => {
      computed = true;
      return Promise.resolve(['x']);
    };
    assert.deepEqual(await scheduler.pull(URI, undefined, alreadyCancelled, compute), { kind: 'cancelled', by: 'client' });
    const token = new Token();
    const waiting = scheduler.pull(URI, undefined, token, compute);
    token.cancel();
    assert.deepEqual(await waiting, { kind: 'cancelled', by: 'client' });
    assert.equal(computed, false, 'nothing was computed for a cancelled pull');
  });

  it('answers a pull waiting in the debounce with newer-edit as soon as the document changes', async () => {
    const scheduler = new DiagnosticsScheduler<string>(() => 600_000);
    scheduler.edited(URI);
    const waiting = scheduler.pull(URI, undefined, new Token(), immediate(['x']));
    scheduler.edited(URI);
    assert.deepEqual(await waiting, { kind: 'cancelled', by: 'newer-edit' });
  });

  it('aborts the computation of a superseded version, and starts the next only once it unwound', async () => {
    const scheduler = new DiagnosticsScheduler<string>(() => 0);
    const first = new Computation();
    const firstPull = scheduler.pull(URI, undefined, new Token(), first.run);
    await first.started;
    scheduler.edited(URI);
    assert.equal(first.signal?.aborted, true, 'the edit aborted the running computation');

    // The next pull must not run beside the old computation: hold the old one open.
    const lingering = new Computation();
    const secondPull = scheduler.pull(URI, undefined, new Token(), lingering.run);
    assert.deepEqual(await firstPull, { kind: 'cancelled', by: 'newer-edit' });
    await lingering.started;
    lingering.resolve(['latest']);
    const answer = await secondPull;
    assert.equal(answer.kind, 'full');
    assert.deepEqual(answer.kind === 'full' && answer.items, ['latest']);
  });

  it('never starts a second computation while one runs for the same document', async () => {
    const scheduler = new DiagnosticsScheduler<string>(() => 0);
    const running = new Computation();
    const firstPull = scheduler.pull(URI, undefined, new Token(), running.run);
    await running.started;
    let secondStartedWhileFirstRan = false;
    let firstDone = false;
    const secondPull = scheduler.pull(URI, undefined, new Token(), () => {
      secondStartedWhileFirstRan = !firstDone;
      return Promise.resolve(['b']);
    });
    firstDone = true;
    running.resolve(['a']);
    await firstPull;
    await secondPull;
    assert.equal(secondStartedWhileFirstRan, false);
  });

  it('drops the answer of a computation that finished after a newer edit', async () => {
    const scheduler = new DiagnosticsScheduler<string>(() => 0);
    // A computation that ignores its signal (it was between two awaits when the edit came).
    let finish: (items: string[]) => void = () => undefined;
    const pull = scheduler.pull(URI, undefined, new Token(), () => new Promise((resolve) => (finish = resolve)));
    await Promise.resolve();
    scheduler.edited(URI);
    finish(['stale']);
    assert.deepEqual(await pull, { kind: 'cancelled', by: 'newer-edit' });
  });

  it('gives a list a result id, answers `unchanged` for the same list, and a new id for another', async () => {
    const scheduler = new DiagnosticsScheduler<string>(() => 0);
    const first = await scheduler.pull(URI, undefined, new Token(), immediate(['a', 'b']));
    assert.equal(first.kind, 'full');
    const id = first.kind === 'full' ? first.resultId : '';
    assert.deepEqual(await scheduler.pull(URI, id, new Token(), immediate(['a', 'b'])), { kind: 'unchanged', resultId: id });
    // A client without the id (e.g. reopened) gets the list again, under the same id.
    assert.deepEqual(await scheduler.pull(URI, undefined, new Token(), immediate(['a', 'b'])), { kind: 'full', resultId: id, items: ['a', 'b'] });
    const changed = await scheduler.pull(URI, id, new Token(), immediate(['a']));
    assert.equal(changed.kind, 'full');
    assert.notEqual(changed.kind === 'full' && changed.resultId, id);
    // Another document never shares an id.
    const other = await scheduler.pull('file:///ws/b.lisp', undefined, new Token(), immediate(['a', 'b']));
    assert.notEqual(other.kind === 'full' && other.resultId, id);
  });

  it('reports a failure that is not a cancellation to the caller', async () => {
    const scheduler = new DiagnosticsScheduler<string>(() => 0);
    const failing = new Computation();
    const pull = scheduler.pull(URI, undefined, new Token(), failing.run);
    await failing.started;
    failing.reject(new Error('backend broke'));
    await assert.rejects(pull, /backend broke/);
  });
});
