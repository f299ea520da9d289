// Integration suite: the Problems panel lists every module's failures, including a module that
// was never opened (workspace diagnostics). Its name sorts it before the suites that open the
// example workspace's modules (index.ts loads suites in name order): after them no failing
// module is left unopened. Everything waits on events, never on sleeps.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateClysm, runCli, waitFor } from './viewHelpers';

let extensionPath: string;
let folder: vscode.WorkspaceFolder;

suite('Workspace diagnostics in a real VS Code: failures of modules that are not open', () => {
  suiteSetup(async () => {
    ({ extensionPath, folder } = await activateClysm());
  });

  test('Problems lists the failures of a module that was never opened', async () => {
    const cli = await runCli(extensionPath, folder.uri.fsPath);
    const open = new Set(vscode.workspace.textDocuments.map((d) => d.uri.fsPath));
    const failingFiles = [...new Set(cli.forms.filter((f) => f.status === 'failed').map((f) => f.file))];
    const closed = failingFiles.find((file) => !open.has(path.join(folder.uri.fsPath, file)));
    assert.ok(closed, `every failing module is open: ${failingFiles.join(', ')}`);
    const uri = vscode.Uri.file(path.join(folder.uri.fsPath, closed));
    const expected = cli.forms.filter((f) => f.file === closed && f.status === 'failed');
    const diagnostics = await waitFor(
      [vscode.languages.onDidChangeDiagnostics],
      () => {
        const ds = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'clysm');
        return ds.length === expected.length ? ds : undefined;
      },
      `${expected.length} Clysm diagnostics on ${closed}`,
      () => `${vscode.languages.getDiagnostics(uri).length} diagnostics`,
    );
    assert.deepEqual(diagnostics.map((d) => d.range.start.line + 1).sort((a, b) => a - b), expected.map((f) => f.line).sort((a, b) => a - b));
    assert.ok(!vscode.workspace.textDocuments.some((d) => d.uri.fsPath === uri.fsPath), 'the module was opened');
  });
});
