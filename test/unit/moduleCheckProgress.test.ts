// The "checking modules" progress: every progress it begins is ended, whatever the order in which
// the client's answer to window/workDoneProgress/create and the end of the run arrive.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkDoneProgressServerReporter } from 'vscode-languageserver/node';
import { ModuleCheckProgress, MODULE_PROGRESS_TITLE, type ProgressWindow } from '../../server/src/lsp/progress';

type Event = { token: number; kind: 'begin' | 'report' | 'end'; message?: string };

/** A client whose answers to window/workDoneProgress/create are released by the test. */
class FakeWindow implements ProgressWindow {
  readonly events: Event[] = [];
  readonly pending: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly cancelListeners = new Map<number, () => void>();
  private next = 1;

  createWorkDoneProgress(): Promise<WorkDoneProgressServerReporter> {
    const token = this.next++;
    const push = (kind: Event['kind'], message?: string) => this.events.push({ token, kind, message });
    const reporter = {
      begin: (_title: string, _pct?: number, message?: string) => push('begin', message),
      report: (_pct: number | string, message?: string) => push('report', message),
      done: () => push('end'),
      token: {
        isCancellationRequested: false,
        onCancellationRequested: (listener: () => void) => {
          this.cancelListeners.set(token, listener);
          return { dispose: () => this.cancelListeners.delete(token) };
        },
      },
    } as unknown as WorkDoneProgressServerReporter;
    return new Promise((resolve, reject) => this.pending.push({ resolve: () => resolve(reporter), reject }));
  }

  /** Lets the client answer the oldest create request, and waits for the server side to use it. */
  async answer(): Promise<void> {
    this.pending.shift()!.resolve();
    await new Promise<void>((r) => setImmediate(r));
  }

  async refuse(): Promise<void> {
    this.pending.shift()!.reject(new Error('client refused'));
    await new Promise<void>((r) => setImmediate(r));
  }

  cancel(token: number): void {
    this.cancelListeners.get(token)?.();
  }

  /** Tokens begun but not ended. */
  open(): number[] {
    const begun = new Set(this.events.filter((e) => e.kind === 'begin').map((e) => e.token));
    for (const e of this.events) if (e.kind === 'end') begun.delete(e.token);
    return [...begun];
  }
}

const moduleAt = (n: number, of = 3) => ({ moduleNumber: n, moduleCount: of, file: `src/m${n}.lisp` });

describe('module check progress', () => {
  it('begins once, reports each module, and ends when the run ends', async () => {
    const window = new FakeWindow();
    const progress = new ModuleCheckProgress(window, () => undefined);
    progress.update(moduleAt(1));
    await window.answer();
    progress.update(moduleAt(2));
    progress.update(moduleAt(3));
    progress.update(undefined);
    assert.deepEqual(window.events.map((e) => e.kind), ['begin', 'report', 'report', 'end']);
    assert.equal(window.events[0].message, 'module 1 of 3: src/m1.lisp');
    assert.equal(window.events[2].message, 'module 3 of 3: src/m3.lisp');
    assert.equal(MODULE_PROGRESS_TITLE, 'Clysm: checking modules');
  });

  it('ends the progress when the run ends before the client has created it (the stuck notification)', async () => {
    const window = new FakeWindow();
    const progress = new ModuleCheckProgress(window, () => undefined);
    progress.update(moduleAt(1));
    progress.update(undefined); // the run finished while window/workDoneProgress/create was in flight
    await window.answer();
    assert.deepEqual(window.open(), []);
    assert.ok(!window.events.some((e) => e.kind === 'begin'), 'a finished run must not show a progress');
    assert.deepEqual(window.events.map((e) => e.kind), ['end'], 'the created token is released');
  });

  it('shows the new run when one run ends and another starts while the token is being created', async () => {
    const window = new FakeWindow();
    const progress = new ModuleCheckProgress(window, () => undefined);
    progress.update(moduleAt(1));
    progress.update(undefined);
    progress.update(moduleAt(2, 5));
    assert.equal(window.pending.length, 1, 'one create request at a time');
    await window.answer();
    assert.deepEqual(window.events.map((e) => [e.kind, e.message]), [['begin', 'module 2 of 5: src/m2.lisp']]);
    progress.update(undefined);
    assert.deepEqual(window.open(), []);
  });

  it('ends every progress over many runs, whatever the interleaving', async () => {
    const window = new FakeWindow();
    const progress = new ModuleCheckProgress(window, () => undefined);
    // Runs of 1–3 reports; the client answers after 0, 1 or 2 steps, in a fixed varied pattern.
    for (let run = 0; run < 12; run++) {
      for (let m = 1; m <= (run % 3) + 1; m++) {
        progress.update(moduleAt(m));
        if ((run + m) % 2 === 0 && window.pending.length) await window.answer();
      }
      progress.update(undefined);
      if (run % 3 === 0) while (window.pending.length) await window.answer();
    }
    while (window.pending.length) await window.answer();
    assert.ok(window.events.some((e) => e.kind === 'begin'), 'some run showed a progress');
    assert.deepEqual(window.open(), []);
  });

  it('shows nothing and does not throw when the client refuses, and tries again on the next run', async () => {
    const window = new FakeWindow();
    const progress = new ModuleCheckProgress(window, () => undefined);
    progress.update(moduleAt(1));
    await window.refuse();
    progress.update(undefined);
    progress.update(moduleAt(1));
    await window.answer();
    assert.deepEqual(window.events.map((e) => e.kind), ['begin']);
  });

  it('cancelling the progress cancels the analysis', async () => {
    const window = new FakeWindow();
    let cancelled = 0;
    const progress = new ModuleCheckProgress(window, () => cancelled++);
    progress.update(moduleAt(1));
    await window.answer();
    window.cancel(1);
    assert.equal(cancelled, 1);
  });
});
