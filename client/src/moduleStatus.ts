// The per-file language status item: the coverage of the module in the active editor, from the
// Modules view's rows (clysm/modules).
import * as vscode from 'vscode';
import type { ServerStatus } from '../../server/src/protocol';
import { folderOf, relativePathOf } from './paths';
import type { FolderRows } from './views/modulesView';
import { moduleDescription } from './views/labels';

export class ModuleLanguageStatus implements vscode.Disposable {
  private readonly item: vscode.LanguageStatusItem;
  private groups: FolderRows[] | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor() {
    this.item = vscode.languages.createLanguageStatusItem('clysm.moduleCoverage', { language: 'commonlisp' });
    this.item.name = 'Clysm module coverage';
    this.item.command = { command: 'clysm.modules.focus', title: 'Show Modules' };
    this.disposables.push(this.item, vscode.window.onDidChangeActiveTextEditor(() => this.render()));
    this.render();
  }

  setGroups(groups: FolderRows[] | undefined): void {
    this.groups = groups;
    this.render();
  }

  statusChanged(status: ServerStatus | undefined): void {
    this.item.busy = status?.busy ?? false;
  }

  /** What the item shows now (for the extension API and tests). */
  viewState(): { text: string; detail: string | undefined } {
    return { text: this.item.text, detail: this.item.detail };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  private render(): void {
    const editor = vscode.window.activeTextEditor;
    const rel = editor ? relativePathOf(editor.document.uri) : undefined;
    const folder = editor ? folderOf(editor.document.uri)?.uri.toString() : undefined;
    // The rows of the editor's own folder: two folders may both have a src/package.lisp.
    const rows = this.groups?.find((g) => g.folder.uri === folder)?.rows;
    const row = rel ? rows?.find((r) => r.file === rel) : undefined;
    this.item.severity = vscode.LanguageStatusSeverity.Information;
    if (!this.groups) {
      this.item.text = 'Clysm';
      this.item.detail = 'module coverage not available yet';
    } else if (!row) {
      this.item.text = 'Clysm: not a module';
      this.item.detail = 'this file is not in the module list, so it is not compiled';
    } else {
      this.item.text = `$(pulse) ${moduleDescription(row)}`;
      this.item.detail = `module ${row.moduleIndex} of ${rows?.length ?? 0}: compiled / (total − skipped)`;
      if (row.problem) this.item.severity = vscode.LanguageStatusSeverity.Warning;
    }
  }
}
