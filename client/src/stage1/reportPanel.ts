// A Stage 1 report view: one webview panel per kind of report (generation, diff, fixed point),
// reused by the next report of that kind, so a diff never replaces the generation report.
// Button clicks in the page come back as commands.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { renderReportHtml, type ReportViewModel } from './reportHtml';

export type ReportCommand = 'openTextDiff' | 'openReport' | 'openFunctionDiff';

/** The kinds of report, each in its own panel (the webview view type). */
export const REPORT_KINDS = {
  stage1: 'clysm.stage1Report',
  diff: 'clysm.wasmDiff',
  fixedPoint: 'clysm.fixedPoint',
} as const;
export type ReportKind = keyof typeof REPORT_KINDS;

/** How long show() waits for the page to say it has loaded. */
const READY_TIMEOUT_MS = 10_000;

export class ReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private model: ReportViewModel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private onReady: (() => void) | undefined;

  constructor(
    private readonly kind: ReportKind,
    private readonly onCommand: (command: ReportCommand, model: ReportViewModel) => void,
  ) {}

  /** Shows the model; resolves true once the page has loaded (false after a timeout). */
  show(model: ReportViewModel): Promise<boolean> {
    this.model = model;
    if (!this.panel) {
      // No local resources and no retained state: the page is rebuilt from the model.
      this.panel = vscode.window.createWebviewPanel(REPORT_KINDS[this.kind], model.title, { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, {
        enableScripts: true,
        localResourceRoots: [],
      });
      this.panel.onDidDispose(() => {
        this.panel = undefined;
      }, undefined, this.disposables);
      this.panel.webview.onDidReceiveMessage((message: { command?: string }) => {
        if (message.command === 'ready') this.onReady?.();
        else if (this.model && (message.command === 'openTextDiff' || message.command === 'openReport' || message.command === 'openFunctionDiff')) this.onCommand(message.command, this.model);
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
