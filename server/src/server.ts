// The Clysm language server: LSP wiring only. Analysis lives in Session and the pure modules.
import { fileURLToPath } from 'node:url';
import {
  createConnection,
  DocumentDiagnosticReportKind,
  ErrorCodes,
  ResponseError,
  MessageType,
  ShowMessageNotification,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Diagnostic,
  type DocumentDiagnosticReport,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { diagnosticFor, hoverMarkdown, type Staleness } from './lsp/formPresentation';
import { LogBatcher } from './lsp/logBatcher';
import { ModuleCheckProgress } from './lsp/progress';
import {
  applyLiveSettings,
  BlockerTreeRequest,
  defaultServerSettings,
  ExportReportRequest,
  ModulesRequest,
  ReanalyzeRequest,
  StatusNotification,
  StatusRequest,
  type ClysmConfigurationChange,
  type ServerSettings,
} from './protocol';
import { Session } from './session';
import { registerStage1Handlers, sessionStage1Context } from './stage1/handlers';
import type { AnalyzedForm, BackendStatus } from './types';

const connection = createConnection(ProposedFeatures.all);
// A failed notification or a bug in one handler must never take the server down with it.
process.on('unhandledRejection', (reason) => connection.console.error(`unhandled rejection: ${String(reason)}`));
const documents = new TextDocuments(TextDocument);
let session: Session | undefined;
let settings: ServerSettings = defaultServerSettings;
/** Last edit time per document, for the debounce between typing and re-checking. */
const lastChange = new Map<string, number>();
/** Last diagnostics per document, returned when a pull is cancelled or the backend is down. */
const lastDiagnostics = new Map<string, Diagnostic[]>();
const reportedProblems = new Set<string>();
const progress = new ModuleCheckProgress(connection.window, () => session?.cancelAnalysis());

const logBatcher = new LogBatcher({ send: (text) => connection.console.log(text) });
function log(message: string): void {
  logBatcher.add(message);
}

function relativePathOf(uri: string): string | undefined {
  if (!session || !uri.startsWith('file:')) return undefined;
  return session.relativePath(fileURLToPath(uri));
}

connection.onInitialize((params) => {
  settings = { ...defaultServerSettings, ...(params.initializationOptions as Partial<ServerSettings> | undefined) };
  const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
  if (folder && folder.startsWith('file:')) {
    session = new Session(fileURLToPath(folder), settings, {
      log,
      statusChanged: (status) => void connection.sendNotification(StatusNotification, status),
      resultsChanged: () => void connection.languages.diagnostics.refresh().catch(() => undefined),
      backendProblem: reportBackendProblem,
      progress: (report) => progress.update(report),
    });
  }
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      diagnosticProvider: { identifier: 'clysm', interFileDependencies: false, workspaceDiagnostics: false },
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
  const rel = relativePathOf(e.document.uri);
  if (rel) session?.setOpenText(rel, e.document.getText());
});

documents.onDidChangeContent((e) => {
  lastChange.set(e.document.uri, Date.now());
  const rel = relativePathOf(e.document.uri);
  if (rel) session?.setOpenText(rel, e.document.getText());
});

documents.onDidClose((e) => {
  lastChange.delete(e.document.uri);
  lastDiagnostics.delete(e.document.uri);
  const rel = relativePathOf(e.document.uri);
  // The file's results stay in the workspace summary; only the unsaved buffer is dropped.
  if (rel) {
    session?.setOpenText(rel, undefined);
    void session?.fileChangedOnDisk(rel);
  }
});

function sleep(ms: number, token: { isCancellationRequested: boolean; onCancellationRequested: (f: () => void) => unknown }): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    token.onCancellationRequested(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

connection.languages.diagnostics.on(async (params, token): Promise<DocumentDiagnosticReport> => {
  const uri = params.textDocument.uri;
  const document = documents.get(uri);
  const rel = relativePathOf(uri);
  const previous = lastDiagnostics.get(uri) ?? [];
  if (!session || !document || !rel || session.moduleIndexOf(rel) === undefined) {
    return { kind: DocumentDiagnosticReportKind.Full, items: [] };
  }
  // Debounce: re-check only once typing has paused for the configured delay.
  const wait = (lastChange.get(uri) ?? 0) + settings.diagnosticsDelayMs - Date.now();
  if (wait > 0) await sleep(wait, token);
  if (!session.isReady()) {
    // Until the backend is ready, show the persisted results when they match this very text.
    const stored = session.storedFormsFor(rel, document.getText());
    return { kind: DocumentDiagnosticReportKind.Full, items: stored ? diagnosticsOf(stored, session.staleness()) : [] };
  }
  if (token.isCancellationRequested) return { kind: DocumentDiagnosticReportKind.Full, items: previous };
  const controller = new AbortController();
  token.onCancellationRequested(() => controller.abort());
  try {
    const analysis = await session.analyzeDocument(rel, document.getText(), controller.signal);
    const items = diagnosticsOf(analysis?.forms ?? []);
    const problem = session.workspace()?.problems.get(rel);
    if (problem) items.unshift({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: 2, source: 'clysm', code: 'file', message: problem });
    lastDiagnostics.set(uri, items);
    return { kind: DocumentDiagnosticReportKind.Full, items };
  } catch {
    // Cancelled mid-way (a newer edit arrived): the next pull replaces this one.
    return { kind: DocumentDiagnosticReportKind.Full, items: previous };
  }
});

function diagnosticsOf(forms: readonly AnalyzedForm[], stale?: Staleness): Diagnostic[] {
  return forms.map((f) => diagnosticFor(f, session?.isRegression(f) ?? false, stale)).filter((d) => d !== undefined) as Diagnostic[];
}

connection.onHover((params) => {
  const document = documents.get(params.textDocument.uri);
  const rel = relativePathOf(params.textDocument.uri);
  if (!session || !document || !rel) return null;
  if (session.moduleIndexOf(rel) === undefined) return null;
  const form = session.formAt(rel, document.offsetAt(params.position));
  const model = session.workspace();
  if (!form || !model) return null;
  const markdown = hoverMarkdown(form, {
    blockers: model.blockers(),
    summary: model.summary(),
    regressionBaseline: session.isRegression(form) ? session.baselineSource() : undefined,
    stale: session.staleness(),
  });
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
    const rel = relativePathOf(change.uri);
    // Open documents are tracked through their buffers, not the disk.
    if (rel && !documents.get(change.uri)) void session?.fileChangedOnDisk(rel);
  }
});

connection.onRequest(StatusRequest, () => session?.status() ?? {
  backend: 'none', backendReason: '', status: { state: 'stopped', message: 'no workspace folder', engine: { name: 'none', version: '' } },
  busy: false, modulesDone: 0, modulesTotal: 0, moduleListSource: '',
  summary: { total: 0, compiled: 0, failed: 0, skipped: 0, timeout: 0, readErrors: 0, noOutput: 0, crashed: 0, coveragePct: 0 },
  regressions: 0, baselineSource: 'none',
});

connection.onRequest(BlockerTreeRequest, (params) => session?.blockerTree(params.file) ?? { regressions: [], categories: [], totalForms: 0 });

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

registerStage1Handlers(connection, () => (session ? sessionStage1Context(session, settings, log) : undefined));

documents.listen(connection);
connection.listen();
