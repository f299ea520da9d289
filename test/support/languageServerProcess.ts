// The real language server (dist/server.js) in a child process, driven over stdio by a JSON-RPC
// client, as VS Code drives it. Shared by the e2e tests and the flood benchmark. Waits are on
// the server's own notifications (clysm/status, window/showMessage), never on timers.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { ServerStatus } from '../../server/src/protocol';
import { distDir } from './repo';

export interface ShownMessage {
  type: number;
  message: string;
}

/** Turns a notification that never comes into a failure instead of a hung run (not a timing assertion). */
const WAIT_LIMIT_MS = 30_000;

export class LanguageServerProcess {
  readonly connection: MessageConnection;
  readonly statuses: ServerStatus[] = [];
  /** window/showMessage notifications, in order. */
  readonly messages: ShownMessage[] = [];
  /** Emits `notified` after each status or message. */
  private readonly events = new EventEmitter();
  private readonly child: ChildProcess;

  constructor(
    readonly root: string,
    private readonly initializationOptions: Record<string, unknown>,
  ) {
    this.child = spawn(process.execPath, [path.join(distDir, 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('workspace/diagnostic/refresh', () => null);
    for (const method of ['$/progress', 'window/logMessage']) this.connection.onNotification(method, () => undefined);
    this.connection.onNotification('window/showMessage', (shown: ShownMessage) => {
      this.messages.push(shown);
      this.events.emit('notified');
    });
    this.connection.onNotification('clysm/status', (status: ServerStatus) => {
      this.statuses.push(status);
      this.events.emit('notified');
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

  /** The first value `found` gives after a notification (or at once). */
  private waitFor<T>(what: string, found: () => T | undefined): Promise<T> {
    const now = found();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const value = found();
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`the server never sent ${what}`));
      }, WAIT_LIMIT_MS);
      const done = (): void => {
        clearTimeout(timer);
        this.events.off('notified', check);
      };
      this.events.on('notified', check);
    });
  }

  /** The first status (already published or still to come) that satisfies `done`. */
  status(done: (s: ServerStatus) => boolean, what = 'the expected status'): Promise<ServerStatus> {
    return this.waitFor(what, () => this.statuses.find(done));
  }

  /** Resolves once the backend has left `starting` (before, pulls are answered with []). */
  backendChosen(): Promise<ServerStatus> {
    return this.status((s) => s.status.state !== 'starting' && s.status.state !== 'stopped', 'a backend status');
  }

  /** The first message shown to the user (already shown or still to come). */
  firstMessage(): Promise<ShownMessage> {
    return this.waitFor('a window/showMessage', () => this.messages[0]);
  }

  /** Resolves once a whole-workspace run has finished on a ready backend, with nothing left from a restored snapshot. */
  settled(): Promise<ServerStatus> {
    return this.status((s) => s.status.state === 'ready' && !s.busy && s.lastRun !== undefined && !s.restoredResults && s.modulesDone === s.modulesTotal, 'the end of a whole-workspace run');
  }

  open(file: string, text: string, version = 1): string {
    const uri = pathToFileURL(file).href;
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'commonlisp', version, text } });
    return uri;
  }

  /** Shuts the server down as a client does (shutdown, exit), and kills it only if it lingers. */
  async close(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    const alive = this.child.exitCode === null && this.child.signalCode === null;
    await this.connection.sendRequest('shutdown').catch(() => undefined);
    await this.connection.sendNotification('exit').catch(() => undefined);
    if (alive) {
      const limit = setTimeout(() => this.child.kill(), WAIT_LIMIT_MS);
      await exited;
      clearTimeout(limit);
    }
    this.connection.dispose();
  }
}
