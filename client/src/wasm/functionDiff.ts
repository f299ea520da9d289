// "Open Function Diff": the WAT of one changed function of two modules (Stage 0 and Stage 1 in
// the report), side by side in VS Code's diff editor. Functions are paired by the server
// (export name, then name section, then index); the pick says how each pair was made.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FunctionDiffRequest, FunctionWatRequest, type ChangedFunction } from '../../../server/src/protocol';
import { describeRequestError, ServerNotRunning } from '../requests';

export const OPEN_FUNCTION_DIFF_COMMAND = 'clysm.openFunctionDiff';
const SCHEME = 'clysm-wat-function';
const HOW: Record<ChangedFunction['pairedBy'], string> = { export: 'by export name', name: 'by name section', index: 'by index' };

/** Read-only texts for the two sides; the most recent few are kept. */
class FunctionTexts implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private counter = 0;

  add(label: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${label.replace(/[\\/:*?"<>|]/g, '_')}.wat`, query: String(++this.counter) });
    this.texts.set(uri.toString(), text);
    if (this.texts.size > 20) this.texts.delete(this.texts.keys().next().value as string);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? ';; This function is no longer available: open the function diff again.\n';
  }
}

async function pickModule(title: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: { WebAssembly: ['wasm'] } });
  return picked?.[0]?.fsPath;
}

export function registerFunctionDiff(client: () => LanguageClient | undefined): vscode.Disposable[] {
  const texts = new FunctionTexts();
  const open = async (modules?: { a: string; b: string }, label?: string): Promise<void> => {
    const running = client();
    try {
      if (!running?.isRunning()) throw new ServerNotRunning('The Clysm server is not running.');
      const a = modules?.a ?? (await pickModule('First module (A)'));
      const b = a && (modules?.b ?? (await pickModule('Second module (B)')));
      if (!a || !b) return;
      const changed = await running.sendRequest(FunctionDiffRequest, { a, b });
      if (changed.length === 0) {
        void vscode.window.showInformationMessage(`Clysm: no function of ${path.basename(a)} and ${path.basename(b)} changed.`);
        return;
      }
      const chosen = label !== undefined ? changed.find((f) => f.label === label) : (await vscode.window.showQuickPick(
        changed.map((f) => ({ label: f.label, description: `#${f.indexA} ↔ #${f.indexB}, ${HOW[f.pairedBy]}`, detail: `body ${f.bodyA} → ${f.bodyB} bytes`, f })),
        { title: 'Open Function Diff', placeHolder: 'A changed function' },
      ))?.f;
      if (!chosen) return;
      const [left, right] = await Promise.all([
        running.sendRequest(FunctionWatRequest, { file: a, index: chosen.indexA }),
        running.sendRequest(FunctionWatRequest, { file: b, index: chosen.indexB }),
      ]);
      const title = `${chosen.label}: ${path.basename(a)} ↔ ${path.basename(b)} (WAT, paired ${HOW[chosen.pairedBy]})`;
      await vscode.commands.executeCommand('vscode.diff', texts.add(`${path.basename(a)} ${chosen.label}`, left), texts.add(`${path.basename(b)} ${chosen.label}`, right), title, { preview: false });
    } catch (error) {
      void vscode.window.showErrorMessage(describeRequestError('Open Function Diff', error));
    }
  };
  return [
    vscode.workspace.registerTextDocumentContentProvider(SCHEME, texts),
    vscode.commands.registerCommand(OPEN_FUNCTION_DIFF_COMMAND, open),
  ];
}
