// `clysm-check stage1` (the bundled CLI) with output names and folders that lead where Stage 1
// must never be written (issue 10 items 1 and 2): the run is refused with exit 2, a message
// naming the flag and the path, and every file left as it was. The fixture Stage 0 (a test
// double) is the example workspace's dist/clysm-stage0.wasm. Runs on Node 24.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { copyExampleWorkspace, distDir } from '../support/repo';

function stage1Cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(distDir, 'cli.js'), 'stage1', ...args, '--backend', 'stage0', '--wasm-tools', 'none'], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under `dir` with its bytes, to show that nothing changed. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const full = path.join(entry.parentPath, entry.name);
      files.set(path.relative(dir, full), fs.readFileSync(full).toString('base64'));
    }
  }
  return files;
}

describe('clysm-check stage1 never writes outside its output folder', () => {
  let workspace = '';
  beforeEach(() => {
    workspace = fs.realpathSync(copyExampleWorkspace());
  });
  afterEach(() => fs.rmSync(workspace, { recursive: true, force: true }));

  for (const [flag, value, message] of [
    ['--report-name', 'clysm-stage0.wasm', /--report-name: .*dist\/clysm-stage0\.wasm is Stage 0, which is never overwritten/],
    ['--report-name', '../src/compiler/ast.lisp', /--report-name "\.\.\/src\/compiler\/ast\.lisp" must be a plain file name/],
    ['--name', 'clysm-stage0.wasm', /--name: .*dist\/clysm-stage0\.wasm is Stage 0, which is never overwritten/],
    ['--name', 'stage1-report.json', /--report-name: .*stage1-report\.json is the same file as --name/],
  ] as const) {
    it(`${flag} ${value}: exit 2, the flag and the path named, every file unchanged`, () => {
      const before = snapshot(workspace);
      const run = stage1Cli([workspace, flag, value]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stdout, /failed/);
      assert.match(run.stdout, message);
      assert.deepEqual(snapshot(workspace), before);
    });
  }

  it('--out into a module folder may not name a module', () => {
    const before = snapshot(workspace);
    const run = stage1Cli([workspace, '--out', 'src/compiler', '--report-name', 'ast.lisp']);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, /--report-name: .*src\/compiler\/ast\.lisp is the module src\/compiler\/ast\.lisp/);
    assert.deepEqual(snapshot(workspace), before);
  });

  it('an output folder that is a symbolic link out of the workspace: refused unless --allow-output-outside-workspace', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-cli-outside-'));
    try {
      fs.symlinkSync(outside, path.join(workspace, 'out-link'));
      const refused = stage1Cli([workspace, '--out', 'out-link']);
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stdout, new RegExp(`--out "out-link": the output folder .*out-link \\(it leads to ${outside}\\) is outside the workspace folder`));
      assert.deepEqual(fs.readdirSync(outside), []);
      const allowed = stage1Cli([workspace, '--out', 'out-link', '--allow-output-outside-workspace']);
      assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
      assert.deepEqual(fs.readdirSync(outside).sort(), ['clysm-stage1.wasm', 'stage1-report.json']);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });
});
