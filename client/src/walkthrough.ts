// Ticks the walkthrough's "Open a Clysm checkout" step. VS Code ticks an onContext step only when
// the key changes after the walkthrough is registered; a built-in key that already holds at
// startup (workbenchState) never ticks it. So the extension sets its own key at activation.
import * as vscode from 'vscode';

export const FOLDER_OPEN_CONTEXT = 'clysm.folderOpen';

export function trackOpenFolder(): vscode.Disposable {
  const update = () => void vscode.commands.executeCommand('setContext', FOLDER_OPEN_CONTEXT, (vscode.workspace.workspaceFolders?.length ?? 0) > 0);
  update();
  return vscode.workspace.onDidChangeWorkspaceFolders(update);
}
