// Which baseline regressions are measured against, over a session's life:
//   - a report the user points at (`clysm.baselineReport`), re-read at each whole run; or
//   - "the previous run": when a whole-workspace run starts, the results of the last completed
//     one become the baseline, and stay it while the user edits until the next whole run.
//     After a reopen, the last results of the previous session play that part. The very first
//     run becomes its own baseline once it completes, so later edits are still compared.
// File reading is injected, so this stays testable without a disk.
import type { AnalyzedForm } from '../types';
import { baselineFromForms, baselineFromReport, persistBaseline, restoreBaseline, type Baseline, type PersistedBaseline } from './baseline';

export class BaselineTracker {
  private configured: Baseline | undefined;
  private configuredProblem: string | undefined;
  private rolling: Baseline | undefined;
  private lastCompleted: Baseline | undefined;
  /** Bumped whenever current() may have changed, so derived data can be memoised. */
  version = 0;

  constructor(private readonly readFile: (file: string) => string) {}

  /** Loads the user's baseline report; undefined path means "the previous run". Returns a problem to log. */
  configure(reportPath: string | undefined): string | undefined {
    this.version++;
    this.configured = undefined;
    this.configuredProblem = undefined;
    if (!reportPath) return undefined;
    try {
      this.configured = baselineFromReport(`report ${reportPath}`, JSON.parse(this.readFile(reportPath)));
    } catch (error) {
      this.configuredProblem = `baseline report ${reportPath} unusable: ${(error as Error).message}`;
    }
    return this.configuredProblem;
  }

  /** State from the persisted cache: the baseline then in effect, and the last results shown. */
  restore(previous: PersistedBaseline | undefined, lastForms: readonly AnalyzedForm[], savedAt: string): void {
    this.rolling = previous ? restoreBaseline(previous) : undefined;
    this.lastCompleted = lastForms.length > 0 ? baselineFromForms(`previous session (saved ${savedAt})`, lastForms) : undefined;
    this.version++;
  }

  runStarted(): void {
    if (this.lastCompleted) this.rolling = this.lastCompleted;
    this.version++;
  }

  runCompleted(forms: readonly AnalyzedForm[], finishedAt: string): void {
    this.lastCompleted = baselineFromForms(`previous run (finished ${finishedAt})`, forms);
    // The very first run is compared with nothing; later edits are compared with it, under its own name.
    this.rolling ??= { ...this.lastCompleted, source: `first run (finished ${finishedAt})` };
    this.version++;
  }

  current(): Baseline | undefined {
    return this.configured ?? this.rolling;
  }

  source(): string {
    const base = this.current()?.source ?? 'none (first run)';
    return this.configuredProblem ? `${base}; ${this.configuredProblem}` : base;
  }

  /** The rolling baseline, to persist with the cache (a configured report is re-read instead). */
  persisted(): PersistedBaseline | undefined {
    return this.rolling ? persistBaseline(this.rolling) : undefined;
  }
}
