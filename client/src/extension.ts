// Activation: builds the Ctx (state and lifecycle), registers the commands, starts the server and
// returns the extension API.
import * as vscode from 'vscode';
import type { ClysmApi } from './api';
import { registerCommands } from './commands';
import { Ctx } from './ctx';
import { registerRootCauseCommands } from './rootCauseCommands';
import { onSettingsChange } from './settingsChange';
import { registerStage1Commands } from './stage1/commands';
import { trackOpenFolder } from './walkthrough';
import { registerShowWasm } from './wasm';

export type { ClysmApi } from './api';

let ctx: Ctx | undefined;

export function activate(context: vscode.ExtensionContext): ClysmApi {
  const c = new Ctx(context);
  ctx = c;
  registerStage1Commands(context, () => c.languageClient, c.output, () => c.activeFolder);
  context.subscriptions.push(...registerShowWasm(() => c.languageClient, c.api.onStatus).disposables);
  context.subscriptions.push(
    c,
    ...registerCommands(c),
    trackOpenFolder(),
    ...registerRootCauseCommands(c),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void c.restart()),
    onSettingsChange(c, c.output),
  );
  void c.start();
  return c.api;
}

export async function deactivate(): Promise<void> {
  await ctx?.stop();
}
