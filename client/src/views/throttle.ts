// Coalesces bursts of refresh requests (clysm/status arrives once per analysed module) into at most
// one run per interval, always followed by a final run so the last state is never missed.
export class Throttle {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private last = 0;
  private disposed = false;

  constructor(
    private readonly intervalMs: number,
    private readonly task: () => Promise<void>,
  ) {}

  /** Runs the task soon: at once when idle, else after the interval or the running task. */
  schedule(): void {
    if (this.disposed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    const wait = Math.max(0, this.last + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runNow();
    }, wait);
  }

  /** Runs the task now (or joins the running one and then runs once more), for explicit refreshes. */
  async runNow(): Promise<void> {
    if (this.disposed) return;
    if (this.running) {
      this.again = true;
      await this.running;
      return this.runNow();
    }
    clearTimeout(this.timer);
    this.timer = undefined;
    this.last = Date.now();
    // The task reports its own errors; a rejection here must not stop later refreshes.
    this.running = this.task().catch(() => undefined).finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    });
    return this.running;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
