// clysm-check --watch --json on throwaway copies of the stand-in `clysm` system and of the
// example workspace (test doubles, not Clysm): the full result as one line, then one delta line
// per saved compiler change or Stage 0 rebuilt on disk, and a clean end on SIGTERM. Waits are
// on the lines the process prints.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { copyExampleWorkspace, fixtureDir, repoRoot } from '../support/repo';

const USES = 'src/app/uses.lisp';

/** clysm-check --watch --json as a child process, with its stdout lines parsed and its stderr lines kept. */
class WatchProcess {
  readonly child: ChildProcess;
  private readonly lines: Record<string, unknown>[] = [];
  private readonly errors: string[] = [];
  private readonly waiters: Array<() => void> = [];

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'clysm-check'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const arrived = (): void => {
      for (const waiter of this.waiters.splice(0)) waiter();
    };
    createInterface({ input: this.child.stdout! }).on('line', (text) => {
      this.lines.push(JSON.parse(text) as Record<string, unknown>);
      arrived();
    });
    createInterface({ input: this.child.stderr! }).on('line', (text) => {
      this.errors.push(text);
      arrived();
    });
  }

  /** The first value `found` gives, now or after a later line; rejects if the process ends first. */
  private waitFor<T>(what: string, found: () => T | undefined): Promise<T> {
    const now = found();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const value = found();
        if (value !== undefined) resolve(value);
        else this.waiters.push(check);
      };
      this.waiters.push(check);
      this.child.once('exit', (code) => reject(new Error(`clysm-check exited (${code}) before ${what}; stderr: ${this.errors.join('\n')}`)));
    });
  }

  /** The stdout line number `index` (0-based), already printed or still to come. */
  line(index: number): Promise<Record<string, unknown>> {
    return this.waitFor(`line ${index + 1}`, () => this.lines[index]);
  }

  /** The first stderr line that matches `pattern`. */
  stderrLine(pattern: RegExp): Promise<string> {
    return this.waitFor(`a stderr line matching ${pattern}`, () => this.errors.find((text) => pattern.test(text)));
  }

  printedLines(): number {
    return this.lines.length;
  }

  /** Sends SIGTERM; resolves with the exit code. */
  stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.kill('SIGTERM');
    return exited;
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

describe('clysm-check --watch --json (SBCL backend)', () => {
  let root: string;
  let watch: WatchProcess;

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-watch-'));
    fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'clysm-standin'), root, { recursive: true });
    fs.mkdirSync(path.join(root, 'src', 'app'));
    fs.writeFileSync(path.join(root, USES), '(defun uses-1+ () (1+ 41))\n(defun plain () (+ 1 2))\n');
    watch = new WatchProcess([root, '--backend', 'sbcl', '--json', '--watch', '--no-cache', '--modules', USES]);
  });
  after(() => {
    watch.kill();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('prints the full result, then a delta per compiler change, and ends cleanly on SIGTERM', async () => {
    const result = await watch.line(0);
    assert.equal(result.event, 'result');
    assert.deepEqual((result.summary as { compiled: number }).compiled, 1);
    assert.equal((result.forms as unknown[]).length, 2, 'the --json schema, on one line');

    const compiler = path.join(root, 'src', 'compiler.lisp');
    fs.writeFileSync(compiler, fs.readFileSync(compiler, 'utf8').replace("'(+ - *)", "'(+ - * 1+)"));
    const delta = await watch.line(1);

    assert.equal(delta.event, 'delta');
    assert.deepEqual(delta.files, ['src/compiler.lisp']);
    assert.equal((delta.summary as { compiled: number }).compiled, 2);
    assert.deepEqual(delta.reload, { mode: 'incremental', forms: 1, errors: [] });
    assert.equal(typeof delta.ms, 'number');
    assert.deepEqual(delta.changed, [
      {
        id: '1:0',
        file: USES,
        line: 1,
        name: 'USES-1+',
        before: { status: 'failed', category: 'missing-function', message: 'Undefined function: 1+' },
        after: { status: 'compiled', category: null, message: null },
      },
    ]);

    assert.equal(await watch.stop(), 0);
  });
});

describe('clysm-check --watch --json (Stage 0 backend)', () => {
  let root: string;
  let stage0: string;
  let watch: WatchProcess;

  before(() => {
    root = copyExampleWorkspace();
    stage0 = path.join(root, 'dist', 'clysm-stage0.wasm');
    watch = new WatchProcess([root, '--backend', 'stage0', '--json', '--watch']);
  });
  after(() => {
    watch.kill();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('prints a delta line when Stage 0 is rebuilt on disk, and only a message on stderr when the rebuild does not load', async () => {
    const result = await watch.line(0);
    assert.equal(result.event, 'result');
    assert.equal(result.backend, 'stage0');

    fs.copyFileSync(path.join(fixtureDir, 'stage0-corrupt.wasm'), stage0);
    assert.match(await watch.stderrLine(/rebuilt Stage 0 is not usable/), /clysm-check: compiler reload failed: the rebuilt Stage 0 is not usable \(error: .*clysm-stage0\.wasm/);
    assert.equal(watch.printedLines(), 1, 'no delta line for a Stage 0 that does not load');

    fs.copyFileSync(path.join(fixtureDir, 'stage0-fixture-rebuilt.wasm'), stage0);
    const delta = await watch.line(1);
    assert.equal(delta.event, 'delta');
    assert.deepEqual(delta.files, ['dist/clysm-stage0.wasm']);
    assert.deepEqual(delta.reload, { mode: 'stage0', forms: 0, errors: [] });
    assert.equal(typeof delta.ms, 'number');
    const before = (result.summary as { compiled: number }).compiled;
    assert.equal((delta.summary as { compiled: number }).compiled, before, '+2 compiled and 2 regressions');
    const changed = delta.changed as Array<{ name: string; before: { status: string }; after: { status: string; message: string | null } }>;
    assert.deepEqual(changed.map((c) => [c.name, c.before.status, c.after.status, c.after.message]), [
      ['ENCODE-UNSIGNED-LEB128', 'failed', 'compiled', null],
      ['ENCODE-SIGNED-LEB128', 'failed', 'compiled', null],
      ['QUOTED-FORM-P', 'compiled', 'failed', 'Undefined function: CAR'],
      ['LITERAL-NODE-P', 'compiled', 'failed', 'Undefined function: CAR'],
    ]);

    assert.equal(await watch.stop(), 0);
  });
});
