// The coverage status bar item. It renders clysm/status notifications (and the regressions of the
// last blocker tree); it computes nothing. A click focuses the Blockers view.
import * as vscode from 'vscode';
import type { FormRef, ServerStatus } from '../../server/src/protocol';
import { describeTime, describeTimesIn } from './relativeTime';
import { coverageText, statusBarText } from './statusText';
import { escapeMarkdown, formLabel } from './views/labels';

/** Regressions listed by name in the tooltip; the rest are counted. */
const MAX_LISTED_REGRESSIONS = 5;

export class CoverageStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private status: ServerStatus | undefined;
  /** The folder the status is of, when several are analysed. */
  private folderName: string | undefined;
  private regressions: FormRef[] = [];
  private regressionsFolder: string | undefined;

  /** @param stage1Command the Generate Stage 1 command, linked from the tooltip when it exists. */
  constructor(private readonly stage1Command: string | undefined) {
    this.item = vscode.window.createStatusBarItem('clysm.coverage', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Clysm coverage';
    this.item.command = 'clysm.focusBlockers';
    this.showMessage('$(sync~spin) Clysm', 'Starting the Clysm language server…');
    this.item.show();
  }

  showMessage(text: string, tooltip: string, warning = false): void {
    this.status = undefined;
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  /** @param folderName the folder `status` is of, named when several folders are analysed. */
  update(status: ServerStatus, folderName?: string): void {
    this.status = status;
    this.folderName = folderName;
    const shown = statusBarText(status, folderName);
    this.item.text = shown.text;
    this.item.backgroundColor = shown.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = this.tooltipFor(status);
  }

  /** Regressions of the last blocker tree of the folder shown (in `folderUri`), for the tooltip. */
  setRegressions(forms: FormRef[], folderUri?: string): void {
    this.regressions = forms;
    this.regressionsFolder = folderUri;
    if (this.status) this.item.tooltip = this.tooltipFor(this.status);
  }

  /** The text and tooltip as shown (for the extension API and tests). */
  viewState(): { text: string; tooltip: string; command: string | undefined } {
    const tooltip = this.item.tooltip;
    const command = this.item.command;
    return {
      text: this.item.text,
      tooltip: typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? ''),
      command: typeof command === 'string' ? command : command?.command,
    };
  }

  dispose(): void {
    this.item.dispose();
  }

  private tooltipFor(status: ServerStatus): vscode.MarkdownString {
    const s = status.summary;
    const b = status.status;
    const md = new vscode.MarkdownString(undefined, true);
    const links = ['clysm.reanalyze', 'clysm.restartServer', 'clysm.showOutput', 'clysm.revealForm', 'clysm.focusBlockers'];
    if (this.stage1Command) links.push(this.stage1Command);
    md.isTrusted = { enabledCommands: links };
    if (this.folderName) md.appendMarkdown(`**Folder: ${escapeMarkdown(this.folderName)}** (the active editor's; each analysed folder has its own coverage)\n\n`);
    if (statusBarText(status).loading) {
      const what = status.backend === 'none' ? 'choosing and starting the backend' : escapeMarkdown(b.message);
      md.appendMarkdown(`**Loading the compiler:** ${what}\n\n`);
      md.appendMarkdown('Forms are checked once it has loaded (SBCL loading Clysm takes about 20 s on a cold checkout).\n\n');
      if (status.restoredResults && s.total > 0) {
        md.appendMarkdown(`Last known coverage: ${coverageText(s)}, from the results saved ${describeTime(status.restoredResults.savedAt)}\n\n`);
      }
    } else {
      md.appendMarkdown(`**Clysm self-compilation coverage: ${s.coveragePct.toFixed(2)}%**\n\n`);
      md.appendMarkdown(`coverage = compiled / (total − skipped) = ${s.compiled} / (${s.total} − ${s.skipped})\n\n`);
      if (status.lastChange) md.appendMarkdown(`**Last compiler change:** ${escapeMarkdown(status.lastChange.text)} ([show](command:clysm.focusBlockers))\n\n`);
      md.appendMarkdown(
        `compiled ${s.compiled} · failed ${s.failed} · skipped ${s.skipped} · timeout ${s.timeout} · read errors ${s.readErrors} (not forms, not in total)` +
          (s.crashed ? ` · crashed ${s.crashed}` : '') +
          '\n\n',
      );
    }
    md.appendMarkdown(this.regressionsMarkdown(status));
    if (status.restoredResults) {
      md.appendMarkdown(`Showing results saved ${describeTime(status.restoredResults.savedAt)}; ${status.restoredResults.staleModules} modules not re-checked yet.\n\n`);
    }
    md.appendMarkdown(`Backend: **${status.backend}** (${b.state}) on ${b.engine.name} ${b.engine.version}\n\n`);
    if (status.backendReason) md.appendMarkdown(`Why: ${escapeMarkdown(status.backendReason)}\n\n`);
    if (b.stage0) {
      md.appendMarkdown(`Stage 0: \`${b.stage0.path}\` · ${b.stage0.size} bytes · sha256 \`${b.stage0.sha256.slice(0, 12)}\` · ${b.stage0.status}\n\n`);
    }
    if (b.state !== 'ready') md.appendMarkdown(`⚠ ${escapeMarkdown(b.message)}\n\n`);
    md.appendMarkdown(`Modules: ${status.modulesDone}/${status.modulesTotal} analysed (list from ${status.moduleListSource})\n\n`);
    if (status.lastRun) md.appendMarkdown(`Last full run: ${describeTime(status.lastRun)}, took ${((status.lastRunMs ?? 0) / 1000).toFixed(1)} s\n\n`);
    const actions = ['[Re-check](command:clysm.reanalyze)', '[Restart server](command:clysm.restartServer)', '[Show output](command:clysm.showOutput)'];
    if (this.stage1Command) actions.unshift(`[Generate Stage 1](command:${this.stage1Command})`);
    md.appendMarkdown(actions.join(' · '));
    return md;
  }

  private regressionsMarkdown(status: ServerStatus): string {
    // The count comes with the status; the names come from the last blocker tree.
    const n = Math.max(status.regressions ?? 0, this.regressions.length);
    const baseline = status.baselineSource ? ` · baseline: ${escapeMarkdown(describeTimesIn(status.baselineSource))}` : '';
    if (n === 0) return `No regressions${baseline}\n\n`;
    const listed = this.regressions.slice(0, MAX_LISTED_REGRESSIONS).map((f) => {
      const args = encodeURIComponent(JSON.stringify(this.regressionsFolder ? [f, this.regressionsFolder] : [f]));
      return `- [${escapeMarkdown(formLabel(f))}](command:clysm.revealForm?${args})`;
    });
    const rest = n - listed.length;
    const more = rest > 0 ? [`- [${rest} more in the Blockers view](command:clysm.focusBlockers)`] : [];
    return `**⚠ ${n} ${n === 1 ? 'regression' : 'regressions'}** (compiled in the baseline, fail now)${baseline}\n\n${[...listed, ...more].join('\n')}\n\n`;
  }
}
