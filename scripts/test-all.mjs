// `npm test`: builds, then runs every suite — unit (node:test), the LSP end-to-end test
// against the real server process, and the integration suite inside a real VS Code — and
// ends with one `N passed, N failed` line over all of them.
import { spawn } from 'node:child_process';

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

/** Reads node:test's spec-reporter totals (`ℹ pass N`, `ℹ fail N`). */
function nodeTestCounts(output) {
  const pass = [...output.matchAll(/^ℹ pass (\d+)$/gm)].map((m) => Number(m[1]));
  const fail = [...output.matchAll(/^ℹ fail (\d+)$/gm)].map((m) => Number(m[1]));
  return { passed: pass.at(-1) ?? 0, failed: fail.at(-1) ?? 0 };
}

const node = process.execPath;
const totals = { passed: 0, failed: 0 };
let broken = false;

for (const [label, command, args] of [
  ['build', 'npm', ['run', 'build', '--silent']],
  ['build tests', 'npm', ['run', 'build:tests', '--silent']],
]) {
  const r = await run(command, args);
  if (r.code !== 0) {
    console.error(`${label} failed (exit ${r.code})`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

for (const [label, dir] of [['unit', 'out/test/unit/**/*.test.js'], ['e2e', 'out/test/e2e/**/*.test.js']]) {
  const r = await run(node, ['--test', '--test-reporter=spec', '--test-concurrency=1', dir]);
  const counts = nodeTestCounts(r.output);
  console.log(`${label}: ${counts.passed} passed, ${counts.failed} failed`);
  totals.passed += counts.passed;
  totals.failed += counts.failed;
  if (r.code !== 0 && counts.failed === 0) broken = true;
}

if (!process.env.CLYSM_SKIP_INTEGRATION) {
  // --packaged: a last pass against the .vsix from `npm run package` (about 25 s more); CLYSM_SKIP_PACKAGED=1 skips it.
  const r = await run(node, ['scripts/run-integration.mjs', ...(process.env.CLYSM_SKIP_PACKAGED ? [] : ['--packaged'])]);
  const m = [...r.output.matchAll(/^integration: (\d+) passed, (\d+) failed$/gm)].at(-1);
  const passed = m ? Number(m[1]) : 0;
  const failed = m ? Number(m[2]) : 1;
  totals.passed += passed;
  totals.failed += failed;
  if (r.code !== 0 && failed === 0) broken = true;
}

console.log(`${totals.passed} passed, ${totals.failed} failed`);
process.exit(totals.failed > 0 || broken ? 1 : 0);
