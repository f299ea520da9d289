#!/usr/bin/env node
// `npm run test:integration`: the integration suite (test/integration) inside a real VS Code,
// offline: code-server's VS Code server + Node 24 extension host, headless Chromium.
//   1. installs code-server & co. under .vscode-test/ unless its stamp says done (scripts/setup-vscode-test.sh),
//      and sbcl when it is missing (scripts/setup-test-packages.sh)
//   2. builds the extension, the fixture Stage 0 and the tests (node esbuild.mjs; tsc -p tsconfig.test.json)
//   3. copies examples/workspace to a temp folder, so the tests may edit files
//   4. runs scripts/run-vscode-tests.js on it (the default suites)
//   5. the SBCL pass: the SBCL suite (sbcl.test.ts) on a copy of test/fixtures/sbcl-workspace
//      with clysm.backend = "sbcl"
//   5c. the multi-root pass: the multiRoot suite on a .code-workspace with two Clysm folders and a plain one
//   5b. the coexistence pass: the stand-in of another Common Lisp extension (test/fixtures/
//      commonlisp-standin-extension: language `commonlisp` + a grammar), packaged with vsce and
//      installed beside Clysm; the coexistence, extension and views suites on a fresh copy of the
//      example workspace
//   6. with --packaged (or CLYSM_TEST_PACKAGED=1): `npm run package`, then the default suites once more
//      against that .vsix installed with code-server --install-extension (not the development folder)
//   then prints the combined `integration: N passed, N failed, N skipped` (skipped: mocha's pending tests)
// Options: --no-build (use the existing dist/ and out/), --vsix FILE (test an installed .vsix instead
// of the development folder), --packaged, --screenshot FILE, --only default,sbcl,coexistence,multiroot,packaged
// (run just those passes, for working on one). VS Code's logs go to test-results/integration-logs/.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { layOutSbclWorkspace } from './sbcl-workspace.mjs';
import { layOutMultiRootWorkspace } from './multi-root-workspace.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ROOT = path.resolve(process.env.VSCODE_TEST_DIR || path.join(REPO, '.vscode-test'));
const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const t0 = Date.now();
const log = (...a) => console.log(`[integration ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

const only = opt('--only')?.split(',');
const wanted = (pass) => !only || only.includes(pass);

function finish(passed, failed, skipped, code) {
  console.log(`integration: ${passed} passed, ${failed} failed, ${skipped} skipped`);
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
  finish(0, 1, 0, 1);
}
// The SBCL pass always runs: without sbcl it would fail, so install it (a no-op when it is there).
if (run('bash', [path.join(REPO, 'scripts/setup-test-packages.sh')]) !== 0) finish(0, 1, 0, 1);

// 2. Build. tsc exits non-zero on a type error anywhere in the project but still emits; go on when
//    the suite's files are there, so someone else's type error does not hide the integration results.
const testsDir = path.join(REPO, 'out/test/integration');
if (!args.includes('--no-build')) {
  if (run(process.execPath, ['esbuild.mjs']) !== 0) {
    console.error('node esbuild.mjs failed');
    finish(0, 1, 0, 1);
  }
  if (run(process.execPath, [path.join(REPO, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.test.json']) !== 0) {
    console.error('warning: tsc -p tsconfig.test.json reported errors (see above); running with what it emitted');
  }
  log('built');
}
for (const f of [path.join(REPO, 'dist/extension.js'), path.join(testsDir, 'index.js')]) {
  if (!fs.existsSync(f)) {
    console.error(`missing ${path.relative(REPO, f)}: the build did not produce it`);
    finish(0, 1, 0, 1);
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

/** One run of the runner on `folder`; CLYSM_TEST_SUITES picks the suites (index.ts). */
async function runPass(name, folder, { suites, logsDir, screenshot, alsoInstall = [], vsix = opt('--vsix') && path.resolve(opt('--vsix')) }) {
  const resultsFile = path.join(tmp, `results-${name}.json`);
  // 4. Run, echoing the output and keeping it for the fallback count.
  const runnerArgs = [path.join(REPO, 'scripts/run-vscode-tests.js'),
    '--env', `CLYSM_TEST_RESULTS=${resultsFile}`,
    '--logs-dir', logsDir];
  if (suites) runnerArgs.push('--env', `CLYSM_TEST_SUITES=${suites}`);
  if (screenshot) runnerArgs.push('--screenshot', path.resolve(screenshot));
  for (const file of alsoInstall) runnerArgs.push('--also-install', file);
  // The suite checks that it really runs the installed copy (test/integration/packaged.test.ts).
  if (vsix) runnerArgs.push('--env', 'CLYSM_TEST_PACKAGED=1', '--vsix', vsix, testsDir, folder);
  else runnerArgs.push(REPO, testsDir, folder);

  let output = '';
  const child = spawn(process.execPath, runnerArgs, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d) => { output += d; process.stdout.write(d); });
  child.stderr.on('data', (d) => { output += d; process.stderr.write(d); });
  const forward = (sig) => child.kill(sig); // the runner cleans up its own server and browser
  process.on('SIGINT', forward).on('SIGTERM', forward);
  const code = await new Promise((res) => child.on('close', (c) => res(c ?? 1)));
  process.off('SIGINT', forward).off('SIGTERM', forward);

  let passed = 0;
  let failed = 0;
  let skipped = 0;
  if (fs.existsSync(resultsFile)) {
    // Counted by the suite itself (test/integration/index.ts).
    ({ passed, failed, pending: skipped } = JSON.parse(fs.readFileSync(resultsFile, 'utf8')));
  } else {
    // No results file (timeout, crash before the end): fall back on mocha's spec summary, if any.
    passed = +(/(\d+) passing/.exec(output)?.[1] ?? 0);
    failed = +(/(\d+) failing/.exec(output)?.[1] ?? 0);
    if (code !== 0 && failed === 0) failed = 1; // the run itself failed: count it
    console.error(`no results file from the ${name} pass (runner exit code ${code}${code === 2 ? ': timeout' : ''})`);
  }
  // Not `integration: ...`: npm test reads the last such line, which must be the combined one.
  log(`${name} pass: ${passed} passed, ${failed} failed, ${skipped} skipped, runner exit code ${code}`);
  return { passed, failed, skipped, code };
}

const passes = [];
if (wanted('default')) passes.push(await runPass('default', workspace, { logsDir: path.join(REPO, 'test-results/integration-logs'), screenshot: opt('--screenshot') }));

// 5. The SBCL backend on the stand-in system. Its clysm.asd loads `:pathname "../clysm-standin/src/"`,
//    so the stand-in is copied next to the workspace, as in test/fixtures.
if (wanted('sbcl')) {
  const sbclWorkspace = layOutSbclWorkspace(tmp);
  passes.push(await runPass('sbcl', sbclWorkspace, { suites: 'sbcl,showWasm', logsDir: path.join(REPO, 'test-results/integration-logs-sbcl') }));
}

// 5b. Beside another extension that claims `commonlisp` and brings its own grammar.
if (wanted('coexistence')) {
  const coexistWorkspace = path.join(tmp, 'coexistence-workspace');
  fs.cpSync(src, coexistWorkspace, { recursive: true });
  // Installed from a .vsix, as users install Alive: the workbench loads one development extension only.
  const standin = path.join(tmp, 'commonlisp-standin.vsix');
  const packed = spawnSync(path.join(REPO, 'node_modules/.bin/vsce'),
    ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', standin],
    { cwd: path.join(REPO, 'test/fixtures/commonlisp-standin-extension'), encoding: 'utf8' });
  if (packed.status !== 0 || !fs.existsSync(standin)) {
    console.error(`packaging the stand-in extension failed (exit ${packed.status}):\n${packed.stdout}\n${packed.stderr}`);
    passes.push({ passed: 0, failed: 1, skipped: 0, code: 1 });
  } else {
    passes.push(await runPass('coexistence', coexistWorkspace, {
      suites: 'coexistence,extension,views',
      alsoInstall: [standin],
      logsDir: path.join(REPO, 'test-results/integration-logs-coexistence'),
    }));
  }
}

// 5c. A multi-root workspace: two Clysm folders (alpha holds clysm.asd, beta sets clysm.modules)
//     and a plain folder, opened from a .code-workspace file (scripts/multi-root-workspace.mjs).
if (wanted('multiroot')) {
  const file = layOutMultiRootWorkspace(src, path.join(tmp, 'multi-root'));
  passes.push(await runPass('multiroot', file, {
    suites: 'multiRoot',
    logsDir: path.join(REPO, 'test-results/integration-logs-multiroot'),
  }));
}

// 6. The packaged extension, as users install it: production bundles, .vscodeignore's allow-list.
if ((args.includes('--packaged') || process.env.CLYSM_TEST_PACKAGED === '1') && wanted('packaged')) {
  const vsix = path.join(tmp, 'clysm-vscode.vsix');
  const started = Date.now();
  const packaged = spawnSync('npm', ['run', 'package', '--silent', '--', '--out', vsix], { cwd: REPO, encoding: 'utf8' });
  // npm run package rebuilt dist/ minified: put the development build (with source maps) back.
  if (!args.includes('--no-build')) run(process.execPath, ['esbuild.mjs']);
  if (packaged.status !== 0 || !fs.existsSync(vsix)) {
    console.error(`npm run package failed (exit ${packaged.status}):\n${packaged.stdout}\n${packaged.stderr}`);
    passes.push({ passed: 0, failed: 1, skipped: 0, code: 1 });
  } else {
    log(`packaged ${path.basename(vsix)} (${(fs.statSync(vsix).size / 1024).toFixed(0)} KB) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const packagedWorkspace = path.join(tmp, 'packaged-workspace');
    fs.cpSync(src, packagedWorkspace, { recursive: true });
    passes.push(await runPass('packaged', packagedWorkspace, { vsix, logsDir: path.join(REPO, 'test-results/integration-logs-packaged') }));
  }
}

const passed = passes.reduce((n, p) => n + p.passed, 0);
const failed = passes.reduce((n, p) => n + p.failed, 0);
const skipped = passes.reduce((n, p) => n + p.skipped, 0);
const code = passes.find((p) => p.code !== 0)?.code ?? 0;
fs.rmSync(tmp, { recursive: true, force: true });
log(`done, runner exit code ${code}`);
finish(passed, failed, skipped, code !== 0 ? code : failed > 0 || skipped > 0 ? 1 : 0);
