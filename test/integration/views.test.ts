// Integration suite for the views: the coverage status bar, the Blockers and Modules trees and the
// module language status, in a real VS Code with the example workspace open.
// The truth is the headless CLI (`dist/cli.js WORKSPACE --json`) run on the same folder, read at the
// time of each assertion, so the suite passes whether it runs before or after extension.test.ts
// (which opens and edits files, then restores them). Everything waits on events, never on sleeps.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClysmApi, RenderedTreeItem } from '../../client/src/api';
import type { BlockerTree, FormRef } from '../../server/src/protocol';
import { countsOf, replaceText, runCli, topLevelForms, waitFor, type CliReport, type Span } from './viewHelpers';

const EXT_ID = 'clysm-tools.clysm-vscode';

let api: ClysmApi;
let extensionPath: string;
let folder: vscode.WorkspaceFolder;

/** Coverage as the server rounds it (2 decimals), printed with 1 decimal as the views do. */
const pctText = (compiled: number, total: number, skipped: number): string => {
  const d = total - skipped;
  return (d > 0 ? Math.round(((100 * compiled) / d + Number.EPSILON) * 100) / 100 : 0).toFixed(1);
};

const coverageText = (compiled: number, total: number, skipped: number): string =>
  `$(pulse) Clysm ${pctText(compiled, total, skipped)}% · ${compiled}/${total - skipped}`;

const expectedStatusText = (cli: CliReport): string => coverageText(cli.summary.compiled, cli.summary.total, cli.summary.skipped);

const allForms = (tree: BlockerTree): FormRef[] => tree.categories.flatMap((c) => c.patterns.flatMap((p) => p.forms));

const describeViews = (): string =>
  `status bar "${api.statusBar().text}"; tree ${JSON.stringify(countsOf(api.blockers().tree?.categories ?? []))}` +
  `${api.blockers().message ? ` (message: ${api.blockers().message})` : ''}`;

/** Waits until the status bar and the tree show what the CLI reports (the analysis may still be running). */
async function settledOn(cli: CliReport): Promise<BlockerTree> {
  const text = expectedStatusText(cli);
  const counts = countsOf(cli.blockers);
  return waitFor(
    [api.onStatus, api.onBlockersLoaded],
    () => {
      const tree = api.blockers().tree;
      return api.statusBar().text === text && tree && JSON.stringify(countsOf(tree.categories)) === JSON.stringify(counts) ? tree : undefined;
    },
    `the status bar to read "${text}" and the tree to hold ${JSON.stringify(counts)}`,
    describeViews,
  );
}

const categoryItems = (items: RenderedTreeItem[]): RenderedTreeItem[] => items.filter((i) => i.item.contextValue === 'clysm.category');

const labelOf = (item: vscode.TreeItem): string => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));

suite('Clysm views in a real VS Code: status bar, Blockers, Modules', () => {
  suiteSetup(async () => {
    const f = vscode.workspace.workspaceFolders?.[0];
    assert.ok(f, 'the example workspace is not open');
    folder = f;
    const ext = vscode.extensions.getExtension<ClysmApi>(EXT_ID);
    assert.ok(ext, `extension ${EXT_ID} is not installed`);
    api = await ext.activate();
    extensionPath = ext.extensionPath;
    await api.ready();
    // The tree shows every module unless a test narrows it.
    await vscode.commands.executeCommand('clysm.blockers.showAllModules');
    // This suite checks the Categories mode (the view opens in the Fixes mode: rootCauses.test.ts).
    await vscode.commands.executeCommand('clysm.blockers.showCategories');
  });

  test('the status bar shows the coverage that clysm-check --json reports for the workspace', async () => {
    const cli = await runCli(extensionPath, folder.uri.fsPath);
    const expected = expectedStatusText(cli);
    await waitFor([api.onStatus], () => (api.statusBar().text === expected ? true : undefined), `the status bar to read "${expected}"`, describeViews);
    const s = api.lastStatus()?.summary;
    assert.ok(s, 'no clysm/status received');
    assert.deepEqual(
      { total: s.total, compiled: s.compiled, failed: s.failed, skipped: s.skipped, coverage: s.coveragePct },
      { total: cli.summary.total, compiled: cli.summary.compiled, failed: cli.summary.failed, skipped: cli.summary.skipped, coverage: cli.summary.coverage_pct },
    );
    const { tooltip } = api.statusBar();
    assert.ok(tooltip.includes(`${s.compiled} / (${s.total} − ${s.skipped})`), `the tooltip lacks the formula:\n${tooltip}`);
    assert.ok(tooltip.includes(`Backend: **${cli.backend}**`), `the tooltip lacks the backend:\n${tooltip}`);
    assert.match(tooltip, /command:clysm\.restartServer/);
    assert.match(tooltip, /command:clysm\.showOutput/);
    console.log(`      status bar: ${api.statusBar().text}`);
  });

  test('clicking the status bar item focuses the Blockers view', async () => {
    const { command } = api.statusBar();
    assert.equal(command, 'clysm.focusBlockers');
    await vscode.commands.executeCommand(command);
    await waitFor([api.onBlockersVisibility], () => (api.blockers().visible ? true : undefined), 'the Blockers view to be visible');
  });

  test('the Blockers categories and counts equal the CLI\'s blockers', async () => {
    const cli = await runCli(extensionPath, folder.uri.fsPath);
    const tree = await settledOn(cli);
    const fileOf = new Map(cli.forms.map((f) => [f.id, f.file]));
    assert.equal(tree.compilableForms, cli.summary.total - cli.summary.skipped);
    tree.categories.forEach((c, i) => {
      const b = cli.blockers[i];
      assert.deepEqual(
        { category: c.category, count: c.count, impact: c.impactPct, priority: c.priority, recommendation: c.recommendation },
        { category: b.category, count: b.count, impact: b.impact_pct, priority: b.priority, recommendation: b.recommendation },
      );
      // Level 2 partitions the category; level 3 holds exactly the CLI's forms.
      assert.equal(c.patterns.reduce((n, p) => n + p.count, 0), c.count, `patterns of ${c.category} do not add up`);
      for (const p of c.patterns) assert.equal(p.forms.length, p.count, `pattern ${p.pattern}`);
      const ids = c.patterns.flatMap((p) => p.forms.map((f) => f.id)).sort();
      assert.deepEqual(ids, [...b.forms].sort(), `forms of ${c.category}`);
      for (const f of c.patterns.flatMap((p) => p.forms)) assert.equal(f.file, fileOf.get(f.id), `file of ${f.id}`);
    });
    // As rendered: label, "N forms · x.x% of compilable" (the base of coverage), the badge counts every failing form.
    const items = categoryItems(await api.blockerItems());
    assert.deepEqual(
      items.map((i) => `${labelOf(i.item)} ${String(i.item.description)}`),
      cli.blockers.map((b) => `${b.category} ${b.count} ${b.count === 1 ? 'form' : 'forms'} · ${b.impact_pct.toFixed(1)}% of compilable`),
    );
    for (const i of items) assert.match((i.item.tooltip as vscode.MarkdownString).value, /Recommendation/);
    assert.equal(api.blockers().badge, cli.blockers.reduce((n, b) => n + b.count, 0));
    console.log(`      ${countsOf(tree.categories).join(', ')}`);
  });

  test('the Modules view lists every module in list order with its counts', async () => {
    const cli = await runCli(extensionPath, folder.uri.fsPath);
    await settledOn(cli);
    const expected = cli.module_list.modules.map((file) => {
      const forms = cli.forms.filter((f) => f.file === file);
      const compiled = forms.filter((f) => f.status === 'compiled').length;
      const skipped = forms.filter((f) => f.status === 'skipped').length;
      return { file, total: forms.length, compiled, skipped };
    });
    const rows = await waitFor(
      [api.onModulesLoaded],
      () => {
        const r = api.modules().rows;
        const now = r?.map(({ file, total, compiled, skipped }) => ({ file, total, compiled, skipped }));
        return JSON.stringify(now) === JSON.stringify(expected) ? r : undefined;
      },
      'the module rows to match the CLI',
      () => JSON.stringify(api.modules()),
    );
    assert.deepEqual(rows.map((r) => r.moduleIndex), rows.map((_, i) => i + 1));
    const items = await api.moduleItems();
    // The folder (which tells apart modules with the same file name), then the counts.
    assert.deepEqual(items.map((i) => String(i.item.description)), expected.map((e) => `${path.posix.dirname(e.file)} · ${e.compiled}/${e.total - e.skipped} · ${pctText(e.compiled, e.total, e.skipped)}%`));
    for (const i of items) assert.equal(i.item.command?.command, 'vscode.open');
  });

  test('revealing a form from the tree selects its range in the active editor', async () => {
    const [category] = categoryItems(await api.blockerItems());
    assert.ok(category, 'the tree has no category');
    const formItem = category.children[0]?.children[0];
    assert.ok(formItem?.item.command, 'the first form of the first category has no command');
    const form = formItem.item.command.arguments?.[0] as FormRef;
    assert.ok(labelOf(formItem.item).includes(`:${form.range.start.line + 1}`), `label ${labelOf(formItem.item)} lacks the line`);
    await vscode.commands.executeCommand(formItem.item.command.command, ...(formItem.item.command.arguments ?? []));
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'no active editor after the reveal');
    assert.equal(vscode.workspace.asRelativePath(editor.document.uri, false), form.file);
    const r = form.range;
    assert.ok(editor.selection.isEqual(new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character)),
      `selection ${JSON.stringify(editor.selection)} is not the form's range ${JSON.stringify(r)}`);
    assert.ok(editor.document.getText(editor.selection).trim().length > 0, 'the selected range is empty');
  });

  test('the language status item shows the active module\'s coverage', async () => {
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'no active editor (the previous test reveals a form)');
    const rel = vscode.workspace.asRelativePath(editor.document.uri, false);
    await waitFor(
      [api.onModulesLoaded, api.onStatus, vscode.window.onDidChangeActiveTextEditor],
      () => {
        const row = api.modules().rows?.find((r) => r.file === rel);
        return row && api.moduleStatus().text.includes(`${row.compiled}/${row.total - row.skipped}`) ? true : undefined;
      },
      `the language status item to show the coverage of ${rel}`,
      () => api.moduleStatus().text,
    );
  });

  test('the active-module filter narrows the tree to that module, and back', async () => {
    const cli = await runCli(extensionPath, folder.uri.fsPath);
    await settledOn(cli);
    const rel = vscode.workspace.asRelativePath(vscode.window.activeTextEditor!.document.uri, false);
    const inFile = new Set(cli.forms.filter((f) => f.file === rel).map((f) => f.id));
    const expected = cli.blockers
      .map((b) => ({ category: b.category, count: b.forms.filter((id) => inFile.has(id)).length }))
      .filter((b) => b.count > 0);
    const sorted = (xs: { category: string; count: number }[]) => countsOf([...xs].sort((a, b) => a.category.localeCompare(b.category)));
    try {
      await vscode.commands.executeCommand('clysm.blockers.filterActiveModule');
      assert.equal(api.blockers().filter, 'active');
      const tree = await waitFor([api.onBlockersLoaded], () => {
        const t = api.blockers().tree;
        return t && JSON.stringify(sorted(t.categories)) === JSON.stringify(sorted(expected)) ? t : undefined;
      }, `the tree of ${rel} to hold ${JSON.stringify(sorted(expected))}`, describeViews);
      for (const f of allForms(tree)) assert.equal(f.file, rel);
    } finally {
      await vscode.commands.executeCommand('clysm.blockers.showAllModules');
    }
    assert.equal(api.blockers().filter, 'all');
    await settledOn(cli);
  });

  test('editing a failing form so it compiles updates the diagnostics, the tree and the status bar without a restart', async () => {
    const cli = await runCli(extensionPath, folder.uri.fsPath);
    const before = await settledOn(cli);
    // A named defun that fails: replacing its body by (+ 1 2) makes it compile.
    const category = before.categories.find((c) => c.patterns.some((p) => p.forms.some((f) => f.operator === 'DEFUN' && f.name && f.status === 'failed')));
    assert.ok(category, 'no failing defun in the tree');
    const form = category.patterns.flatMap((p) => p.forms).find((f) => f.operator === 'DEFUN' && f.name && f.status === 'failed')!;
    const uri = vscode.Uri.joinPath(folder.uri, form.file);
    const doc = await vscode.workspace.openTextDocument(uri);
    // Visible, so the client pulls its diagnostics.
    await vscode.window.showTextDocument(doc, { preview: false });
    const blamed = doc.offsetAt(new vscode.Position(form.range.start.line, form.range.start.character));
    const span = topLevelForms(doc.getText()).find((s) => s.start <= blamed && blamed < s.end);
    assert.ok(span, `no top-level form around ${form.file}:${form.range.start.line + 1}`);
    const inSpan = (s: Span) => (d: vscode.Diagnostic) => d.source === 'clysm' && doc.offsetAt(d.range.start) >= s.start && doc.offsetAt(d.range.start) < s.end;
    const diagnosticIn = (s: Span) => vscode.languages.getDiagnostics(uri).some(inSpan(s));
    await waitFor([vscode.languages.onDidChangeDiagnostics], () => (diagnosticIn(span) ? true : undefined), `a diagnostic on ${form.id} before the edit`);

    const originalText = doc.getText();
    const fixed = `(defun ${form.name!.toLowerCase()} () (+ 1 2))`;
    const fixedSpan: Span = { start: span.start, end: span.start + fixed.length };
    const s = cli.summary;
    const textAfter = coverageText(s.compiled + 1, s.total, s.skipped);
    const countAfter = category.count - 1;
    try {
      await replaceText(doc, span, fixed);
      await waitFor(
        [vscode.languages.onDidChangeDiagnostics, api.onStatus, api.onBlockersLoaded],
        () => {
          const tree = api.blockers().tree;
          if (!tree || diagnosticIn(fixedSpan) || api.statusBar().text !== textAfter) return undefined;
          if (allForms(tree).some((f) => f.id === form.id)) return undefined;
          const now = tree.categories.find((c) => c.category === category.category)?.count ?? 0;
          return now === countAfter ? true : undefined;
        },
        `${form.id} to compile: no diagnostic, "${textAfter}", ${category.category}=${countAfter}`,
        () => `${describeViews()}; diagnostic in the form: ${diagnosticIn(fixedSpan)}`,
      );
      console.log(`      fixed ${form.id} (${form.name}): ${api.statusBar().text}`);

      // Put the text back: everything returns to what the CLI reports.
      await replaceText(doc, { start: 0, end: doc.getText().length }, originalText);
      await settledOn(cli);
      await waitFor([vscode.languages.onDidChangeDiagnostics], () => (diagnosticIn(span) ? true : undefined), `the diagnostic on ${form.id} to come back`);
    } finally {
      if (doc.getText() !== originalText) await replaceText(doc, { start: 0, end: doc.getText().length }, originalText);
    }
  });

  test('breaking a compiled form shows it first in the tree as a regression and in the status tooltip; restoring clears it', async () => {
    const cli = await runCli(extensionPath, folder.uri.fsPath);
    await settledOn(cli);
    const target = cli.forms.find((f) => f.status === 'compiled' && f.operator === 'DEFUN' && f.name);
    assert.ok(target, 'no compiled defun in the workspace');
    const uri = vscode.Uri.joinPath(folder.uri, target.file);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false });
    const at = doc.offsetAt(new vscode.Position(target.line - 1, target.column - 1));
    const span = topLevelForms(doc.getText()).find((s) => s.start === at);
    assert.ok(span, `no top-level form at ${target.file}:${target.line}:${target.column}`);
    const originalText = doc.getText();
    const isRegression = (f: FormRef) => f.id === target.id;
    try {
      // The previous whole run compiled it; an undefined call makes it fail.
      await replaceText(doc, span, `(defun ${target.name!.toLowerCase()} () (clysm-views-undefined-function))`);
      await waitFor(
        [api.onBlockersLoaded, api.onStatus],
        () => (api.blockers().tree?.regressions.some(isRegression) && api.lastStatus()?.regressions === 1 ? true : undefined),
        `${target.id} (${target.name}) to be listed as a regression`,
        () => `${JSON.stringify(api.blockers().tree?.regressions.map((f) => f.id))}; status regressions ${String(api.lastStatus()?.regressions)}`,
      );
      const [first] = await api.blockerItems();
      assert.equal(first?.item.contextValue, 'clysm.regressions', 'the regressions node is not first');
      const child = first.children.find((c) => (c.item.command?.arguments?.[0] as FormRef | undefined)?.id === target.id);
      assert.ok(child, 'the regression is not under the Regressions node');
      assert.match(api.statusBar().tooltip, /1 regression\b/);
      // Markdown-escaped in the tooltip (LEB128\-BYTE\-COUNT).
      assert.ok(api.statusBar().tooltip.replace(/\\/g, '').includes(`${target.name}`), `the tooltip does not name ${target.name}:\n${api.statusBar().tooltip}`);
      await replaceText(doc, { start: 0, end: doc.getText().length }, originalText);
      await waitFor([api.onBlockersLoaded], () => (api.blockers().tree?.regressions.length === 0 ? true : undefined), 'the regression to go away');
      await settledOn(cli);
    } finally {
      if (doc.getText() !== originalText) await replaceText(doc, { start: 0, end: doc.getText().length }, originalText);
    }
  });

  test('clysm.exportReport writes a report with the workspace\'s counts', async () => {
    const cli = await runCli(extensionPath, folder.uri.fsPath);
    await settledOn(cli);
    const target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-export-')), 'report.json');
    const written = await vscode.commands.executeCommand<string | undefined>('clysm.exportReport', target);
    assert.ok(written && fs.existsSync(target), `no report was written (the output channel says why): ${String(written)}`);
    const report = JSON.parse(fs.readFileSync(target, 'utf8')) as { summary?: { total_forms?: number; compiled?: number; skipped?: number } };
    assert.deepEqual(
      { total: report.summary?.total_forms, compiled: report.summary?.compiled, skipped: report.summary?.skipped },
      { total: cli.summary.total, compiled: cli.summary.compiled, skipped: cli.summary.skipped },
    );
  });
});
