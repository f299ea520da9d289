// The SBCL backend on a real Clysm checkout, against the design targets (DESIGN.md §5):
// whole-workspace analysis from a cold SBCL start (< 1.5 s; without and with a saved core),
// warm passes (cached < 0.5 s, and uncached), and edit-to-update of one form of
// func-section.lisp through the workspace model and its cache (p95 < 50 ms beyond the debounce).
//   node dist/bench-sbcl.js [CHECKOUT]      (default $CLYSM_CHECKOUT; run it on Node 22.22+/24 so
//                                            V8 validates the bytes, as the extension host does)
// Speed is measured here, never in tests.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SbclBackend } from '../../server/src/backends/sbcl/sbclBackend';
import { v8SupportsWasmGc } from '../../server/src/wasm/runtimeProbe';
import { diagnosticFor } from '../../server/src/lsp/formPresentation';
import { readTopLevelForms } from '../../server/src/reader';
import { ResultCache } from '../../server/src/workspace/resultCache';
import { DiskFiles } from '../../server/src/workspace/workspaceFiles';
import { WorkspaceModel } from '../../server/src/workspace/workspaceModel';

const EDITED_MODULE = 'src/clysm/compiler/codegen/func-section.lisp';
const COLD_RUNS = 5;

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `median ${at(0.5).toFixed(1)} ms · p95 ${at(0.95).toFixed(1)} ms · min ${sorted[0].toFixed(1)} · max ${sorted[sorted.length - 1].toFixed(1)} ms · n=${sorted.length}`;
}

function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const verdict = (ok: boolean): string => (ok ? 'meets target' : 'MISSES target');

let expectedSummary: string | undefined;

interface ColdRun {
  backend: SbclBackend;
  model: WorkspaceModel;
  startMs: number;
  analyzeMs: number;
  fromCore: boolean;
}

/** A new SBCL process, then every module in list order with an empty cache: what opening the checkout costs. */
async function coldRun(checkout: string, coreCacheDir: string | undefined, log: (line: string) => void): Promise<ColdRun> {
  const backend = new SbclBackend({ workspaceRoot: checkout, coreCacheDir, log });
  const t0 = performance.now();
  const status = await backend.start();
  const t1 = performance.now();
  if (status.state !== 'ready') throw new Error(`SBCL backend did not start: ${status.message}`);
  const model = new WorkspaceModel(new DiskFiles(checkout), backend, new ResultCache(), null);
  await model.analyzeAll();
  const t2 = performance.now();
  // Every run must give the same results, or the timing compares different work.
  const summary = describeSummary(model);
  expectedSummary ??= summary;
  if (summary !== expectedSummary) throw new Error(`cold run gave ${summary}, the first gave ${expectedSummary}`);
  return { backend, model, startMs: t1 - t0, analyzeMs: t2 - t1, fromCore: status.message.includes('from a saved core') };
}

function describeSummary(model: WorkspaceModel): string {
  const s = model.summary();
  return `${s.compiled} compiled / ${s.failed} failed / ${s.skipped} skipped of ${s.total} in ${model.modules.length} modules`;
}

/** Resolves on the backend's "saved core" log line (the build runs in the background after a start). */
function coreSaved(lines: string[], onLine: { notify?: () => void }): Promise<void> {
  return new Promise((resolve, reject) => {
    onLine.notify = () => {
      if (lines.some((l) => l.includes('[sbcl] saved core'))) resolve();
      else if (lines.some((l) => l.includes('saving a core did not work'))) reject(new Error(lines.find((l) => l.includes('saving a core'))));
    };
    onLine.notify();
  });
}

export async function benchSbclCheckout(checkout: string): Promise<void> {
  console.log(`sbcl    checkout ${checkout}; Node ${process.version}, bytes ${v8SupportsWasmGc() ? `validated by V8 ${process.versions.v8}` : 'NOT validated (this V8 lacks WasmGC: counts differ from Clysm\'s)'}`);
  const cores = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-bench-cores-'));
  const lines: string[] = [];
  const onLine: { notify?: () => void } = {};
  const log = (line: string): void => {
    lines.push(line);
    onLine.notify?.();
  };
  try {
    // Untimed: the first load may compile Clysm's fasls, which happens once per checkout.
    const first = await coldRun(checkout, undefined, log);
    console.log(`sbcl    first start (fasls compiled if needed) ${first.startMs.toFixed(0)} ms; ${describeSummary(first.model)}`);
    await first.backend.dispose();

    const noCore: ColdRun[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const run = await coldRun(checkout, undefined, log);
      noCore.push(run);
      await run.backend.dispose();
    }
    const totals = noCore.map((r) => r.startMs + r.analyzeMs);
    console.log(`sbcl    cold, no saved core: start ${stats(noCore.map((r) => r.startMs))}; analysis ${stats(noCore.map((r) => r.analyzeMs))}`);
    console.log(`sbcl    cold, no saved core, start + whole workspace: ${stats(totals)}   target < 1500 ms (median): ${verdict(percentile(totals, 0.5) < 1500)}`);

    // A start with a core folder saves a core in the background; later starts use it.
    const saved = coreSaved(lines, onLine);
    const builder = await coldRun(checkout, cores, log);
    await saved;
    await builder.backend.dispose();
    const withCore: ColdRun[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      const run = await coldRun(checkout, cores, log);
      if (!run.fromCore) throw new Error('the saved core was not used');
      withCore.push(run);
      if (i < COLD_RUNS - 1) await run.backend.dispose();
    }
    const coreTotals = withCore.map((r) => r.startMs + r.analyzeMs);
    console.log(`sbcl    cold, saved core: start ${stats(withCore.map((r) => r.startMs))}; analysis ${stats(withCore.map((r) => r.analyzeMs))}`);
    console.log(`sbcl    cold, saved core, start + whole workspace: ${stats(coreTotals)}   target < 1500 ms (median): ${verdict(percentile(coreTotals, 0.5) < 1500)}`);

    // Warm: the same process and model, again.
    const { backend, model } = withCore[withCore.length - 1];
    const cached: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const compiledNow = await model.analyzeAll();
      cached.push(performance.now() - t);
      if (compiledNow !== 0) throw new Error(`a cached pass compiled ${compiledNow} forms`);
    }
    console.log(`sbcl    warm, cached (every form a cache hit): ${stats(cached)}   target < 500 ms: ${verdict(percentile(cached, 0.95) < 500)}`);
    const uncached: number[] = [];
    for (let i = 0; i < 5; i++) {
      model.cache.clear();
      const t = performance.now();
      await model.analyzeAll();
      uncached.push(performance.now() - t);
    }
    console.log(`sbcl    warm, uncached (every form compiled again in the warm image): ${stats(uncached)}; ${describeSummary(model)}`);

    await benchEdits(checkout, model);
    await backend.dispose();
  } finally {
    fs.rmSync(cores, { recursive: true, force: true });
  }
}

/**
 * 50 edits of one defun in the middle of func-section.lisp (a comment added inside it, so its
 * text and cache key change but not its meaning); each re-analyses the module from the edited
 * text as the server does on a diagnostics pull: read, 1 cache miss, the rest hits, diagnostics.
 */
async function benchEdits(checkout: string, model: WorkspaceModel): Promise<void> {
  const original = fs.readFileSync(path.join(checkout, EDITED_MODULE), 'utf8');
  const forms = readTopLevelForms(original);
  const defuns = forms.filter((f) => f.kind === 'list' && f.operator === 'DEFUN');
  const target = defuns[Math.floor(defuns.length / 2)];
  const edit = (i: number): string =>
    original.slice(0, target.end - 1) + `\n  ;; bench edit ${i}\n  ` + original.slice(target.end - 1);
  const samples: number[] = [];
  const misses: number[] = [];
  for (let i = 0; i < 55; i++) {
    const text = edit(i);
    const t = performance.now();
    const analysis = await model.analyzeFile(EDITED_MODULE, undefined, text);
    const diagnostics = (analysis?.forms ?? []).map((f) => diagnosticFor(f)).filter((d) => d !== undefined);
    const ms = performance.now() - t;
    if (!analysis || diagnostics.length === 0) throw new Error('the edited module gave no diagnostics');
    if (i >= 5) {
      // The first five warm up the JIT; the design counts steady-state editing.
      samples.push(ms);
      misses.push(analysis.compiledNow);
    }
  }
  const form = model.analysisOf(EDITED_MODULE)?.forms.find((f) => f.form.index === target.index);
  console.log(`sbcl    edit one form (${EDITED_MODULE} #${target.index} ${target.name ?? ''}, ${form?.result.status}; ${forms.length} forms, ${original.split('\n').length} lines; ` +
    `forms sent to SBCL per edit: ${Math.min(...misses)}–${Math.max(...misses)}): p50 ${percentile(samples, 0.5).toFixed(1)} ms · ${stats(samples)}   target p95 < 50 ms beyond the debounce: ${verdict(percentile(samples, 0.95) < 50)}`);
  await model.analyzeFile(EDITED_MODULE); // back to the file's own text
}

if (require.main === module) {
  const checkout = process.argv[2] ?? process.env.CLYSM_CHECKOUT;
  if (!checkout || !fs.existsSync(path.join(checkout, 'clysm.asd'))) {
    console.error('usage: node dist/bench-sbcl.js CHECKOUT   (a Clysm checkout: the folder with clysm.asd; or set CLYSM_CHECKOUT)');
    process.exit(2);
  }
  void benchSbclCheckout(path.resolve(checkout)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
