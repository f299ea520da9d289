// Show Wasm for Form in a real VS Code, on the SBCL stand-in workspace (its own pass, like the
// SBCL suite: scripts/run-integration.mjs runs `sbcl,showWasm` there). Two forms are added to
// shapes.lisp in the editor: one that compiles (to `i32.const 7`) and one whose bytes V8 rejects
// (the stand-in's `(%invalid-wasm)`: a one-armed `if` with a result). Everything waits on events.
// The last test leaves the WAT document with its placed error open, for the docs screenshot.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ClysmApi } from '../../client/src/extension';
import { EXT_ID, hoverText, waitFor, WAIT_MS } from './viewHelpers';

const SAMPLE = '(defun show-wasm-sample () 7)';
const INVALID = '(defun show-wasm-invalid () (%invalid-wasm))';

let shapes: vscode.TextDocument;

/** The offset of `text` in the document (it must be there). */
function offsetOf(doc: vscode.TextDocument, text: string): number {
  const at = doc.getText().indexOf(text);
  assert.ok(at >= 0, `${text} is not in ${doc.uri.path}`);
  return at;
}

/** Shows shapes.lisp with the cursor inside `text`, then runs the command as the palette would (no argument). */
async function showWasmAt(text: string): Promise<vscode.TextEditor> {
  const position = shapes.positionAt(offsetOf(shapes, text) + 2);
  await vscode.window.showTextDocument(shapes, { selection: new vscode.Range(position, position), preview: false });
  const editor = await vscode.commands.executeCommand<vscode.TextEditor | undefined>('clysm.showWasmForForm');
  assert.ok(editor, 'Show Wasm for Form opened no editor');
  return editor;
}

suite('Show Wasm for Form (stand-in clysm system on SBCL)', function () {
  // A cold SBCL start compiles the stand-in's fasls, and the machine may be shared: room for both.
  this.timeout(WAIT_MS * 6);
  suiteSetup(async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the SBCL workspace is not open');
    const api = await vscode.extensions.getExtension<ClysmApi>(EXT_ID)!.activate();
    await api.ready();
    shapes = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, 'src/app/shapes.lisp'));
    await vscode.window.showTextDocument(shapes, { preview: false });
    const edit = new vscode.WorkspaceEdit();
    edit.insert(shapes.uri, shapes.positionAt(shapes.getText().length), `\n${SAMPLE}\n\n${INVALID}\n`);
    assert.ok(await vscode.workspace.applyEdit(edit));
    // The rejected form's diagnostic says the module was checked with both forms in it.
    await waitFor([vscode.languages.onDidChangeDiagnostics], () => {
      const d = vscode.languages.getDiagnostics(shapes.uri).find((x) => /Compiling function #\d+ failed/.test(x.message));
      return d && d.range.start.line === shapes.positionAt(offsetOf(shapes, INVALID)).line ? d : undefined;
    }, 'the diagnostic of the form whose bytes V8 rejects', () => vscode.languages.getDiagnostics(shapes.uri).map((d) => d.message).join(' | '), WAIT_MS * 4);
  });

  test('a CodeLens above each form with bytes, and a Show Wasm link in the hover', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', shapes.uri);
    const titleAt = (text: string) => lenses.find((l) => l.range.start.line === shapes.positionAt(offsetOf(shapes, text)).line)?.command?.title;
    assert.equal(titleAt(SAMPLE), 'Show Wasm');
    assert.equal(titleAt(INVALID), 'Show Wasm (rejected by the validator)');
    assert.equal(titleAt('(defun perimeter'), undefined, 'a form that failed to compile has no bytes to show');
    const hover = await hoverText(shapes.uri, shapes.positionAt(offsetOf(shapes, SAMPLE) + 2));
    assert.match(hover, /\[Show Wasm\]\(command:clysm\.showWasmForForm\?/);
  });

  test('the WAT document of a compiled form, and its update when the form is re-checked', async () => {
    const editor = await showWasmAt(SAMPLE);
    const doc = editor.document;
    assert.equal(doc.uri.scheme, 'clysm-wat');
    assert.equal(doc.languageId, 'wat');
    assert.match(doc.uri.path, /^\/src\/app\/shapes\.lisp\/2\.\d+ SHOW-WASM-SAMPLE\.wat$/);
    assert.match(doc.getText(), /^\(module\n/);
    assert.match(doc.getText(), /^ {4}i32\.const 7$/m);
    assert.deepEqual(vscode.languages.getDiagnostics(doc.uri), []);
    const updated = waitFor([vscode.workspace.onDidChangeTextDocument], () => (/^ {4}i32\.const 8$/m.test(doc.getText()) ? true : undefined),
      'the WAT document to follow the re-checked form', () => doc.getText(), WAIT_MS * 2);
    const edit = new vscode.WorkspaceEdit();
    const seven = shapes.positionAt(offsetOf(shapes, SAMPLE) + SAMPLE.indexOf('7)'));
    edit.replace(shapes.uri, new vscode.Range(seven, seven.translate(0, 1)), '8');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await updated;
  });

  test('a form whose bytes V8 rejects: the failing instruction revealed, with V8\'s message as an Error', async () => {
    const editor = await showWasmAt(INVALID);
    const doc = editor.document;
    assert.equal(doc.languageId, 'wat');
    const [error, ...others] = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.message.startsWith('V8: '));
    assert.ok(error, 'no V8 diagnostic on the WAT document');
    assert.equal(others.length, 0);
    assert.equal(error.severity, vscode.DiagnosticSeverity.Error);
    assert.match(error.message, /^V8: Compiling function #0 failed: .*one-armed if.* \(function #0, @\+\d+\)$/);
    // The diagnostic sits on an instruction of function #0, and the editor selects and shows it.
    const line = doc.lineAt(error.range.start.line).text;
    assert.match(line, /^ {4,}(if \(result i32\)|end|i32\.const \d+)/);
    const header = doc.getText().split('\n').findIndex((l) => /^ {2}\(func \(;0;\)/.test(l));
    assert.ok(header >= 0 && header < error.range.start.line, 'the error is inside function #0');
    assert.equal(editor.selection.start.line, error.range.start.line);
    assert.ok(editor.visibleRanges.some((r) => r.contains(error.range.start)), 'the failing instruction is revealed');
    // For the screenshot (docs/screenshot-wat-error.png): the error's hover.
    const shown = await vscode.window.showTextDocument(doc, { preview: false, selection: new vscode.Range(error.range.start, error.range.start) });
    assert.equal(shown.document.uri.toString(), doc.uri.toString());
    await vscode.commands.executeCommand('editor.action.showHover');
  });
});
