// Whole-workspace analysis time against the number of files (issue 10 item 11): clysm-check
// and the language server's WorkspaceSession on generated workspaces of 1,000 / 2,500 / 5,000 modules
// with the fixture Stage 0. Linear
// means a flat time per file; the target is per-file time at 5,000 over that at 1,000 ≤ 1.5.
// Each size runs RUNS times and keeps the fastest, as the machine is shared.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultServerSettings } from '../../server/src/protocol';
import { WorkspaceSession } from '../../server/src/workspaceSession';

const SIZES = [1000, 2500, 5000];
const TARGET_RATIO = 1.5;
const RUNS = 3;

/** Five forms per module, two of them directives, so every module re-keys the ones after it. */
function moduleText(i: number): string {
  return `(in-package #:clysm)\n(defmacro m${i} (x) \`(+ ,x 1))\n(defun f${i} (x) (+ x 1))\n(defvar *v${i}* 0)\n(defun g${i} (y) (f${i} y))\n`;
}

function generateWorkspace(root: string, files: number, stage0: string): void {
  fs.mkdirSync(path.join(root, 'src', 'm'), { recursive: true });
  fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
  fs.copyFileSync(stage0, path.join(root, 'dist', 'clysm-stage0.wasm'));
  for (let i = 1; i <= files; i++) fs.writeFileSync(path.join(root, 'src', 'm', `mod${String(i).padStart(5, '0')}.lisp`), moduleText(i));
}

interface Timed {
  ms: number;
  forms: number;
}

/** The whole process of `clysm-check --json`. */
function timeCli(cli: string, root: string): Timed {
  const started = performance.now();
  const run = spawnSync(process.execPath, [cli, root, '--json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const ms = performance.now() - started;
  if (run.status !== 0 && run.status !== 1) throw new Error(`clysm-check failed on ${root}: ${run.stderr.slice(0, 500)}`);
  return { ms, forms: (JSON.parse(run.stdout) as { summary: { total: number } }).summary.total };
}

/** A language-server WorkspaceSession from start() to the end of its whole-workspace run. */
async function timeSession(root: string): Promise<Timed> {
  let settled: () => void = () => undefined;
  const analysed = new Promise<void>((resolve) => (settled = resolve));
  const session = new WorkspaceSession(root, { ...defaultServerSettings, diagnosticsDelayMs: 0 }, {
    log: (m) => m.startsWith('workspace analysed') && settled(),
    statusChanged: () => undefined,
    resultsChanged: () => undefined,
    backendProblem: () => undefined,
    progress: () => undefined,
  });
  const started = performance.now();
  await session.start();
  await analysed;
  const ms = performance.now() - started;
  const forms = session.status().summary.total;
  await session.dispose();
  return { ms, forms };
}

/** Best of RUNS at each size, per file, and the growth of the per-file time. */
async function measure(label: string, repoRoot: string, time: (root: string) => Timed | Promise<Timed>): Promise<string[]> {
  const stage0 = path.join(repoRoot, 'examples', 'workspace', 'dist', 'clysm-stage0.wasm');
  const lines: string[] = [];
  const perFile: number[] = [];
  for (const files of SIZES) {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-bench-many-'));
    try {
      generateWorkspace(root, files, stage0);
      let best: Timed = { ms: Infinity, forms: 0 };
      for (let i = 0; i < RUNS; i++) {
        const timed = await time(root);
        if (timed.ms < best.ms) best = timed;
      }
      perFile.push(best.ms / files);
      lines.push(`scale   ${label} on ${files} files (${best.forms} forms), best of ${RUNS}: ${(best.ms / 1000).toFixed(2)} s, ${(best.ms / files).toFixed(3)} ms/file`);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  const ratio = perFile[perFile.length - 1] / perFile[0];
  lines.push(`scale   ${label}: per-file time at ${SIZES[SIZES.length - 1]} files / at ${SIZES[0]} files ${ratio.toFixed(2)}   target linear: ≤ ${TARGET_RATIO} ${ratio <= TARGET_RATIO ? '(met)' : '(MISSED)'}`);
  return lines;
}

/** Returns the report lines: the CLI, then the WorkspaceSession, then the machine's load. */
export async function benchManyModules(repoRoot: string): Promise<string[]> {
  const cli = path.join(repoRoot, 'dist', 'cli.js');
  const lines = [...(await measure('clysm-check', repoRoot, (root) => timeCli(cli, root))), ...(await measure('server WorkspaceSession', repoRoot, timeSession))];
  lines.push(`scale   load average (1/5/15 min, as uptime prints it): ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores`);
  return lines;
}
