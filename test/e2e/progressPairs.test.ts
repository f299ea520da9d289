// The real language server (dist/server.js over stdio) against an LSP client that counts
// window/workDoneProgress: every progress the server begins, it ends, across the startup run
// (with the client answering window/workDoneProgress/create only after that run has finished,
// the order that left "Clysm: checking modules" stuck with a live Cancel), a re-check and a
// Generate Stage 1.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { ServerStatus } from '../../server/src/protocol';
import { copyExampleWorkspace, distDir } from '../support/repo';
import { when } from '../unit/workspaceHelpers';

type ProgressEvent = { token: string | number; kind: 'begin' | 'report' | 'end' };

/** A whole-workspace run has finished: ready, idle, every module checked. */
const settled = (s: ServerStatus | undefined): boolean =>
  !!s && s.status.state === 'ready' && !s.busy && s.modulesTotal > 0 && s.modulesDone === s.modulesTotal;

/** Tokens begun and not ended. */
function openProgress(events: ProgressEvent[]): (string | number)[] {
  const open = new Set<string | number>();
  for (const e of events) {
    if (e.kind === 'begin') open.add(e.token);
    else if (e.kind === 'end') open.delete(e.token);
  }
  return [...open];
}

describe('work-done progress of the language server', () => {
  const root = copyExampleWorkspace();
  const child = spawn(process.execPath, [path.join(distDir, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const events: ProgressEvent[] = [];
  const heldCreates: (() => void)[] = [];
  let holdCreates = true;
  let status: ServerStatus | undefined;
  const changes = new EventEmitter();

  connection.onRequest('window/workDoneProgress/create', () => {
    changes.emit('change');
    // Held: answered by the test, later than the server expects.
    return holdCreates ? new Promise<null>((resolve) => heldCreates.push(() => resolve(null))) : null;
  });
  connection.onNotification('$/progress', (p: { token: string | number; value: { kind: ProgressEvent['kind'] } }) => {
    events.push({ token: p.token, kind: p.value.kind });
    changes.emit('change');
  });
  connection.onNotification('clysm/status', (s: ServerStatus) => {
    status = s;
    changes.emit('change');
  });
  connection.onRequest('workspace/diagnostic/refresh', () => null);
  connection.onNotification('window/showMessage', () => undefined);
  connection.onNotification('window/logMessage', () => undefined);
  connection.onNotification('clysm/stage1Generated', () => undefined);
  connection.listen();

  after(() => {
    connection.dispose();
    child.kill();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** Returns once the server has handled every message sent before (requests are answered in order). */
  const barrier = () => connection.sendRequest('clysm/getStatus');

  it('ends the startup run\'s progress when the client created it only after the run had finished', async () => {
    const uri = pathToFileURL(root).href;
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri,
      workspaceFolders: [{ uri, name: 'ws' }],
      capabilities: { window: { workDoneProgress: true }, textDocument: { diagnostic: { dynamicRegistration: false } } },
      initializationOptions: {},
    });
    await connection.sendNotification('initialized', {});
    await when(changes, 'change', () => settled(status) && heldCreates.length > 0, 'a finished startup run that asked for a progress', 60_000);
    holdCreates = false;
    for (const answer of heldCreates.splice(0)) answer();
    // The server uses the token once it has it: it must end it (it used to begin it, for good).
    await when(changes, 'change', () => events.length > 0, 'the server to use the token it was given');
    await barrier();
    assert.deepEqual(openProgress(events), [], `progress left open: ${JSON.stringify(events)}`);
  });

  it('ends every progress of a re-check and of a Generate Stage 1', async () => {
    const before = events.length;
    await connection.sendRequest('clysm/reanalyze');
    await when(changes, 'change', () => settled(status), 'the re-check to finish', 60_000);
    const outcome = (await connection.sendRequest('clysm/generateStage1', { settings: { outputDir: 'dist' }, workDoneToken: 'generate-1' })) as { status: string; message: string };
    assert.equal(outcome.status, 'generated', outcome.message);
    // A generated Stage 1 makes the server re-check (its status says busy before it answers): let that run end.
    await when(changes, 'change', () => settled(status), 'the run after Generate Stage 1 to finish', 60_000);
    await barrier();
    const during = events.slice(before);
    assert.ok(during.some((e) => e.kind === 'begin' && e.token === 'generate-1'), `Generate Stage 1 showed no progress: ${JSON.stringify(during)}`);
    assert.ok(during.filter((e) => e.kind === 'begin').length >= 2, `the re-check showed no progress: ${JSON.stringify(during)}`);
    assert.deepEqual(openProgress(events), [], `progress left open: ${JSON.stringify(during)}`);
  });
});
