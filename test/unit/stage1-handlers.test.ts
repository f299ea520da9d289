// The Stage 1 LSP handlers over an in-memory JSON-RPC pipe: a real vscode-languageserver
// connection on one side, a plain client on the other. Generation reports work-done progress
// on the client's token ("module k of n — forms done"), can be cancelled with $/cancelRequest,
// and the diff / fixed-point requests answer. The fixture Stage 0 is a test double, not Clysm.
import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { createConnection, type Connection } from 'vscode-languageserver/node';
import { defaultServerSettings } from '../../server/src/protocol';
import { registerStage1Handlers, progressText, type Stage1Context } from '../../server/src/stage1/handlers';
import type { DiffResult, FixedPointOutcome, Stage1Outcome } from '../../server/src/protocol';
import { fixturePath, repoRoot, stage0Generator, tempWorkspace, workerScript } from './stage0-helpers';
import { when } from './workspaceHelpers';

const modules = ['src/backend/leb128.lisp', 'src/compiler/ast.lisp', 'src/compiler/emit.lisp', 'src/reader/tokenizer.lisp'];

interface ProgressValue {
  kind: 'begin' | 'report' | 'end';
  title?: string;
  message?: string;
  percentage?: number;
  cancellable?: boolean;
}

/** The example sources and the fixture Stage 0 in a fresh temporary workspace. */
function fixtureWorkspace(prefix: string): { root: string; cleanup: () => void } {
  const ws = tempWorkspace(prefix);
  fs.cpSync(path.join(repoRoot, 'examples', 'workspace', 'src'), path.join(ws.root, 'src'), { recursive: true });
  fs.mkdirSync(path.join(ws.root, 'dist'));
  fs.copyFileSync(fixturePath('stage0-fixture.wasm'), path.join(ws.root, 'dist', 'clysm-stage0.wasm'));
  return ws;
}

/** A server connection on in-memory pipes; the client connects to the other ends. */
function serverOnPipes(): { server: Connection; toServer: PassThrough; toClient: PassThrough } {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  return { server: createConnection(new StreamMessageReader(toServer), new StreamMessageWriter(toClient)), toServer, toClient };
}

describe('Stage 1 request handlers', () => {
  let ws: { root: string; cleanup: () => void };
  let server: Connection;
  let client: MessageConnection;
  const progress = new Map<string, ProgressValue[]>();
  /** Emits each progress value under its token, for waits on a particular report. */
  const progressEvents = new EventEmitter();
  const progressOn = (token: string, matches: (v: ProgressValue) => boolean, what: string): Promise<void> =>
    when(progressEvents, token, () => (progress.get(token) ?? []).some(matches), what);
  let refreshed = 0;
  let stage1Module = 'src/backend/leb128.lisp';
  before(() => {
    ws = fixtureWorkspace('clysm-handlers-');
    const pipes = serverOnPipes();
    server = pipes.server;
    const context = (): Stage1Context => {
      const ordered = stage1Module === 'all' ? modules : [stage1Module, ...modules.filter((m) => m !== stage1Module)];
      return {
      root: ws.root,
      settings: { ...defaultServerSettings },
      backend: stage0Generator(ws.root, defaultServerSettings.stage0Path, ordered),
      backendReason: 'test',
      modules: ordered,
      moduleListSource: 'test',
      log: () => undefined,
      refresh: async () => {
        refreshed++;
      },
      workerScript,
      };
    };
    registerStage1Handlers(server, context);
    server.listen();
    client = createMessageConnection(new StreamMessageReader(pipes.toClient), new StreamMessageWriter(pipes.toServer));
    client.onNotification('$/progress', (p: { token: string; value: ProgressValue }) => {
      const list = progress.get(p.token) ?? [];
      list.push(p.value);
      progress.set(p.token, list);
      progressEvents.emit(p.token, p.value);
    });
    client.listen();
  });
  after(() => {
    client.dispose();
    server.dispose();
    ws.cleanup();
  });

  it('generates with cancellable work-done progress on the client\'s token', async () => {
    stage1Module = 'all';
    const outcome = await client.sendRequest<Stage1Outcome>('clysm/generateStage1', { workDoneToken: 'gen-1', settings: { wasmToolsPath: '' } });
    assert.equal(outcome.status, 'generated', outcome.message);
    assert.deepEqual(outcome.counts, { total: 49, compiled: 20, failed: 21, skipped: 8, notProcessed: 0, readErrors: 0, coveragePct: 48.78 });
    const values = progress.get('gen-1') ?? [];
    assert.deepEqual(values[0], { kind: 'begin', title: 'Clysm: Generate Stage 1', cancellable: true, message: 'starting', percentage: 0 });
    assert.equal(values[values.length - 1].kind, 'end');
    assert.ok(values.some((v) => /^module [1-4] of 4: src\/.*\.lisp — \d+ of 49 forms$/.test(v.message ?? '')), JSON.stringify(values));
    assert.equal(refreshed, 1, 'the views are refreshed after a generation');
  });

  // Issue 10 item 1 through the protocol: a reportName naming Stage 0 used to overwrite it.
  it('a request whose reportName is Stage 0 fails, naming the setting; Stage 0 is unchanged', async () => {
    const stage0 = fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage0.wasm'));
    const outcome = await client.sendRequest<Stage1Outcome>('clysm/generateStage1', { settings: { wasmToolsPath: '', reportName: 'clysm-stage0.wasm', maxOutputFiles: 'many' } });
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.message, /^Stage 1 output refused: clysm\.stage1\.reportName: .*clysm-stage0\.wasm is Stage 0, which is never overwritten/);
    assert.deepEqual(fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage0.wasm')), stage0);
  });

  it('a cancelled request stops the generator and leaves the previous Stage 1', async () => {
    const before = fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage1.wasm'));
    fs.writeFileSync(path.join(ws.root, 'src', 'spin.lisp'), '(defun spin () (%fixture-loop))\n');
    stage1Module = 'src/spin.lisp';
    const source = new CancellationTokenSource();
    const pending = client.sendRequest<Stage1Outcome>('clysm/generateStage1', { workDoneToken: 'gen-2', settings: { wasmToolsPath: '' } }, source.token);
    // Cancel once the generator reports the looping module: it is then spinning in Stage 0.
    await progressOn('gen-2', (v) => /src\/spin\.lisp/.test(v.message ?? ''), 'progress on the looping module');
    source.cancel();
    await assert.rejects(pending, /cancel/i);
    // The server finishes the cancelled run by itself; wait until it says so.
    await progressOn('gen-2', (v) => v.kind === 'end', 'the end of the cancelled run');
    fs.rmSync(path.join(ws.root, 'src', 'spin.lisp'));
    assert.deepEqual(fs.readFileSync(path.join(ws.root, 'dist', 'clysm-stage1.wasm')), before);
    assert.deepEqual(fs.readdirSync(path.join(ws.root, 'dist')).filter((n) => n.endsWith('.tmp')), []);
    assert.equal(refreshed, 1);
  });

  it('diffs Stage 0 and Stage 1, and two files; a missing file is a problem, not an error', async () => {
    const stages = await client.sendRequest<DiffResult>('clysm/diffStage1', {});
    assert.equal(stages.outcome?.labels.a, 'Stage 0');
    assert.match(stages.outcome?.textB ?? '', /^export func leb128-byte-count \(result i32\)$/m);
    const files = await client.sendRequest<DiffResult>('clysm/diffFiles', { a: fixturePath('stage0-stub.wasm'), b: fixturePath('stage0-fixture.wasm') });
    assert.equal(files.outcome?.labels.a, 'stage0-stub.wasm');
    const missing = await client.sendRequest<DiffResult>('clysm/diffFiles', { a: path.join(ws.root, 'nope.wasm'), b: fixturePath('stage0-fixture.wasm') });
    assert.equal(missing.outcome, undefined);
    assert.match(missing.problem ?? '', /not found: .*nope\.wasm/);
  });

  it('verifies the fixed point honestly: the fixture\'s Stage 1 cannot compile', async () => {
    const outcome = await client.sendRequest<FixedPointOutcome>('clysm/verifyFixedPoint', { workDoneToken: 'fp-1', settings: { wasmToolsPath: '' } });
    assert.equal(outcome.status, 'cannot-compile');
    assert.equal(outcome.comparison, undefined);
  });

  it('renders progress as "module k of n: file — forms"', () => {
    assert.deepEqual(progressText({ phase: 'compiling', moduleNumber: 3, moduleCount: 45, module: 'src/x.lisp', formsDone: 120, formsTotal: 1261 }), {
      message: 'module 3 of 45: src/x.lisp — 120 of 1261 forms',
      percentage: 10,
    });
    assert.deepEqual(progressText({ phase: 'bundling', formsDone: 1212, formsTotal: 1212 }), { message: "bundling (Clysm's generator) — 1212 of 1212 forms", percentage: 100 });
  });
});

// Right after start-up the server is still choosing its backend: a request waits on the
// session's "backend chosen" promise (no polling), and a cancel ends the wait.
describe('Stage 1 generation while the backend is being chosen', () => {
  let ws: { root: string; cleanup: () => void };
  let server: Connection;
  let client: MessageConnection;
  let backend: Stage1Context['backend'];
  let choose: () => void = () => undefined;
  let chosen = new Promise<void>((resolve) => (choose = resolve));
  /** Emits `waiting` each time a handler asks for the backend-chosen promise. */
  const asked = new EventEmitter();
  before(() => {
    ws = fixtureWorkspace('clysm-handlers-wait-');
    const pipes = serverOnPipes();
    server = pipes.server;
    registerStage1Handlers(server, () => ({
      root: ws.root,
      settings: { ...defaultServerSettings },
      backend,
      backendChosen: () => {
        asked.emit('waiting');
        return chosen;
      },
      backendReason: 'test',
      modules,
      moduleListSource: 'test',
      log: () => undefined,
    }));
    server.listen();
    client = createMessageConnection(new StreamMessageReader(pipes.toClient), new StreamMessageWriter(pipes.toServer));
    client.listen();
  });
  after(() => {
    client.dispose();
    server.dispose();
    ws.cleanup();
  });

  it('a cancel while no backend is chosen fails the request, saying why', async () => {
    const source = new CancellationTokenSource();
    const waiting = once(asked, 'waiting');
    const pending = client.sendRequest<Stage1Outcome>('clysm/generateStage1', { settings: { wasmToolsPath: '' } }, source.token);
    await waiting;
    source.cancel();
    await assert.rejects(pending, /no compiler backend is running/);
  });

  it('generates once the backend is chosen', async () => {
    const waiting = once(asked, 'waiting');
    const pending = client.sendRequest<Stage1Outcome>('clysm/generateStage1', { settings: { wasmToolsPath: '' } });
    await waiting;
    backend = stage0Generator(ws.root, defaultServerSettings.stage0Path, modules);
    choose();
    const outcome = await pending;
    assert.equal(outcome.status, 'generated', outcome.message);
    assert.equal(outcome.counts?.total, 49);
    chosen = Promise.resolve();
  });
});
