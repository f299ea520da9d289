// `npm run bench`: prints the numbers behind the design targets. Speed is measured here,
// never in tests. Set CLYSM_CHECKOUT to a Clysm checkout to also time its largest module.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stage0Backend } from '../../server/src/backends/stage0/backend';
import { EmbeddedV8Engine } from '../../server/src/backends/stage0/v8Engine';
import { readTopLevelForms } from '../../server/src/reader';
import { selectBackend } from '../../server/src/backends/createBackend';
import { DiskFiles } from '../../server/src/workspace/workspaceFiles';
import { resolveWorkspaceModules } from '../../server/src/workspace/workspaceModel';
import { adversarialLispInputs } from '../../test/support/adversarialLisp';
import { generateLargeModule } from './largeModule';
import { benchWorkspace } from './workspaceBench';
import { benchWasmReader } from './wasmSections';
import { benchFlood } from './floodBench';
import { benchSelfhostLoop } from './selfhostLoop';
import { benchGeneratorRace } from './generatorRace';

const root = path.resolve(__dirname, '..');
const exampleWorkspace = path.join(root, 'examples', 'workspace');

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return `median ${at(0.5).toFixed(3)} ms · p95 ${at(0.95).toFixed(3)} ms · min ${sorted[0].toFixed(3)} ms · n=${sorted.length}`;
}

function time<T>(work: () => T): [T, number] {
  const start = performance.now();
  const value = work();
  return [value, performance.now() - start];
}

async function timeAsync<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await work();
  return [value, performance.now() - start];
}

function benchReader(label: string, text: string): void {
  const lines = text.split('\n').length;
  let forms = 0;
  for (let i = 0; i < 5; i++) forms = readTopLevelForms(text).length; // warm-up
  const samples: number[] = [];
  for (let i = 0; i < 30; i++) samples.push(time(() => readTopLevelForms(text))[1]);
  console.log(`reader  ${label} (${lines} lines, ${forms} forms): ${stats(samples)}   target < 10 ms`);
}

/** The fuzz test's adversarial inputs (~150 KB each): a reader that rescans would be quadratic on them. */
function benchAdversarialReader(): void {
  for (const [label, text] of Object.entries(adversarialLispInputs(root))) {
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) samples.push(time(() => readTopLevelForms(text))[1]);
    console.log(`reader  adversarial: ${label} (${text.length} chars): ${stats(samples)}   target < 250 ms (linear)`);
  }
}

async function benchEngine(): Promise<void> {
  const stage0 = fs.readFileSync(path.join(exampleWorkspace, 'dist', 'clysm-stage0.wasm'));
  const workerScript = path.join(root, 'dist', 'stage0-worker.js');
  const loads: number[] = [];
  for (let i = 0; i < 10; i++) {
    const engine = new EmbeddedV8Engine({ workerScript, workspaceRoot: exampleWorkspace, modules: [], outputDir: path.join(exampleWorkspace, 'dist') });
    loads.push((await timeAsync(() => engine.load(stage0)))[1]);
    await engine.dispose();
  }
  console.log(`engine  worker start + compile + instantiate fixture Stage 0 (${stage0.length} bytes): ${stats(loads)}`);

  const backend = new Stage0Backend({ workspaceRoot: exampleWorkspace, stage0Path: 'dist/clysm-stage0.wasm', timeoutMs: 5000, modules: [], outputDir: path.join(exampleWorkspace, 'dist'), workerScript });
  const [, startMs] = await timeAsync(() => backend.start());
  console.log(`engine  Stage 0 backend start (runtime probe + load + (+ 1 2) probe): ${startMs.toFixed(3)} ms`);
  const forms = [
    '(defun add1 (x) (+ x 1))',
    '(defun encode (value) (let ((byte (logand value 127))) (emit-byte byte)))',
    '(defconstant +tag+ 3)',
    '(defvar *counter* 0)',
  ];
  for (let i = 0; i < 50; i++) await backend.compileForm({ formId: '1:0', text: forms[i % forms.length], package: 'CL-USER' });
  const perForm: number[] = [];
  for (let i = 0; i < 1000; i++) {
    perForm.push((await timeAsync(() => backend.compileForm({ formId: '1:0', text: forms[i % forms.length], package: 'CL-USER' })))[1]);
  }
  console.log(`engine  per-form compile through the worker (round trip): ${stats(perForm)}`);
  await backend.dispose();
}

function benchCli(): void {
  const cli = path.join(root, 'dist', 'cli.js');
  const samples: number[] = [];
  let summary = '';
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, [cli, exampleWorkspace, '--json'], { encoding: 'utf8' });
    samples.push(performance.now() - start);
    if (r.status !== 0 && r.status !== 1) throw new Error(`clysm-check failed: ${r.stderr}`);
    const report = JSON.parse(r.stdout) as { summary: { total: number; compiled: number; coverage_pct: number } };
    summary = `${report.summary.total} forms, ${report.summary.compiled} compiled, ${report.summary.coverage_pct}%`;
  }
  console.log(`cli     clysm-check --json on the example workspace (${summary}), whole process: ${stats(samples)}`);
}

/** The example workspace plus a generated 400-form module, on the fixture Stage 0. */
async function benchFixtureWorkspace(): Promise<void> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-bench-ws-'));
  try {
    fs.cpSync(exampleWorkspace, workspace, { recursive: true });
    const large = 'src/zz/large-module.lisp';
    fs.mkdirSync(path.join(workspace, 'src/zz'), { recursive: true });
    fs.writeFileSync(path.join(workspace, large), generateLargeModule(13_605, 400));
    const modules = resolveWorkspaceModules(new DiskFiles(workspace), null).modules;
    const t0 = performance.now();
    const { backend, status } = await selectBackend({ mode: 'stage0', workspaceRoot: workspace, stage0Path: 'dist/clysm-stage0.wasm', timeoutMs: 5000, modules });
    const startMs = performance.now() - t0;
    if (status.state !== 'ready') throw new Error(`fixture Stage 0 not ready: ${status.message}`);
    try {
      await benchWorkspace({ label: 'workspace[fixture]', root: workspace, backend, editedModule: large, backendStartMs: startMs });
    } finally {
      await backend.dispose();
    }
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

/** The same numbers on a real Clysm checkout with the SBCL backend (cold = a new SBCL process). */
async function benchSbclWorkspace(checkout: string): Promise<void> {
  const modules = resolveWorkspaceModules(new DiskFiles(checkout), null).modules;
  const t0 = performance.now();
  const { backend, status } = await selectBackend({ mode: 'sbcl', workspaceRoot: checkout, stage0Path: 'dist/clysm-stage0.wasm', timeoutMs: 5000, modules });
  const startMs = performance.now() - t0;
  try {
    if (status.state !== 'ready') {
      console.log(`workspace[sbcl]  skipped: ${status.message}`);
      return;
    }
    await benchWorkspace({
      label: 'workspace[sbcl]',
      root: checkout,
      backend,
      editedModule: 'src/clysm/compiler/codegen/func-section.lisp',
      backendStartMs: startMs,
    });
  } finally {
    await backend.dispose();
  }
}

/** The language server under an edit flood, with the default debounce and with none. */
async function benchServerFlood(): Promise<void> {
  await benchFlood(300);
  await benchFlood(0);
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, V8 ${process.versions.v8}, ${process.platform}/${process.arch}`);
  // `node dist/bench.js flood` runs only the flood benchmark.
  if (process.argv[2] === 'flood') return benchServerFlood();
  benchReader('generated module', generateLargeModule(13_605, 409));
  benchAdversarialReader();
  const checkout = process.env.CLYSM_CHECKOUT;
  if (checkout) {
    const funcSection = path.join(checkout, 'src/clysm/compiler/codegen/func-section.lisp');
    if (fs.existsSync(funcSection)) benchReader('Clysm func-section.lisp', fs.readFileSync(funcSection, 'utf8'));
  }
  await benchEngine();
  benchCli();
  console.log(benchWasmReader());
  await benchFixtureWorkspace();
  console.log((await (await import('./manyModules.js')).benchManyModules(root)).join('\n'));
  await benchServerFlood();
  if (checkout) await benchSbclWorkspace(checkout);
  if (checkout) await benchSelfhostLoop(checkout);
  if (checkout) await benchGeneratorRace(checkout);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
