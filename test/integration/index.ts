// Entry point VS Code calls as `extensionTestsPath`: the same file serves the offline code-server
// runner (scripts/run-vscode-tests.js) and @vscode/test-electron (runElectron.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface SuiteCounts {
  passed: number;
  failed: number;
  pending: number;
  failures: { title: string; error: string }[];
}

/** Suites that need a workspace of their own: they run only when CLYSM_TEST_SUITES names them. */
const DEDICATED_SUITES = new Set(['sbcl', 'showWasm', 'coexistence', 'multiRoot']);

/**
 * The suite files to load. CLYSM_TEST_SUITES (comma-separated names, `sbcl` for sbcl.test.js)
 * picks exactly those; unset, every suite but the dedicated ones runs.
 */
export function suiteFiles(dir: string, selection: string | undefined = process.env.CLYSM_TEST_SUITES): string[] {
  const all = fs.readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort();
  const wanted = selection?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (!wanted?.length) return all.filter((f) => !DEDICATED_SUITES.has(f.slice(0, -'.test.js'.length)));
  const missing = wanted.filter((name) => !all.includes(`${name}.test.js`));
  if (missing.length) throw new Error(`CLYSM_TEST_SUITES names unknown suites: ${missing.join(', ')}`);
  return wanted.map((name) => `${name}.test.js`);
}

export function run(): Promise<void> {
  // No colour: the output goes through the workbench's log hook, not a terminal.
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  for (const f of suiteFiles(__dirname)) mocha.addFile(path.join(__dirname, f));
  const counts: SuiteCounts = { passed: 0, failed: 0, pending: 0, failures: [] };
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run((failures) => {
        // The runner reads the counts from this file (the extension host shares the machine).
        const out = process.env.CLYSM_TEST_RESULTS;
        if (out) fs.writeFileSync(out, JSON.stringify(counts, null, 2));
        if (failures > 0) reject(new Error(`${failures} tests failed.`));
        else resolve();
      });
      runner.on('pass', () => counts.passed++);
      runner.on('pending', () => counts.pending++);
      runner.on('fail', (test, err: unknown) => {
        counts.failed++;
        counts.failures.push({ title: test.fullTitle(), error: String((err as Error)?.message ?? err) });
      });
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}
