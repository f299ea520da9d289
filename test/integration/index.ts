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

export function run(): Promise<void> {
  // No colour: the output goes through the workbench's log hook, not a terminal.
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, f));
  }
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
