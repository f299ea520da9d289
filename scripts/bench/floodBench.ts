// The language server under an edit flood (issue 10 item 9): an LSP client drives the real
// server process (dist/server.js), types 1,000 edits in one second into a 10,000-line module
// while it asks for hovers, and pulls diagnostics the way VS Code's client does (one pull per
// document in flight: an edit cancels it and pulls again). Prints hover
// latency and the time from the last edit to the final diagnostics next to their targets.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancellationTokenSource, ResponseError } from 'vscode-jsonrpc/node';
import { readTopLevelForms } from '../../server/src/reader';
import { LanguageServerProcess } from '../../test/support/languageServerProcess';
import { exampleWorkspace } from '../../test/support/repo';
import { generateLargeModule } from './largeModule';

const EDITS = 1000;
const FLOOD_MS = 1000;
const HOVER_EVERY_MS = 10;
const LINES = 10_000;
const FORMS = 1000;

interface PullReport {
  kind: 'full' | 'unchanged';
  resultId?: string;
  items?: unknown[];
}

/**
 * An eager pull client: every edit cancels the pull in flight and sends a new one at once (the
 * harshest model; VS Code's client waits for the cancelled pull's answer before the next).
 */
class DiagnosticPuller {
  private inFlight: CancellationTokenSource | undefined;
  private readonly pending = new Set<Promise<void>>();
  private resultId: string | undefined;
  pulls = 0;
  cancelledAnswers = 0;
  bytes = 0;
  /** Time of the last answer that was not cancelled, and the edit count it was asked at. */
  lastAnswer: { at: number; edits: number } | undefined;

  constructor(
    private readonly server: LanguageServerProcess,
    private readonly uri: string,
    private readonly editCount: () => number,
  ) {}

  pull(): void {
    this.inFlight?.cancel();
    const source = new CancellationTokenSource();
    this.inFlight = source;
    const askedAt = this.editCount();
    this.pulls++;
    const answer = this.server.connection
      .sendRequest('textDocument/diagnostic', { textDocument: { uri: this.uri }, previousResultId: this.resultId }, source.token)
      .then(
        (report) => {
          const r = report as PullReport;
          this.bytes += JSON.stringify(r).length;
          if (source.token.isCancellationRequested) {
            this.cancelledAnswers++;
            return;
          }
          this.resultId = r.resultId;
          this.lastAnswer = { at: performance.now(), edits: askedAt };
        },
        (error: unknown) => {
          if (!(error instanceof ResponseError)) throw error;
          this.bytes += JSON.stringify({ code: error.code, message: error.message, data: error.data as unknown }).length;
        },
      )
      .finally(() => {
        this.pending.delete(answer);
        if (this.inFlight === source) this.inFlight = undefined;
      });
    this.pending.add(answer);
  }

  /** Resolves when every pull sent so far has been answered. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function loadLine(): string {
  const [one, five, fifteen] = os.loadavg();
  return `load average ${one.toFixed(2)}, ${five.toFixed(2)}, ${fifteen.toFixed(2)} (${os.cpus().length} CPUs)`;
}

const nextTick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

export async function benchFlood(diagnosticsDelayMs: number): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-bench-flood-'));
  fs.cpSync(exampleWorkspace, workspace, { recursive: true });
  const rel = 'src/zz/flood-module.lisp';
  const file = path.join(workspace, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const text = generateLargeModule(LINES, FORMS);
  fs.writeFileSync(file, text);
  const server = new LanguageServerProcess(workspace, { diagnosticsDelayMs });
  try {
    await server.initialize();
    await server.settled();
    const uri = server.open(file, text);
    let edits = 0;
    const puller = new DiagnosticPuller(server, uri, () => edits);
    puller.pull();
    await puller.settled();
    const forms = readTopLevelForms(text);
    // Typing: every edit appends one character to the name of one function, so one form changes.
    const typed = forms[Math.floor(forms.length / 2)];
    const nameEnd = text.indexOf(' (ast env', typed.start);
    const at = { line: text.slice(0, nameEnd).split('\n').length - 1, character: 0 };
    at.character = nameEnd - (text.lastIndexOf('\n', nameEnd - 1) + 1);
    const hoverTargets = forms.filter((f) => f !== typed && f.operator === 'DEFUN').map((f) => f.range.start);

    const hovers: number[] = [];
    const pendingHovers: Promise<void>[] = [];
    const start = performance.now();
    let lastHover = -HOVER_EVERY_MS;
    let lastEditAt = start;
    while (edits < EDITS) {
      const now = performance.now() - start;
      const due = Math.min(EDITS, Math.floor((now / FLOOD_MS) * EDITS) + 1);
      while (edits < due) {
        edits++;
        void server.connection.sendNotification('textDocument/didChange', {
          textDocument: { uri, version: edits + 1 },
          contentChanges: [{ range: { start: { ...at, character: at.character + edits - 1 }, end: { ...at, character: at.character + edits - 1 } }, text: 'x' }],
        });
        lastEditAt = performance.now();
        puller.pull();
      }
      if (now - lastHover >= HOVER_EVERY_MS) {
        lastHover = now;
        const position = hoverTargets[hovers.length % hoverTargets.length];
        const asked = performance.now();
        const sample = hovers.length;
        hovers.push(NaN);
        pendingHovers.push(
          server.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position }).then(() => {
            hovers[sample] = performance.now() - asked;
          }),
        );
      }
      await nextTick();
    }
    await Promise.all(pendingHovers);
    await puller.settled();
    while (puller.lastAnswer === undefined || puller.lastAnswer.edits < EDITS) {
      puller.pull();
      await puller.settled();
    }
    const finalMs = puller.lastAnswer.at - lastEditAt;
    const floodMs = lastEditAt - start;
    const label = `flood[delay ${diagnosticsDelayMs} ms]`;
    console.log(
      `${label}  ${EDITS} edits in ${floodMs.toFixed(0)} ms on a ${LINES}-line module (${forms.length} forms), ${hovers.length} hovers: ` +
        `hover p50 ${percentile(hovers, 0.5).toFixed(1)} ms · p99 ${percentile(hovers, 0.99).toFixed(1)} ms   target p99 ≤ 100 ms`,
    );
    console.log(`${label}  last edit → final diagnostics: ${finalMs.toFixed(0)} ms   target ≤ 1000 ms`);
    console.log(`${label}  ${puller.pulls} pulls, ${puller.cancelledAnswers} cancelled pulls answered with a report, ${(puller.bytes / 1e6).toFixed(2)} MB of pull answers; ${loadLine()}`);
  } finally {
    await server.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}
