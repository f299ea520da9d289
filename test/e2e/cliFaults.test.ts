// clysm-check against misbehaving Stage 0 binaries and forms that make Stage 0 trap or loop:
// the run always completes, and setup problems exit 2 with a message naming the problem; and
// the bin/clysm-check launcher does not leave the CLI running when it is killed.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { CheckReport } from '../../server/src/report/checkReport';
import { copyExampleWorkspace, distDir, fixtureDir, repoRoot } from '../support/repo';

function runCli(args: string[]): { code: number | null; stdout: string; stderr: string; ms: number } {
  const started = Date.now();
  const r = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - started };
}

describe('clysm-check with a Stage 0 that traps or loops', () => {
  let workspace: string;
  before(() => {
    workspace = copyExampleWorkspace();
    // The fixture Stage 0 (a test double) traps on %fixture-trap and never returns on %fixture-loop.
    fs.writeFileSync(
      path.join(workspace, 'src', 'zz-faults.lisp'),
      '(in-package #:demo)\n(defun boom () (%fixture-trap))\n(defun spin () (%fixture-loop))\n(defun after-spin (x) (+ x 1))\n',
    );
  });
  after(() => fs.rmSync(workspace, { recursive: true, force: true }));

  it('marks the trapping form failed and the looping form timeout, and the run completes', () => {
    const r = runCli([workspace, '--json', '--timeout-ms', '400']);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as CheckReport;
    const byName = new Map(report.forms.filter((f) => f.file === 'src/zz-faults.lisp').map((f) => [f.name, f]));
    assert.equal(byName.get('BOOM')?.status, 'failed');
    assert.equal(byName.get('BOOM')?.category, 'compiler-trap');
    assert.match(byName.get('BOOM')?.message ?? '', /unreachable/);
    assert.equal(byName.get('SPIN')?.status, 'timeout');
    // The worker was restarted: the next form compiles.
    assert.equal(byName.get('AFTER-SPIN')?.status, 'compiled');
    assert.equal(report.summary.timeout, 1);
    // Every other module still got its results (49 forms in the example workspace + 4 here).
    assert.equal(report.summary.total, 53);
    assert.ok(r.ms < 30_000, `took ${r.ms} ms`);
  });
});

describe('clysm-check with unusable Stage 0 binaries', () => {
  const cases: [string, RegExp][] = [
    ['stage0-corrupt.wasm', /not a WebAssembly module/],
    ['stage0-no-compile-form.wasm', /does not export compile_form/],
    ['stage0-unknown-import.wasm', /bogus/],
    ['stage0-stub.wasm', /this Stage 0 does not compile yet/],
    ['does-not-exist.wasm', /not found/i],
  ];
  for (const [file, message] of cases) {
    it(`${file}: exit 2 with a message naming the problem`, () => {
      const r = runCli(['--stage0', path.join(fixtureDir, file), '--backend', 'stage0']);
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '', 'no report when the backend cannot run');
    });
  }

  it('a usage error exits 2 with the usage text', () => {
    const r = runCli(['--frobnicate']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown option --frobnicate/);
    assert.match(r.stderr, /usage: clysm-check/);
  });
});

/** Resolves when `stream` has carried a line matching `pattern`. */
function lineOn(stream: Readable, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      const match = text.split('\n').find((line) => pattern.test(line));
      if (match === undefined) return;
      stream.off('data', onData);
      resolve(match);
    };
    stream.on('data', onData);
    stream.once('close', () => reject(new Error(`no line matching ${pattern}; got:\n${text}`)));
  });
}

/** Pids whose parent is `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false; // it exited meanwhile
      }
    })
    .map(Number);
}

/**
 * Gone, a zombie, or with SIGKILL or SIGTERM pending and neither caught nor blocked, so that it
 * can run no more code: which of these, else undefined.
 */
function deadOrDoomed(pid: number): string | undefined {
  let status: string;
  try {
    status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 'gone';
  }
  const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1] ?? '';
  const mask = (name: string): bigint => BigInt(`0x${field(name) || '0'}`);
  if (/^[ZX]/.test(field('State'))) return 'zombie';
  const fatal = (1n << 8n) | (1n << 14n); // SIGKILL (9), SIGTERM (15)
  const pending = (mask('ShdPnd') | mask('SigPnd')) & ~(mask('SigBlk') | mask('SigCgt') | mask('SigIgn'));
  return (pending & fatal) !== 0n ? 'being killed' : undefined;
}

function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

describe('the bin/clysm-check launcher (Linux: it reads /proc)', () => {
  let workspace: string;
  before(() => {
    workspace = copyExampleWorkspace();
    // The fixture Stage 0 (a test double) never returns on %fixture-loop.
    fs.writeFileSync(path.join(workspace, 'src', 'zz-loop.lisp'), '(in-package #:demo)\n(defun spin () (%fixture-loop))\n');
  });
  after(() => fs.rmSync(workspace, { recursive: true, force: true }));

  it('passes on the exit code of a run that ends by itself (the IPC channel keeps nothing alive)', () => {
    const r = spawnSync(process.execPath, ['--jitless', path.join(repoRoot, 'bin', 'clysm-check'), '--frobnicate'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /unknown option --frobnicate/);
  });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`takes the CLI it started and its Stage 0 worker down when it gets ${signal}`, async () => {
      // --jitless: a Node without WebAssembly, so the launcher re-runs the CLI on the pinned Node,
      // as it does on Node 20.
      const launcher: ChildProcess = spawn(
        process.execPath,
        ['--jitless', path.join(repoRoot, 'bin', 'clysm-check'), workspace, '--backend', 'stage0', '--timeout-ms', '600000', '--verbose'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const stdout = launcher.stdout!;
      const stderr = launcher.stderr!;
      stdout.resume();
      // The CLI inherited these pipes: they close when the launcher and the CLI have both exited.
      const pipesClosed = Promise.all([once(stdout, 'close'), once(stderr, 'close')]);
      const launcherExit = once(launcher, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      let survivors: number[] = [];
      try {
        await within(lineOn(stderr, /module \d+ of \d+: src\/zz-loop\.lisp/), 60_000, 'the CLI never reached the looping module');
        const [cli, ...others] = childrenOf(launcher.pid!);
        assert.equal(others.length, 0, 'the launcher starts one CLI');
        assert.ok(cli !== undefined, 'the launcher re-ran the CLI in a child process');
        const workers = childrenOf(cli);
        assert.ok(workers.length >= 1, 'the CLI runs Stage 0 in a worker process');
        survivors = [cli, ...workers];

        launcher.kill(signal);
        await within(pipesClosed, 20_000, `the CLI kept running after the launcher got ${signal}`);
        // A forwarded signal ends the CLI, and the launcher then ends the same way.
        assert.deepEqual(await launcherExit, [null, signal]);
        const alive = survivors.filter((pid) => deadOrDoomed(pid) === undefined);
        assert.deepEqual(alive, [], 'every process the launcher left behind has ended');
      } finally {
        launcher.kill('SIGKILL');
        for (const pid of survivors) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
    });
  }
});
