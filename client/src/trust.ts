// Restricted mode: Clysm runs nothing (no Stage 0, no SBCL) in an untrusted workspace. Commands
// that need the server are hidden from the palette there (package.json `when` clauses); one run
// anyway (a keybinding, a link) says why nothing happens instead of "the server is not running".
import * as vscode from 'vscode';

export const UNTRUSTED_MESSAGE = 'Clysm runs nothing in an untrusted workspace: no Stage 0 and no SBCL.';
const MANAGE_TRUST = 'Manage Workspace Trust';

/** Wraps a command handler: in an untrusted workspace it says so and resolves to undefined. */
export function whenTrusted<A extends unknown[], R>(run: (...args: A) => R): (...args: A) => R | undefined {
  return (...args: A) => {
    if (vscode.workspace.isTrusted) return run(...args);
    void vscode.window.showWarningMessage(`Clysm: ${UNTRUSTED_MESSAGE}`, MANAGE_TRUST).then((choice) => {
      if (choice === MANAGE_TRUST) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return undefined;
  };
}
