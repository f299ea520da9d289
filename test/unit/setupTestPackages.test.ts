// scripts/setup-test-packages.sh, the step of `npm test` that installs sbcl when it is missing,
// run with a PATH of stand-ins: an apt-get that records its arguments (and, when told to, puts
// the command in place) and a sudo that runs its arguments. Nothing real is installed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { repoRoot } from '../support/repo';

const script = path.join(repoRoot, 'scripts', 'setup-test-packages.sh');

interface Bin {
  dir: string;
  calls(): string[];
}

/**
 * A PATH folder with `sudo` and, unless `aptBody` is null, an `apt-get` that logs its arguments
 * and then runs `aptBody(folder)`.
 */
function fakeBin(aptBody: ((dir: string) => string) | null): Bin {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-setup-'));
  const log = path.join(dir, 'calls.log');
  const write = (name: string, body: string): void => fs.writeFileSync(path.join(dir, name), `#!/bin/bash\n${body}\n`, { mode: 0o755 });
  write('sudo', '"$@"');
  if (aptBody !== null) write('apt-get', `echo "$DEBIAN_FRONTEND apt-get $*" >> ${JSON.stringify(log)}\n${aptBody(dir)}`);
  return { dir, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []) };
}

/** An apt-get body that puts an executable `name` in the fake PATH, as installing its package would. */
const provides = (name: string) => (dir: string): string => `[[ $1 == install ]] && printf '#!/bin/bash\\n' > ${JSON.stringify(path.join(dir, name))} && chmod +x ${JSON.stringify(path.join(dir, name))}; exit 0`;

function runSetup(bin: Bin, specs: string[]): { code: number | null; stdout: string; stderr: string } {
  // The PATH holds only the stand-ins: the real sbcl and apt-get are out of sight.
  const r = spawnSync('/bin/bash', [script, ...specs], { encoding: 'utf8', env: { PATH: bin.dir } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('setup-test-packages.sh', () => {
  let dirs: string[] = [];
  const make = (aptBody: ((dir: string) => string) | null): Bin => {
    const bin = fakeBin(aptBody);
    dirs.push(bin.dir);
    return bin;
  };
  const plain = (body: string) => (): string => body;

  beforeEach(() => { dirs = []; });
  afterEach(() => { for (const d of dirs) fs.rmSync(d, { recursive: true, force: true }); });

  it('does nothing, silently, when every command is on the PATH', () => {
    const bin = make(provides('x'));
    fs.writeFileSync(path.join(bin.dir, 'sbcl'), '#!/bin/bash\n', { mode: 0o755 });
    const run = runSetup(bin, ['sbcl']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout + run.stderr, '');
    assert.deepEqual(bin.calls(), []);
  });

  it('installs a missing command with apt-get, after an update, saying so in one line', () => {
    const bin = make(provides('sbcl'));
    const run = runSetup(bin, ['sbcl']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'setup-test-packages: installing sbcl with apt-get (sbcl not on the PATH; needed by the tests)\n');
    assert.deepEqual(bin.calls(), ['noninteractive apt-get update -qq', 'noninteractive apt-get install -y -qq sbcl']);
    assert.ok(fs.existsSync(path.join(bin.dir, 'sbcl')));
    // Run again: now there is nothing to do.
    const again = runSetup(bin, ['sbcl']);
    assert.equal(again.code, 0);
    assert.equal(again.stdout, '');
    assert.equal(bin.calls().length, 2);
  });

  it('without arguments, installs what the suites need: sbcl', () => {
    const bin = make(provides('sbcl'));
    const run = runSetup(bin, []);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(bin.calls(), ['noninteractive apt-get update -qq', 'noninteractive apt-get install -y -qq sbcl']);
  });

  it('installs only what is missing, under the package name given after the colon', () => {
    const bin = make(provides('wasm-tools'));
    fs.writeFileSync(path.join(bin.dir, 'sbcl'), '#!/bin/bash\n', { mode: 0o755 });
    const run = runSetup(bin, ['sbcl', 'wasm-tools:rust-wasm-tools']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(bin.calls(), ['noninteractive apt-get update -qq', 'noninteractive apt-get install -y -qq rust-wasm-tools']);
  });

  it('fails with one line saying what to install when apt-get fails', () => {
    const bin = make(plain('echo "E: Unable to locate package sbcl" >&2; exit 100'));
    const run = runSetup(bin, ['sbcl']);
    assert.equal(run.code, 1);
    const lines = run.stderr.trim().split('\n');
    assert.match(lines[0], /E: Unable to locate package sbcl/, 'apt-get\'s own message is shown');
    assert.equal(lines.at(-1), 'setup-test-packages: cannot install sbcl (apt-get failed): install it yourself with `apt-get install sbcl`, or put sbcl on the PATH');
  });

  it('fails when the package installs but the command is still not on the PATH', () => {
    const bin = make(plain('exit 0'));
    const run = runSetup(bin, ['sbcl']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^setup-test-packages: cannot install sbcl \(installed, but sbcl is still not on the PATH\)/);
  });

  it('fails with one line on a machine without apt-get', () => {
    const bin = make(null);
    const run = runSetup(bin, ['sbcl']);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, 'setup-test-packages: cannot install sbcl (no apt-get: not a Debian machine): install it yourself with `apt-get install sbcl`, or put sbcl on the PATH\n');
  });
});
