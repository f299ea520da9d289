// Multi-root workspaces (issue 11 item 16) in a real VS Code: a .code-workspace with two Clysm
// folders (one holds clysm.asd, one sets clysm.modules) and one plain folder. Each Clysm folder
// gets its own analysis, the plain one none; the status bar follows the active editor's folder;
// the Blockers and Modules views group by folder. Waits on the extension's events, never on sleeps.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ClysmApi, RenderedTreeItem } from '../../client/src/api';
import { activatedApi, clysmDiagnostics, waitFor } from './viewHelpers';

const labelOf = (item: vscode.TreeItem): string => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));
const folderNamed = (name: string): vscode.WorkspaceFolder => {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.name === name);
  assert.ok(folder, `no workspace folder ${name}`);
  return folder;
};

suite('Clysm in a multi-root workspace', () => {
  let api: ClysmApi;

  suiteSetup(async () => {
    api = await activatedApi();
    // Both folders analysed to the end: every row of each group has counts.
    await waitFor(
      [api.onModulesLoaded],
      () => {
        const groups = api.moduleGroups();
        return groups?.length === 2 && groups.every((g) => g.rows.length > 0 && g.rows.every((r) => r.analysed)) ? true : undefined;
      },
      'both folders analysed',
      () => JSON.stringify(api.moduleGroups()?.map((g) => [g.folder.name, g.rows.filter((r) => r.analysed).length, g.rows.length])),
      120_000,
    );
  });

  test('analyses each Clysm folder (clysm.asd, or clysm.modules) and not the plain folder', () => {
    assert.deepEqual(vscode.workspace.workspaceFolders?.map((f) => f.name), ['alpha', 'notes', 'beta']);
    assert.deepEqual(api.folders().map((f) => f.name), ['alpha', 'beta']);
    // beta's own module list, from its folder's clysm.modules: its server is separate from alpha's.
    assert.deepEqual(api.moduleGroups()?.map((g) => [g.folder.name, g.rows.length]), [['alpha', 4], ['beta', 2]]);
  });

  test('the Modules and Blockers views group by folder', async () => {
    const modules = await api.moduleItems();
    assert.deepEqual(modules.map((m) => labelOf(m.item)), ['alpha', 'beta']);
    assert.deepEqual(modules.map((m) => m.children.length), [4, 2]);
    assert.match(String(modules[1].item.description), /^2 modules/);
    // Two folders hold the same module: the ids stay apart.
    const ids = modules.flatMap((m) => m.children.map((c) => String(c.item.id)));
    assert.equal(new Set(ids).size, ids.length);

    // The Fixes mode (the default): each folder with its own root causes.
    const fixes = await api.blockerItems();
    assert.deepEqual(fixes.map((b) => labelOf(b.item)), ['alpha', 'beta']);
    const fixGroups = api.blockerGroups() ?? [];
    assert.ok(fixGroups.every((g) => (g.fixes?.causes.length ?? 0) > 0), 'each folder has root causes');
    assert.deepEqual(fixes.map((g) => g.children.length), fixGroups.map((g) => g.fixes?.causes.length));

    // The Categories mode: each folder with its own categories.
    await vscode.commands.executeCommand('clysm.blockers.showCategories');
    const blockers = await api.blockerItems();
    assert.deepEqual(blockers.map((b) => labelOf(b.item)), ['alpha', 'beta']);
    const categoriesOf = (group: RenderedTreeItem): string[] => group.children.map((c) => labelOf(c.item));
    const groups = api.blockerGroups() ?? [];
    assert.deepEqual(blockers.map(categoriesOf), groups.map((g) => g.tree.categories.map((c) => c.category)));
    assert.ok(groups.every((g) => g.tree.categories.length > 0), 'each folder has failing forms');
    // A form of beta opens beta's file, not alpha's.
    const form = blockers[1].children[0].children[0].children[0].item;
    assert.equal(form.command?.command, 'clysm.revealForm');
    const editor = await vscode.commands.executeCommand<vscode.TextEditor | undefined>(form.command.command, ...(form.command.arguments ?? []));
    assert.equal(editor && vscode.workspace.getWorkspaceFolder(editor.document.uri)?.name, 'beta');
  });

  test("the status bar follows the active editor's folder", async () => {
    for (const [name, modules] of [['beta', 2], ['alpha', 4], ['beta', 2]] as const) {
      const uri = vscode.Uri.joinPath(folderNamed(name).uri, 'src', 'backend', 'leb128.lisp');
      await vscode.window.showTextDocument(uri);
      const status = await waitFor(
        [vscode.window.onDidChangeActiveTextEditor, api.onStatus],
        () => (api.statusBar().text.includes(`Clysm (${name})`) ? api.lastStatus() : undefined),
        `the status bar of ${name}`,
        () => api.statusBar().text,
      );
      assert.equal(status.modulesTotal, modules, `${name}'s own status`);
      assert.equal(api.statusBar().text, `$(pulse) Clysm (${name}) ${status.summary.coveragePct.toFixed(1)}% · ${status.summary.compiled}/${status.summary.total - status.summary.skipped}`);
      assert.match(api.statusBar().tooltip, new RegExp(`Folder: ${name}`));
      // That folder's server answers for its file.
      await waitFor([vscode.languages.onDidChangeDiagnostics], () => (clysmDiagnostics(uri).length > 0 ? true : undefined), `diagnostics in ${name}`);
    }
  });
});
