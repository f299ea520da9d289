// clysm-check against Clysm's own Stage 1 generator on a real Clysm checkout (issue 12), both
// timed as whole processes, interleaved, from their start to their exit:
//   (a) `clysm-check --backend sbcl --json CHECKOUT`, starting from a saved core (the default
//       cache folder's), after one untimed run that saves it; no --cache, which would also
//       reuse stored results (that run is printed too, for reference, not for the target);
//   (b) `sbcl --non-interactive --load build/stage1-complete.lisp`, Clysm's generator, on a
//       private copy of the checkout (it writes dist/ there), after one untimed run that
//       compiles its fasls.
// The generator runs `wasm-tools validate` once per form; a stand-in written here answers it
// at native speed by checking only the magic and version, so the generator's figure is a lower
// bound and the ratio is conservative.
//   node dist/bench-generator.js [CHECKOUT] [--runs N]   (default $CLYSM_CHECKOUT, 5 runs)
// The checkout itself is never written. Speed is measured here, never in tests.
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diesWithParent } from '../../server/src/util/diesWithParent';
import { percentile, uptime } from './sampleStats';

const TARGET_RATIO = 5;
const RUN_LIMIT_MS = 600_000;
const GENERATOR_SCRIPT = 'build/stage1-complete.lisp';

interface Timed {
  ms: number;
  code: number | null;
  /** The end of stderr, to say why a run failed. */
  stderrTail: string;
}

/** Runs a command to its exit (killed after RUN_LIMIT_MS; dies with this process) and times it. */
function timed(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Timed> {
  const wrapped = diesWithParent({ command, args });
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(wrapped.command, wrapped.args, { ...options, stdio: ['ignore', 'ignore', 'pipe'], timeout: RUN_LIMIT_MS });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ ms: performance.now() - started, code, stderrTail: stderr.trim().split('\n').slice(-3).join(' | ') }));
  });
}

/** A folder holding `wasm-tools`: a tiny C program if cc works, else a /bin/sh script. Both check the magic and version only. */
function wasmToolsStandIn(folder: string): string {
  fs.mkdirSync(folder, { recursive: true });
  const exe = path.join(folder, 'wasm-tools');
  const source = path.join(folder, 'wasm-tools.c');
  fs.writeFileSync(
    source,
    `/* Bench stand-in for wasm-tools: "validate FILE" checks the Wasm magic and version only. */
#include <stdio.h>
#include <string.h>
int main(int argc, char **argv) {
  static const unsigned char header[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  unsigned char head[8];
  FILE *f;
  size_t n;
  if (argc != 3 || strcmp(argv[1], "validate") != 0) { fputs("wasm-tools stand-in: only validate FILE\\n", stderr); return 2; }
  f = fopen(argv[2], "rb");
  if (!f) return 1;
  n = fread(head, 1, 8, f);
  fclose(f);
  return n == 8 && memcmp(head, header, 8) == 0 ? 0 : 1;
}
`,
  );
  try {
    execFileSync('cc', ['-O2', '-o', exe, source], { stdio: 'ignore' });
    return 'a compiled C program';
  } catch {
    fs.writeFileSync(
      exe,
      '#!/bin/sh\n# Bench stand-in for wasm-tools: "validate FILE" checks the Wasm magic and version only.\n' +
        '[ "$1" = validate ] && [ $# -eq 2 ] || { echo "wasm-tools stand-in: only validate FILE" >&2; exit 2; }\n' +
        '[ "$(head -c 8 "$2" | od -An -tx1 | tr -d " \\n")" = 0061736d01000000 ]\n',
    );
    fs.chmodSync(exe, 0o755);
    return 'a /bin/sh script (cc did not work)';
  }
}

/**
 * A fresh private copy of the checkout (no .git, an empty dist/) at the same path on every bench
 * run: ASDF keeps fasls by path and checks them by time, so they are compiled once.
 */
function generatorCopy(checkout: string, copy: string): void {
  fs.rmSync(copy, { recursive: true, force: true });
  fs.cpSync(checkout, copy, { recursive: true, preserveTimestamps: true, filter: (source) => !['.git', 'dist'].includes(path.relative(checkout, source)) });
  fs.mkdirSync(path.join(copy, 'dist'));
}

function summary(samples: number[]): string {
  return `median ${percentile(samples, 0.5).toFixed(0)} ms · p95 ${percentile(samples, 0.95).toFixed(0)} ms · n=${samples.length}`;
}

export async function benchGeneratorRace(checkout: string, runs = 5): Promise<void> {
  const root = path.resolve(checkout);
  if (!fs.existsSync(path.join(root, GENERATOR_SCRIPT))) {
    console.log(`race    skipped: ${root} has no ${GENERATOR_SCRIPT}`);
    return;
  }
  console.log(`race    before: ${uptime()}`);
  const work = path.join(os.tmpdir(), 'clysm-generator-race');
  const copy = path.join(work, 'checkout');
  const standIn = wasmToolsStandIn(path.join(work, 'bin'));
  generatorCopy(root, copy);
  const generatorEnv = {
    ...process.env,
    PATH: `${path.join(work, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`,
    // What Clysm's development shell sets, so that ASDF finds the copy's clysm.asd.
    CL_SOURCE_REGISTRY: `(:source-registry (:directory ${JSON.stringify(copy)}) :inherit-configuration)`,
  };
  const launcher = path.resolve(__dirname, '..', 'bin', 'clysm-check');
  const cli = (): Promise<Timed> => timed(process.execPath, [launcher, '--backend', 'sbcl', '--json', root]);
  // An explicit --cache also keeps per-form results: that run compiles nothing (shown for reference only).
  const cliStored = (): Promise<Timed> => timed(process.execPath, [launcher, '--backend', 'sbcl', '--json', root, '--cache', path.join(work, 'cli-cache')]);
  const generator = (): Promise<Timed> => timed('sbcl', ['--non-interactive', '--load', GENERATOR_SCRIPT], { cwd: copy, env: generatorEnv });
  const cliProblem = (run: Timed): string | undefined => (run.code === 0 || run.code === 1 ? undefined : `clysm-check exited ${run.code}: ${run.stderrTail}`);
  const generatorProblem = (run: Timed): string | undefined =>
    run.code === 0 && fs.existsSync(path.join(copy, 'dist', 'stage1-report.json')) ? undefined : `the generator exited ${run.code}: ${run.stderrTail}`;

  // Untimed: the CLI saves its core if it has none; the generator compiles its fasls.
  const cliFirst = await cli();
  const storedFirst = await cliStored();
  const generatorFirst = await generator();
  const failed = [cliProblem(cliFirst), cliProblem(storedFirst), generatorProblem(generatorFirst)].filter((problem) => problem !== undefined);
  if (failed.length > 0) {
    console.log(`race    skipped: ${failed.join('; ')}`);
    return;
  }
  const saved = (run: Timed): string => (/saved an SBCL core/.test(run.stderrTail) ? 'saved a core' : 'a core was there');
  console.log(`race    untimed first runs: clysm-check ${(cliFirst.ms / 1000).toFixed(1)} s (${saved(cliFirst)}), with --cache ${(storedFirst.ms / 1000).toFixed(1)} s (${saved(storedFirst)}), generator ${(generatorFirst.ms / 1000).toFixed(1)} s`);

  const cliMs: number[] = [];
  const storedMs: number[] = [];
  const generatorMs: number[] = [];
  const warm = (run: Timed): Timed => {
    const problem = cliProblem(run) ?? (/for the next runs/.test(run.stderrTail) ? `clysm-check did not start from its saved core: ${run.stderrTail}` : undefined);
    if (problem) throw new Error(problem);
    return run;
  };
  for (let i = 0; i < runs; i++) {
    cliMs.push(warm(await cli()).ms);
    const g = await generator();
    const problem = generatorProblem(g);
    if (problem) throw new Error(problem);
    generatorMs.push(g.ms);
    storedMs.push(warm(await cliStored()).ms);
  }
  const generatorMedian = percentile(generatorMs, 0.5);
  const ratio = generatorMedian / percentile(cliMs, 0.5);
  console.log(`race    (a) clysm-check --backend sbcl --json CHECKOUT (Node ${process.version}, warm saved core, every form compiled, whole process): ${summary(cliMs)}`);
  console.log(`race    (b) Clysm's generator, sbcl --non-interactive --load ${GENERATOR_SCRIPT} (whole process; wasm-tools is a stand-in, ${standIn}, that checks the header and does not validate: a lower bound): ${summary(generatorMs)}`);
  console.log(`race    (b)/(a), ratio of medians: ${ratio.toFixed(1)}×   target ≥ ${TARGET_RATIO}×: ${ratio >= TARGET_RATIO ? 'meets target' : 'MISSES target'}`);
  console.log(`race    for reference, (a) with --cache DIR (stored results too: no form compiled): ${summary(storedMs)}, (b)/that ${(generatorMedian / percentile(storedMs, 0.5)).toFixed(1)}×`);
  console.log(`race    after: ${uptime()}`);
}
