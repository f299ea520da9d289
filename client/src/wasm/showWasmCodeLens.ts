// The "Show Wasm" CodeLens above each form that has bytes (compiled, or rejected by the
// validator); off with `clysm.codeLens.showWasm`. Lenses follow the module's diagnostics.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { SHOW_WASM_COMMAND, WasmFormsRequest } from '../../../server/src/protocol';
import { toRange } from '../paths';

export const SHOW_WASM_SETTING = 'clysm.codeLens.showWasm';

export class ShowWasmCodeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly client: () => LanguageClient | undefined) {
    this.subscriptions = [
      vscode.languages.onDidChangeDiagnostics(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(SHOW_WASM_SETTING)) this.changed.fire();
      }),
    ];
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!vscode.workspace.getConfiguration().get<boolean>(SHOW_WASM_SETTING, true)) return [];
    const client = this.client();
    if (!client?.isRunning()) return [];
    const forms = await client.sendRequest(WasmFormsRequest, { uri: document.uri.toString() }).catch(() => []);
    return forms.map((form) => {
      const start = toRange(form.range).start;
      const title = form.status === 'compiled' ? 'Show Wasm' : 'Show Wasm (rejected by the validator)';
      return new vscode.CodeLens(new vscode.Range(start, start), { title, command: SHOW_WASM_COMMAND, arguments: [form.id] });
    });
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.changed.dispose();
  }
}
