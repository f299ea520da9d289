// clysm-check --watch --json on a throwaway copy of the stand-in `clysm` system (a test double,
// not Clysm): the full result as one line, then one delta line per saved compiler change, and
// a clean end on SIGTERM. Waits are on the lines the process prints.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../support/repo';

const USES = 'src/app/uses.lisp';

describe('clysm-check --watch --json', () => {
  let root: string;
  let child: ChildProcess;
  const lines: Record<string, unknown>[] = [];
  const waiters: Array<() => void> = [];

  /** The next line printed after `count` lines (already printed or still to come). */
  function line(index: number): Promise<Record<string, unknown>> {
    if (lines.length > index) return Promise.resolve(lines[index]);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (lines.length > index) resolve(lines[index]);
        else waiters.push(check);
      };
      waiters.push(check);
      child.once('exit', (code) => reject(new Error(`clysm-check exited (${code}) before line ${index + 1}`)));
    });
  }

  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-watch-'));
    fs.cpSync(path.join(repoRoot, 'test', 'fixtures', 'clysm-standin'), root, { recursive: true });
    fs.mkdirSync(path.join(root, 'src', 'app'));
    fs.writeFileSync(path.join(root, USES), '(defun uses-1+ () (1+ 41))\n(defun plain () (+ 1 2))\n');
    child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'clysm-check'), root, '--backend', 'sbcl', '--json', '--watch', '--modules', USES], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: child.stdout! }).on('line', (text) => {
      lines.push(JSON.parse(text) as Record<string, unknown>);
      for (const waiter of waiters.splice(0)) waiter();
    });
  });
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('prints the full result, then a delta per compiler change, and ends cleanly on SIGTERM', async () => {
    const result = await line(0);
    assert.equal(result.event, 'result');
    assert.deepEqual((result.summary as { compiled: number }).compiled, 1);
    assert.equal((result.forms as unknown[]).length, 2, 'the --json schema, on one line');

    const compiler = path.join(root, 'src', 'compiler.lisp');
    fs.writeFileSync(compiler, fs.readFileSync(compiler, 'utf8').replace("'(+ - *)", "'(+ - * 1+)"));
    const delta = await line(1);

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

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
