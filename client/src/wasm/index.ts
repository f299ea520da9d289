// Show Wasm for Form (the command, its CodeLens and the read-only WAT documents) and Open Function Diff.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { SHOW_WASM_COMMAND, WasmFormsRequest } from '../../../server/src/protocol';
import { registerFunctionDiff } from './functionDiff';
import { ShowWasmCodeLens } from './showWasmCodeLens';
import { WatDocuments } from './watDocuments';
import { WAT_SCHEME } from './watUri';

/** The form id from what the command was given: an id, a FormRef, a Blockers-view node, or nothing (the form at the cursor). */
async function formIdOf(arg: unknown, client: LanguageClient | undefined): Promise<string | undefined> {
  if (typeof arg === 'string') return arg;
  const record = arg as { id?: unknown; form?: { id?: unknown } } | undefined;
  if (typeof record?.form?.id === 'string') return record.form.id;
  if (typeof record?.id === 'string') return record.id;
  const editor = vscode.window.activeTextEditor;
  if (!editor || !client?.isRunning()) return undefined;
  const forms = await client.sendRequest(WasmFormsRequest, { uri: editor.document.uri.toString() });
  const at = editor.selection.active;
  return forms.find((f) => new vscode.Range(f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character).contains(at))?.id;
}

/** `rechecked` fires after the server analysed something (its status notification). */
export function registerShowWasm(client: () => LanguageClient | undefined, rechecked: vscode.Event<unknown>): { documents: WatDocuments; disposables: vscode.Disposable[] } {
  const documents = new WatDocuments(client, rechecked);
  const lenses = new ShowWasmCodeLens(client);
  return {
    documents,
    disposables: [
      documents,
      lenses,
      ...registerFunctionDiff(client),
      vscode.workspace.registerTextDocumentContentProvider(WAT_SCHEME, documents),
      vscode.languages.registerCodeLensProvider({ language: 'commonlisp', scheme: 'file' }, lenses),
      vscode.commands.registerCommand(SHOW_WASM_COMMAND, async (arg?: unknown) => {
        const formId = await formIdOf(arg, client());
        if (!formId) {
          void vscode.window.showInformationMessage('Clysm: put the cursor in a compiled form (or one whose Wasm the validator rejects) to show its Wasm.');
          return undefined;
        }
        return documents.show(formId);
      }),
    ],
  };
}
