// Whole-workspace numbers through the language server's WorkspaceSession (DESIGN.md §5): cold analysis
// with an empty cache, warm reopen from the persistent cache (first results shown, then
// revalidated with no backend call), and edit-to-update for one changed form of a 400-form
// module (analysis + diagnostics + summary, the debounce excluded). Used by bench.ts.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diagnosticFor } from '../../server/src/lsp/formPresentation';
import { defaultServerSettings, type ServerStatus } from '../../server/src/protocol';
import { readTopLevelForms } from '../../server/src/reader';
import { WorkspaceSession } from '../../server/src/workspaceSession';
import type { CompilerBackend } from '../../server/src/types';
import { CacheStore } from '../../server/src/workspace/cacheStore';
import { CountingBackend } from '../../test/support/countingBackend';

export interface SessionTimes {
  /** start() → first status with results (only from a persisted cache). */
  firstResultsMs?: number;
  /** start() → the whole-workspace run finished. */
  settledMs: number;
  calls: number;
  forms: number;
}

async function openSession(root: string, backend: CountingBackend, storageDir: string, modules: string[] | null): Promise<{ session: WorkspaceSession; times: SessionTimes }> {
  let firstResultsAt: number | undefined;
  let settledAt: number | undefined;
  const callsBefore = backend.calls.length;
  const session = new WorkspaceSession(
    root,
    { ...defaultServerSettings, modules, diagnosticsDelayMs: 0, storageDir },
    {
      log: (m) => {
        if (m.startsWith('workspace analysed')) settledAt = performance.now();
      },
      statusChanged: (s: ServerStatus) => {
        if (firstResultsAt === undefined && s.summary.total > 0) firstResultsAt = performance.now();
      },
      resultsChanged: () => undefined,
      backendProblem: () => undefined,
      progress: () => undefined,
    },
    { selectBackend: async () => ({ backend, status: backend.status(), reason: 'bench' }), cacheWriteDelayMs: 60_000 },
  );
  const started = performance.now();
  await session.start();
  while (settledAt === undefined) await new Promise((r) => setTimeout(r, 1));
  return {
    session,
    times: {
      firstResultsMs: firstResultsAt !== undefined && firstResultsAt < settledAt ? firstResultsAt - started : undefined,
      settledMs: settledAt - started,
      calls: backend.calls.length - callsBefore,
      forms: session.status().summary.total,
    },
  };
}

function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const ms = (x: number | undefined): string => (x === undefined ? '—' : `${x.toFixed(1)} ms`);

/** Appends a comment line inside the form, so only its text (and so its cache key) changes. */
function editForm(text: string, formIndex: number, n: number): string {
  const form = readTopLevelForms(text)[formIndex];
  return `${text.slice(0, form.end - 1)}\n  ;; bench edit ${n}\n${text.slice(form.end - 1)}`;
}

export interface WorkspaceBenchOptions {
  label: string;
  root: string;
  backend: CompilerBackend;
  /** Workspace-relative module that is edited. */
  editedModule: string;
  modules?: string[] | null;
  coldRuns?: number;
  edits?: number;
  /** Extra start-up time to report with the cold run (e.g. starting SBCL). */
  backendStartMs?: number;
  log?: (line: string) => void;
}

export async function benchWorkspace(options: WorkspaceBenchOptions): Promise<void> {
  const out = options.log ?? ((line: string) => console.log(line));
  const backend = new CountingBackend(options.backend, false);
  const modules = options.modules ?? null;
  const storageRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-bench-storage-'));
  try {
    const cold: SessionTimes[] = [];
    let storageDir = '';
    for (let i = 0; i < (options.coldRuns ?? 3); i++) {
      storageDir = path.join(storageRoot, `cold-${i}`);
      const { session, times } = await openSession(options.root, backend, storageDir, modules);
      cold.push(times);
      await session.dispose();
    }
    const coldMs = cold.map((c) => c.settledMs);
    const start = options.backendStartMs === undefined ? '' : ` (+ ${ms(options.backendStartMs)} backend start = ${ms(options.backendStartMs + percentile(coldMs, 0.5))})`;
    out(`${options.label}  cold whole workspace (${cold[0].forms} forms, ${cold[0].calls} backend calls, empty cache): median ${ms(percentile(coldMs, 0.5))}, min ${ms(Math.min(...coldMs))}${start}`);

    const store = new CacheStore(storageDir, options.root);
    const size = fs.statSync(store.file).size;
    const warm: SessionTimes[] = [];
    for (let i = 0; i < 3; i++) {
      const { session, times } = await openSession(options.root, backend, storageDir, modules);
      warm.push(times);
      await session.dispose();
    }
    const warmMs = warm.map((w) => w.settledMs);
    const first = warm.map((w) => w.firstResultsMs ?? NaN);
    out(
      `${options.label}  warm reopen from the persistent cache (${(size / 1024).toFixed(0)} KB): previous results shown after median ${ms(percentile(first, 0.5))}; ` +
        `revalidated after median ${ms(percentile(warmMs, 0.5))} with ${warm.map((w) => w.calls).join('/')} backend calls`,
    );

    const { session } = await openSession(options.root, backend, storageDir, modules);
    try {
      const original = fs.readFileSync(path.join(options.root, options.editedModule), 'utf8');
      const forms = readTopLevelForms(original);
      const defuns = forms.filter((f) => f.operator === 'DEFUN').map((f) => f.index);
      const samples: number[] = [];
      const callsBefore = backend.calls.length;
      const edits = options.edits ?? 50;
      for (let n = 0; n < edits + 5; n++) {
        const edited = editForm(original, defuns[(n * 7) % defuns.length], n);
        const t0 = performance.now();
        const analysis = await session.analyzeDocument(options.editedModule, edited);
        const diagnostics = (analysis?.forms ?? []).map((f) => diagnosticFor(f, session.isRegression(f))).filter((d) => d !== undefined);
        const status = session.status();
        const elapsed = performance.now() - t0;
        if (status.summary.total === 0 || analysis === undefined) throw new Error(`no analysis (${diagnostics.length} diagnostics)`);
        if (n >= 5) samples.push(elapsed); // the first few warm up the JIT
      }
      const calls = backend.calls.length - callsBefore;
      out(
        `${options.label}  edit → diagnostics + summary, one changed form of ${options.editedModule} (${forms.length} forms, ${calls} backend calls for ${edits + 5} edits): ` +
          `p50 ${ms(percentile(samples, 0.5))} · p95 ${ms(percentile(samples, 0.95))} · max ${ms(Math.max(...samples))} (n=${samples.length})   target p95 < 50 ms beyond the debounce`,
      );
    } finally {
      await session.dispose();
    }
  } finally {
    fs.rmSync(storageRoot, { recursive: true, force: true });
  }
}
