// Activation and lifecycle of the Clysm extension: start, stop and restart the language
// server, and keep the UI (status bar, output) alive across server restarts.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  LanguageClient,
  RevealOutputChannelOn,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { ReanalyzeRequest, StatusNotification, StatusRequest, type ServerSettings, type ServerStatus } from '../../server/src/protocol';
import { CoverageStatusBar } from './statusBar';

/** Settings whose change needs a new server (the server reads them at start). */
const restartOnChange = ['clysm.backend', 'clysm.sbcl', 'clysm.stage0Path', 'clysm.stage0.timeoutMs', 'clysm.modules', 'clysm.diagnostics.delayMs'];

export interface ClysmApi {
  /** Resolves once the server has started (or failed to). */
  ready(): Promise<void>;
  status(): Promise<ServerStatus | undefined>;
  /** The most recent clysm/status notification. */
  lastStatus(): ServerStatus | undefined;
  onStatus: vscode.Event<ServerStatus>;
}

class ClysmExtension implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly output: vscode.LogOutputChannel;
  private readonly statusBar = new CoverageStatusBar();
  private readonly statusEmitter = new vscode.EventEmitter<ServerStatus>();
  private latest: ServerStatus | undefined;
  private starting: Promise<void> = Promise.resolve();
  /** Lives as long as one server run. */
  private clientDisposables: vscode.Disposable[] = [];

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('Clysm', { log: true });
  }

  get api(): ClysmApi {
    return {
      ready: () => this.starting,
      status: async () => (this.client?.isRunning() ? this.client.sendRequest(StatusRequest) : undefined),
      lastStatus: () => this.latest,
      onStatus: this.statusEmitter.event,
    };
  }

  start(): Promise<void> {
    this.starting = this.startClient().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      this.output.error(`Clysm server failed to start: ${message}`);
      this.statusBar.showMessage('$(error) Clysm', `The Clysm server failed to start: ${message}`, true);
    });
    return this.starting;
  }

  private async startClient(): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      this.statusBar.showMessage('$(circle-slash) Clysm', 'Open a folder with Clysm sources to check them.');
      return;
    }
    if (!vscode.workspace.isTrusted) {
      // Limited mode: Stage 0 and SBCL run code from the workspace, so nothing runs until trusted.
      this.statusBar.showMessage('$(shield) Clysm: restricted', 'This workspace is not trusted, so Clysm runs nothing (no Stage 0, no SBCL). Trust the workspace to check forms.', true);
      return;
    }
    const serverModule = this.context.asAbsolutePath(path.join('dist', 'server.js'));
    // exnref is on by default from VS Code 1.103; the flag keeps older patch runtimes working.
    const execArgv = ['--experimental-wasm-exnref'];
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv } },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...execArgv, '--inspect=6019'] } },
    };
    const config = vscode.workspace.getConfiguration('clysm', folder.uri);
    const settings: ServerSettings = {
      backend: config.get<'auto' | 'stage0' | 'sbcl'>('backend', 'auto'),
      sbclPath: config.get<string>('sbcl.path', 'sbcl'),
      sbclDynamicSpaceSizeMb: config.get<number>('sbcl.dynamicSpaceSize', 4096),
      sbclExtraArgs: config.get<string[]>('sbcl.extraArgs', []),
      coreCacheDir: vscode.Uri.joinPath(this.context.globalStorageUri, 'sbcl-cores').fsPath,
      stage0Path: config.get<string>('stage0Path', 'dist/clysm-stage0.wasm'),
      stage0TimeoutMs: config.get<number>('stage0.timeoutMs', 5000),
      modules: config.get<string[] | null>('modules', null),
      diagnosticsDelayMs: config.get<number>('diagnostics.delayMs', 300),
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'commonlisp' }],
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions: settings,
      synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*.{lisp,wasm}') },
      diagnosticPullOptions: {
        onChange: true,
        onSave: true,
        // clysm.diagnostics.run = onSave: ignore pulls caused by typing, as vscode-eslint does.
        filter: (_document, mode) =>
          mode === 'onType' && vscode.workspace.getConfiguration('clysm').get<string>('diagnostics.run', 'onType') === 'onSave',
      },
    };
    this.client = new LanguageClient('clysm', 'Clysm Language Server', serverOptions, clientOptions);
    this.clientDisposables.push(
      this.client.onNotification(StatusNotification, (status) => {
        this.latest = status;
        this.statusBar.update(status);
        this.statusEmitter.fire(status);
      }),
    );
    await this.client.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    for (const d of this.clientDisposables) d.dispose();
    this.clientDisposables = [];
    // Give the server a moment to exit cleanly, as rust-analyzer does.
    if (client) await client.stop(2000).catch((e: unknown) => this.output.warn(`stopping the server: ${String(e)}`));
  }

  async restart(): Promise<void> {
    this.output.info('restarting the Clysm server');
    await this.stop();
    await this.start();
  }

  async reanalyze(): Promise<void> {
    if (!this.client?.isRunning()) {
      void vscode.window.showWarningMessage('Clysm: the server is not running.');
      return;
    }
    await this.client.sendRequest(ReanalyzeRequest);
  }

  showOutput(): void {
    this.output.show(true);
  }

  dispose(): void {
    void this.stop();
    this.statusBar.dispose();
    this.statusEmitter.dispose();
    this.output.dispose();
  }
}

let extension: ClysmExtension | undefined;

export function activate(context: vscode.ExtensionContext): ClysmApi {
  extension = new ClysmExtension(context);
  const ext = extension;
  context.subscriptions.push(
    ext,
    vscode.commands.registerCommand('clysm.restartServer', () => ext.restart()),
    vscode.commands.registerCommand('clysm.showOutput', () => ext.showOutput()),
    vscode.commands.registerCommand('clysm.reanalyze', () => ext.reanalyze()),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void ext.restart()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (restartOnChange.some((key) => e.affectsConfiguration(key))) void ext.restart();
    }),
  );
  void ext.start();
  return ext.api;
}

export async function deactivate(): Promise<void> {
  await extension?.stop();
}
