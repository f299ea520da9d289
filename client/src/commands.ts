// Command handlers. They call the server through Ctx and show the results; no analysis here.
import * as vscode from 'vscode';
import type { FormRef } from '../../server/src/protocol';
import type { Ctx } from './ctx';
import { toRange, uriOf, workspaceFolder } from './paths';
import { describeRequestError } from './requests';
import { whenTrusted } from './trust';
import { BLOCKERS_VIEW } from './views/blockersView';
import type { ModuleOrder } from './views/moduleOrder';

export function registerCommands(ctx: Ctx): vscode.Disposable[] {
  const command = (id: string, run: (...args: never[]) => unknown) => vscode.commands.registerCommand(id, run);
  return [
    command('clysm.restartServer', whenTrusted(() => ctx.restart())),
    command('clysm.showOutput', () => ctx.showOutput()),
    command('clysm.reanalyze', whenTrusted(() => ctx.reanalyze())),
    command('clysm.exportReport', whenTrusted((target?: vscode.Uri | string) => exportReport(ctx, target))),
    command('clysm.focusBlockers', () => vscode.commands.executeCommand(`${BLOCKERS_VIEW}.focus`)),
    command('clysm.blockers.filterActiveModule', () => ctx.blockers.setFilter('active')),
    command('clysm.blockers.showAllModules', () => ctx.blockers.setFilter('all')),
    command('clysm.blockers.refresh', () => ctx.blockers.refresh()),
    command('clysm.modules.refresh', () => ctx.modules.refresh()),
    command('clysm.modules.sort', (order?: ModuleOrder) => ctx.modules.sortBy(order)),
    command('clysm.revealForm', (form: FormRef, folderUri?: string) => revealForm(form, folderUri)),
  ];
}

/** Opens the form's file (in `folderUri`, the first folder when not given) and selects its range (the tree's and the tooltip's click action). */
export async function revealForm(form: FormRef, folderUri?: string): Promise<vscode.TextEditor | undefined> {
  const uri = uriOf(form.file, folderUri);
  if (!uri) return undefined;
  const range = toRange(form.range);
  const editor = await vscode.window.showTextDocument(uri, { selection: range, preview: true });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

/** Asks where to save (unless given a target, as tests and keybindings may) and has the server write the report. */
async function exportReport(ctx: Ctx, target?: vscode.Uri | string): Promise<string | undefined> {
  let file = typeof target === 'string' ? target : target?.fsPath;
  if (!file) {
    const folder = workspaceFolder();
    const picked = await vscode.window.showSaveDialog({
      title: 'Export Clysm Report',
      saveLabel: 'Export',
      defaultUri: folder ? vscode.Uri.joinPath(folder.uri, 'clysm-report.json') : undefined,
      filters: { 'JSON report': ['json'] },
    });
    if (!picked) return undefined;
    file = picked.fsPath;
  }
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Clysm: exporting the report…' },
      () => ctx.exportReport(file),
    );
    ctx.output.info(`report with ${result.forms} forms written to ${result.path}`);
    // Not awaited: a test or a script calling the command must not wait for a click.
    void vscode.window.showInformationMessage(`Clysm: wrote ${result.forms} forms to ${vscode.workspace.asRelativePath(result.path)}.`, 'Open').then((choice) => {
      if (choice === 'Open') void vscode.window.showTextDocument(vscode.Uri.file(result.path));
    });
    return result.path;
  } catch (error) {
    const message = describeRequestError('clysm/exportReport', error);
    ctx.output.error(message);
    void vscode.window.showErrorMessage(`Clysm: ${message}`);
    return undefined;
  }
}
