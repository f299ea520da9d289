// Settings apply live: the real server (dist/server.js over stdio) takes a new
// clysm.diagnostics.delayMs from workspace/didChangeConfiguration without a restart, asks the
// client to pull diagnostics again, and keeps its restart-only settings (the backend) as they were.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { defaultServerSettings, type ClysmConfigurationChange, type ServerStatus } from '../../server/src/protocol';
import { copyExampleWorkspace, distDir, lispFilesUnder } from '../support/repo';

/** Long enough that a pull waiting for it would outlast the test's own time limit. */
const AN_HOUR_MS = 3_600_000;

describe('language server: settings change while running', () => {
  let workspace: string;
  let child: ChildProcess;
  let connection: MessageConnection;
  let ready: Promise<ServerStatus>;
  let refreshRequests = 0;
  let onRefresh: (() => void) | undefined;

  before(async () => {
    workspace = copyExampleWorkspace();
    child = spawn(process.execPath, [path.join(distDir, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    ready = new Promise((resolve) => {
      connection.onNotification('clysm/status', (status: ServerStatus) => {
        // Ready, and the first whole-workspace run is over: no refresh comes from it any more.
        if (status.status.state === 'ready' && !status.busy && status.lastRun !== undefined) resolve(status);
      });
    });
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('workspace/diagnostic/refresh', () => {
      refreshRequests++;
      onRefresh?.();
      return null;
    });
    connection.onNotification('$/progress', () => undefined);
    connection.onNotification('window/logMessage', () => undefined);
    connection.onNotification('window/showMessage', () => undefined);
    connection.listen();
    const uri = pathToFileURL(workspace).href;
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri,
      workspaceFolders: [{ uri, name: 'ws' }],
      capabilities: { textDocument: { diagnostic: { dynamicRegistration: false } }, window: { workDoneProgress: true } },
      initializationOptions: { ...defaultServerSettings, diagnosticsDelayMs: AN_HOUR_MS },
    });
    await connection.sendNotification('initialized', {});
  });

  after(async () => {
    await connection.sendRequest('shutdown').catch(() => undefined);
    await connection.sendNotification('exit').catch(() => undefined);
    connection.dispose();
    child.kill();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('takes a new delayMs at once (a pull no longer waits an hour), asks for a re-pull, and keeps the backend', { timeout: 60_000 }, async () => {
    const started = await ready;
    assert.equal(started.backend, 'stage0');
    const file = lispFilesUnder(workspace)[0];
    const uri = pathToFileURL(file).href;
    // Opening counts as an edit: with the hour-long debounce a pull now would wait an hour.
    await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'commonlisp', version: 1, text: fs.readFileSync(file, 'utf8') } });
    const refreshed = new Promise<void>((resolve) => {
      onRefresh = resolve;
    });
    const before = refreshRequests;
    const change: ClysmConfigurationChange = { settings: { ...defaultServerSettings, diagnosticsDelayMs: 0, backend: 'sbcl' } };
    await connection.sendNotification('workspace/didChangeConfiguration', change);
    await refreshed;
    assert.ok(refreshRequests > before, 'the server asks the client to pull diagnostics again');
    // Messages are handled in order: this pull sees the new delay.
    const report = (await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: unknown[] };
    assert.ok(report.items.length > 0, 'the example module has failing forms');
    const status = (await connection.sendRequest('clysm/getStatus')) as ServerStatus;
    assert.equal(status.backend, 'stage0', 'clysm.backend needs a restart: the running server keeps its backend');
  });

  it('ignores a change that is not Clysm settings', { timeout: 60_000 }, async () => {
    await connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
    await connection.sendNotification('workspace/didChangeConfiguration', { settings: { diagnosticsDelayMs: 'soon' } });
    // The server still answers, with the delay of the previous change (0): no wait.
    const file = lispFilesUnder(workspace)[0];
    const uri = pathToFileURL(file).href;
    await connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: fs.readFileSync(file, 'utf8') }] });
    const report = (await connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: unknown[] };
    assert.ok(report.items.length > 0);
  });
});
