// One server run owns its client and its file-system watcher: stopping it (as a restart does)
// disposes both, so restarts do not pile up watchers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerRun } from '../../client/src/serverRun';

class FakeWatcher {
  disposed = 0;
  dispose(): void {
    this.disposed++;
  }
}

class FakeClient {
  disposedWith: number | undefined;
  constructor(readonly watcher: FakeWatcher, private readonly failStop = false) {}
  dispose(timeoutMs?: number): Promise<void> {
    this.disposedWith = timeoutMs;
    return this.failStop ? Promise.reject(new Error('server did not stop')) : Promise.resolve();
  }
}

describe('ServerRun', () => {
  it('a restart (stop, then a new run) disposes the old watcher and the old client', async () => {
    const watchers: FakeWatcher[] = [];
    const start = (): ServerRun<FakeClient> => ServerRun.create(() => {
      const w = new FakeWatcher();
      watchers.push(w);
      return w;
    }, (w) => new FakeClient(w));
    let run = start();
    for (let restart = 0; restart < 3; restart++) {
      const old = run;
      await old.stop(2000);
      assert.equal(old.client.disposedWith, 2000);
      run = start();
    }
    assert.deepEqual(watchers.map((w) => w.disposed), [1, 1, 1, 0]);
    // The client was given the run's own watcher.
    assert.equal(run.client.watcher, watchers[3]);
  });

  it('disposes the watcher and the handlers even when the server does not stop cleanly', async () => {
    const run = ServerRun.create(() => new FakeWatcher(), (w) => new FakeClient(w, true));
    const handler = new FakeWatcher();
    run.own(handler);
    await assert.rejects(run.stop(10), /did not stop/);
    assert.equal(run.client.watcher.disposed, 1);
    assert.equal(handler.disposed, 1);
    await run.stop(10);
    assert.equal(run.client.watcher.disposed, 1, 'a second stop disposes nothing twice');
  });

  it('disposes the watcher when the client cannot be created', () => {
    const watcher = new FakeWatcher();
    assert.throws(() => ServerRun.create(() => watcher, () => {
      throw new Error('bad options');
    }), /bad options/);
    assert.equal(watcher.disposed, 1);
  });

  it('a handler owned after the stop is disposed at once', async () => {
    const run = ServerRun.create(() => new FakeWatcher(), (w) => new FakeClient(w));
    await run.stop(10);
    const late = new FakeWatcher();
    run.own(late);
    assert.equal(late.disposed, 1);
  });
});
