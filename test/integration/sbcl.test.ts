// Integration suite for the SBCL backend: runs inside a real VS Code with a copy of
// test/fixtures/sbcl-workspace open (clysm.backend = "sbcl", the stand-in `clysm` system next to
// it). scripts/run-integration.mjs runs it in its own pass (CLYSM_TEST_SUITES=sbcl); index.ts
// leaves it out of the default pass, whose workspace has no clysm.asd.
// Everything waits on events (diagnostics changes, clysm/status notifications), never on sleeps.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ClysmApi } from '../../client/src/extension';
import type { ServerStatus } from '../../server/src/protocol';
import { clysmDiagnostics, codeOf, EXT_ID, hoverText, WAIT_MS } from './viewHelpers';

// ---------------------------------------------------------------------------------------------
// Helpers

/** Diagnostics as comparable text: position, category and message. */
const listDiagnostics = (ds: readonly vscode.Diagnostic[]): string[] =>
  ds.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.line + 1}:${d.range.end.character + 1} [${d.source}/${codeOf(d)}] ${d.message}`).sort();

/** Resolves with the diagnostics of `uri` once `predicate` holds: now, or on a later change event. */
function waitForDiagnostics(
  uri: vscode.Uri,
  predicate: (diagnostics: vscode.Diagnostic[]) => boolean,
  what: string,
  timeoutMs = WAIT_MS,
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const key = uri.toString();
    let timer: NodeJS.Timeout | undefined;
    // Subscribe before the first check so no event can fall between the two.
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === key)) check();
    });
    const check = (): void => {
      const ds = vscode.languages.getDiagnostics(uri);
      if (!predicate(ds)) return;
      sub.dispose();
      clearTimeout(timer);
      resolve(ds);
    };
    timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} on ${vscode.workspace.asRelativePath(uri)}; now:\n  ${listDiagnostics(vscode.languages.getDiagnostics(uri)).join('\n  ') || '(none)'}`));
    }, timeoutMs);
    check();
  });
}

/**
 * Resolves with the first clysm/status that satisfies `predicate`: the latest one, or a later
 * notification (only a later one with `onlyNew`).
 */
function waitForStatus(api: ClysmApi, predicate: (status: ServerStatus) => boolean, what: string, { onlyNew = false, timeoutMs = WAIT_MS } = {}): Promise<ServerStatus> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (status: ServerStatus): void => {
      if (settled) return;
      settled = true;
      sub.dispose();
      clearTimeout(timer);
      resolve(status);
    };
    const sub = api.onStatus((status) => {
      if (predicate(status)) finish(status);
    });
    timer = setTimeout(() => {
      sub.dispose();
      settled = true;
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last status: ${JSON.stringify(api.lastStatus())}`));
    }, timeoutMs);
    if (onlyNew) return;
    const last = api.lastStatus();
    if (last && predicate(last)) finish(last);
    else void api.status().then((now) => now && predicate(now) && finish(now), () => undefined);
  });
}

/** Collects every clysm/status notification until disposed. */
function recordStatuses(api: ClysmApi): { statuses: ServerStatus[]; dispose(): void } {
  const statuses: ServerStatus[] = [];
  const sub = api.onStatus((status) => statuses.push(status));
  return { statuses, dispose: () => sub.dispose() };
}

/** Position just inside the form that starts with `head` (e.g. `(defun area`). */
function formStart(doc: vscode.TextDocument, head: string): vscode.Position {
  const offset = doc.getText().indexOf(head);
  assert.ok(offset >= 0, `${head} not found in ${vscode.workspace.asRelativePath(doc.uri)}`);
  return doc.positionAt(offset + 1);
}

async function replaceText(doc: vscode.TextDocument, start: number, end: number, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(doc.positionAt(start), doc.positionAt(end)), text);
  assert.ok(await vscode.workspace.applyEdit(edit), 'applyEdit refused the edit');
}

interface ProcessInfo {
  pid: number;
  ppid: number;
  args: string;
}

/** Every process with its parent and command line: /proc on Linux (no procps needed), else ps. */
function processTable(): ProcessInfo[] {
  if (fs.existsSync('/proc/self/stat')) {
    const table: ProcessInfo[] = [];
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        // The command name is in parentheses and may hold spaces or parentheses itself.
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const args = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
        table.push({ pid: Number(entry), ppid, args });
      } catch {
        // The process ended while we looked.
      }
    }
    return table;
  }
  return execFileSync('ps', ['-A', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3] }));
}

/**
 * The SBCL driver processes the backend serves from: descendants of this extension host (the
 * language server is its child, SBCL the server's) that run the driver's main loop. The
 * background core builder (`--save-core`) is not one of them.
 */
function sbclDriverPids(): number[] {
  const table = processTable();
  const children = new Map<number, ProcessInfo[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const found: number[] = [];
  const walk = (pid: number): void => {
    for (const child of children.get(pid) ?? []) {
      if (child.args.includes('clysm-sbcl-driver:main') && !child.args.includes('--save-core')) found.push(child.pid);
      walk(child.pid);
    }
  };
  walk(process.pid);
  return found;
}

/** The single driver process, or a failure that lists what was found. */
function theSbclPid(): number {
  const pids = sbclDriverPids();
  assert.equal(pids.length, 1, `expected one SBCL driver process under the extension host (pid ${process.pid}), found: ${JSON.stringify(pids)}`);
  return pids[0];
}

// ---------------------------------------------------------------------------------------------
// The stand-in workspace (test/fixtures/sbcl-workspace): what its three modules give.

const MODULES = ['src/app/package.lisp', 'src/app/shapes.lisp', 'src/app/noisy.lisp'];
const EXPECTED_SHAPES = [
  { code: 'missing-variable', message: 'Undefined variable: +DEPTH+', form: '(defun perimeter' },
  { code: 'missing-function', message: 'Undefined function: MULTIPLY', form: '(defun scaled-area' },
];

let api: ClysmApi;
let uris: vscode.Uri[] = [];
let shapes: vscode.Uri;

const fullyAnalysed = (s: ServerStatus): boolean => s.status.state === 'ready' && !s.busy && s.lastRun !== undefined;

suite('Clysm on SBCL in a real VS Code (stand-in clysm system)', function () {
  this.timeout(200_000); // the first test may wait for a cold SBCL start (see below)
  suiteSetup(async () => {
    console.log(`    vscode ${vscode.version}, node ${process.versions.node}, app ${vscode.env.appName}`);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the SBCL workspace is not open');
    const ext = vscode.extensions.getExtension<ClysmApi>(EXT_ID);
    assert.ok(ext, `extension ${EXT_ID} is not installed`);
    api = await ext.activate();
    await api.ready();
    uris = MODULES.map((m) => vscode.Uri.joinPath(folder.uri, m));
    shapes = uris[1];
  });

  test('the API reports the sbcl backend, chosen by the setting, ready, with the stand-in\'s coverage', async () => {
    const status = await waitForStatus(api, fullyAnalysed, 'the first whole-workspace analysis on SBCL', { timeoutMs: 180_000 }); // a cold start compiles the stand-in's and ASDF's fasls first
    assert.equal(status.backend, 'sbcl');
    assert.equal(status.backendReason, 'clysm.backend is "sbcl"');
    assert.equal(status.status.engine.name, 'SBCL');
    assert.match(status.status.message, /^Clysm on SBCL \S+: clysm loaded from /);
    assert.equal(status.moduleListSource, 'setting');
    assert.equal(status.modulesTotal, 3);
    const { total, compiled, failed, skipped, timeout, crashed, coveragePct } = status.summary;
    assert.deepEqual({ total, compiled, failed, skipped, timeout, crashed, coveragePct }, { total: 13, compiled: 3, failed: 2, skipped: 8, timeout: 0, crashed: 0, coveragePct: 60 });
    // The status bar shows the coverage as it does for Stage 0 (statusBar() is newer than the rest of the API).
    if (typeof api.statusBar === 'function') {
      const bar = api.statusBar();
      assert.match(bar.text, /Clysm 60\.0% · 3\/5$/, bar.text);
      assert.match(bar.tooltip, /sbcl/, bar.tooltip);
    }
    // The request and the latest notification agree.
    const asked = await api.status();
    assert.equal(asked?.backend, 'sbcl');
    assert.equal(api.lastStatus()?.backend, 'sbcl');
    console.log(`      ${status.status.message} (first run ${status.lastRunMs?.toFixed(0)} ms, SBCL pid ${theSbclPid()})`);
  });

  test('opening the modules shows the stand-in\'s failures as clysm errors with their categories', async () => {
    for (const uri of uris) {
      const doc = await vscode.workspace.openTextDocument(uri);
      assert.equal(doc.languageId, 'commonlisp');
      await vscode.window.showTextDocument(doc, { preview: false });
    }
    const ds = await waitForDiagnostics(shapes, (all) => EXPECTED_SHAPES.every((e) => all.some((d) => d.source === 'clysm' && codeOf(d) === e.code && d.message === e.message)),
      'the missing-variable and missing-function diagnostics');
    const doc = await vscode.workspace.openTextDocument(shapes);
    assert.equal(clysmDiagnostics(shapes).length, EXPECTED_SHAPES.length, `unexpected diagnostics:\n  ${listDiagnostics(ds).join('\n  ')}`);
    for (const e of EXPECTED_SHAPES) {
      const d = ds.find((x) => codeOf(x) === e.code)!;
      assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
      // The range lies in the form that fails.
      const start = doc.getText().indexOf(e.form);
      const end = start + doc.getText().slice(start).indexOf('\n\n');
      assert.ok(doc.offsetAt(d.range.start) >= start && doc.offsetAt(d.range.end) <= end, `${e.message} is outside ${e.form}: ${listDiagnostics([d]).join('')}`);
    }
    // The blamed call is underlined, not the whole defun.
    const multiply = ds.find((d) => codeOf(d) === 'missing-function')!;
    assert.match(doc.getText(multiply.range), /multiply/i);
    for (const uri of [uris[0], uris[2]]) assert.deepEqual(listDiagnostics(clysmDiagnostics(uri)), [], `${vscode.workspace.asRelativePath(uri)} has clysm diagnostics`);
  });

  test('Go to Compiler Source (a code action) opens the stand-in compiler at the function that signalled', async () => {
    const ds = await waitForDiagnostics(shapes, (all) => all.some((d) => codeOf(d) === 'missing-variable'), 'the missing-variable diagnostic');
    const missing = ds.find((d) => codeOf(d) === 'missing-variable')!;
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', shapes, missing.range);
    const go = actions.find((a) => a.title === 'Go to Compiler Source (FOLD)');
    assert.ok(go?.command, JSON.stringify(actions.map((a) => a.title)));
    assert.ok(actions.some((a) => a.title === 'Show All Forms with This Root Cause'));
    const opened = new Promise<vscode.TextEditor>((resolve) => {
      const sub = vscode.window.onDidChangeActiveTextEditor((e) => {
        if (e?.document.uri.path.endsWith('clysm-standin/src/compiler.lisp')) {
          sub.dispose();
          resolve(e);
        }
      });
    });
    await vscode.commands.executeCommand(go.command.command, ...(go.command.arguments ?? []));
    const editor = await opened;
    assert.match(editor.document.lineAt(editor.selection.active.line).text, /^\(defun fold /);
  });

  test('hover shows the status, the category and the compiler\'s message', async () => {
    const doc = await vscode.workspace.openTextDocument(shapes);
    const perimeter = await hoverText(shapes, formStart(doc, '(defun perimeter'));
    assert.match(perimeter, /form `2:4` · `DEFUN PERIMETER` — \*\*failed\*\*/, perimeter);
    assert.ok(perimeter.includes('Blocker: `missing-variable`'), perimeter);
    assert.ok(perimeter.includes('Undefined variable: +DEPTH+'), perimeter);

    const scaled = await hoverText(shapes, formStart(doc, '(defun scaled-area'));
    assert.match(scaled, /\*\*failed\*\*/, scaled);
    assert.ok(scaled.includes('missing-function') && scaled.includes('Undefined function: MULTIPLY'), scaled);
    assert.match(scaled, /\*\*Root cause\*\* `missing-function`: 1 form fails with it; fixing it unlocks 1 form/, scaled);
    // Where the stand-in compiler raised it, with a link there.
    assert.match(scaled, /Raised in `FOLD` \(.*clysm-standin\/src\/compiler\.lisp:\d+\) · \[Go to Compiler Source\]\(command:clysm\.openLocation\?/, scaled);
    assert.match(scaled, /Recommendation/, scaled);

    assert.match(await hoverText(shapes, formStart(doc, '(defun area')), /— \*\*compiled\*\*: \d+ bytes of valid Wasm/);
    assert.match(await hoverText(shapes, formStart(doc, '(defconstant +width+')), /— \*\*skipped\*\*/);
    // A form that prints while it is compiled still compiles (the driver captures the output).
    const noisy = await vscode.workspace.openTextDocument(uris[2]);
    assert.match(await hoverText(noisy.uri, formStart(noisy, '(defun chatty')), /— \*\*compiled\*\*/);
  });

  test('killing SBCL mid-analysis: the backend restarts, says so, and the analysis completes with the same results', async () => {
    const doc = await vscode.workspace.openTextDocument(shapes);
    await vscode.window.showTextDocument(doc, { preview: false });
    const originalText = doc.getText();
    // A form that keeps SBCL busy for a second (the stand-in's %sleep) and then fails: the
    // reanalysis is surely still running when SBCL is killed, and its result is recognisable.
    const slow = '\n(defun clysm-integration-slow ()\n  (%sleep 1)\n  (slow-blocker))\n';
    const slowMessage = 'Undefined function: SLOW-BLOCKER';
    const recorder = recordStatuses(api);
    try {
      await replaceText(doc, originalText.length, originalText.length, slow);
      await waitForDiagnostics(shapes, (ds) => ds.some((d) => d.message === slowMessage), 'the slow form to be analysed');
      const before = await waitForStatus(api, (s) => fullyAnalysed(s) && s.summary.total === 14, 'the status to count the slow form');
      const snapshot = listDiagnostics(clysmDiagnostics(shapes));
      const killed = theSbclPid();

      recorder.statuses.length = 0;
      const busy = waitForStatus(api, (s) => s.busy, 'the reanalysis to start', { onlyNew: true });
      let reanalysisDone = false;
      const reanalysis = Promise.resolve(vscode.commands.executeCommand('clysm.reanalyze')).finally(() => {
        reanalysisDone = true;
      });
      await busy;
      assert.equal(reanalysisDone, false, 'the reanalysis ended before SBCL could be killed');
      process.kill(killed, 'SIGKILL');
      console.log(`      killed SBCL pid ${killed} during the reanalysis`);

      // The status bar hears about the restart, then about the backend being ready again.
      const restarting = await waitForStatus(api, (s) => s.status.state === 'starting', 'a status saying SBCL restarts', { onlyNew: true });
      assert.match(restarting.status.message, /Restarting: SBCL was killed by SIGKILL/);
      await reanalysis;
      const after = await waitForStatus(api, (s) => fullyAnalysed(s) && s.lastRun !== before.lastRun, 'the reanalysis to complete');
      assert.equal(after.backend, 'sbcl');
      assert.ok(recorder.statuses.some((s) => s.status.state === 'ready' && recorder.statuses.indexOf(s) > recorder.statuses.indexOf(restarting)),
        'no ready status after the restart');
      assert.deepEqual(after.summary, before.summary, 'the reanalysis after the crash gives other counts');

      const restarted = theSbclPid();
      assert.notEqual(restarted, killed, 'SBCL was not restarted');
      // The results come from the new process, and the editor shows the same diagnostics.
      const hover = await hoverText(shapes, formStart(doc, '(defun clysm-integration-slow'));
      assert.match(hover, /\*\*failed\*\*/, hover);
      assert.ok(hover.includes(slowMessage), hover);
      await waitForDiagnostics(shapes, (ds) => JSON.stringify(listDiagnostics(ds.filter((d) => d.source === 'clysm'))) === JSON.stringify(snapshot),
        'the same diagnostics as before the crash');
      console.log(`      SBCL restarted as pid ${restarted}; ${recorder.statuses.length} status notifications during the reanalysis`);
    } finally {
      recorder.dispose();
      // Leave the document as found, so a later suite starts from the same text.
      if (doc.getText() !== originalText) await replaceText(doc, 0, doc.getText().length, originalText);
    }
    await waitForDiagnostics(shapes, (ds) => !ds.some((d) => d.message === slowMessage), 'the slow form\'s diagnostic to go away');
  });
  test('saving a change to the stand-in compiler reloads it: the tooltip, the Last change node and the diagnostics show the delta', async () => {
    const folder = vscode.workspace.workspaceFolders![0];
    const compiler = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, '../clysm-standin/src/compiler.lisp'));
    const original = compiler.getText();
    const from = '(error "Undefined variable: ~A" expr)';
    const to = '(error "Unbound variable in the fold: ~A" expr)';
    const start = original.indexOf(from);
    assert.ok(start >= 0, `${from} is not in the stand-in compiler`);
    const before = await waitForStatus(api, fullyAnalysed, 'the analysis before the change');
    try {
      const changed = waitForStatus(api, (s) => fullyAnalysed(s) && s.lastChange !== undefined && s.lastChange.at !== before.lastChange?.at, 'the status to carry the change\'s delta', { onlyNew: true });
      await replaceText(compiler, start, start + from.length, to);
      assert.ok(await compiler.save(), 'the stand-in compiler was not saved');
      // The diagnostics of the forms the change touched show the new compiler's message.
      const [, status] = await Promise.all([
        waitForDiagnostics(shapes, (ds) => ds.some((d) => d.message === 'Unbound variable in the fold: +DEPTH+'), 'the reloaded compiler\'s message'),
        changed,
      ]);
      assert.match(status.lastChange!.text, /1 message changed/, status.lastChange!.text);
      assert.match(api.statusBar().tooltip, /\*\*Last compiler change:\*\* .*1 message changed .*compiler\\?\.lisp: FOLD/, api.statusBar().tooltip); // markdown-escaped
      await api.refreshViews();
      const node = (await api.blockerItems()).find((r) => r.item.label === 'Last change');
      assert.ok(node, 'no Last change node in the Blockers view');
      assert.equal(node.item.description, status.lastChange!.text);
      assert.deepEqual(node.children.map((c) => `${String(c.item.label)}: ${String(c.item.description)}`).filter((t) => /PERIMETER/i.test(t)).length, 1,
        JSON.stringify(node.children.map((c) => [c.item.label, c.item.description])));
    } finally {
      // Undo: the compiler as found, and its results back.
      if (compiler.getText() !== original) {
        await replaceText(compiler, 0, compiler.getText().length, original);
        await compiler.save();
      }
    }
    await waitForDiagnostics(shapes, (ds) => ds.some((d) => d.message === 'Undefined variable: +DEPTH+'), 'the original message after the undo');
  });
});
