// The delta of the last compiler change, as the Blockers view's top node, its forms (each
// reveals its form) and a notification that does not take the focus.
import * as vscode from 'vscode';
import type { ChangedForm, FormRef, LastChange } from '../../../server/src/protocol';
import { changedFormDescription, escapeMarkdown, formLabel, reloadDescription } from './labels';

/** The form a changed-form row reveals, in the shape clysm.revealForm takes. */
export function changedFormRef(change: ChangedForm): FormRef {
  return { id: change.id, file: change.file, range: change.range, operator: null, name: change.name, status: change.after.status, message: change.after.message };
}

export function lastChangeItem(change: LastChange): vscode.TreeItem {
  const item = new vscode.TreeItem('Last change', change.changed.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
  item.id = 'last-change';
  item.description = change.text;
  item.iconPath = new vscode.ThemeIcon('history');
  const md = new vscode.MarkdownString();
  md.appendMarkdown(`**Last compiler change** (${escapeMarkdown(change.files.join(', '))}): ${escapeMarkdown(change.text)}\n\n`);
  md.appendMarkdown(`${reloadDescription(change.reload)}; every form re-checked, ${change.ms} ms from the change on disk.`);
  if (change.reload.errors.length > 0) md.appendMarkdown(`\n\n${change.reload.errors.length} changed form(s) could not be applied (reload-error).`);
  item.tooltip = md;
  item.contextValue = 'clysm.lastChange';
  return item;
}

/** `folderUri`: the workspace folder whose server reported the change (multi-root). */
export function changedFormItem(change: ChangedForm, folderUri: string): vscode.TreeItem {
  const form = changedFormRef(change);
  const item = new vscode.TreeItem(formLabel(form), vscode.TreeItemCollapsibleState.None);
  item.id = `last-change\u0000${change.id}`;
  item.description = changedFormDescription(change);
  item.iconPath =
    change.kind === 'compiled'
      ? new vscode.ThemeIcon('pass', new vscode.ThemeColor('charts.green'))
      : change.kind === 'regression'
        ? new vscode.ThemeIcon('arrow-circle-down', new vscode.ThemeColor('charts.red'))
        : new vscode.ThemeIcon('diff');
  const md = new vscode.MarkdownString();
  if (change.before?.message) md.appendMarkdown('Before:\n').appendCodeblock(change.before.message, 'text');
  if (change.after.message) md.appendMarkdown('After:\n').appendCodeblock(change.after.message, 'text');
  item.tooltip = md;
  item.command = { command: 'clysm.revealForm', title: 'Reveal Form', arguments: [form, folderUri] };
  item.contextValue = 'clysm.form';
  return item;
}

/** Shows each new delta once, as a notification that leaves the focus where it is. */
export class LastChangeNotifier {
  private shownAt: string | undefined;

  /** `at` of the delta in the latest status; the first one seen (already shown before a reload of the window) is not repeated. */
  statusChanged(lastChange: { text: string; at: string } | undefined): void {
    if (!lastChange || lastChange.at === this.shownAt) return;
    this.shownAt = lastChange.at;
    void vscode.window.showInformationMessage(`Clysm: the compiler change gave ${lastChange.text}`);
  }
}
