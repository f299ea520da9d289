// The Stage 1 commands: Generate Stage 1 (cancellable progress), the two diffs, Verify Fixed
// Point, and Open as Text Diff. They only call the server and render what it returns. Each
// command resolves to its outcome, so tests can run it with executeCommand and check it.
import * as vscode from 'vscode';
import { WorkDoneProgress, type LanguageClient } from 'vscode-languageclient/node';
import {
  DiffFilesRequest,
  DiffStage1Request,
  GenerateStage1Request,
  VerifyFixedPointRequest,
  type DiffResult,
  type FixedPointOutcome,
  type Stage1Outcome,
  type Stage1Settings,
} from '../../../server/src/protocol';
import { stage1Settings } from '../config';
import { workspaceFolder } from '../paths';
import type { ReportViewModel } from './reportHtml';
import { whenTrusted } from '../trust';
import { isMissingStage1 } from './missingStage1';
import { REPORT_KINDS, ReportPanel, type ReportCommand, type ReportKind } from './reportPanel';
import { openTextDiff, WasmTextProvider, WASM_TEXT_SCHEME } from './wasmTextProvider';

export const STAGE1_COMMANDS = {
  generate: 'clysm.generateStage1',
  diffStages: 'clysm.diffStage0Stage1',
  diffFiles: 'clysm.diffWasmFiles',
  verifyFixedPoint: 'clysm.verifyFixedPoint',
  openTextDiff: 'clysm.openStage1TextDiff',
} as const;

type Output = Pick<vscode.OutputChannel, 'appendLine'>;


/** Runs `send` under a cancellable notification fed by the server's work-done progress. */
async function withServerProgress<T>(client: LanguageClient, title: string, send: (workDoneToken: string, token: vscode.CancellationToken) => Promise<T>): Promise<T | undefined> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const workDoneToken = `clysm-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    let shown = 0;
    const subscription = client.onProgress(WorkDoneProgress.type, workDoneToken, (value) => {
      if (value.kind === 'end') return;
      const percentage = value.percentage ?? shown;
      progress.report({ message: value.message, increment: Math.max(0, percentage - shown) });
      shown = Math.max(shown, percentage);
    });
    try {
      return await send(workDoneToken, token);
    } catch (error) {
      if (token.isCancellationRequested) return undefined;
      throw error;
    } finally {
      subscription.dispose();
    }
  });
}

function generationMessage(o: Stage1Outcome): string {
  return `Clysm Stage 1: ${o.message}`;
}

/** @param getFolder the folder of `getClient()`'s server (several folders each have one). */
export function registerStage1Commands(context: vscode.ExtensionContext, getClient: () => LanguageClient | undefined, output: Output, getFolder: () => vscode.WorkspaceFolder | undefined = workspaceFolder): vscode.Disposable[] {
  /** The Stage 1 settings of the folder whose server runs the command. */
  const settingsFor = (): Stage1Settings => stage1Settings(getFolder());
  const texts = new WasmTextProvider();
  const showTextDiff = async (model: ReportViewModel | undefined): Promise<void> => {
    const diff = model?.diff ?? model?.fixedPoint?.structural;
    if (!diff) {
      void vscode.window.showWarningMessage('Clysm: there is no diff to show as text yet.');
      return;
    }
    await openTextDiff(texts, { label: diff.labels.a, text: diff.textA }, { label: diff.labels.b, text: diff.textB });
  };
  const onPanelCommand = (command: ReportCommand, model: ReportViewModel): void => {
    if (command === 'openTextDiff') void showTextDiff(model);
    else if (command === 'openFunctionDiff' && model.diff) void vscode.commands.executeCommand('clysm.openFunctionDiff', model.diff.paths);
    else if (command === 'openReport' && model.generation?.reportPath) void vscode.window.showTextDocument(vscode.Uri.file(model.generation.reportPath));
  };
  const panels = new Map((Object.keys(REPORT_KINDS) as ReportKind[]).map((kind) => [kind, new ReportPanel(kind, onPanelCommand)]));
  /** The report shown last, whatever its kind (Open as Text Diff works on it). */
  let lastShown: ReportViewModel | undefined;
  const show = (kind: ReportKind, model: ReportViewModel): Promise<boolean> => {
    lastShown = model;
    return panels.get(kind)!.show(model);
  };
  /** A missing Stage 1 is the usual first-time state: offer to generate it rather than just fail. */
  const offerGenerate = (message: string): void => {
    void vscode.window.showWarningMessage(`Clysm: ${message}`, 'Generate Stage 1').then((choice) => {
      if (choice === 'Generate Stage 1') void vscode.commands.executeCommand(STAGE1_COMMANDS.generate);
    });
  };

  const client = (): LanguageClient => {
    const c = getClient();
    if (!c) throw new Error('The Clysm language server is not running.');
    return c;
  };
  const fail = (what: string, error: unknown): undefined => {
    const message = error instanceof Error ? error.message : String(error);
    output.appendLine(`${what} failed: ${message}`);
    void vscode.window.showErrorMessage(`Clysm: ${what} failed: ${message}`);
    return undefined;
  };
  const showDiff = async (title: string, result: DiffResult): Promise<DiffResult> => {
    if (result.outcome) {
      output.appendLine(result.outcome.summaryText);
      await show('diff', { title, diff: result.outcome });
    } else if (result.problem && isMissingStage1(result)) {
      offerGenerate(result.problem);
    } else {
      void vscode.window.showWarningMessage(`Clysm: ${result.problem ?? 'no diff'}`);
    }
    return result;
  };

  const generate = async (): Promise<Stage1Outcome | undefined> => {
    try {
      const c = client();
      const outcome = await withServerProgress(c, 'Clysm: Generate Stage 1', (workDoneToken, token) =>
        c.sendRequest(GenerateStage1Request, { settings: settingsFor(), workDoneToken }, token));
      if (!outcome || outcome.status === 'cancelled') {
        void vscode.window.showInformationMessage('Clysm: Stage 1 generation cancelled; nothing was written.');
        return outcome;
      }
      output.appendLine(generationMessage(outcome));
      for (const warning of outcome.warnings) output.appendLine(`  warning: ${warning}`);
      if (outcome.diff) output.appendLine(outcome.diff.summaryText);
      // Resolve once the report view has loaded, so callers (and tests) find it in place.
      await show('stage1', { title: 'Clysm: Stage 1', generation: outcome, diff: outcome.diff, diffProblem: outcome.diffProblem });
      const ok = outcome.status === 'generated' && outcome.validation?.valid;
      if (ok) void vscode.window.showInformationMessage(generationMessage(outcome));
      else void vscode.window.showWarningMessage(generationMessage(outcome));
      return outcome;
    } catch (error) {
      return fail('Generate Stage 1', error);
    }
  };

  const diffStages = async (): Promise<DiffResult | undefined> => {
    try {
      return showDiff('Clysm: Stage 0 ↔ Stage 1', await client().sendRequest(DiffStage1Request, { settings: settingsFor() }));
    } catch (error) {
      return fail('Diff Stage 0 and Stage 1', error);
    }
  };

  const diffFiles = async (a?: vscode.Uri, b?: vscode.Uri): Promise<DiffResult | undefined> => {
    try {
      const pick = async (title: string): Promise<vscode.Uri | undefined> =>
        (await vscode.window.showOpenDialog({ title, canSelectMany: false, filters: { WebAssembly: ['wasm'], 'All files': ['*'] } }))?.[0];
      const first = a ?? (await pick('First Wasm file (A)'));
      if (!first) return undefined;
      const second = b ?? (await pick('Second Wasm file (B)'));
      if (!second) return undefined;
      const label = (u: vscode.Uri): string => vscode.workspace.asRelativePath(u, false);
      const result = await client().sendRequest(DiffFilesRequest, { a: first.fsPath, b: second.fsPath, labelA: label(first), labelB: label(second) });
      return showDiff(`Clysm: ${label(first)} ↔ ${label(second)}`, result);
    } catch (error) {
      return fail('Diff Two Wasm Files', error);
    }
  };

  const verifyFixedPoint = async (): Promise<FixedPointOutcome | undefined> => {
    try {
      const c = client();
      const outcome = await withServerProgress(c, 'Clysm: Verify Fixed Point', (workDoneToken, token) =>
        c.sendRequest(VerifyFixedPointRequest, { settings: settingsFor(), workDoneToken }, token));
      if (!outcome) return undefined;
      output.appendLine(`Fixed point: ${outcome.status}: ${outcome.message}`);
      if (isMissingStage1(outcome)) {
        offerGenerate(outcome.message);
        return outcome;
      }
      await show('fixedPoint', { title: 'Clysm: Fixed Point', fixedPoint: outcome });
      if (outcome.status === 'achieved') void vscode.window.showInformationMessage(`Clysm: ${outcome.message}`);
      else void vscode.window.showWarningMessage(`Clysm: ${outcome.message}`);
      return outcome;
    } catch (error) {
      return fail('Verify Fixed Point', error);
    }
  };

  const openTextDiffCommand = async (): Promise<void> => {
    const model = lastShown;
    if (model?.diff ?? model?.fixedPoint?.structural) return showTextDiff(model);
    const result = await diffStages();
    if (result?.outcome) await showTextDiff({ title: '', diff: result.outcome });
  };

  const disposables = [
    texts,
    ...panels.values(),
    vscode.workspace.registerTextDocumentContentProvider(WASM_TEXT_SCHEME, texts),
    vscode.commands.registerCommand(STAGE1_COMMANDS.generate, whenTrusted(generate)),
    vscode.commands.registerCommand(STAGE1_COMMANDS.diffStages, whenTrusted(diffStages)),
    vscode.commands.registerCommand(STAGE1_COMMANDS.diffFiles, whenTrusted(diffFiles)),
    vscode.commands.registerCommand(STAGE1_COMMANDS.verifyFixedPoint, whenTrusted(verifyFixedPoint)),
    vscode.commands.registerCommand(STAGE1_COMMANDS.openTextDiff, whenTrusted(openTextDiffCommand)),
  ];
  context.subscriptions.push(...disposables);
  return disposables;
}
