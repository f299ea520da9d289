// The self-hosting loop on a real Clysm checkout (issue 12): save → delta for a one-defun change
// of func-section.lisp, the warm re-check of every form under a new compiler generation, and
// cold starts with and without a saved core, each next to its target, with the machine's load.
//   node dist/bench-loop.js [CHECKOUT]   (default $CLYSM_CHECKOUT; Node 24 so V8 validates)
// The checkout is never written: the loop runs on a copy in the temp folder (kept between runs,
// so its fasls are compiled once). Speed is measured here, never in tests.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SbclBackend } from '../../server/src/backends/sbcl/sbclBackend';
import { CompilerReloadLoop } from '../../server/src/workspace/compilerReload';
import { ResultCache } from '../../server/src/workspace/resultCache';
import { DiskFiles } from '../../server/src/workspace/workspaceFiles';
import { WorkspaceModel } from '../../server/src/workspace/workspaceModel';

const EDITED = 'src/clysm/compiler/codegen/func-section.lisp';
const SAVES = 12;
/** Enough cold starts for a p95 that is not simply the worst run of three. */
const COLD_RUNS = 9;

function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** p50 and p95 of the samples, and the verdict on the percentile `q` that the target is set on. */
function line(label: string, samples: number[], targetMs: number, q = 0.95): string {
  const p50 = percentile(samples, 0.5);
  const p95 = percentile(samples, 0.95);
  const verdict = percentile(samples, q) <= targetMs ? 'meets target' : 'MISSES target';
  return `loop    ${label}: p50 ${p50.toFixed(0)} ms · p95 ${p95.toFixed(0)} ms · n=${samples.length}   target ≤ ${targetMs} ms (p${Math.round(q * 100)}): ${verdict}`;
}

/** The i-th edit of the first defun: i extra spaces after `(defun`, so that no two saves give
 * the same text, hence the same compiler generation (the sources' hash): a repeated text
 * would find every form in the cache and measure nothing. */
function editedText(original: string, i: number): string {
  const at = original.indexOf('(defun ');
  return `${original.slice(0, at)}(defun ${' '.repeat(i + 1)}${original.slice(at + '(defun '.length)}`;
}

/** `p50 N ms` of the samples: the parts of a cold start, to see where its time goes. */
function stat(samples: number[]): string {
  return `p50 ${percentile(samples, 0.5).toFixed(0)} ms`;
}

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average ${os.loadavg().map((n) => n.toFixed(2)).join(', ')}`;
  }
}

/** A private copy of the checkout (no .git), refreshed from it, so edits never touch the original. */
function benchCopy(checkout: string): string {
  const copy = path.join(os.tmpdir(), 'clysm-selfhost-loop-bench');
  fs.cpSync(checkout, copy, { recursive: true, preserveTimestamps: true, filter: (source) => path.basename(source) !== '.git' });
  return copy;
}

async function started(
  root: string,
  coreCacheDir: string | undefined,
  log: (line: string) => void = () => undefined,
): Promise<{ backend: SbclBackend; model: WorkspaceModel; startMs: number; analyzeMs: number }> {
  const backend = new SbclBackend({ workspaceRoot: root, coreCacheDir, log });
  const t0 = performance.now();
  const status = await backend.start();
  if (status.state !== 'ready') throw new Error(`SBCL backend did not start: ${status.message}`);
  const t1 = performance.now();
  const model = new WorkspaceModel(new DiskFiles(root), backend, new ResultCache(), null);
  await model.analyzeAll();
  return { backend, model, startMs: t1 - t0, analyzeMs: performance.now() - t1 };
}

export async function benchSelfhostLoop(checkout: string): Promise<void> {
  console.log(`loop    ${uptime()}`);
  const root = benchCopy(checkout);
  const edited = path.join(root, EDITED);
  const original = fs.readFileSync(edited, 'utf8');
  // Restored with its time too, so that the fasls compiled from it stay valid for cold starts.
  const { atime, mtime } = fs.statSync(edited);
  const restore = (): void => {
    fs.writeFileSync(edited, original);
    fs.utimesSync(edited, atime, mtime);
  };
  const cores = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-loop-cores-'));
  try {
    let coreSaved: (line: string) => void = () => undefined;
    const saved = new Promise<string>((resolve) => {
      coreSaved = resolve;
    });
    const first = await started(root, cores, (entry) => {
      if (/saved core|saving a core did not work/.test(entry)) coreSaved(entry);
    });
    console.log(`loop    first start ${first.startMs.toFixed(0)} ms, ${first.model.allForms().length} forms analysed in ${first.analyzeMs.toFixed(0)} ms`);
    // The core is saved in the background: let it finish before measuring anything else.
    console.log(`loop    ${(await saved).replace(/^\[sbcl\] /, '')}`);
    const rechecks: number[] = [];
    const reloads: number[] = [];
    /** Forms sent to SBCL by each re-check (cache misses): all of them when the generation is new. */
    const sent: number[] = [];
    const loop = new CompilerReloadLoop({
      compiler: () => first.backend,
      forms: () => first.model.allForms(),
      recheckAll: async () => {
        const t = performance.now();
        sent.push(await first.model.analyzeAll());
        rechecks.push(performance.now() - t);
      },
      relativePath: (file) => path.relative(root, file),
      log: () => undefined,
      changed: () => undefined,
    });
    const deltas: number[] = [];
    let last = '';
    for (let i = 0; i < SAVES; i++) {
      const t = Date.now();
      fs.writeFileSync(edited, editedText(original, i));
      const change = await loop.filesChanged([edited], t);
      if (!change) throw new Error('no delta');
      deltas.push(change.ms);
      reloads.push(change.ms - rechecks[rechecks.length - 1]);
      last = `${change.text}; reload ${change.reload.mode}, ${change.reload.forms} form(s)`;
    }
    restore();
    console.log(`loop    last delta: ${last}`);
    console.log(`loop    forms sent to SBCL per re-check: ${sent.join(', ')} (of ${first.model.allForms().length})`);
    console.log(line('save → delta, one defun of func-section.lisp', deltas, 1000));
    console.log(line('  of which the reload in the image', reloads, 1000));
    console.log(line(`warm re-check of all ${first.model.allForms().length} forms (new generation)`, rechecks, 300));
    await first.backend.dispose();

    // Cold starts: the core saved after the first start, then none.
    const withCore: number[] = [];
    const without: number[] = [];
    const [withCoreStart, withCoreAnalysis, withoutStart, withoutAnalysis]: number[][] = [[], [], [], []];
    for (let i = 0; i < COLD_RUNS; i++) {
      const cold = await started(root, cores);
      withCore.push(cold.startMs + cold.analyzeMs);
      withCoreStart.push(cold.startMs);
      withCoreAnalysis.push(cold.analyzeMs);
      await cold.backend.dispose();
      const bare = await started(root, undefined);
      without.push(bare.startMs + bare.analyzeMs);
      withoutStart.push(bare.startMs);
      withoutAnalysis.push(bare.analyzeMs);
      await bare.backend.dispose();
    }
    console.log(`loop    cold start, saved core: start ${stat(withCoreStart)} + analysis ${stat(withCoreAnalysis)}`);
    console.log(`loop    cold start, no core:    start ${stat(withoutStart)} + analysis ${stat(withoutAnalysis)}`);
    console.log(line('cold start + every form, saved core (if one was saved in time)', withCore, 500, 0.5));
    console.log(line('cold start + every form, no saved core', without, 1500, 0.5));
  } finally {
    restore();
    fs.rmSync(cores, { recursive: true, force: true });
    console.log(`loop    ${uptime()}`);
  }
}
