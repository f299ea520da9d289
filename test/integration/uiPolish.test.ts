// Integration suite for the everyday-use papercuts of issue 11, in a real VS Code with the example
// workspace: the loading state of the status bar, readable times, form ids that do not look like
// line:column, the Modules view's folders and orders, one report panel per kind, and no backend
// timing in hovers. Waits on the extension's events and on tab events, never on sleeps.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClysmApi, RenderedTreeItem } from '../../client/src/api';
import type { ModuleRow, ServerStatus } from '../../server/src/protocol';
import type { DiffResult, FixedPointOutcome, Stage1Outcome } from '../../server/src/protocol';
import { activatedApi, hoverText, topLevelForms, waitFor } from './viewHelpers';

const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
const labelOf = (item: vscode.TreeItem): string => (typeof item.label === 'string' ? item.label : (item.label?.label ?? ''));
const flatten = (items: RenderedTreeItem[]): RenderedTreeItem[] => items.flatMap((i) => [i, ...flatten(i.children)]);
const webviewTabs = (): vscode.Tab[] => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);

/** Resolves when webview tabs with all these labels are open at once; waits on tab events. */
function reportTabs(labels: string[]): Promise<vscode.Tab[]> {
  return waitFor(
    [vscode.window.tabGroups.onDidChangeTabs],
    () => {
      const tabs = labels.map((l) => webviewTabs().find((t) => t.label === l));
      return tabs.every(Boolean) ? (tabs as vscode.Tab[]) : undefined;
    },
    `report tabs ${labels.join(', ')}`,
    () => webviewTabs().map((t) => t.label).join(', '),
  );
}

/** A full, idle run: the server is ready, checked every module and is not busy. */
const settled = (s: ServerStatus | undefined): boolean =>
  !!s && s.status.state === 'ready' && !s.busy && s.modulesTotal > 0 && s.modulesDone === s.modulesTotal && s.summary.total > 0;

suite('Clysm everyday papercuts in a real VS Code', () => {
  let api: ClysmApi;

  suiteSetup(async () => {
    api = await activatedApi();
    await waitFor([api.onStatus], () => (settled(api.lastStatus()) ? true : undefined), 'a finished whole-workspace run', () => api.statusBar().text, 120_000);
  });

  test('the status tooltip shows local, relative times, not ISO strings, and no self-referential "previous run"', () => {
    const { tooltip } = api.statusBar();
    assert.doesNotMatch(tooltip, ISO_TIME, tooltip);
    assert.match(tooltip, /Last full run: (now|\d+ (seconds?|minutes?|hours?) ago) \(/, tooltip);
    const s = api.lastStatus()!;
    // The first run is its own baseline: it must not be called "previous run" with its own time.
    const previous = /^previous run \(finished (.+)\)$/.exec(s.baselineSource);
    if (previous) assert.notEqual(previous[1], s.lastRun, `the baseline is this very run: ${s.baselineSource}`);
    else assert.match(s.baselineSource, /^first run \(finished /);
  });

  test('a hover does not show the backend time of the form', async () => {
    const [file] = await vscode.workspace.findFiles('src/backend/*.lisp');
    assert.ok(file, 'no src/backend module');
    const doc = await vscode.workspace.openTextDocument(file);
    const forms = topLevelForms(doc.getText());
    assert.ok(forms.length > 1);
    const texts = await Promise.all(forms.slice(0, 6).map((f) => hoverText(file, doc.positionAt(f.start + 1))));
    assert.ok(texts.some((t) => /\b(compiled|failed|skipped)\b/.test(t)), `no Clysm hover:\n${texts.join('\n===\n')}`);
    for (const t of texts) assert.doesNotMatch(t, /ms in the backend/);
  });

  test('form rows in the Blockers view carry an unmistakable #module:form id, apart from file:line', async () => {
    await vscode.commands.executeCommand('clysm.blockers.showAllModules');
    const forms = flatten(await api.blockerItems()).filter((i) => String(i.item.id ?? '').startsWith('form\u0000'));
    assert.ok(forms.length > 0, 'no form rows');
    for (const { item } of forms) {
      assert.match(labelOf(item), /^[\w-]+:\d+ /, `label ${labelOf(item)}`);
      assert.match(String(item.description), /^#\d+:\d+\b/, `description ${String(item.description)}`);
      assert.match((item.tooltip as vscode.MarkdownString).value, /#\d+:\d+ \(form \d+ of module \d+ in the module list\)/);
    }
  });

  test('the Modules view shows each module\'s folder and sorts by coverage or failures, then back to list order', async () => {
    const rows = await waitFor([api.onModulesLoaded], () => (api.modules().rows?.every((r) => r.analysed) ? api.modules().rows : undefined), 'analysed module rows');
    const byFile = new Map<string, ModuleRow>(rows.map((r) => [r.file, r]));
    const rowsShown = async (): Promise<ModuleRow[]> => (await api.moduleItems()).map((i) => byFile.get(String(i.item.id))!);
    for (const { item } of await api.moduleItems()) {
      assert.ok(String(item.description).startsWith(`${path.posix.dirname(String(item.id))} · `), `description ${String(item.description)} lacks the folder`);
    }
    try {
      assert.equal(await vscode.commands.executeCommand('clysm.modules.sort', 'coverage'), 'coverage');
      const byCoverage = await rowsShown();
      for (let i = 1; i < byCoverage.length; i++) assert.ok(byCoverage[i - 1].coveragePct <= byCoverage[i].coveragePct, JSON.stringify(byCoverage.map((r) => [r.file, r.coveragePct])));
      await vscode.commands.executeCommand('clysm.modules.sort', 'failures');
      const byFailures = await rowsShown();
      for (let i = 1; i < byFailures.length; i++) assert.ok(byFailures[i - 1].failed >= byFailures[i].failed, JSON.stringify(byFailures.map((r) => [r.file, r.failed])));
    } finally {
      await vscode.commands.executeCommand('clysm.modules.sort', 'list');
    }
    assert.deepEqual((await rowsShown()).map((r) => r.moduleIndex), rows.map((_, i) => i + 1));
  });

  test('Generate Stage 1, Diff Stage 0 and Stage 1 and Verify Fixed Point each keep their own report panel', async function () {
    this.timeout(300_000);
    const generated = await vscode.commands.executeCommand<Stage1Outcome | undefined>('clysm.generateStage1');
    assert.equal(generated?.status, 'generated', generated?.message);
    const diff = await vscode.commands.executeCommand<DiffResult | undefined>('clysm.diffStage0Stage1');
    assert.ok(diff?.outcome, `no diff: ${diff?.problem}`);
    const fixedPoint = await vscode.commands.executeCommand<FixedPointOutcome | undefined>('clysm.verifyFixedPoint');
    assert.ok(fixedPoint, 'Verify Fixed Point returned nothing');
    assert.notEqual(fixedPoint.status, 'missing-stage1');
    const tabs = await reportTabs(['Clysm: Stage 1', 'Clysm: Stage 0 ↔ Stage 1', 'Clysm: Fixed Point']);
    const viewTypes = tabs.map((t) => (t.input as vscode.TabInputWebview).viewType);
    assert.equal(new Set(viewTypes).size, 3, `panels share a view type: ${viewTypes.join(', ')}`);
  });

  test('while the server restarts and loads its compiler, the status bar says "loading compiler…", never 0.0% · 0/0', async function () {
    this.timeout(180_000);
    const seen: { state: string; restored: boolean; text: string; tooltip: string }[] = [];
    const subscription = api.onStatus((s) => seen.push({ state: s.status.state, restored: !!s.restoredResults, ...api.statusBar() }));
    try {
      await vscode.commands.executeCommand('clysm.restartServer');
      await waitFor([api.onStatus], () => (seen.length > 0 && settled(api.lastStatus()) ? true : undefined), 'the restarted server to finish its run',
        () => seen.map((s) => `${s.state}: ${s.text}`).join(' | '), 120_000);
    } finally {
      subscription.dispose();
    }
    console.log(`      statuses after the restart: ${seen.map((s) => s.text).filter((t, i, all) => t !== all[i - 1]).join(' → ')}`);
    const loading = seen.filter((s) => s.state === 'starting');
    assert.ok(loading.length > 0, `no status while the compiler loaded: ${seen.map((s) => `${s.state}: ${s.text}`).join(' | ')}`);
    for (const s of loading) {
      assert.match(s.text, /^\$\(sync~spin\) Clysm: loading compiler…/, s.text);
      assert.match(s.tooltip, /Loading the compiler/, s.tooltip);
      // After a restart the results of the run before are restored from the saved state: shown as the last known coverage.
      if (s.restored) {
        assert.match(s.text, /\(last \d+\.\d%\)$/, s.text);
        assert.match(s.tooltip, /Last known coverage: \d+\.\d% · \d+\/\d+, from the results saved (now|\d+ (seconds?|minutes?) ago)/, s.tooltip);
      }
    }
    for (const s of seen) assert.doesNotMatch(s.text, /0\.0% · 0\/0/, `${s.state}: ${s.text}`);
    assert.match(api.statusBar().text, /^\$\(pulse\) Clysm \d+\.\d% · \d+\/\d+$/);
  });
});
