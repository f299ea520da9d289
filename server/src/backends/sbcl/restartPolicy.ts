// How soon to restart SBCL after it died, and when to stop. The delay grows with the number of
// deaths in a sliding window, and a reply in between does not reset it: a module full of forms
// that call (sb-ext:exit) gets answers between its deaths, yet must still back off and be capped.

export interface RestartPolicyOptions {
  /** Delays before restarts 1, 2, 3... within the window; the last one repeats. */
  backoffMs: readonly number[];
  /** More deaths than this within `windowMs` and SBCL is not restarted again. */
  maxRestarts: number;
  windowMs: number;
}

export type RestartDecision = { restart: true; attempt: number; delayMs: number } | { restart: false; deaths: number; windowMs: number };

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  backoffMs: [100, 400, 1600, 5000],
  maxRestarts: 8,
  windowMs: 60_000,
};

export class RestartPolicy {
  private deaths: number[] = [];

  constructor(private readonly options: RestartPolicyOptions) {}

  /** Records a death at `now` (ms) and says whether, and after how long, to restart. */
  onDeath(now: number): RestartDecision {
    this.deaths = this.deaths.filter((at) => now - at < this.options.windowMs);
    this.deaths.push(now);
    const attempt = this.deaths.length;
    if (attempt > this.options.maxRestarts) return { restart: false, deaths: attempt, windowMs: this.options.windowMs };
    const { backoffMs } = this.options;
    return { restart: true, attempt, delayMs: backoffMs[Math.min(attempt - 1, backoffMs.length - 1)] ?? 0 };
  }

  /** A start the user asked for begins with a clean slate. */
  reset(): void {
    this.deaths = [];
  }
}
