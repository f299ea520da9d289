#!/usr/bin/env node
// `npm run test:integration`: the integration suite (test/integration) inside a real VS Code,
// offline: code-server's VS Code server + Node 24 extension host, headless Chromium.
//   1. installs code-server & co. under .vscode-test/ unless its stamp says done (scripts/setup-vscode-test.sh)
//   2. builds the extension, the fixture Stage 0 and the tests (node esbuild.mjs; tsc -p tsconfig.test.json)
//   3. copies examples/workspace to a temp folder, so the tests may edit files
//   4. runs scripts/run-vscode-tests.js and prints `integration: N passed, N failed`
// Options: --no-build (use the existing dist/ and out/), --vsix FILE (test an installed .vsix instead
// of the development folder), --screenshot FILE. VS Code's logs go to test-results/integration-logs/.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = path.resolve(process.env.VSCODE_TEST_DIR || path.join(REPO, '.vscode-test'));
const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const t0 = Date.now();
const log = (...a) => console.log(`[integration ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

function finish(passed, failed, code) {
  console.log(`integration: ${passed} passed, ${failed} failed`);
  process.exit(code);
}

function run(cmd, argv) {
  const r = spawnSync(cmd, argv, { cwd: REPO, stdio: 'inherit' });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

// 1. Install: the script is idempotent and returns at once when its stamp says it is done.
if (!fs.existsSync(path.join(ROOT, '.installed'))) log('installing the test VS Code under .vscode-test (first run only, ~2.5 min)');
if (run('bash', [path.join(REPO, 'scripts/setup-vscode-test.sh')]) !== 0) {
  console.error('scripts/setup-vscode-test.sh failed');
  finish(0, 1, 1);
}

// 2. Build. tsc exits non-zero on a type error anywhere in the project but still emits; go on when
//    the suite's files are there, so someone else's type error does not hide the integration results.
const testsDir = path.join(REPO, 'out/test/integration');
if (!args.includes('--no-build')) {
  if (run(process.execPath, ['esbuild.mjs']) !== 0) {
    console.error('node esbuild.mjs failed');
    finish(0, 1, 1);
  }
  if (run(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.test.json']) !== 0) {
    console.error('warning: tsc -p tsconfig.test.json reported errors (see above); running with what it emitted');
  }
  log('built');
}
for (const f of [path.join(REPO, 'dist/extension.js'), path.join(testsDir, 'index.js')]) {
  if (!fs.existsSync(f)) {
    console.error(`missing ${path.relative(REPO, f)}: the build did not produce it`);
    finish(0, 1, 1);
  }
}

// 3. A private copy of the example workspace (dist/clysm-stage0.wasm included: the build puts it there).
const src = path.join(REPO, 'examples/workspace');
if (!fs.existsSync(path.join(src, 'dist/clysm-stage0.wasm'))) {
  console.error('warning: examples/workspace/dist/clysm-stage0.wasm is missing (it is built by node esbuild.mjs)');
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-integration-'));
const workspace = path.join(tmp, 'workspace');
fs.cpSync(src, workspace, { recursive: true });
const resultsFile = path.join(tmp, 'results.json');

// 4. Run, echoing the output and keeping it for the fallback count.
const runnerArgs = [path.join(REPO, 'scripts/run-vscode-tests.js'),
  '--env', `CLYSM_TEST_RESULTS=${resultsFile}`,
  '--logs-dir', path.join(REPO, 'test-results/integration-logs')];
if (opt('--screenshot')) runnerArgs.push('--screenshot', path.resolve(opt('--screenshot')));
if (opt('--vsix')) runnerArgs.push('--vsix', path.resolve(opt('--vsix')), testsDir, workspace);
else runnerArgs.push(REPO, testsDir, workspace);

let output = '';
const child = spawn(process.execPath, runnerArgs, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
child.stdout.on('data', (d) => { output += d; process.stdout.write(d); });
child.stderr.on('data', (d) => { output += d; process.stderr.write(d); });
const forward = (sig) => child.kill(sig); // the runner cleans up its own server and browser
process.on('SIGINT', forward).on('SIGTERM', forward);
const code = await new Promise((res) => child.on('close', (c) => res(c ?? 1)));

let passed = 0;
let failed = 0;
if (fs.existsSync(resultsFile)) {
  // Counted by the suite itself (test/integration/index.ts).
  ({ passed, failed } = JSON.parse(fs.readFileSync(resultsFile, 'utf8')));
} else {
  // No results file (timeout, crash before the end): fall back on mocha's spec summary, if any.
  passed = +(/(\d+) passing/.exec(output)?.[1] ?? 0);
  failed = +(/(\d+) failing/.exec(output)?.[1] ?? 0);
  if (code !== 0 && failed === 0) failed = 1; // the run itself failed: count it
  console.error(`no results file from the suite (runner exit code ${code}${code === 2 ? ': timeout' : ''})`);
}
fs.rmSync(tmp, { recursive: true, force: true });
log(`done, runner exit code ${code}`);
finish(passed, failed, code !== 0 ? code : failed > 0 ? 1 : 0);
