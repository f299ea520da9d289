// The coverage status bar item. It renders clysm/status notifications; it computes nothing.
import * as vscode from 'vscode';
import type { ServerStatus } from '../../server/src/protocol';

export class CoverageStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;

  constructor() {
    this.item = vscode.window.createStatusBarItem('clysm.coverage', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'Clysm coverage';
    this.item.command = 'clysm.showOutput';
    this.showMessage('$(sync~spin) Clysm', 'Starting the Clysm language server…');
    this.item.show();
  }

  showMessage(text: string, tooltip: string, warning = false): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.backgroundColor = warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  update(status: ServerStatus): void {
    const s = status.summary;
    const state = status.status.state;
    const unusable = state === 'error' || state === 'stub';
    const icon = status.busy || state === 'starting' ? '$(sync~spin)' : unusable ? '$(warning)' : '$(pulse)';
    const denominator = s.total - s.skipped;
    this.item.text = unusable
      ? `${icon} Clysm: ${state === 'stub' ? 'Stage 0 is a stub' : 'backend error'}`
      : `${icon} Clysm ${s.coveragePct.toFixed(1)}% · ${s.compiled}/${denominator}`;
    this.item.backgroundColor = unusable ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = tooltipFor(status);
  }

  dispose(): void {
    this.item.dispose();
  }
}

function tooltipFor(status: ServerStatus): vscode.MarkdownString {
  const s = status.summary;
  const b = status.status;
  const md = new vscode.MarkdownString(undefined, true);
  md.isTrusted = { enabledCommands: ['clysm.restartServer', 'clysm.showOutput', 'clysm.reanalyze'] };
  md.appendMarkdown(`**Clysm self-compilation coverage: ${s.coveragePct.toFixed(2)}%**\n\n`);
  md.appendMarkdown(`coverage = compiled / (total − skipped) = ${s.compiled} / (${s.total} − ${s.skipped})\n\n`);
  md.appendMarkdown(
    `compiled ${s.compiled} · failed ${s.failed} · skipped ${s.skipped} · timeout ${s.timeout} · read errors ${s.readErrors}` +
      (s.crashed ? ` · crashed ${s.crashed}` : '') +
      '\n\n',
  );
  md.appendMarkdown(`Backend: **${status.backend}** (${b.state}) on ${b.engine.name} ${b.engine.version}\n\n`);
  if (status.backendReason) md.appendMarkdown(`Why: ${escapeMarkdown(status.backendReason)}\n\n`);
  if (b.stage0) {
    md.appendMarkdown(`Stage 0: \`${b.stage0.path}\` · ${b.stage0.size} bytes · sha256 \`${b.stage0.sha256.slice(0, 12)}\` · ${b.stage0.status}\n\n`);
  }
  if (b.state !== 'ready') md.appendMarkdown(`⚠ ${escapeMarkdown(b.message)}\n\n`);
  md.appendMarkdown(`Modules: ${status.modulesDone}/${status.modulesTotal} analysed (list from ${status.moduleListSource})\n\n`);
  if (status.lastRun) md.appendMarkdown(`Last full run: ${status.lastRun} (${(status.lastRunMs ?? 0).toFixed(0)} ms)\n\n`);
  md.appendMarkdown('[Re-check](command:clysm.reanalyze) · [Restart server](command:clysm.restartServer) · [Show output](command:clysm.showOutput)');
  return md;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
