// Paths shared by the tests: everything is found relative to the repository root.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  while (!fs.existsSync(path.join(dir, 'esbuild.mjs'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`repository root not found above ${start}`);
    dir = parent;
  }
  return dir;
}

export const repoRoot = findRoot(__dirname);
export const distDir = path.join(repoRoot, 'dist');
export const exampleWorkspace = path.join(repoRoot, 'examples', 'workspace');
export const fixtureDir = path.join(distDir, 'fixtures');

/** A throwaway copy of the example workspace, so a test may edit files freely. */
export function copyExampleWorkspace(): string {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), 'clysm-ws-'));
  fs.cpSync(exampleWorkspace, target, { recursive: true });
  return target;
}

export function lispFilesUnder(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== 'dist') walk(full);
      else if (entry.name.endsWith('.lisp')) found.push(full);
    }
  };
  walk(root);
  return found.sort();
}
