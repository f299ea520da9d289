// Drives the real language server process (dist/server.js) over stdio with an LSP client,
// and checks its diagnostics and hovers against the headless CLI on the same workspace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { summarizeMessage } from '../../server/src/blockers';
import { readTopLevelForms } from '../../server/src/reader';
import type { CheckReport } from '../../server/src/report/checkReport';
import { LanguageServerProcess } from '../support/languageServerProcess';
import { copyExampleWorkspace, distDir, fixtureDir, lispFilesUnder } from '../support/repo';

interface LspDiagnostic {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity: number;
  code: string;
  source: string;
  message: string;
}

/** The real server with the example workspace's helpers: open a file from disk, pull, hover. */
class LspSession extends LanguageServerProcess {
  private readonly opened = new Set<string>();

  openFile(file: string): string {
    const uri = pathToFileURL(file).href;
    if (this.opened.has(uri)) return uri;
    this.opened.add(uri);
    return this.open(file, fs.readFileSync(file, 'utf8'));
  }

  /** Pulls diagnostics once the server has a backend (it answers [] while starting). */
  async diagnostics(uri: string): Promise<LspDiagnostic[]> {
    await this.backendChosen();
    const report = (await this.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: LspDiagnostic[] };
    return report.items;
  }

  async hover(uri: string, line: number, character: number): Promise<string> {
    const hover = (await this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } })) as { contents: { value: string } } | null;
    return hover?.contents.value ?? '';
  }
}

function runCli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('language server over stdio (fixture Stage 0)', () => {
  let workspace: string;
  let lsp: LspSession;
  let report: CheckReport;

  before(async () => {
    workspace = copyExampleWorkspace();
    const cli = runCli([workspace, '--json']);
    assert.equal(cli.code, 1, cli.stderr);
    report = JSON.parse(cli.stdout) as CheckReport;
    lsp = new LspSession(workspace, { diagnosticsDelayMs: 0 });
    await lsp.initialize();
  });

  after(async () => {
    await lsp.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('publishes one diagnostic per failing form, equal to the CLI results', async () => {
    let checkedFiles = 0;
    for (const file of lispFilesUnder(workspace)) {
      const rel = path.relative(workspace, file).split(path.sep).join('/');
      const expected = report.forms.filter((f) => f.file === rel && ['failed', 'timeout', 'read-error', 'crashed'].includes(f.status));
      const uri = lsp.openFile(file);
      const items = await lsp.diagnostics(uri);
      // The CLI positions a form at its start; the diagnostic squiggles its operator and name (one character on).
      const got = items.map((d) => `${d.range.start.line + 1} ${d.code} ${d.message}`).sort();
      const want = expected.map((f) => `${f.line} ${f.category} ${summarizeMessage(f.message ?? '')}`).sort();
      assert.deepEqual(got, want, rel);
      for (const d of items) assert.equal(d.source, 'clysm');
      checkedFiles++;
    }
    assert.ok(checkedFiles >= 3, 'the example workspace has at least three modules');
  });

  it('hovers show status, category, message and recommendation', async () => {
    const failing = report.forms.find((f) => f.status === 'failed' && f.category === 'missing-function');
    assert.ok(failing, 'the example workspace has a missing-function failure');
    const uri = pathToFileURL(path.join(workspace, failing.file)).href;
    lsp.openFile(path.join(workspace, failing.file));
    await lsp.diagnostics(uri);
    const text = await lsp.hover(uri, failing.line - 1, failing.column - 1);
    assert.match(text, /\*\*failed\*\*/);
    assert.ok(text.includes('missing-function'), text);
    assert.ok(text.includes(failing.message!), text);
    assert.match(text, /Recommendation/);
    assert.match(text, /\*\*Root cause\*\* `missing-function`: \d+ forms? fails? with it/);
    assert.match(text, /\[Open Full Message\]\(command:clysm\.openFullMessage/);
    assert.doesNotMatch(text, /ms in the backend/);

    const compiled = report.forms.find((f) => f.status === 'compiled');
    assert.ok(compiled);
    const compiledUri = pathToFileURL(path.join(workspace, compiled.file)).href;
    lsp.openFile(path.join(workspace, compiled.file));
    await lsp.diagnostics(compiledUri);
    const compiledHover = await lsp.hover(compiledUri, compiled.line - 1, compiled.column - 1);
    assert.match(compiledHover, new RegExp(`\\*\\*compiled\\*\\*: ${compiled.bytes} bytes`));
  });

  it('re-checks an edited form: a fixed form loses its diagnostic', async () => {
    const failing = report.forms.find((f) => f.status === 'failed' && f.category === 'missing-function');
    assert.ok(failing);
    const file = path.join(workspace, failing.file);
    const uri = pathToFileURL(file).href;
    const original = fs.readFileSync(file, 'utf8');
    const before = await lsp.diagnostics(uri);
    // Replace the failing form by one the fixture compiles; the reader gives its exact extent.
    const form = readTopLevelForms(original)[failing.form_index];
    const edited = `${original.slice(0, form.start)}(defun fixed-by-test (x) (+ x 1))${original.slice(form.end)}`;
    await lsp.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: edited }] });
    const after = await lsp.diagnostics(uri);
    assert.equal(after.length, before.length - 1);
    assert.ok(!after.some((d) => d.message === failing.message && d.range.start.line === failing.line - 1));
  });
});

describe('language server over stdio (problem Stage 0 binaries)', () => {
  it('reports a stub Stage 0 once, and paints no form red', async () => {
    const workspace = copyExampleWorkspace();
    const lsp = new LspSession(workspace, { stage0Path: path.join(fixtureDir, 'stage0-stub.wasm'), diagnosticsDelayMs: 0 });
    try {
      await lsp.initialize();
      const file = lispFilesUnder(workspace)[0];
      const uri = lsp.openFile(file);
      await lsp.firstMessage();
      assert.equal(lsp.messages.length, 1, JSON.stringify(lsp.messages));
      assert.match(lsp.messages[0].message, /does not compile yet/);
      assert.deepEqual(await lsp.diagnostics(uri), []);
    } finally {
      await lsp.close();
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('reloads Stage 0 when it changes on disk, and reports the new one', async () => {
    const workspace = copyExampleWorkspace();
    const lsp = new LspSession(workspace, { diagnosticsDelayMs: 0 });
    try {
      await lsp.initialize();
      const uri = lsp.openFile(lispFilesUnder(workspace)[0]);
      assert.ok((await lsp.diagnostics(uri)).length > 0, 'the fixture Stage 0 finds failing forms');
      // Replace Stage 0 by a stub, as a rebuild of Clysm would, and tell the server (the client's
      // file watcher does this in VS Code).
      const stage0 = path.join(workspace, 'dist', 'clysm-stage0.wasm');
      fs.copyFileSync(path.join(fixtureDir, 'stage0-stub.wasm'), stage0);
      await lsp.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(stage0).href, type: 2 }] });
      await lsp.firstMessage();
      assert.equal(lsp.messages.length, 1, JSON.stringify(lsp.messages));
      assert.match(lsp.messages[0].message, /does not compile yet/);
      assert.deepEqual(await lsp.diagnostics(uri), [], 'a stub paints no form red');
    } finally {
      await lsp.close();
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('names a missing compile_form export', async () => {
    const workspace = copyExampleWorkspace();
    const lsp = new LspSession(workspace, { stage0Path: path.join(fixtureDir, 'stage0-no-compile-form.wasm'), diagnosticsDelayMs: 0 });
    try {
      await lsp.initialize();
      await lsp.firstMessage();
      assert.equal(lsp.messages.length, 1);
      assert.match(lsp.messages[0].message, /compile_form/);
      assert.equal(lsp.messages[0].type, 1, 'an error, not a warning');
    } finally {
      await lsp.close();
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });
});
