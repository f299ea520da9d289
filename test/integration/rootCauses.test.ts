// Integration suite for root causes in a real VS Code, on the example workspace (fixture Stage 0):
// the Blockers view opens in its Fixes mode with the causes clysm-check ranks; Show All Forms with
// This Root Cause reveals one; every Clysm diagnostic has code actions; Problems lists the failures
// of a module that was never opened (closedModules.test.ts). Everything waits on events, never on sleeps.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClysmApi } from '../../client/src/api';
import { activateClysm, runCli, waitFor, type CliReport } from './viewHelpers';

let api: ClysmApi;
let extensionPath: string;
let folder: vscode.WorkspaceFolder;

const labelOf = (item: vscode.TreeItem): string => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));

/** Waits until the Fixes list shows the causes clysm-check reports, in its order. */
function fixesSettledOn(cli: CliReport): Promise<string[]> {
  const want = cli.root_causes.map((c) => `${c.id} ${c.count}`);
  return waitFor(
    [api.onBlockersLoaded, api.onStatus],
    () => {
      const got = api.blockers().fixes?.causes.map((c) => `${c.id} ${c.count}`);
      return got && JSON.stringify(got) === JSON.stringify(want) ? got : undefined;
    },
    `the Fixes list to show ${want.length} root causes as clysm-check ranks them`,
    () => JSON.stringify(api.blockers().fixes?.causes.map((c) => `${c.id} ${c.count}`)),
  );
}

/** Resolves with `uri`'s Clysm diagnostics once there are `count` of them: now, or on a later change. */
function clysmDiagnosticsOf(uri: vscode.Uri, count: number): Promise<vscode.Diagnostic[]> {
  return waitFor(
    [vscode.languages.onDidChangeDiagnostics],
    () => {
      const ds = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'clysm');
      return ds.length === count ? ds : undefined;
    },
    `${count} Clysm diagnostics on ${vscode.workspace.asRelativePath(uri)}`,
    () => `${vscode.languages.getDiagnostics(uri).length} diagnostics`,
  );
}

suite('Root causes in a real VS Code: Fixes view, code actions', () => {
  suiteSetup(async () => {
    ({ api, extensionPath, folder } = await activateClysm());
    await vscode.commands.executeCommand('clysm.blockers.showAllModules');
    await vscode.commands.executeCommand('clysm.blockers.showFixes');
  });

  test('the Blockers view shows Fixes: root causes across categories, most forms unlocked first, each with its forms', async () => {
    const cli = await runCli(extensionPath, folder.uri.fsPath);
    assert.ok(cli.root_causes.length > 1, 'the example workspace has several root causes');
    await fixesSettledOn(cli);
    assert.equal(api.blockers().mode, 'fixes');
    const causes = (await api.blockerItems()).filter((i) => String(i.item.contextValue).startsWith('clysm.rootCause'));
    assert.deepEqual(causes.map((c) => labelOf(c.item)), cli.root_causes.map((c) => c.message));
    for (const [i, c] of causes.entries()) {
      assert.match(String(c.item.description), new RegExp(`^${cli.root_causes[i].count} forms? · `));
      assert.deepEqual(c.children.map((f) => (f.item.command?.arguments?.[0] as { id: string }).id).sort(), [...cli.root_causes[i].forms].sort());
    }
  });

  test('Show All Forms with This Root Cause reveals it in the Fixes list, from the Categories mode too', async () => {
    const cli = await runCli(extensionPath, folder.uri.fsPath);
    const target = cli.root_causes[cli.root_causes.length - 1];
    await vscode.commands.executeCommand('clysm.blockers.showCategories');
    assert.equal(api.blockers().mode, 'categories');
    const revealed = await vscode.commands.executeCommand<boolean>('clysm.showRootCause', target.id);
    assert.equal(revealed, true);
    assert.equal(api.blockers().mode, 'fixes');
    assert.ok(api.blockers().visible, 'the Blockers view is shown');
  });

  test('every Clysm diagnostic has code actions: Show All Forms with This Root Cause; Go to Compiler Source only with an origin', async () => {
    const cli = await runCli(extensionPath, folder.uri.fsPath);
    const failing = cli.forms.find((f) => f.status === 'failed');
    assert.ok(failing);
    const uri = vscode.Uri.file(path.join(folder.uri.fsPath, failing.file));
    const expected = cli.forms.filter((f) => f.file === failing.file && f.status === 'failed').length;
    await vscode.window.showTextDocument(uri);
    const diagnostics = await clysmDiagnosticsOf(uri, expected);
    for (const d of diagnostics) {
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, d.range);
      const titles = actions.map((a) => a.title);
      assert.ok(titles.includes('Show All Forms with This Root Cause'), `${d.message}: ${JSON.stringify(titles)}`);
      // Stage 0 reports no origin: no compiler source to go to.
      assert.ok(!titles.some((t) => t.startsWith('Go to Compiler Source')), JSON.stringify(titles));
      assert.match(String((d.code as { target?: vscode.Uri })?.target ?? ''), /docs\/blockers\.md#/);
    }
  });
});
