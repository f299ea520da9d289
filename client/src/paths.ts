// Workspace-relative paths, the way the server names files (`/` separators, first folder only).
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { FormRef } from '../../server/src/protocol';

export function workspaceFolder(): vscode.WorkspaceFolder | undefined {
  return vscode.workspace.workspaceFolders?.[0];
}

/** The server's name for a file, or undefined for files outside the workspace folder. */
export function relativePathOf(uri: vscode.Uri): string | undefined {
  const folder = workspaceFolder();
  if (!folder || uri.scheme !== 'file') return undefined;
  const rel = path.relative(folder.uri.fsPath, uri.fsPath);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

export function uriOf(relPath: string): vscode.Uri | undefined {
  const folder = workspaceFolder();
  return folder ? vscode.Uri.joinPath(folder.uri, ...relPath.split('/')) : undefined;
}

export function toRange(r: FormRef['range']): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}
