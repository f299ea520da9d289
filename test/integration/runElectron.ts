// `npm run test:electron`: the same integration suite in a desktop VS Code through
// @vscode/test-electron, for machines that can download VS Code (or have one: VSCODE_EXECUTABLE).
// Offline machines use scripts/run-integration.mjs (code-server) instead; here the download fails.
//   VSCODE_VERSION     version to download (default 'stable')
//   VSCODE_EXECUTABLE  a local VS Code binary; skips the download
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<number> {
  // This file compiles to out/test/integration/runElectron.js.
  const repo = path.resolve(__dirname, '../../..');
  const extensionTestsPath = path.resolve(__dirname, 'index');
  // The tests edit files: give them a private copy of the example workspace.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-electron-'));
  const workspace = path.join(tmp, 'workspace');
  fs.cpSync(path.join(repo, 'examples/workspace'), workspace, { recursive: true });
  const resultsFile = path.join(tmp, 'results.json');
  try {
    await runTests({
      extensionDevelopmentPath: repo,
      extensionTestsPath,
      version: process.env.VSCODE_VERSION ?? 'stable',
      vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
      extensionTestsEnv: { CLYSM_TEST_RESULTS: resultsFile },
      // Only the extension under test, no workspace trust prompt, a fresh profile per run.
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes',
        '--user-data-dir', path.join(tmp, 'user-data')],
    });
    return 0;
  } catch (err) {
    console.error(`integration tests failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    if (fs.existsSync(resultsFile)) {
      const r = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { passed: number; failed: number };
      console.log(`integration: ${r.passed} passed, ${r.failed} failed`);
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

void main().then((code) => process.exit(code));
