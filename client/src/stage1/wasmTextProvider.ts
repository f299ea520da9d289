// Read-only virtual documents holding the line-per-item text of a Wasm module (from the
// server's moduleSummaryText), so two modules can be compared in VS Code's diff editor.
import * as vscode from 'vscode';

export const WASM_TEXT_SCHEME = 'clysm-wasm';

export class WasmTextProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private counter = 0;

  /** A new document for `text`; `label` becomes the file name shown in the diff editor title. */
  add(label: string, text: string): vscode.Uri {
    const safe = label.replace(/[\\/:*?"<>|]/g, '_');
    const uri = vscode.Uri.from({ scheme: WASM_TEXT_SCHEME, path: `/${safe}.wasm.txt`, query: String(++this.counter) });
    this.texts.set(uri.toString(), text);
    // Keep only the recent ones: every diff adds two.
    if (this.texts.size > 20) this.texts.delete(this.texts.keys().next().value as string);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This Wasm summary is no longer available; run the diff again.\n';
  }

  dispose(): void {
    this.changed.dispose();
    this.texts.clear();
  }
}

/** Opens two module texts side by side in the diff editor. */
export async function openTextDiff(provider: WasmTextProvider, a: { label: string; text: string }, b: { label: string; text: string }): Promise<void> {
  const left = provider.add(a.label, a.text);
  const right = provider.add(b.label, b.text);
  await vscode.commands.executeCommand('vscode.diff', left, right, `${a.label} ↔ ${b.label} (Wasm structure)`, { preview: false });
}
