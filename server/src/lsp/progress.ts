// The "checking modules" work-done progress of a whole-workspace run. Creating the progress is a
// round trip to the client, so the run can end (and another start) before the token exists: the
// latest state is kept and applied when the token arrives, so every begun progress is ended.
import type { WorkDoneProgressServerReporter } from 'vscode-languageserver/node';
import type { ProgressReport } from '../workspace/workspaceModel';

/** The part of the LSP connection this needs (connection.window in the server, a fake in tests). */
export interface ProgressWindow {
  createWorkDoneProgress(): Promise<WorkDoneProgressServerReporter>;
}

export const MODULE_PROGRESS_TITLE = 'Clysm: checking modules';

export class ModuleCheckProgress {
  private reporter: WorkDoneProgressServerReporter | undefined;
  private creating = false;
  /** The state the user should see: the run's last report, or undefined when no run is going. */
  private latest: ProgressReport | undefined;

  constructor(
    private readonly window: ProgressWindow,
    private readonly onCancel: () => void,
  ) {}

  /** A run's progress, or undefined when the run ended (completed, failed or cancelled). */
  update(report: ProgressReport | undefined): void {
    this.latest = report;
    if (!report) {
      this.reporter?.done();
      this.reporter = undefined;
      return;
    }
    if (this.reporter) this.reporter.report(percentOf(report), messageOf(report));
    else if (!this.creating) void this.create();
  }

  private async create(): Promise<void> {
    this.creating = true;
    let reporter: WorkDoneProgressServerReporter;
    try {
      reporter = await this.window.createWorkDoneProgress();
    } catch {
      return; // the client refused: no progress UI for this run; the status bar still shows it
    } finally {
      this.creating = false;
    }
    const report = this.latest;
    if (!report) {
      // The run ended while the token was being created: end it unseen, so the client drops it.
      reporter.done();
      return;
    }
    reporter.begin(MODULE_PROGRESS_TITLE, percentOf(report), messageOf(report), true);
    reporter.token.onCancellationRequested(() => this.onCancel());
    this.reporter = reporter;
  }
}

function percentOf(report: ProgressReport): number {
  return Math.round((100 * (report.moduleNumber - 1)) / Math.max(1, report.moduleCount));
}

function messageOf(report: ProgressReport): string {
  return `module ${report.moduleNumber} of ${report.moduleCount}: ${report.file}`;
}
