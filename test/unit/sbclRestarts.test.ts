// SBCL that keeps dying: the restart delays grow even when forms are answered in between, and
// after too many deaths the supervisor stops restarting and says so, until it is started again.
// The delays are checked on a fake clock, so no test waits for them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { driverLaunchSpec } from '../../server/src/backends/sbcl/launchSpec';
import { RestartPolicy } from '../../server/src/backends/sbcl/restartPolicy';
import { BackendUnavailableError, SbclSupervisor, type JobOutcome, type RestartClock, type SupervisorState } from '../../server/src/backends/sbcl/supervisor';
import { driverSource, standinWorkspace } from './sbclHelpers';

/** A clock whose timers run only when the test fires them. */
class FakeClock implements RestartClock {
  time = 0;
  private waiting: Array<(timer: { ms: number; fire(): void }) => void> = [];
  private scheduled: Array<{ ms: number; fire(): void }> = [];

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { ms, fire: () => callback() };
    const waiter = this.waiting.shift();
    if (waiter) waiter(timer);
    else this.scheduled.push(timer);
    return timer;
  }

  clearTimeout(): void {}

  /** The next timer the supervisor sets (past or future). */
  next(): Promise<{ ms: number; fire(): void }> {
    const timer = this.scheduled.shift();
    return timer ? Promise.resolve(timer) : new Promise((resolve) => this.waiting.push(resolve));
  }
}

describe('restart policy', () => {
  it('grows the delay with each death in the window, forgets old deaths, and gives up past the cap', () => {
    const policy = new RestartPolicy({ backoffMs: [100, 400, 1600], maxRestarts: 4, windowMs: 60_000 });
    assert.deepEqual(policy.onDeath(0), { restart: true, attempt: 1, delayMs: 100 });
    assert.deepEqual(policy.onDeath(1000), { restart: true, attempt: 2, delayMs: 400 });
    assert.deepEqual(policy.onDeath(2000), { restart: true, attempt: 3, delayMs: 1600 });
    assert.deepEqual(policy.onDeath(3000), { restart: true, attempt: 4, delayMs: 1600 });
    assert.deepEqual(policy.onDeath(4000), { restart: false, deaths: 5, windowMs: 60_000 });
    policy.reset();
    assert.deepEqual(policy.onDeath(5000), { restart: true, attempt: 1, delayMs: 100 });
    // 61 s later the death at 5 s no longer counts.
    assert.deepEqual(policy.onDeath(66_000), { restart: true, attempt: 1, delayMs: 100 });
  });
});

describe('SBCL that keeps dying', () => {
  it('backs off between restarts after (sb-ext:exit), stops after the cap, and starts again when asked', async () => {
    const clock = new FakeClock();
    const states: Array<[SupervisorState, string]> = [];
    const supervisor = new SbclSupervisor({
      launch: () =>
        driverLaunchSpec({
          sbcl: 'sbcl',
          workspaceRoot: standinWorkspace,
          systemName: 'clysm',
          driverPath: driverSource,
          dynamicSpaceSizeMb: 512,
          extraArgs: [],
        }),
      timeoutMs: 5000,
      startTimeoutMs: 60_000,
      recycleAfterTimeouts: 3,
      maxRestarts: 3,
      clock,
      log: () => undefined,
      onReady: () => undefined,
      onState: (state, message) => states.push([state, message]),
      onRestart: () => undefined,
    });
    const exitForm = (n: number): Promise<JobOutcome> =>
      supervisor.submit({ op: 'compile', package: 'CL-USER', form: `(defconstant +bye-${n}+ (sb-ext:exit))`, timeout_ms: 5000 });
    try {
      await supervisor.start();
      // First form: it dies, is re-sent once, dies again and is crashed. Each restart waits
      // longer than the one before, although the supervisor got answers in between.
      const first = exitForm(1);
      const delays: number[] = [];
      for (let i = 0; i < 2; i++) {
        const timer = await clock.next();
        delays.push(timer.ms);
        clock.time += timer.ms;
        timer.fire();
      }
      const outcome = await first;
      assert.equal(outcome.kind, 'crashed');
      const fine = await supervisor.submit({ op: 'compile', package: 'CL-USER', form: '(defun fine () 1)', timeout_ms: 5000 });
      assert.equal(fine.kind, 'reply');

      const second = exitForm(2);
      const third = await clock.next();
      delays.push(third.ms);
      clock.time += third.ms;
      third.fire();
      assert.deepEqual(delays, [100, 400, 1600]);

      // The fourth death within the window is one too many: the form is crashed, and instead
      // of a timer there is a clear state.
      assert.equal((await second).kind, 'crashed');
      assert.equal(supervisor.currentState, 'failed');
      assert.match(states.at(-1)![1], /^SBCL keeps dying \(4 times within 60 s; last: exited with code 0\), so it is not restarted again/);
      await assert.rejects(exitForm(3), (error: Error) => error instanceof BackendUnavailableError && /SBCL keeps dying/.test(error.message));

      // The user starts it again: a fresh budget.
      await supervisor.start();
      const again = await supervisor.submit({ op: 'compile', package: 'CL-USER', form: '(defun again () 2)', timeout_ms: 5000 });
      assert.equal(again.kind, 'reply');
      const afterRestart = exitForm(4);
      const timer = await clock.next();
      assert.equal(timer.ms, 100);
      timer.fire();
      const nextTimer = await clock.next();
      nextTimer.fire();
      assert.equal((await afterRestart).kind, 'crashed');
    } finally {
      await supervisor.stop();
    }
  });
});
