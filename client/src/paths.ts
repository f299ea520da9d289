// Workspace-relative paths, the way each folder's server names files (`/` separators).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FormRef } from '../../server/src/protocol';

/** The first workspace folder (where a command with no other clue writes, e.g. Export Report's default). */
export function workspaceFolder(): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.[0];
}

/** The workspace folder a file belongs to (the innermost), or undefined outside every folder. */
export function folderOf(uri: vscode.Uri): vscode.WorkspaceFolder | undefined {
  return uri.scheme === 'file' ? vscode.workspace.getWorkspaceFolder(uri) : undefined;
}

/** The server's name for a file (relative to its own folder), or undefined for files outside every folder. */
export function relativePathOf(uri: vscode.Uri): string | undefined {
  const folder = folderOf(uri);
  if (!folder) return undefined;
  const rel = path.relative(folder.uri.fsPath, uri.fsPath);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

/** The file a server named `relPath`, in the folder `folderUri` (the first folder when not given). */
export function uriOf(relPath: string, folderUri?: string): vscode.Uri | undefined {
  const base = folderUri !== undefined ? vscode.Uri.parse(folderUri) : workspaceFolder()?.uri;
  return base ? vscode.Uri.joinPath(base, ...relPath.split('/')) : undefined;
}

export function toRange(r: FormRef['range']): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}
