// Creates the language client of one server run, with its options and its file-system
// watcher (in the style of rust-analyzer's and vscode-eslint's createClient).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, RevealOutputChannelOn, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { ClientCommands, defaultOf, SHOW_WASM_COMMAND } from '../../server/src/protocol';
import { serverSettings } from './config';
import { ServerRun } from './serverRun';

/** Files whose change on disk the server must hear about: the modules and Stage 0. */
const WATCHED_FILES = '**/*.{lisp,wasm}';

/**
 * The client of `folder`'s server: one server per analysed folder (docs/multi-root.md), so its
 * documents, its file events and its initialize's workspace folder are that folder's only.
 * `several` names the folder in the client's name, so the output says which server speaks.
 */
export function createClient(context: vscode.ExtensionContext, folder: vscode.WorkspaceFolder, output: vscode.LogOutputChannel, several = false): ServerRun<LanguageClient> {
  const serverModule = context.asAbsolutePath(path.join('dist', 'server.js'));
  // exnref is on by default from VS Code 1.103; the flag keeps older patch runtimes working.
  const execArgv = ['--experimental-wasm-exnref'];
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...execArgv, '--inspect=6019'] } },
  };
  // The client does not dispose a watcher it was given: the run owns it (ServerRun.stop).
  return ServerRun.create(
    () => vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, WATCHED_FILES)),
    (watcher) => {
      const clientOptions: LanguageClientOptions = {
        // The glob is matched against the file's path: only this folder's files go to its server.
        documentSelector: [{ scheme: 'file', language: 'commonlisp', pattern: `${folder.uri.fsPath}/**/*` }],
        workspaceFolder: folder,
        outputChannel: output,
        revealOutputChannelOn: RevealOutputChannelOn.Never,
        // Hover links run these commands (Show Wasm; Open Full Message, Go to Compiler Source, Show All Forms…).
        markdown: { isTrusted: { enabledCommands: [SHOW_WASM_COMMAND, ...Object.values(ClientCommands)] } },
        initializationOptions: serverSettings(folder, context),
        synchronize: { fileEvents: watcher },
        diagnosticPullOptions: {
          onChange: true,
          onSave: true,
          // clysm.diagnostics.run = onSave: ignore pulls caused by typing, as vscode-eslint does.
          filter: (_document, mode) =>
            mode === 'onType' && vscode.workspace.getConfiguration('clysm', folder.uri).get('diagnostics.run', defaultOf('clysm.diagnostics.run')) === 'onSave',
        },
      };
      return new LanguageClient('clysm', several ? `Clysm Language Server (${folder.name})` : 'Clysm Language Server', serverOptions, clientOptions);
    },
  );
}
