// Read-only Show Wasm documents: a form's module in WAT (from the server's clysm/formWat), an
// Error diagnostic on the instruction V8 rejects (with wasm-tools' message when it ran), and a
// refresh whenever a form may have been re-checked: the server's status notification follows
// every analysis (diagnostics may be reported unchanged), and the module's diagnostics change.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FormWatRequest, type FormWatResult } from '../../../server/src/protocol';
import { uriOf } from '../paths';
import { describeRequestError, ServerNotRunning } from '../requests';
import { formIdOfQuery, WAT_SCHEME, watPath } from './watUri';

export const WAT_LANGUAGE = 'wat';

export class WatDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly results = new Map<string, FormWatResult>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  readonly diagnostics = vscode.languages.createDiagnosticCollection('clysm-wat');
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly client: () => LanguageClient | undefined, rechecked: vscode.Event<unknown>) {
    this.subscriptions = [
      rechecked(() => void this.refreshFor(undefined)),
      vscode.languages.onDidChangeDiagnostics((e) => void this.refreshFor(e.uris)),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme !== WAT_SCHEME) return;
        this.results.delete(d.uri.toString());
        this.diagnostics.delete(d.uri);
      }),
    ];
  }

  private async fetch(formId: string): Promise<FormWatResult | null> {
    const client = this.client();
    if (!client?.isRunning()) throw new ServerNotRunning('The Clysm server is not running.');
    return client.sendRequest(FormWatRequest, { formId });
  }

  /** Opens (or refreshes) the form's document, reveals the failing instruction. */
  async show(formId: string): Promise<vscode.TextEditor | undefined> {
    let result: FormWatResult | null;
    try {
      result = await this.fetch(formId);
    } catch (error) {
      void vscode.window.showErrorMessage(describeRequestError('Show Wasm', error));
      return undefined;
    }
    if (!result) {
      void vscode.window.showWarningMessage(`Clysm: no form ${formId} has been checked yet.`);
      return undefined;
    }
    if (result.wat === null) {
      void vscode.window.showInformationMessage(`Clysm: ${result.error?.message ?? `form ${formId} has no Wasm bytes`}`);
      return undefined;
    }
    const uri = vscode.Uri.from({ scheme: WAT_SCHEME, path: watPath(result.file, formId, result.name), query: formId });
    this.store(uri, result);
    let document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId !== WAT_LANGUAGE) document = await vscode.languages.setTextDocumentLanguage(document, WAT_LANGUAGE);
    const line = result.error?.line;
    const selection = line ? document.lineAt(line - 1).range : undefined;
    const editor = await vscode.window.showTextDocument(document, { preview: false, ...(selection ? { selection } : {}) });
    if (selection) editor.revealRange(selection, vscode.TextEditorRevealType.InCenter);
    return editor;
  }

  private store(uri: vscode.Uri, result: FormWatResult): void {
    const key = uri.toString();
    const before = this.results.get(key);
    this.results.set(key, result);
    this.diagnostics.set(uri, diagnosticsOf(result));
    if (before && before.wat !== result.wat) this.changed.fire(uri);
  }

  /** Re-fetches the open documents of the given modules (all when undefined); a changed text fires onDidChange. */
  private async refreshFor(uris: readonly vscode.Uri[] | undefined): Promise<void> {
    const changed = uris && new Set(uris.map((u) => u.toString()));
    for (const [key, result] of [...this.results]) {
      const module = uriOf(result.file);
      if (changed && (!module || !changed.has(module.toString()))) continue;
      const uri = vscode.Uri.parse(key);
      const formId = formIdOfQuery(uri.query);
      if (!formId) continue;
      const fresh = await this.fetch(formId).catch(() => undefined);
      if (fresh && fresh.wat !== null) this.store(uri, fresh);
    }
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.results.get(uri.toString())?.wat ?? ';; This Wasm is no longer available: run Clysm: Show Wasm for Form again.\n';
  }

  /** The result a document shows (for tests and the diff). */
  resultOf(uri: vscode.Uri): FormWatResult | undefined {
    return this.results.get(uri.toString());
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
    this.diagnostics.dispose();
    this.results.clear();
  }
}

/** V8's message on the instruction's line, and wasm-tools' when it ran. */
export function diagnosticsOf(result: FormWatResult): vscode.Diagnostic[] {
  const error = result.error;
  if (!error || error.line === null || result.wat === null) return [];
  const text = result.wat.split('\n')[error.line - 1] ?? '';
  const indent = text.length - text.trimStart().length;
  const range = new vscode.Range(error.line - 1, indent, error.line - 1, text.length);
  const where = `function #${error.function_index}, @+${error.offset}`;
  const found = [new vscode.Diagnostic(range, `V8: ${error.message} (${where})`, vscode.DiagnosticSeverity.Error)];
  if (result.wasmTools) found.push(new vscode.Diagnostic(range, `wasm-tools: ${result.wasmTools}`, vscode.DiagnosticSeverity.Error));
  for (const d of found) d.source = 'clysm';
  return found;
}
