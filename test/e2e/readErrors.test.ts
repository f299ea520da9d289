// Issue 11 item 12 against the real language server (dist/server.js over stdio, fixture Stage 0):
// a stray `)` right after a compiled form is a read error, counted apart from the forms (the
// total stays as it was), and a hover shows one item only: the `)` or the form, never both.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServerStatus } from '../../server/src/protocol';
import type { CheckReport } from '../../server/src/report/checkReport';
import { LanguageServerProcess } from '../support/languageServerProcess';
import { copyExampleWorkspace, distDir } from '../support/repo';

const MODULE = 'src/compiler/ast.lisp';
const FORM = '(defvar *node-counter* 0)';

function checkSummary(root: string): CheckReport['summary'] {
  const cli = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), root, '--json'], { encoding: 'utf8' });
  return (JSON.parse(cli.stdout) as CheckReport).summary;
}

async function hoverText(server: LanguageServerProcess, uri: string, line: number, character: number): Promise<{ value: string; range: unknown } | null> {
  const hover = (await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } })) as { contents: { value: string }; range: unknown } | null;
  return hover && { value: hover.contents.value, range: hover.range };
}

describe('a stray `)` in a module (real server)', { timeout: 60_000 }, () => {
  let workspace = '';
  let server: LanguageServerProcess;
  let status: ServerStatus;
  let clean: CheckReport['summary'];
  let uri = '';
  let line = 0;
  let column = 0;

  before(async () => {
    workspace = copyExampleWorkspace();
    clean = checkSummary(workspace);
    const file = path.join(workspace, MODULE);
    const text = fs.readFileSync(file, 'utf8');
    const at = text.indexOf(FORM) + FORM.length;
    assert.ok(at > FORM.length, `${MODULE} has ${FORM}`);
    const withStray = `${text.slice(0, at)})${text.slice(at)}`;
    fs.writeFileSync(file, withStray);
    const before = withStray.slice(0, at).split('\n');
    line = before.length - 1;
    column = before[before.length - 1].length;
    server = new LanguageServerProcess(workspace, { diagnosticsDelayMs: 0 });
    await server.initialize();
    status = await server.settled();
    uri = server.open(file, withStray);
  });

  after(async () => {
    await server?.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('counts the read error apart: the forms, their total and the coverage are as without it', () => {
    assert.equal(status.summary.readErrors, 1);
    assert.equal(status.summary.total, clean.total);
    assert.equal(status.summary.failed, clean.failed);
    assert.equal(status.summary.coveragePct, clean.coverage_pct);
    const cli = checkSummary(workspace);
    assert.deepEqual([cli.total, cli.read_errors], [clean.total, 1]);
  });

  it('hovers the stray `)` as the read error alone, and the form before it as that form alone', async () => {
    const stray = await hoverText(server, uri, line, column);
    assert.ok(stray, 'a hover on the stray `)`');
    assert.match(stray.value, /\*\*read error\*\*/);
    assert.doesNotMatch(stray.value, /compiled|bytes of valid Wasm/);
    assert.deepEqual(stray.range, { start: { line, character: column }, end: { line, character: column + 1 } });

    const form = await hoverText(server, uri, line, column - 1);
    assert.ok(form, 'a hover on the last `)` of the form');
    assert.match(form.value, /\*\*compiled\*\*: \d+ bytes of valid Wasm/);
    assert.doesNotMatch(form.value, /read error/);
  });

  it('puts the read-error diagnostic on the `)` only', async () => {
    const report = (await server.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as {
      items: { range: { start: { line: number; character: number } }; code: string }[];
    };
    const onLine = report.items.filter((d) => d.range.start.line === line);
    assert.deepEqual(onLine.map((d) => [d.code, d.range.start.character]), [['read-error', column]]);
  });
});
