// clysm-check --backend sbcl with saved cores, on a throwaway copy of the stand-in `clysm`
// system (a test double, not Clysm): a run that finds no core saves one before it exits, the
// next run starts from it, --no-cache saves nothing, a changed source makes the core unused,
// an unusable cache folder costs one warning line, and SIGTERM while a core is being saved
// ends every process of the run and leaves no partial core. The results are the same in all.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CheckReport } from '../../server/src/report/checkReport';
import { distDir, repoRoot } from '../support/repo';

/** The one line a run that saved a core prints. */
const SAVED = /^clysm-check: saved an SBCL core for the next runs in \d+\.\d s \(.*\.core\)$/m;
const NEXT_RUNS = 'for the next runs';
const FROM_CORE = 'from a saved core';

interface Run {
  code: number | null;
  report: CheckReport;
  stderr: string;
}

function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** One whole run through the launcher; XDG_CACHE_HOME makes the default cache folder a temporary one. */
function check(workspace: string, xdgCache: string, extra: string[] = []): Run {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'clysm-check'), workspace, '--backend', 'sbcl', '--json', '--verbose', ...extra], {
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, XDG_CACHE_HOME: xdgCache },
  });
  assert.ok(r.stdout.length > 0, r.stderr);
  return { code: r.status, report: JSON.parse(r.stdout) as CheckReport, stderr: r.stderr };
}

/** The verbose line that says how the SBCL image started. */
function startLine(run: Run): string {
  const line = /\[clysm\] backend sbcl: .*/.exec(run.stderr);
  assert.ok(line, run.stderr);
  return line[0];
}

function filesUnder(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort() : [];
}

/** What a run found, without what may differ between runs (durations). */
function results(run: Run): unknown {
  return { summary: run.report.summary, forms: run.report.forms.map((f) => [f.id, f.status, f.category, f.message]) };
}

describe('clysm-check with saved SBCL cores', () => {
  let workspace: string;
  let xdg: string;
  let cores: string;
  let first: Run;
  const scratch: string[] = [];

  before(() => {
    workspace = tempDir('clysm-cli-cores-');
    fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'clysm-standin'), workspace, { recursive: true });
    xdg = tempDir('clysm-cli-xdg-');
    cores = path.join(xdg, 'clysm-check', 'cores');
    scratch.push(workspace, xdg);
  });
  after(() => scratch.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('saves a core in the default cache folder on a first run, and says so on stderr', () => {
    first = check(workspace, xdg);
    assert.doesNotMatch(startLine(first), new RegExp(FROM_CORE));
    assert.match(first.stderr, SAVED);
    assert.equal(first.stderr.split(NEXT_RUNS).length, 2, 'said once');
    assert.equal(filesUnder(cores).filter((f) => f.endsWith('.core')).length, 1, filesUnder(cores).join(', '));
    assert.deepEqual(filesUnder(cores).filter((f) => f.includes('partial')), []);
    assert.ok(first.report.summary.total > 0);
  });

  it('starts the second run from that core, saves nothing more, and finds the same results', () => {
    const before = filesUnder(cores);
    const second = check(workspace, xdg);
    assert.match(startLine(second), new RegExp(FROM_CORE));
    assert.ok(!second.stderr.includes(NEXT_RUNS), second.stderr);
    assert.deepEqual(filesUnder(cores), before);
    assert.equal(second.code, first.code);
    assert.deepEqual(results(second), results(first));
  });

  it('uses and saves nothing with --no-cache, with the same results', () => {
    const elsewhere = tempDir('clysm-cli-xdg-none-');
    scratch.push(elsewhere);
    const run = check(workspace, elsewhere, ['--no-cache']);
    assert.doesNotMatch(startLine(run), new RegExp(FROM_CORE));
    assert.ok(!run.stderr.includes(NEXT_RUNS), run.stderr);
    assert.ok(!fs.existsSync(path.join(elsewhere, 'clysm-check')), 'no cache folder made');
    assert.deepEqual(results(run), results(first));
  });

  it('does not start from the core once a source of the system changed, and saves a new one in its place', () => {
    const before = filesUnder(cores).filter((f) => f.endsWith('.core'));
    fs.appendFileSync(path.join(workspace, 'src', 'compiler.lisp'), '\n;; edited after the core was saved\n');
    const run = check(workspace, xdg);
    assert.doesNotMatch(startLine(run), new RegExp(FROM_CORE));
    assert.match(run.stderr, SAVED);
    const now = filesUnder(cores).filter((f) => f.endsWith('.core'));
    assert.equal(now.length, 1);
    assert.notDeepEqual(now, before, 'the stale core is replaced');
    assert.deepEqual(results(run), results(first));
  });

  it('warns in one line and runs without a core when the cache folder cannot be used', () => {
    const blocker = path.join(tempDir('clysm-cli-badcache-'), 'not-a-folder');
    scratch.push(path.dirname(blocker));
    fs.writeFileSync(blocker, 'a file where the cache folder should be\n');
    const run = check(workspace, xdg, ['--cache', blocker]);
    const warnings = run.stderr.split('\n').filter((l) => l.startsWith('clysm-check: warning:'));
    assert.equal(warnings.length, 1, run.stderr);
    assert.match(warnings[0], new RegExp(`the cache folder ${blocker}.*cannot be used \\(.+\\); running without a saved core$`));
    assert.ok(!run.stderr.includes(NEXT_RUNS), run.stderr);
    assert.equal(fs.readFileSync(blocker, 'utf8'), 'a file where the cache folder should be\n', 'nothing overwritten');
    assert.deepEqual(results(run), results(first));
  });

  it('on SIGTERM while the core is being written, ends the builder with the run and leaves no partial core', async () => {
    const fresh = tempDir('clysm-cli-xdg-term-');
    scratch.push(fresh);
    // dist/cli.js directly, leading a process group of its own, so that what is left of the run can be looked up by group.
    const child = spawn(process.execPath, [path.join(distDir, 'cli.js'), workspace, '--backend', 'sbcl', '--json', '--verbose'], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, XDG_CACHE_HOME: fresh },
    });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('[sbcl] saving a core for the next starts')) resolve();
      });
      child.once('exit', () => reject(new Error(`clysm-check ended before saving a core: ${stderr}`)));
    });
    // The builder made the folder before it started: signal once it is writing the core.
    await fileAppears(path.join(fresh, 'clysm-check', 'cores'), (name) => name.endsWith('.partial'));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.kill('SIGTERM');
    assert.equal(await exited, 'SIGTERM', stderr);
    assert.deepEqual(filesUnder(path.join(fresh, 'clysm-check', 'cores')).filter((f) => f.includes('partial')), []);
    assert.deepEqual(processesInGroup(child.pid!), [], 'the driver and the core builder ended with the run');
  });
});

/** Resolves once a file of `dir` matches `wanted` (it may be there already): a watch, no polling. */
function fileAppears(dir: string, wanted: (name: string) => boolean): Promise<void> {
  return new Promise((resolve) => {
    const watcher = fs.watch(dir, (_event, name) => {
      if (name && wanted(name)) done();
    });
    const done = (): void => {
      watcher.close();
      resolve();
    };
    if (fs.readdirSync(dir).some(wanted)) done();
  });
}

/** Live (not zombie) processes whose process group is `pgid` (Linux /proc). */
function processesInGroup(pgid: number): string[] {
  const live: string[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // ended while we looked
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its closing parenthesis.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') live.push(`${entry} ${stat.slice(0, stat.lastIndexOf(')') + 1)}`);
  }
  return live;
}
