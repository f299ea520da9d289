// The Clysm language server: LSP wiring only. Analysis lives in WorkspaceSession and the pure modules;
// when a diagnostics pull does work is decided by the DiagnosticsScheduler.
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createConnection,
  DocumentDiagnosticReportKind,
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  MessageType,
  ShowMessageNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type Diagnostic,
  type DocumentDiagnosticReport,
  type WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { documentDiagnostics, hoverMarkdown } from './lsp/formPresentation';
import { LogBatcher } from './lsp/logBatcher';
import { ModuleCheckProgress } from './lsp/progress';
import { filePathOf, requestPosition, textDocumentUri } from './lsp/requestParams';
import { WorkspaceRootCauses } from './lsp/workspaceRootCauses';
import {
  applyLiveSettings,
  BlockerTreeRequest,
  defaultServerSettings,
  ExportReportRequest,
  FormMessageRequest,
  RootCausesRequest,
  ModulesRequest,
  ReanalyzeRequest,
  StatusNotification,
  StatusRequest,
  LastChangeRequest,
  type ClysmConfigurationChange,
  type ServerSettings,
} from './protocol';
import { WorkspaceSession } from './workspaceSession';
import { reloadDiagnostics } from './lsp/reloadDiagnostics';
import { registerStage1Handlers, stage1ContextOf } from './stage1/handlers';
import type { BackendStatus } from './types';
import { AnalysisCancelled } from './workspace/analyzeModule';
import { DiagnosticsScheduler, type PullOutcome } from './workspace/diagnosticsScheduler';
import { registerWatHandlers } from './wasm/text/watHandlers';

const connection = createConnection(ProposedFeatures.all);
// A failed notification or a bug in one handler must never take the server down with it.
process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${String(reason)}`));
const documents = new TextDocuments(TextDocument);
let session: WorkspaceSession | undefined;
let rootCauses: WorkspaceRootCauses | undefined;
let settings: ServerSettings = defaultServerSettings;
const pulls = new DiagnosticsScheduler<Diagnostic>(() => settings.diagnosticsDelayMs);
const reportedProblems = new Set<string>();
const progress = new ModuleCheckProgress(connection.window, () => session?.cancelAnalysis());

const logBatcher = new LogBatcher({ send: (text) => connection.console.log(text) });
function log(message: string): void {
  logBatcher.add(message);
}

/** The workspace-relative path of a request's document; undefined outside the workspace. Throws InvalidParams for a malformed URI. */
function relativePathOf(uri: string): string | undefined {
  const file = filePathOf(uri);
  return session && file !== undefined ? session.relativePath(file) : undefined;
}

/** The same for a notification, which has no answer to carry an error: undefined when malformed. */
function relativePathOrNothing(uri: string): string | undefined {
  try {
    return relativePathOf(uri);
  } catch {
    return undefined;
  }
}

connection.onInitialize((params) => {
  settings = { ...defaultServerSettings, ...(params.initializationOptions as Partial<ServerSettings> | undefined) };
  const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
  const root = folder ? filePathOf(folder) : undefined;
  if (root !== undefined) {
    session = new WorkspaceSession(root, settings, {
      log,
      statusChanged: (status) => void connection.sendNotification(StatusNotification, status),
      resultsChanged: () => void connection.languages.diagnostics.refresh().catch(() => undefined),
      backendProblem: reportBackendProblem,
      progress: (report) => progress.update(report),
    });
    rootCauses = new WorkspaceRootCauses(session.root);
  }
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      // Workspace diagnostics: every module's failures in Problems, open or not (clysm.diagnostics.scope).
      diagnosticProvider: { identifier: 'clysm', interFileDependencies: false, workspaceDiagnostics: true },
    },
    serverInfo: { name: 'clysm-language-server', version: '0.1.0' },
  };
});

connection.onInitialized(() => {
  if (!session) {
    log('no file-system workspace folder: Clysm has nothing to check');
    return;
  }
  log(`workspace ${session.root}; Stage 0 ${session.stage0AbsolutePath()}`);
  void session.start().catch((e: unknown) => log(`start failed: ${String(e)}`));
});

function reportBackendProblem(status: BackendStatus): void {
  // Tell the user once per distinct problem; the status bar keeps showing it.
  if (reportedProblems.has(status.message)) return;
  reportedProblems.add(status.message);
  // A plain notification: the status bar and the output channel carry the details.
  const type = status.state === 'stub' ? MessageType.Warning : MessageType.Error;
  void connection.sendNotification(ShowMessageNotification.type, { type, message: `Clysm: ${status.message}` });
}

documents.onDidOpen((e) => {
  const rel = relativePathOrNothing(e.document.uri);
  if (rel) session?.setOpenText(rel, e.document.getText());
});

documents.onDidChangeContent((e) => {
  pulls.edited(e.document.uri);
  const rel = relativePathOrNothing(e.document.uri);
  if (rel) session?.setOpenText(rel, e.document.getText());
});

documents.onDidClose((e) => {
  pulls.closed(e.document.uri);
  const rel = relativePathOrNothing(e.document.uri);
  // The file's results stay in the workspace summary; only the unsaved buffer is dropped.
  if (rel) {
    session?.setOpenText(rel, undefined);
    void session?.fileChangedOnDisk(rel);
  }
});

/** A pull that will not be answered with a list: superseded by an edit, or cancelled by the client. */
function cancellation(outcome: Extract<PullOutcome<Diagnostic>, { kind: 'cancelled' }>): ResponseError<{ retriggerRequest: boolean } | undefined> {
  return outcome.by === 'client'
    ? new ResponseError(LSPErrorCodes.RequestCancelled, 'diagnostic pull cancelled by the client')
    : new ResponseError(LSPErrorCodes.ServerCancelled, 'the document changed: pull again', { retriggerRequest: true });
}

connection.languages.diagnostics.on(async (params, token): Promise<DocumentDiagnosticReport> => {
  const uri = textDocumentUri(params);
  const rel = relativePathOf(uri);
  const document = documents.get(uri);
  const current = session;
  if (current && document && rel && current.moduleIndexOf(rel) === undefined && current.reloadErrorsIn(rel).length > 0) {
    // A compiler file outside the module list (a package definition, ...): only its reload errors.
    return { kind: DocumentDiagnosticReportKind.Full, items: reloadDiagnostics(current.reloadErrorsIn(rel)) };
  }
  if (!current || !document || !rel || current.moduleIndexOf(rel) === undefined) {
    return { kind: DocumentDiagnosticReportKind.Full, items: [] };
  }
  const isRegression = current.isRegression.bind(current);
  let outcome: PullOutcome<Diagnostic>;
  try {
    outcome = await pulls.pull(uri, params.previousResultId, token, async (signal) => {
      const text = document.getText();
      if (!current.isReady()) {
        // Until the backend is ready, show the persisted results when they match this very text.
        return documentDiagnostics(current.storedFormsFor(rel, text) ?? [], { isRegression, stale: current.staleness() });
      }
      const analysis = await current.analyzeDocument(rel, text, signal);
      const reloadErrors = reloadDiagnostics(current.reloadErrorsIn(rel));
      return [...documentDiagnostics(analysis?.forms ?? [], { isRegression, fileProblem: current.workspace()?.problems.get(rel) }), ...reloadErrors];
    });
  } catch (error) {
    if (!(error instanceof AnalysisCancelled)) log(`diagnostics of ${rel} failed: ${String(error)}`);
    // The client keeps the diagnostics it shows; nothing to pull again until the next change.
    throw new ResponseError(LSPErrorCodes.ServerCancelled, `Clysm could not check ${rel}; see the Clysm output`, { retriggerRequest: false });
  }
  if (outcome.kind === 'cancelled') throw cancellation(outcome);
  if (outcome.kind === 'unchanged') return { kind: DocumentDiagnosticReportKind.Unchanged, resultId: outcome.resultId };
  return { kind: DocumentDiagnosticReportKind.Full, resultId: outcome.resultId, items: outcome.items };
});

connection.onHover((params) => {
  const uri = textDocumentUri(params);
  const position = requestPosition(params);
  const rel = relativePathOf(uri);
  const document = documents.get(uri);
  if (!session || !document || !rel) return null;
  if (session.moduleIndexOf(rel) === undefined) return null;
  // Past the last line there is no form (offsetAt would clamp to the end of the text).
  if (position.line >= document.lineCount) return null;
  const form = session.formAt(rel, document.offsetAt(position));
  const context = form && session.hoverContext(form);
  if (!form || !context) return null;
  const model = session.workspace();
  const markdown = hoverMarkdown(form, { ...context, rootCause: model && rootCauses?.ofForm(model, form.id), root: session.root });
  return { contents: { kind: 'markdown', value: markdown }, range: form.form.range };
});

// Settings changed: apply the live ones (the debounce, …) and pull diagnostics again, as
// vscode-eslint does; the client offers a restart for the others.
connection.onDidChangeConfiguration((params: Partial<ClysmConfigurationChange>) => {
  if (!params.settings || typeof params.settings !== 'object') return;
  settings = applyLiveSettings(settings, params.settings);
  session?.useSettings(settings);
  void connection.languages.diagnostics.refresh().catch(() => undefined);
});

connection.onDidChangeWatchedFiles((params) => {
  for (const change of params.changes) {
    const rel = relativePathOrNothing(change.uri);
    // A saved compiler file reloads the compiler, open in the editor or not.
    if (rel && documents.get(change.uri)) void session?.compilerFileChanged(rel);
    // Open documents are tracked through their buffers, not the disk.
    if (rel && !documents.get(change.uri)) void session?.fileChangedOnDisk(rel);
  }
});

connection.onRequest(LastChangeRequest, () => session?.lastChange() ?? null);

connection.onRequest(StatusRequest, () => session?.status() ?? {
  backend: 'none', backendReason: '', status: { state: 'stopped', message: 'no workspace folder', engine: { name: 'none', version: '' } },
  busy: false, modulesDone: 0, modulesTotal: 0, moduleListSource: '',
  summary: { total: 0, compiled: 0, failed: 0, skipped: 0, timeout: 0, readErrors: 0, noOutput: 0, crashed: 0, coveragePct: 0 },
  regressions: 0, baselineSource: 'none',
});

connection.onRequest(BlockerTreeRequest, (params) => session?.blockerTree(params.file) ?? { regressions: [], readErrors: [], categories: [], compilableForms: 0 });

connection.onRequest(RootCausesRequest, (params) => {
  const model = session?.workspace();
  if (!session || !model || !rootCauses) return { causes: [], coveragePct: 0, totalForms: 0 };
  return rootCauses.list(model, session.regressionIds(), params.file);
});

connection.onRequest(FormMessageRequest, (params) => {
  const form = session?.workspace()?.allForms().find((f) => f.id === params.id);
  return form ? { id: form.id, message: form.result.message ?? form.form.error ?? form.result.status } : null;
});

// Every Clysm diagnostic gets the actions of its root cause (compiler source, all its forms, the missing name's definition).
connection.onCodeAction((params): CodeAction[] => {
  const model = session?.workspace();
  if (!model || !rootCauses) return [];
  const document = documents.get(params.textDocument.uri);
  const rel = relativePathOf(params.textDocument.uri);
  return params.context.diagnostics.flatMap((d) => {
    if (d.source !== 'clysm') return [];
    // The form id travels in `data`; a client that drops it still gives the range.
    const data = (d.data as { id?: unknown } | undefined)?.id;
    const id = typeof data === 'string' ? data : document && rel ? session?.formAt(rel, document.offsetAt(d.range.start))?.id : undefined;
    if (id === undefined) return [];
    return rootCauses?.codeActions(model, id).map((a): CodeAction => ({ ...a, diagnostics: [d] })) ?? [];
  });
});

// The failures of the modules that are not open in an editor (open ones come from the document pull).
connection.languages.diagnostics.onWorkspace((_params, token) => {
  const model = session?.workspace();
  if (!session || !model || settings.problemsScope === 'openFiles' || token.isCancellationRequested) return { items: [] };
  const current = session;
  const options = { isRegression: current.isRegression.bind(current), stale: current.isReady() ? undefined : current.staleness() };
  const items: WorkspaceDocumentDiagnosticReport[] = [];
  // A compiler file saved broken outside the editor (a checkout, a script) shows in Problems too.
  const reloadErrors = current.reloadErrorsByFile();
  for (const file of model.modules) {
    const absolute = path.join(session.root, file);
    const uri = pathToFileURL(absolute).toString();
    const unapplied = reloadErrors.get(path.resolve(absolute)) ?? [];
    reloadErrors.delete(path.resolve(absolute));
    if (documents.get(uri)) continue;
    items.push({ kind: DocumentDiagnosticReportKind.Full, uri, version: null, items: [...(documentDiagnostics(model.analysisOf(file)?.forms ?? [], options) as Diagnostic[]), ...reloadDiagnostics(unapplied)] });
  }
  for (const [file, unapplied] of reloadErrors) {
    const uri = pathToFileURL(file).toString();
    if (!documents.get(uri)) items.push({ kind: DocumentDiagnosticReportKind.Full, uri, version: null, items: reloadDiagnostics(unapplied) });
  }
  return { items };
});

connection.onRequest(ModulesRequest, () => session?.moduleRows() ?? []);

connection.onRequest(ExportReportRequest, (params) => {
  if (!session) throw new ResponseError(ErrorCodes.InvalidRequest, 'no workspace folder: nothing to export');
  try {
    return session.exportReport(params.path);
  } catch (error) {
    throw new ResponseError(ErrorCodes.InternalError, `could not write ${params.path}: ${(error as Error).message}`);
  }
});

connection.onRequest(ReanalyzeRequest, async () => {
  await session?.reanalyze();
  return session!.status();
});

connection.onShutdown(async () => {
  await session?.dispose();
  logBatcher.flush();
});

registerStage1Handlers(connection, () => (session ? stage1ContextOf(session, settings, log) : undefined));
registerWatHandlers(connection, () => {
  const model = session?.workspace();
  return session && model && { forms: () => model.allForms(), relativePath: (p) => session?.relativePath(p), compileAgain: (f) => model.compileAgain(f) };
});

documents.listen(connection);
connection.listen();
