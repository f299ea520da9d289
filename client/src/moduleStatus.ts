// The per-file language status item: the coverage of the module in the active editor, from the
// Modules view's rows (clysm/modules).
import * as vscode from 'vscode';
import type { ModuleRow, ServerStatus } from '../../server/src/protocol';
import { relativePathOf } from './paths';
import { moduleDescription } from './views/labels';

export class ModuleLanguageStatus implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;
  private rows: ModuleRow[] | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.item = vscode.languages.createLanguageStatusItem('clysm.moduleCoverage', { language: 'commonlisp' });
    this.item.name = 'Clysm module coverage';
    this.item.command = { command: 'clysm.modules.focus', title: 'Show Modules' };
    this.disposables.push(this.item, vscode.window.onDidChangeActiveTextEditor(() => this.render()));
    this.render();
  }

  setRows(rows: ModuleRow[] | undefined): void {
    this.rows = rows;
    this.render();
  }

  statusChanged(status: ServerStatus | undefined): void {
    this.item.busy = status?.busy ?? false;
  }

  /** What the item shows now (for the extension API and tests). */
  snapshot(): { text: string; detail: string | undefined } {
    return { text: this.item.text, detail: this.item.detail };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private render(): void {
    const editor = vscode.window.activeTextEditor;
    const rel = editor ? relativePathOf(editor.document.uri) : undefined;
    const row = rel ? this.rows?.find((r) => r.file === rel) : undefined;
    this.item.severity = vscode.LanguageStatusSeverity.Information;
    if (!this.rows) {
      this.item.text = 'Clysm';
      this.item.detail = 'module coverage not available yet';
    } else if (!row) {
      this.item.text = 'Clysm: not a module';
      this.item.detail = 'this file is not in the module list, so it is not compiled';
    } else {
      this.item.text = `$(pulse) ${moduleDescription(row)}`;
      this.item.detail = `module ${row.moduleIndex} of ${this.rows.length}: compiled / (total − skipped)`;
      if (row.problem) this.item.severity = vscode.LanguageStatusSeverity.Warning;
    }
  }
}
