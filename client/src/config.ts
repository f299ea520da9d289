// The `clysm.*` settings the server needs, read from VS Code with the one reading rule of
// server/src/protocol/settings.ts, plus the paths only the extension knows.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { defaultOf, readServerSettings, readStage1Settings, type ServerSettings, type SettingReader, type Stage1Settings } from '../../server/src/protocol';

function readerFor(scope: vscode.Uri | undefined): SettingReader {
  const config = vscode.workspace.getConfiguration('clysm', scope);
  return (key, fallback) => config.get(key, fallback);
}

export function serverSettings(folder: vscode.WorkspaceFolder, context: vscode.ExtensionContext): ServerSettings {
  const baseline = vscode.workspace.getConfiguration('clysm', folder.uri).get('baselineReport', defaultOf('clysm.baselineReport')).trim();
  return {
    ...readServerSettings(readerFor(folder.uri)),
    coreCacheDir: vscode.Uri.joinPath(context.globalStorageUri, 'sbcl-cores').fsPath,
    // Relative paths are relative to the workspace folder, like clysm.stage0Path.
    baselineReport: baseline ? path.resolve(folder.uri.fsPath, baseline) : undefined,
    // Per-workspace storage for the persistent result cache (undefined only without a folder).
    storageDir: context.storageUri?.fsPath,
  };
}

/** The `clysm.stage1.*` settings, read each time a Stage 1 command runs. */
export function stage1Settings(folder: vscode.WorkspaceFolder | undefined): Stage1Settings {
  return readStage1Settings(readerFor(folder?.uri));
}
