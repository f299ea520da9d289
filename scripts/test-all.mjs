// `npm test`: installs the system packages the suites need (sbcl: scripts/setup-test-packages.sh),
// builds, then runs every suite — unit (node:test), the LSP end-to-end test against the real
// server process, and the integration suite inside a real VS Code — and ends with one
// `N passed, N failed, N skipped` line over all of them. Nothing may be skipped: a skip fails the run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Runs a command, echoing its output, and returns the output and exit code. */
function run(command, args) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    let output = '';
    child.stdout.on('data', (d) => { output += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { output += d; process.stderr.write(d); });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Reads node:test's spec-reporter totals (`ℹ pass N`, `ℹ fail N`, `ℹ skipped N`, `ℹ todo N`). */
function nodeTestCounts(output) {
  const last = (name) => Number([...output.matchAll(new RegExp(`^ℹ ${name} (\\d+)$`, 'gm'))].at(-1)?.[1] ?? 0);
  return { passed: last('pass'), failed: last('fail'), skipped: last('skipped') + last('todo') };
}

const summary = (t) => `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`;

// The suites run on the pinned Node 24 (WasmGC), whichever Node started this script.
const node = path.join(REPO, 'node_modules/.bin/node');
if (!fs.existsSync(node)) {
  console.error('node_modules/.bin/node (the pinned Node 24) is missing: run `npm install` first');
  console.log(summary({ passed: 0, failed: 1, skipped: 0 }));
  process.exit(1);
}
const totals = { passed: 0, failed: 0, skipped: 0 };
let broken = false;

for (const [label, command, args] of [
  ['setup', 'bash', [path.join(REPO, 'scripts/setup-test-packages.sh')]],
  ['build', 'npm', ['run', 'build', '--silent']],
  ['build tests', 'npm', ['run', 'build:tests', '--silent']],
]) {
  const r = await run(command, args);
  if (r.code !== 0) {
    console.error(`${label} failed (exit ${r.code})`);
    console.log(summary({ passed: 0, failed: 1, skipped: 0 }));
    process.exit(1);
  }
}

for (const [label, dir] of [['unit', 'out/test/unit/**/*.test.js'], ['e2e', 'out/test/e2e/**/*.test.js']]) {
  const r = await run(node, ['--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=300000', dir]);
  const counts = nodeTestCounts(r.output);
  console.log(`${label}: ${summary(counts)}`);
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  totals.skipped += counts.skipped;
  if (r.code !== 0 && counts.failed === 0) broken = true;
}

if (!process.env.CLYSM_SKIP_INTEGRATION) {
  // --packaged: a last pass against the .vsix from `npm run package` (about 25 s more); CLYSM_SKIP_PACKAGED=1 skips it.
  const r = await run(node, ['scripts/run-integration.mjs', ...(process.env.CLYSM_SKIP_PACKAGED ? [] : ['--packaged'])]);
  const m = [...r.output.matchAll(/^integration: (\d+) passed, (\d+) failed, (\d+) skipped$/gm)].at(-1);
  const passed = m ? Number(m[1]) : 0;
  const failed = m ? Number(m[2]) : 1;
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += m ? Number(m[3]) : 0;
  if (r.code !== 0 && failed === 0) broken = true;
}

if (totals.skipped > 0) console.error(`${totals.skipped} tests were skipped: every test must run here (no test may depend on what is installed)`);
console.log(summary(totals));
process.exit(totals.failed > 0 || totals.skipped > 0 || broken ? 1 : 0);
