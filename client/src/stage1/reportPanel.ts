// The Stage 1 report view: one webview panel, reused, showing the latest generation, diff or
// fixed-point outcome. Button clicks in the page come back as commands.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { renderReportHtml, type ReportViewModel } from './reportHtml';

export type ReportCommand = 'openTextDiff' | 'openReport';

export class ReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private model: ReportViewModel | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly onCommand: (command: ReportCommand, model: ReportViewModel) => void) {}

  current(): ReportViewModel | undefined {
    return this.model;
  }

  show(model: ReportViewModel): void {
    this.model = model;
    if (!this.panel) {
      // No local resources and no retained state: the page is rebuilt from the model.
      this.panel = vscode.window.createWebviewPanel('clysm.stage1Report', model.title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
        enableScripts: true,
        localResourceRoots: [],
      });
      this.panel.onDidDispose(() => {
        this.panel = undefined;
      }, undefined, this.disposables);
      this.panel.webview.onDidReceiveMessage((message: { command?: string }) => {
        if (this.model && (message.command === 'openTextDiff' || message.command === 'openReport')) this.onCommand(message.command, this.model);
      }, undefined, this.disposables);
    }
    this.panel.title = model.title;
    this.panel.webview.html = renderReportHtml(model, this.panel.webview.cspSource, randomBytes(16).toString('base64'));
    this.panel.reveal(undefined, false);
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
