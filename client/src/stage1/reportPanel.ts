// The Stage 1 report view: one webview panel, reused, showing the latest generation, diff or
// fixed-point outcome. Button clicks in the page come back as commands.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { renderReportHtml, type ReportViewModel } from './reportHtml';

export type ReportCommand = 'openTextDiff' | 'openReport';

/** How long show() waits for the page to say it has loaded. */
const READY_TIMEOUT_MS = 10_000;

export class ReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private model: ReportViewModel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private onReady: (() => void) | undefined;

  constructor(private readonly onCommand: (command: ReportCommand, model: ReportViewModel) => void) {}

  current(): ReportViewModel | undefined {
    return this.model;
  }

  /** Shows the model; resolves true once the page has loaded (false after a timeout). */
  show(model: ReportViewModel): Promise<boolean> {
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
        if (message.command === 'ready') this.onReady?.();
        else if (this.model && (message.command === 'openTextDiff' || message.command === 'openReport')) this.onCommand(message.command, this.model);
      }, undefined, this.disposables);
    }
    const loaded = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), READY_TIMEOUT_MS);
      this.onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
    this.panel.title = model.title;
    this.panel.webview.html = renderReportHtml(model, this.panel.webview.cspSource, randomBytes(16).toString('base64'));
    this.panel.reveal(undefined, false);
    return loaded;
  }

  dispose(): void {
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
