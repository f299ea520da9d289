// Integration suite: runs inside a real VS Code (code-server's extension host offline, or a desktop
// VS Code through @vscode/test-electron) with the example workspace open.
// Everything waits on events (diagnostics changes) with a time limit, never on sleeps. Concrete forms
// are discovered from the diagnostics, because the example workspace is written independently.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { clysmDiagnostics, codeOf, EXT_ID, hoverText, replaceText, topLevelForms, WAIT_MS, type Span } from './viewHelpers';

// ---------------------------------------------------------------------------------------------
// Helpers

const isMissingFunction = (d: vscode.Diagnostic): boolean =>
  d.source === 'clysm' && codeOf(d) === 'missing-function' && /^Undefined function: /.test(d.message);

function describeDiagnostics(uri: vscode.Uri): string {
  const ds = vscode.languages.getDiagnostics(uri);
  if (!ds.length) return '(none)';
  return ds.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} [${d.source}/${codeOf(d)}] ${d.message}`).join('\n  ');
}

/**
 * Resolves with the diagnostics of `uri` as soon as `predicate` holds for them: checks the current
 * state first, then on every onDidChangeDiagnostics event for that uri. Rejects after timeoutMs.
 */
export function waitForDiagnostics(
  uri: vscode.Uri,
  predicate: (diagnostics: vscode.Diagnostic[]) => boolean,
  timeoutMs = WAIT_MS,
  what = 'diagnostics',
): Promise<vscode.Diagnostic[]> {
  return new Promise((resolve, reject) => {
    const key = uri.toString();
    let sub: vscode.Disposable | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (err: Error | undefined, value?: vscode.Diagnostic[]) => {
      sub?.dispose();
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(value!);
    };
    const check = (): boolean => {
      const ds = vscode.languages.getDiagnostics(uri);
      if (!predicate(ds)) return false;
      finish(undefined, ds);
      return true;
    };
    // Subscribe before the first check so no event can fall between the two.
    sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === key)) check();
    });
    timer = setTimeout(() => {
      finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what} on ${vscode.workspace.asRelativePath(uri)}; now:\n  ${describeDiagnostics(uri)}`));
    }, timeoutMs);
    check();
  });
}

/** Like waitForDiagnostics, over several documents: resolves with the first uri that satisfies it. */
function waitForAnyDiagnostics(
  uris: vscode.Uri[],
  predicate: (diagnostics: vscode.Diagnostic[]) => boolean,
  timeoutMs = WAIT_MS,
  what = 'diagnostics',
): Promise<vscode.Uri> {
  return new Promise((resolve, reject) => {
    let sub: vscode.Disposable | undefined;
    let timer: NodeJS.Timeout | undefined;
    const check = (candidates: readonly vscode.Uri[]) => {
      const hit = uris.find((u) => candidates.some((c) => c.toString() === u.toString()) && predicate(vscode.languages.getDiagnostics(u)));
      if (!hit) return;
      sub?.dispose();
      clearTimeout(timer);
      resolve(hit);
    };
    sub = vscode.languages.onDidChangeDiagnostics((e) => check(e.uris));
    timer = setTimeout(() => {
      sub?.dispose();
      const now = uris.map((u) => `${vscode.workspace.asRelativePath(u)}:\n  ${describeDiagnostics(u)}`).join('\n');
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; now:\n${now}`));
    }, timeoutMs);
    check(uris);
  });
}

/** Span of the list that opens at `open` (a `(`), using the same lexical rules. */
function listAt(text: string, open: number): Span | undefined {
  const inner = topLevelForms(text.slice(open)).find((f) => f.start === 0);
  return inner ? { start: open, end: open + inner.end } : undefined;
}

const rangeOf = (doc: vscode.TextDocument, s: Span) => new vscode.Range(doc.positionAt(s.start), doc.positionAt(s.end));

/** The top-level form that holds a range (a reader prefix such as `#+sbcl` may precede the `(`). */
function enclosingForm(doc: vscode.TextDocument, range: vscode.Range): Span | undefined {
  const forms = topLevelForms(doc.getText());
  const s = doc.offsetAt(range.start);
  const e = doc.offsetAt(range.end);
  const i = forms.findIndex((f) => e > f.start && e <= f.end);
  if (i < 0) return undefined;
  const prevEnd = i > 0 ? forms[i - 1].end : 0;
  return s >= prevEnd ? forms[i] : undefined;
}

/** Name in `Undefined function: NAME` (Lisp upper case). */
const undefinedName = (d: vscode.Diagnostic): string => d.message.replace(/^Undefined function:\s*/, '').trim().split(/\s/)[0];

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The call `(name ...)` inside `form` that the diagnostic blames (the one holding its start, else the first). */
function findCall(text: string, form: Span, name: string, near: number): Span | undefined {
  const re = new RegExp(`\\(\\s*(?:[^\\s():]*::?)?${escapeRe(name)}(?=[\\s()"';]|$)`, 'gi');
  re.lastIndex = form.start;
  const calls: Span[] = [];
  for (let m = re.exec(text); m && m.index < form.end; m = re.exec(text)) {
    const s = listAt(text, m.index);
    if (s && s.end <= form.end) calls.push(s);
  }
  return calls.filter((c) => c.start <= near && near < c.end).sort((a, b) => a.end - a.start - (b.end - b.start))[0] ?? calls[0];
}

// ---------------------------------------------------------------------------------------------
// Shared state, discovered by the first tests and used by the later ones.

interface Failing {
  uri: vscode.Uri;
  diagnostic: vscode.Diagnostic;
}

let modules: vscode.Uri[] = [];
let failing: Failing | undefined;

function needFailing(): Failing {
  assert.ok(failing, 'no failing form was found by the earlier test');
  return failing;
}

suite('Clysm extension in a real VS Code', () => {
  suiteSetup(async () => {
    console.log(`    vscode ${vscode.version}, node ${process.versions.node}, app ${vscode.env.appName}, remote=${vscode.env.remoteName ?? 'none'}`);
    assert.ok(vscode.workspace.workspaceFolders?.length, 'the example workspace is not open');
    modules = (await vscode.workspace.findFiles('src/**/*.lisp', '**/node_modules/**')).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  });

  test('the extension activates and contributes its commands and language', async () => {
    const ext = vscode.extensions.getExtension(EXT_ID);
    assert.ok(ext, `extension ${EXT_ID} is not installed`);
    // Tests start after the startup activations, so workspaceContains:**/*.lisp must have fired.
    assert.equal(ext.isActive, true, 'not activated by its activation events');
    await ext.activate();
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['clysm.restartServer', 'clysm.showOutput', 'clysm.reanalyze']) {
      assert.ok(commands.includes(c), `command ${c} is not registered`);
    }
    assert.ok(modules.length > 0, 'the example workspace has no src/**/*.lisp');
    const doc = await vscode.workspace.openTextDocument(modules[0]);
    assert.equal(doc.languageId, 'commonlisp');
  });

  test('opening the modules shows a clysm missing-function error diagnostic', async () => {
    // Pull diagnostics are requested for documents in tabs: open every module in its own tab.
    for (const uri of modules) {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: false });
    }
    const uri = await waitForAnyDiagnostics(modules, (ds) => ds.some(isMissingFunction), WAIT_MS, 'a clysm missing-function diagnostic');
    const ds = clysmDiagnostics(uri);
    const diagnostic = ds.find(isMissingFunction)!;
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diagnostic.message, /^Undefined function: \S+/);
    // Every clysm diagnostic carries a category code.
    for (const d of ds) assert.ok(codeOf(d), `diagnostic without a code: ${d.message}`);
    failing = { uri, diagnostic };
    await vscode.window.showTextDocument(uri, { preview: false });
    console.log(`      found in ${vscode.workspace.asRelativePath(uri)}: ${diagnostic.message} (${ds.length} clysm diagnostics in the file)`);
  });

  test('the diagnostic range lies in one top-level form that calls the undefined function', async () => {
    const { uri, diagnostic } = needFailing();
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.ok(!diagnostic.range.isEmpty, 'empty diagnostic range');
    const form = enclosingForm(doc, diagnostic.range);
    assert.ok(form, `range ${JSON.stringify(diagnostic.range)} is not inside one top-level form`);
    const formText = doc.getText(rangeOf(doc, form));
    const name = undefinedName(diagnostic);
    assert.ok(formText.toLowerCase().includes(name.toLowerCase()), `form does not mention ${name}:\n${formText}`);
    const rangeText = doc.getText(diagnostic.range).trim();
    // Either the whole form or the blamed call (or the operator token inside it).
    assert.ok(rangeText.startsWith('(') || rangeText.toLowerCase().includes(name.toLowerCase()) || rangeText.startsWith('#'),
      `range text neither a form nor the call: ${rangeText}`);
  });

  test('hover on the failing form shows failed, the category, the message and a recommendation', async () => {
    const { uri, diagnostic } = needFailing();
    const text = await hoverText(uri, diagnostic.range.start);
    assert.ok(text, 'no hover');
    assert.match(text, /\bfailed\b/);
    assert.ok(text.includes('missing-function'), `category missing from hover:\n${text}`);
    assert.ok(text.includes(diagnostic.message), `message missing from hover:\n${text}`);
    assert.match(text, /recommend/i);
  });

  test('hover on a form that compiles says compiled', async () => {
    // Look through the open modules for a form without diagnostics whose hover says compiled.
    const tried: string[] = [];
    for (const uri of [needFailing().uri, ...modules]) {
      const doc = await vscode.workspace.openTextDocument(uri);
      const diagnosed = vscode.languages.getDiagnostics(uri).map((d) => doc.offsetAt(d.range.start));
      for (const form of topLevelForms(doc.getText())) {
        if (diagnosed.some((o) => o >= form.start && o < form.end)) continue;
        const text = await hoverText(uri, doc.positionAt(form.start + 1));
        if (/\bcompiled\b/.test(text)) {
          assert.doesNotMatch(text, /\bfailed\b/);
          return;
        }
        tried.push(`${vscode.workspace.asRelativePath(uri)}:${doc.positionAt(form.start).line + 1}: ${text.split('\n')[0] || '(no hover)'}`);
        if (tried.length > 60) break;
      }
    }
    assert.fail(`no form hovers as compiled; tried:\n${tried.join('\n')}`);
  });

  test('fixing the undefined calls of a failing form in the editor clears its diagnostic without a restart; undoing brings it back', async () => {
    // The smallest failing form: the fewer other calls it makes, the sooner it compiles. Stage 0
    // reports only the first failure of a form, so a form may call several undefined functions:
    // fix them one by one, each fix must replace the diagnostic by the next one or by none.
    const candidates: { uri: vscode.Uri; doc: vscode.TextDocument; diagnostic: vscode.Diagnostic; form: Span }[] = [];
    for (const uri of [needFailing().uri, ...modules]) {
      const doc = await vscode.workspace.openTextDocument(uri);
      for (const diagnostic of vscode.languages.getDiagnostics(uri).filter(isMissingFunction)) {
        const form = enclosingForm(doc, diagnostic.range);
        if (form) candidates.push({ uri, doc, diagnostic, form });
      }
    }
    candidates.sort((a, b) => a.form.end - a.form.start - (b.form.end - b.form.start));
    assert.ok(candidates.length, 'no failing form to edit');
    const { uri, doc, diagnostic } = candidates[0];
    await vscode.window.showTextDocument(doc, { preview: false });
    const originalText = doc.getText();
    const form: Span = { ...candidates[0].form };
    const originalForm = originalText.slice(form.start, form.end);
    const inForm = (d: vscode.Diagnostic) => {
      const o = doc.offsetAt(d.range.start);
      return d.source === 'clysm' && o >= form.start && o < form.end;
    };
    const fixed: string[] = [];
    try {
      let current: vscode.Diagnostic | undefined = diagnostic;
      for (let step = 0; current && step < 8; step++) {
        assert.ok(isMissingFunction(current), `after fixing ${fixed.join(', ')} the form fails with [${codeOf(current)}] ${current.message}:\n${doc.getText(rangeOf(doc, form))}`);
        const name = undefinedName(current);
        const at = doc.offsetAt(current.range.start);
        const call = findCall(doc.getText(), form, name, at);
        assert.ok(call, `no call (${name} ...) in the form:\n${doc.getText(rangeOf(doc, form))}`);
        const replacement = '(+ 1 2)';
        await replaceText(doc, call, replacement);
        form.end += replacement.length - (call.end - call.start);
        fixed.push(name);
        // Until the server answers, the old diagnostic stays as it was (same message, same offset).
        const previous = current;
        const ds = await waitForDiagnostics(uri, (all) => !all.some((d) => inForm(d) && d.message === previous.message && doc.offsetAt(d.range.start) === at),
          WAIT_MS, `the ${previous.message} diagnostic of the edited form to go away`);
        current = ds.find(inForm);
      }
      assert.equal(current, undefined, `the form still fails after fixing ${fixed.join(', ')}`);
      console.log(`      fixed ${fixed.join(', ')} in ${vscode.workspace.asRelativePath(uri)}:${doc.positionAt(form.start).line + 1}`);
      const hover = await hoverText(uri, doc.positionAt(form.start + 1));
      assert.match(hover, /\bcompiled\b/, `edited form does not hover as compiled:\n${hover}`);

      // Put the form back: its first diagnostic returns, at the same place.
      await replaceText(doc, form, originalForm);
      await waitForDiagnostics(uri, (ds) => ds.some((d) => isMissingFunction(d) && d.message === diagnostic.message && d.range.isEqual(diagnostic.range)),
        WAIT_MS, `the original diagnostic to come back`);
    } finally {
      // Leave the document as found, whatever failed, so the later tests start from the same text.
      if (doc.getText() !== originalText) await replaceText(doc, { start: 0, end: doc.getText().length }, originalText);
    }
  });

  test('an unbalanced paren gives a read-error diagnostic and the other forms are still checked', async () => {
    const { uri, diagnostic } = needFailing();
    const doc = await vscode.workspace.openTextDocument(uri);
    const originalText = doc.getText();
    const end = originalText.length;
    const broken = '\n(defun clysm-integration-unbalanced (x)\n  (list x\n';
    try {
      await replaceText(doc, { start: end, end }, broken);
      const ds = await waitForDiagnostics(uri, (d) => d.some((x) => x.source === 'clysm' && codeOf(x) === 'read-error'), WAIT_MS, 'a read-error diagnostic');
      const readError = ds.find((x) => codeOf(x) === 'read-error')!;
      assert.ok(readError.range.start.line >= doc.positionAt(end).line, 'read error reported before the appended text');
      assert.ok(ds.some((d) => isMissingFunction(d) && d.message === diagnostic.message), 'the failing form is no longer reported');
      await replaceText(doc, { start: end, end: end + broken.length }, '');
      await waitForDiagnostics(uri, (d) => !d.some((x) => codeOf(x) === 'read-error'), WAIT_MS, 'the read error to go away');
    } finally {
      if (doc.getText() !== originalText) await replaceText(doc, { start: 0, end: doc.getText().length }, originalText);
    }
  });

  test('clysm.showOutput and clysm.reanalyze run', async () => {
    const { uri, diagnostic } = needFailing();
    await vscode.commands.executeCommand('clysm.showOutput');
    await vscode.commands.executeCommand('clysm.reanalyze');
    await waitForDiagnostics(uri, (ds) => ds.some((d) => isMissingFunction(d) && d.message === diagnostic.message), WAIT_MS, 'diagnostics after reanalyze');
  });

  test('clysm.restartServer restarts the server and the diagnostics come back', async () => {
    const { uri, diagnostic } = needFailing();
    await vscode.window.showTextDocument(uri, { preview: false });
    // Stopping the client clears its diagnostics; watch for that from before the command runs.
    let cleared = false;
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString()) && clysmDiagnostics(uri).length === 0) cleared = true;
    });
    try {
      await vscode.commands.executeCommand('clysm.restartServer');
      await waitForDiagnostics(uri, (ds) => cleared && ds.some((d) => isMissingFunction(d) && d.message === diagnostic.message && d.range.isEqual(diagnostic.range)),
        WAIT_MS, 'the diagnostics to be cleared by the restart and then come back');
    } finally {
      sub.dispose();
    }
    // The server answers requests again after the restart.
    assert.match(await hoverText(uri, diagnostic.range.start), /\bfailed\b/);
  });
});
