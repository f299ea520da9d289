// The self-hosting loop on the Stage 0 backend, through the real language server: a Stage 0
// rebuilt on disk (the fixture variant that compiles LOGAND, ASH and LOGIOR and no longer CAR,
// a test double, not Clysm) is loaded in place of the old one, every form is re-checked and the
// delta is published; a corrupt rebuild gives an error status and keeps every result. The
// expected delta is the difference between two clysm-check runs, one per Stage 0. The same
// holds on the wasmtime engine (the stand-in test/support/fake-wasmtime) when the WASI build
// next to the Stage 0 is rebuilt. Waits are on the server's own notifications.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { LastChange, ServerStatus } from '../../server/src/protocol';
import type { CheckReport } from '../../server/src/report/checkReport';
import { LanguageServerProcess } from '../support/languageServerProcess';
import { copyExampleWorkspace, distDir, fixtureDir, repoRoot } from '../support/repo';

const STAGE0 = 'dist/clysm-stage0.wasm';
/** What the wasmtime engine runs instead (wasiBuildPath): the WASI build next to STAGE0. */
const WASI_STAGE0 = 'dist/clysm-stage0.wasi.wasm';
const fakeWasmtime = path.join(repoRoot, 'test', 'support', 'fake-wasmtime');

/**
 * The forms clysm-check finds with the Stage 0 fixture `fixture` installed at `target` in a copy
 * of the example workspace (`cliArgs`: the engine, when not the embedded one).
 */
function checkWith(fixture: string, target = STAGE0, cliArgs: string[] = []): CheckReport['forms'] {
  const workspace = copyExampleWorkspace();
  try {
    fs.copyFileSync(path.join(fixtureDir, fixture), path.join(workspace, target));
    const run = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), workspace, '--json', '--backend', 'stage0', ...cliArgs], { encoding: 'utf8' });
    assert.ok(run.stdout, run.stderr);
    return (JSON.parse(run.stdout) as CheckReport).forms;
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

/** `[id, file, name, status before, status and message after]` of each form whose result differs between two runs. */
function differences(before: CheckReport['forms'], after: CheckReport['forms']): unknown[][] {
  return after
    .map((form, i) => ({ form, was: before[i] }))
    .filter(({ form, was }) => was.status !== form.status || was.message !== form.message)
    .map(({ form, was }) => [form.id, form.file, form.name, was.status, form.status, form.message]);
}

const delta = (change: LastChange): unknown[][] => change.changed.map((c) => [c.id, c.file, c.name, c.before?.status, c.after.status, c.after.message]);

describe('language server: a Stage 0 rebuilt on disk re-checks every form and shows the delta', () => {
  let root: string;
  let server: LanguageServerProcess;
  let fixtureForms: CheckReport['forms'];
  let rebuiltForms: CheckReport['forms'];

  before(async () => {
    fixtureForms = checkWith('stage0-fixture.wasm');
    rebuiltForms = checkWith('stage0-fixture-rebuilt.wasm');
    root = copyExampleWorkspace();
    server = new LanguageServerProcess(root, { diagnosticsDelayMs: 0, backend: 'stage0' });
    await server.initialize();
    await server.settled();
  });
  after(async () => {
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Installs a fixture as the workspace's Stage 0 and tells the server, as the editor's file watcher does. */
  async function replaceStage0(fixture: string): Promise<void> {
    const target = path.join(root, STAGE0);
    fs.copyFileSync(path.join(fixtureDir, fixture), target);
    await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(target).href, type: 2 }] });
  }

  /** The next delta (none published yet when this is called), once the re-check is over. */
  async function nextDelta(): Promise<{ status: ServerStatus; change: LastChange }> {
    // Statuses are searched from the first one: skip every delta already published.
    const seen = new Set(server.statuses.map((s) => s.lastChange?.at));
    const status = await server.status((s) => s.lastChange !== undefined && !seen.has(s.lastChange.at) && !s.busy, 'a Stage 0 change delta');
    const change = (await server.connection.sendRequest('clysm/lastChange')) as LastChange;
    return { status, change };
  }

  it('loads the rebuilt Stage 0, re-checks every form and publishes the forms it moved', async () => {
    assert.equal(await server.connection.sendRequest('clysm/lastChange'), null);
    const expected = differences(fixtureForms, rebuiltForms);
    const waiting = nextDelta();
    await replaceStage0('stage0-fixture-rebuilt.wasm');
    const { status, change } = await waiting;

    assert.equal(change.text, '+2 compiled, 2 regressions, 0 messages changed (clysm-stage0.wasm)');
    assert.equal(status.lastChange?.text, change.text);
    assert.deepEqual(change.files, [STAGE0]);
    assert.deepEqual(change.reload, { mode: 'stage0', forms: 0, errors: [] });
    assert.ok(change.ms >= 0);
    assert.deepEqual(delta(change), expected, 'the delta is what two fresh runs differ by');
    assert.deepEqual(change.changed.map((c) => c.name), ['ENCODE-UNSIGNED-LEB128', 'ENCODE-SIGNED-LEB128', 'QUOTED-FORM-P', 'LITERAL-NODE-P']);
    assert.equal(status.summary.compiled, rebuiltForms.filter((f) => f.status === 'compiled').length);
    assert.equal(status.status.state, 'ready');
    assert.match(status.status.stage0?.sha256 ?? '', /^[0-9a-f]{64}$/);

    const regression = change.changed.find((c) => c.kind === 'regression')!;
    const file = path.join(root, regression.file);
    const uri = server.open(file, fs.readFileSync(file, 'utf8'));
    const hover = (await server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: regression.line - 1, character: 2 } })) as { contents: { value: string } } | null;
    assert.match(hover?.contents.value ?? '', /Since Stage 0 was rebuilt, this form no longer compiles \(before: compiled\)/);
  });

  it('keeps every result when the rebuilt Stage 0 is corrupt, says so, and compares the next rebuild with the results before it', async () => {
    const last = server.statuses.at(-1)!;
    const lastChange = (await server.connection.sendRequest('clysm/lastChange')) as LastChange;
    await replaceStage0('stage0-corrupt.wasm');
    const broken = await server.status((s) => s.status.state === 'error' && !s.busy, 'the error status of a corrupt Stage 0');

    assert.match(broken.status.message, /clysm-stage0\.wasm/);
    assert.ok(server.messages.some((m) => m.type === 1 && m.message.includes(broken.status.message)), 'the user is told');
    assert.deepEqual(broken.summary, last.summary, 'every result stays');
    assert.deepEqual(broken.lastChange, last.lastChange, 'no delta for a Stage 0 that does not load');
    assert.deepEqual(await server.connection.sendRequest('clysm/lastChange'), lastChange);

    const waiting = nextDelta();
    await replaceStage0('stage0-fixture.wasm');
    const { status, change } = await waiting;
    assert.equal(status.status.state, 'ready');
    assert.equal(change.text, '+2 compiled, 2 regressions, 0 messages changed (clysm-stage0.wasm)');
    assert.deepEqual(delta(change), differences(rebuiltForms, fixtureForms), 'compared with the results of the last Stage 0 that loaded');
  });
});

describe('language server: a Stage 0 outside the workspace folder, rebuilt on disk', () => {
  let root: string;
  let outside: string;
  let server: LanguageServerProcess;

  before(async () => {
    root = copyExampleWorkspace();
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-stage0-outside-'));
    fs.copyFileSync(path.join(fixtureDir, 'stage0-fixture.wasm'), path.join(outside, 'stage0.wasm'));
    server = new LanguageServerProcess(root, { diagnosticsDelayMs: 0, backend: 'stage0', stage0Path: path.join(outside, 'stage0.wasm') });
    await server.initialize();
    await server.settled();
  });
  after(async () => {
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('is watched by the server itself (the editor watches only the folder) and gives the delta', async () => {
    fs.copyFileSync(path.join(fixtureDir, 'stage0-fixture-rebuilt.wasm'), path.join(outside, 'stage0.wasm'));
    const status = await server.status((s) => s.lastChange !== undefined && !s.busy, 'a Stage 0 change delta');
    const change = (await server.connection.sendRequest('clysm/lastChange')) as LastChange;
    assert.equal(status.lastChange?.text, '+2 compiled, 2 regressions, 0 messages changed (stage0.wasm)');
    assert.deepEqual(change.files, [path.join(outside, 'stage0.wasm')], 'outside the workspace: the absolute path');
    assert.equal(change.reload.mode, 'stage0');
  });
});

describe('language server on the wasmtime engine: a WASI build of Stage 0 rebuilt on disk', () => {
  const wasmtimeArgs = ['--engine', 'wasmtime', '--wasmtime', fakeWasmtime];
  let root: string;
  let server: LanguageServerProcess;
  let fixtureForms: CheckReport['forms'];
  let rebuiltForms: CheckReport['forms'];

  before(async () => {
    fixtureForms = checkWith('stage0-fixture.wasi.wasm', WASI_STAGE0, wasmtimeArgs);
    rebuiltForms = checkWith('stage0-fixture-rebuilt.wasi.wasm', WASI_STAGE0, wasmtimeArgs);
    root = copyExampleWorkspace();
    fs.copyFileSync(path.join(fixtureDir, 'stage0-fixture.wasi.wasm'), path.join(root, WASI_STAGE0));
    server = new LanguageServerProcess(root, { diagnosticsDelayMs: 0, backend: 'stage0', stage0Engine: 'wasmtime', wasmtimePath: fakeWasmtime });
    await server.initialize();
    await server.settled();
  });
  after(async () => {
    await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('loads the rebuilt WASI build through wasmtime, re-checks every form and publishes the forms it moved', async () => {
    const first = server.statuses.at(-1)!;
    assert.equal(first.status.engine.name, 'wasmtime');
    assert.match(first.status.stage0?.path ?? '', /clysm-stage0\.wasi\.wasm$/, 'the engine runs the WASI build, not the .wasm beside it');
    assert.equal(await server.connection.sendRequest('clysm/lastChange'), null);
    const expected = differences(fixtureForms, rebuiltForms);
    assert.ok(expected.length > 0, 'the two WASI builds compile some forms differently');

    const seen = new Set(server.statuses.map((s) => s.lastChange?.at));
    const target = path.join(root, WASI_STAGE0);
    const rebuilt = fs.readFileSync(path.join(fixtureDir, 'stage0-fixture-rebuilt.wasi.wasm'));
    fs.writeFileSync(target, rebuilt);
    await server.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(target).href, type: 2 }] });
    const status = await server.status((s) => s.lastChange !== undefined && !seen.has(s.lastChange.at) && !s.busy, 'a Stage 0 change delta');
    const change = (await server.connection.sendRequest('clysm/lastChange')) as LastChange;

    assert.equal(change.text, '+2 compiled, 2 regressions, 0 messages changed (clysm-stage0.wasi.wasm)');
    assert.equal(status.lastChange?.text, change.text);
    assert.deepEqual(change.files, [WASI_STAGE0]);
    assert.deepEqual(change.reload, { mode: 'stage0', forms: 0, errors: [] });
    assert.deepEqual(delta(change), expected, 'the delta is what two fresh wasmtime runs differ by');
    assert.deepEqual(change.changed.map((c) => c.name), ['ENCODE-UNSIGNED-LEB128', 'ENCODE-SIGNED-LEB128', 'QUOTED-FORM-P', 'LITERAL-NODE-P']);
    assert.equal(status.summary.compiled, rebuiltForms.filter((f) => f.status === 'compiled').length);
    assert.equal(status.status.state, 'ready');
    assert.equal(status.status.engine.name, 'wasmtime');
    assert.equal(status.status.stage0?.sha256, createHash('sha256').update(rebuilt).digest('hex'), 'the rebuilt binary is the one loaded');
  });
});
