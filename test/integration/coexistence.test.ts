// Integration suite for coexistence with other Common Lisp extensions (Alive, the Common Lisp
// grammar extensions): they contribute the language id `commonlisp` and a grammar too. Run by
// scripts/run-integration.mjs in its own pass, with the stand-in test/fixtures/
// commonlisp-standin-extension installed beside Clysm, before extension.test.ts and views.test.ts
// (the diagnostics, hovers and views) in the same window. Waits on events, never on sleeps.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { clysmDiagnostics, EXT_ID, hoverText, waitFor, WAIT_MS } from './viewHelpers';

const STANDIN_ID = 'clysm-tests.commonlisp-standin';

interface Contributions {
  contributes?: {
    languages?: { id: string; extensions?: string[] }[];
    grammars?: { language?: string; scopeName: string }[];
  };
}

const commonlispGrammar = (ext: vscode.Extension<unknown>): string | undefined =>
  (ext.packageJSON as Contributions).contributes?.grammars?.find((g) => g.language === 'commonlisp')?.scopeName;

suite('Clysm beside another Common Lisp extension', () => {
  test('the stand-in is loaded and, like Clysm, contributes commonlisp with a grammar of its own', () => {
    const standin = vscode.extensions.getExtension(STANDIN_ID);
    const clysm = vscode.extensions.getExtension(EXT_ID);
    assert.ok(standin, `${STANDIN_ID} is not loaded: this pass must install it (run-integration.mjs, --also-install)`);
    assert.ok(clysm, `${EXT_ID} is not loaded`);
    assert.equal(commonlispGrammar(standin), 'source.commonlisp.standin');
    assert.equal(commonlispGrammar(clysm), 'source.commonlisp.clysm');
  });

  test('a file only the stand-in claims (.l) opens as commonlisp: its language contribution is in effect', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-coexist-'));
    const file = path.join(dir, 'other.l');
    fs.writeFileSync(file, '(defun other () 1)\n');
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      assert.equal(doc.languageId, 'commonlisp');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('Clysm still activates, and a module gets its diagnostics and hover', async () => {
    const clysm = vscode.extensions.getExtension(EXT_ID)!;
    assert.equal(clysm.isActive, true, 'not activated by its activation events');
    const modules = await vscode.workspace.findFiles('src/**/*.lisp');
    assert.ok(modules.length > 0, 'the example workspace has no modules');
    for (const uri of modules) {
      const doc = await vscode.workspace.openTextDocument(uri);
      assert.equal(doc.languageId, 'commonlisp');
      await vscode.window.showTextDocument(doc, { preview: false });
    }
    const [uri, diagnostic] = await waitFor(
      [vscode.languages.onDidChangeDiagnostics],
      () => {
        for (const u of modules) {
          const d = clysmDiagnostics(u)[0];
          if (d) return [u, d] as const;
        }
        return undefined;
      },
      'a clysm diagnostic on a module',
      () => '',
      WAIT_MS,
    );
    const hover = await hoverText(uri, diagnostic.range.start);
    assert.ok(hover.includes(diagnostic.message), `the hover does not show the diagnostic's message:\n${hover}`);
  });
});
