// Commands of root causes: open a compiler source location or a missing name's definition,
// show a cause in the Fixes list, open a form's full message. Diagnostics' code actions and
// hover links run them with the arguments the server built (protocol/rootCauses.ts).
import * as vscode from 'vscode';
import { ClientCommands, type SourceLocation } from '../../server/src/protocol';
import type { Ctx } from './ctx';
import { describeRequestError } from './requests';

/** Opens `location` (absolute path, 1-based line and column) with the cursor there. */
export async function openLocation(location: SourceLocation): Promise<vscode.TextEditor | undefined> {
  if (typeof location?.path !== 'string' || !Number.isInteger(location.line)) return undefined;
  const at = new vscode.Position(Math.max(0, location.line - 1), Math.max(0, (location.column ?? 1) - 1));
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(location.path), { selection: new vscode.Range(at, at), preview: true });
  editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.AtTop);
  return editor;
}

async function openFullMessage(ctx: Ctx, formId: string): Promise<vscode.TextEditor | undefined> {
  try {
    const answer = await ctx.formMessage(formId);
    if (!answer) {
      void vscode.window.showWarningMessage(`Clysm: form ${formId} has no result any more (re-checked since).`);
      return undefined;
    }
    const document = await vscode.workspace.openTextDocument({ content: `;; Clysm: full message of form ${answer.id}\n\n${answer.message}\n`, language: 'plaintext' });
    return vscode.window.showTextDocument(document, { preview: true });
  } catch (error) {
    void vscode.window.showErrorMessage(`Clysm: ${describeRequestError('clysm/formMessage', error)}`);
    return undefined;
  }
}

/** The root-cause location of a Fixes item (its context menu's Go to Compiler Source). */
function originOfItem(item: unknown): SourceLocation | undefined {
  const node = item as { kind?: string; cause?: { origin?: SourceLocation | null } } | undefined;
  return node?.kind === 'cause' ? (node.cause?.origin ?? undefined) : undefined;
}

export function registerRootCauseCommands(ctx: Ctx): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(ClientCommands.openLocation, (location: SourceLocation) => openLocation(location)),
    vscode.commands.registerCommand(ClientCommands.showRootCause, async (id: string) => {
      await vscode.commands.executeCommand('clysm.blockers.focus');
      return ctx.blockers.revealRootCause(id);
    }),
    vscode.commands.registerCommand(ClientCommands.openFullMessage, (formId: string) => openFullMessage(ctx, formId)),
    vscode.commands.registerCommand('clysm.goToCompilerSource', (item: unknown) => {
      const origin = originOfItem(item);
      return origin ? openLocation(origin) : undefined;
    }),
    vscode.commands.registerCommand('clysm.blockers.showFixes', () => ctx.blockers.setMode('fixes')),
    vscode.commands.registerCommand('clysm.blockers.showCategories', () => ctx.blockers.setMode('categories')),
  ];
}
