// What a change of the `clysm.*` settings does: the live ones go to the running server at once;
// for those that need a new server (protocol/settings.ts restartSettings) the user is offered
// "Restart now" instead of a silent restart that would also reload SBCL.
import * as vscode from 'vscode';
import { settingsNeedingRestart } from '../../server/src/protocol';

export const RESTART_NOW = 'Restart now';

export interface SettingsTarget {
  sendSettings(): Promise<void>;
  restart(): Promise<void>;
}

export function onSettingsChange(target: SettingsTarget, output: Pick<vscode.LogOutputChannel, 'warn'>): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration(async (e) => {
    if (!e.affectsConfiguration('clysm')) return;
    // Always: the live part of a mixed change applies now, whatever the user answers below.
    await target.sendSettings().catch((error: unknown) => output.warn(`sending the settings to the server: ${String(error)}`));
    const needRestart = settingsNeedingRestart((key) => e.affectsConfiguration(key));
    if (needRestart.length === 0) return;
    const verb = needRestart.length === 1 ? 'takes' : 'take';
    const answer = await vscode.window.showInformationMessage(`Clysm: ${needRestart.join(', ')} ${verb} effect after a server restart.`, RESTART_NOW);
    if (answer === RESTART_NOW) await target.restart();
  });
}
