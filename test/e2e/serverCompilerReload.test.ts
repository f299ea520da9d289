// The self-hosting loop through the real language server on SBCL, on a throwaway copy of the
// stand-in `clysm` system (a test double, not Clysm): a saved change to the compiler reloads
// it, re-checks every form and publishes the delta; a broken save gives a reload-error and
// keeps every other result. Waits are on the server's own status notifications.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { LastChange, ServerStatus } from '../../server/src/protocol';
import { LanguageServerProcess } from '../support/languageServerProcess';
import { repoRoot } from '../support/repo';

const USES = 'src/app/uses.lisp';

describe('language server: a saved compiler change re-checks every form and shows the delta', () => {
  let root: string;
  let server: LanguageServerProcess;
  let compiler: string;

  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-loop-'));
    fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'clysm-standin'), root, { recursive: true });
    fs.mkdirSync(path.join(root, 'src', 'app'));
    fs.writeFileSync(path.join(root, USES), '(defun uses-1+ () (1+ 41))\n(defun plain () (+ 1 2))\n');
    compiler = path.join(root, 'src', 'compiler.lisp');
    server = new LanguageServerProcess(root, { diagnosticsDelayMs: 0, backend: 'sbcl', modules: [USES] });
    await server.initialize();
    await server.settled();
  });
  after(async () => {
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Saves `text` to the compiler file and waits for the delta it causes. */
  async function saveCompiler(text: string): Promise<{ status: ServerStatus; change: LastChange }> {
    // Statuses are searched from the first one: skip every delta already published.
    const seen = new Set(server.statuses.map((s) => s.lastChange?.at));
    fs.writeFileSync(compiler, text);
    await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(compiler).href, type: 2 }] });
    const status = await server.status((s) => s.lastChange !== undefined && !seen.has(s.lastChange.at) && !s.busy, 'a compiler change delta');
    const change = (await server.connection.sendRequest('clysm/lastChange')) as LastChange;
    return { status, change };
  }

  /** The compiler as the first test leaves it: every form applies. */
  let applied = '';

  it('applies a changed defun without a restart and reports the forms it moved', async () => {
    assert.equal(await server.connection.sendRequest('clysm/lastChange'), null);
    const original = fs.readFileSync(compiler, 'utf8');
    applied = original.replace("'(+ - *)", "'(+ - * 1+)");
    const { status, change } = await saveCompiler(applied);

    assert.equal(change.text, '+1 compiled, 0 regressions, 0 messages changed (compiler.lisp: FOLD)');
    assert.equal(status.lastChange?.text, change.text);
    assert.equal(change.reload.mode, 'incremental');
    assert.deepEqual(change.changed.map((c) => [c.file, c.line, c.name, c.kind, c.before?.status, c.after.status]), [[USES, 1, 'USES-1+', 'compiled', 'failed', 'compiled']]);
    assert.equal(status.summary.compiled, 2);
  });

  it('keeps every result when the compiler is saved with a parenthesis missing, with a reload-error on the broken form', async () => {
    // Lines after the unclosed form: for SBCL it runs to the end of the file.
    const text = `${fs.readFileSync(compiler, 'utf8')}\n(defun unclosed (x) (+ x 1)\n;; one\n;; two\n`;
    const { status, change } = await saveCompiler(text);
    const brokenLine = text.split('\n').findIndex((line) => line.startsWith('(defun unclosed'));

    assert.equal(change.reload.errors.length, 1);
    assert.equal(change.reload.errors[0].file, 'src/compiler.lisp');
    assert.equal(change.reload.errors[0].line, brokenLine + 1);
    assert.equal(status.summary.compiled, 2, 'the results stay');
    // Saved outside the editor, the file is not open: Problems shows it from the workspace pull.
    type Item = { code: string; severity: number; message: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } };
    const workspace = (await server.connection.sendRequest('workspace/diagnostic', { previousResultIds: [] })) as { items: Array<{ uri: string; items: Item[] }> };
    const compilerReport = workspace.items.find((item) => item.uri === pathToFileURL(compiler).href);
    assert.deepEqual(compilerReport?.items.map((d) => [d.code, d.range.start.line, d.range.end.line, d.range.end.character]), [['reload-error', brokenLine, brokenLine + 1, 0]], 'only the first line of the unclosed form is underlined');
    const uri = server.open(compiler, text);
    const report = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: Item[] };
    assert.deepEqual(report.items.map((d) => [d.code, d.severity, d.range.start.line, d.range.end.line]), [['reload-error', 1, brokenLine, brokenLine + 1]]);
    assert.match(report.items[0].message, /end of file on compiler\.lisp/);
  });

  it('puts a reload-error after a character outside the BMP at the form, in UTF-16 columns', async () => {
    // SBCL counts the crab as one character, the editor as two UTF-16 code units.
    const line = '(defvar *greeting* "hi \u{1F980}") (error "boom")';
    const text = `${applied}\n${line}\n`;
    const { change } = await saveCompiler(text);

    const lineIndex = text.split('\n').indexOf(line);
    assert.deepEqual(change.reload.errors.map((e) => [e.line, e.message]), [[lineIndex + 1, 'boom']]);
    const uri = pathToFileURL(compiler).href;
    await server.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    server.open(compiler, text);
    const report = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: Array<{ code: string; range: unknown }> };
    const start = line.indexOf('(error');
    assert.deepEqual(report.items.map((d) => [d.code, d.range]), [
      ['reload-error', { start: { line: lineIndex, character: start }, end: { line: lineIndex, character: start + '(error "boom")'.length } }],
    ]);
  });
});
