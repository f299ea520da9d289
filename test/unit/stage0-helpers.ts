// Shared paths for the Stage 0 tests: the bundled worker and the fixture binaries that
// `node esbuild.mjs` writes to dist/.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Stage0Backend } from '../../server/src/backends/stage0/backend';
import { findRepoRoot } from '../fixtures/stage0/build-fixtures';

export const repoRoot = findRepoRoot(__dirname);
export const workerScript = path.join(repoRoot, 'dist', 'stage0-worker.js');
export const exampleWorkspace = path.join(repoRoot, 'examples', 'workspace');

/**
 * The Stage 0 backend whose generator "Generate Stage 1" runs. Not started: generation runs
 * on a worker process of its own, so there is nothing to dispose.
 */
export function stage0Generator(workspaceRoot: string, stage0Path: string, modules: string[]): Stage0Backend {
  return new Stage0Backend({ workspaceRoot, stage0Path, modules, timeoutMs: 5000, workerScript });
}

export function fixturePath(name: string): string {
  const file = path.join(repoRoot, 'dist', 'fixtures', name);
  if (!fs.existsSync(file) || !fs.existsSync(workerScript)) {
    throw new Error(`${path.relative(repoRoot, file)} or dist/stage0-worker.js is missing: run \`node esbuild.mjs\` first`);
  }
  return file;
}

export function readFixture(name: string): Uint8Array {
  return fs.readFileSync(fixturePath(name));
}

/** A temporary workspace folder; removed by the returned cleanup. */
export function tempWorkspace(prefix = 'clysm-stage0-'): { root: string; cleanup: () => void } {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  return { root, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Replaces a file the way editors and build tools do: write a sibling, then rename over it. */
export function replaceFile(file: string, bytes: Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(temp, bytes);
  fs.renameSync(temp, file);
}
