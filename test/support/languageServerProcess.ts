// The real language server (dist/server.js) in a child process, driven over stdio by a JSON-RPC
// client, as VS Code drives it. Shared by the e2e tests and the flood benchmark. Waits are on
// the server's own notifications (clysm/status), never on timers.
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { ServerStatus } from '../../server/src/protocol';
import { distDir } from './repo';

export class LanguageServerProcess {
  readonly connection: MessageConnection;
  readonly statuses: ServerStatus[] = [];
  private readonly child: ChildProcess;
  private readonly statusWaiters: { done: (s: ServerStatus) => boolean; resolve: (s: ServerStatus) => void }[] = [];

  constructor(
    readonly root: string,
    private readonly initializationOptions: Record<string, unknown>,
  ) {
    this.child = spawn(process.execPath, [path.join(distDir, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('workspace/diagnostic/refresh', () => null);
    for (const method of ['$/progress', 'window/logMessage', 'window/showMessage']) this.connection.onNotification(method, () => undefined);
    this.connection.onNotification('clysm/status', (status: ServerStatus) => {
      this.statuses.push(status);
      for (const waiter of [...this.statusWaiters]) {
        if (!waiter.done(status)) continue;
        this.statusWaiters.splice(this.statusWaiters.indexOf(waiter), 1);
        waiter.resolve(status);
      }
    });
    this.connection.listen();
  }

  async initialize(): Promise<void> {
    const uri = pathToFileURL(this.root).href;
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri,
      workspaceFolders: [{ uri, name: 'ws' }],
      capabilities: { textDocument: { diagnostic: { dynamicRegistration: false } }, window: { workDoneProgress: true } },
      initializationOptions: this.initializationOptions,
    });
    await this.connection.sendNotification('initialized', {});
  }

  /** The first status (already published or still to come) that satisfies `done`. */
  status(done: (s: ServerStatus) => boolean): Promise<ServerStatus> {
    const seen = this.statuses.find(done);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.statusWaiters.push({ done, resolve }));
  }

  /** Resolves once the whole-workspace run has finished on a ready backend. */
  settled(): Promise<ServerStatus> {
    return this.status((s) => s.status.state === 'ready' && !s.busy && s.lastRun !== undefined && s.modulesDone === s.modulesTotal);
  }

  open(file: string, text: string, version = 1): string {
    const uri = pathToFileURL(file).href;
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'commonlisp', version, text } });
    return uri;
  }

  async close(): Promise<void> {
    await this.connection.sendRequest('shutdown').catch(() => undefined);
    await this.connection.sendNotification('exit').catch(() => undefined);
    this.connection.dispose();
    this.child.kill();
  }
}
